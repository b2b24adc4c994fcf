// Package demo holds the fictional demo agencies and personas and seeds them idempotently.
// Demo mode's built-in identity provider signs in exactly these personas.
package demo

import (
	"context"
	"fmt"

	"tearline/internal/agency"
	"tearline/internal/user"
)

// Persona is a demo user; Hint is the login_hint and the subject the demo provider issues.
type Persona struct {
	Hint   string
	Name   string
	Agency string
	Roles  []user.Role
	Title  string
}

// Agencies returns the demo agencies.
func Agencies() []agency.Agency {
	fed := func(code, name string) agency.Agency {
		return agency.Agency{Code: code, Name: name, Kind: agency.KindMember, Country: "USA", Federal: true}
	}
	return []agency.Agency{
		{Code: "HSTC", Name: "Human Smuggling and Trafficking Center", Kind: agency.KindCenter, Country: "USA", Federal: true},
		fed("ICE", "U.S. Immigration and Customs Enforcement"),
		fed("CBP", "U.S. Customs and Border Protection"),
		fed("USCG", "U.S. Coast Guard"),
		fed("FBI", "Federal Bureau of Investigation"),
		fed("DOS", "U.S. Department of State"),
		fed("DOJ", "U.S. Department of Justice"),
		fed("DHS-IA", "DHS Office of Intelligence and Analysis"),
		fed("ODNI", "Office of the Director of National Intelligence"),
		{Code: "EUROPOL", Name: "European Union Agency for Law Enforcement Cooperation", Kind: agency.KindPartner, IntlOrg: true},
		{Code: "INTERPOL", Name: "International Criminal Police Organization", Kind: agency.KindPartner, IntlOrg: true},
		{Code: "FRONTEX", Name: "European Border and Coast Guard Agency", Kind: agency.KindPartner, IntlOrg: true},
		{Code: "NCA", Name: "National Crime Agency (United Kingdom)", Kind: agency.KindPartner, Country: "GBR", Foreign: true},
		{Code: "FGR", Name: "Fiscalía General de la República (Mexico)", Kind: agency.KindPartner, Country: "MEX", Foreign: true},
	}
}

// Personas returns the demo personas, one per role and agency the issue names.
func Personas() []Persona {
	return []Persona{
		{"analyst@hstc", "Dana Whitfield", "HSTC", []user.Role{user.RoleAnalyst}, "Senior analyst, maritime smuggling"},
		{"analyst2@hstc", "Marcus Oyelaran", "HSTC", []user.Role{user.RoleAnalyst}, "Analyst, trafficking finance"},
		{"reviewer@hstc", "Elena Sokolova", "HSTC", []user.Role{user.RoleReviewer}, "Releasing official"},
		{"admin@hstc", "Priya Raman", "HSTC", []user.Role{user.RoleAuditor, user.RoleCenterAdmin}, "Center administrator and auditor"},
		{"steering@dos", "Thomas Achebe", "DOS", []user.Role{user.RoleSteering}, "Steering group, State"},
		{"steering@doj", "Laura Jiménez", "DOJ", []user.Role{user.RoleSteering}, "Steering group, Justice"},
		{"steering@dhs-ia", "Kevin Marsh", "DHS-IA", []user.Role{user.RoleSteering}, "Steering group, DHS I&A"},
		{"liaison@ice", "Rosa Delgado", "ICE", []user.Role{user.RoleLiaison}, "HSI liaison officer"},
		{"liaison@cbp", "Aaron Fitzgerald", "CBP", []user.Role{user.RoleLiaison}, "CBP liaison officer"},
		{"liaison@fbi", "Grace Lindqvist", "FBI", []user.Role{user.RoleLiaison}, "FBI liaison officer"},
		{"liaison@uscg", "Samuel Okafor", "USCG", []user.Role{user.RoleLiaison}, "Coast Guard liaison officer"},
		{"liaison@europol", "Katrin Vogel", "EUROPOL", []user.Role{user.RoleLiaison}, "Europol liaison officer"},
		{"liaison@interpol", "Henri Dubois", "INTERPOL", []user.Role{user.RoleLiaison}, "INTERPOL liaison officer"},
		{"liaison@nca", "Fiona McAllister", "NCA", []user.Role{user.RoleLiaison}, "NCA liaison officer"},
		{"admin@ice", "Victor Reyes", "ICE", []user.Role{user.RoleAgencyAdmin}, "ICE agency administrator"},
	}
}

// FindPersona returns the persona with the login hint, if any.
func FindPersona(hint string) (Persona, bool) {
	for _, p := range Personas() {
		if p.Hint == hint {
			return p, true
		}
	}
	return Persona{}, false
}

// Email returns the persona's fictional e-mail address.
func (p Persona) Email() string { return p.Hint + ".demo.invalid" }

// Store is what seeding needs.
type Store interface {
	UpsertAgency(ctx context.Context, a *agency.Agency) error
	UpsertUser(ctx context.Context, u *user.User) error
}

// Seed writes the demo agencies and personas (signed in by issuer); running it again changes nothing.
func Seed(ctx context.Context, s Store, issuer string) error {
	ids := map[string]int64{}
	kinds := map[string]agency.Kind{}
	for _, a := range Agencies() {
		if err := a.Validate(); err != nil {
			return fmt.Errorf("demo agency %s: %w", a.Code, err)
		}
		if err := s.UpsertAgency(ctx, &a); err != nil {
			return fmt.Errorf("seed agency %s: %w", a.Code, err)
		}
		ids[a.Code], kinds[a.Code] = a.ID, a.Kind
	}
	for _, p := range Personas() {
		u := user.User{AgencyID: ids[p.Agency], Issuer: issuer, Subject: p.Hint, DisplayName: p.Name, Email: p.Email(), Roles: p.Roles}
		u.Normalize()
		if err := u.Validate(kinds[p.Agency]); err != nil {
			return fmt.Errorf("demo persona %s: %w", p.Hint, err)
		}
		if err := s.UpsertUser(ctx, &u); err != nil {
			return fmt.Errorf("seed persona %s: %w", p.Hint, err)
		}
	}
	return nil
}

// Package user describes the people who sign in, the roles they hold in their agency and the
// Principal that every request carries once signed in.
package user

import (
	"net/mail"
	"net/url"
	"slices"
	"strings"
	"time"

	"tearline/internal/agency"
	"tearline/internal/apperr"
)

// Role is a role a user holds within an agency.
type Role string

// Roles.
const (
	RoleAnalyst     Role = "analyst"
	RoleReviewer    Role = "reviewer"
	RoleCenterAdmin Role = "center_admin"
	RoleAuditor     Role = "auditor"
	RoleSteering    Role = "steering"
	RoleLiaison     Role = "liaison"
	RoleAgencyAdmin Role = "agency_admin"
)

// Roles lists every role in display order.
var Roles = []Role{RoleAnalyst, RoleReviewer, RoleCenterAdmin, RoleAuditor, RoleSteering, RoleLiaison, RoleAgencyAdmin}

// Label returns the human name of the role.
func (r Role) Label() string {
	switch r {
	case RoleAnalyst:
		return "Analyst"
	case RoleReviewer:
		return "Reviewer / releasing official"
	case RoleCenterAdmin:
		return "Center administrator"
	case RoleAuditor:
		return "Auditor"
	case RoleSteering:
		return "Steering group member"
	case RoleLiaison:
		return "Agency liaison"
	case RoleAgencyAdmin:
		return "Agency administrator"
	}
	return string(r)
}

// AllowedIn reports whether the role may be held by a user of an agency of kind k.
func (r Role) AllowedIn(k agency.Kind) bool {
	switch r {
	case RoleAnalyst, RoleReviewer, RoleCenterAdmin, RoleAuditor:
		return k == agency.KindCenter
	case RoleSteering:
		return k == agency.KindMember
	case RoleLiaison:
		return k == agency.KindMember || k == agency.KindPartner
	case RoleAgencyAdmin:
		return true
	}
	return false
}

// User is a person who signs in through an OpenID Connect issuer. The pair (Issuer, Subject)
// identifies the user; the e-mail address never does.
type User struct {
	ID            int64
	AgencyID      int64
	AgencyCode    string
	Issuer        string
	Subject       string
	DisplayName   string
	Email         string
	Active        bool
	DeactivatedAt *time.Time
	Roles         []Role
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// HasRole reports whether the user holds r.
func (u *User) HasRole(r Role) bool { return slices.Contains(u.Roles, r) }

// Normalize trims the user's text fields and sorts roles.
func (u *User) Normalize() {
	u.Issuer = strings.TrimSpace(u.Issuer)
	u.Subject = strings.TrimSpace(u.Subject)
	u.DisplayName = strings.TrimSpace(u.DisplayName)
	u.Email = strings.TrimSpace(u.Email)
	slices.Sort(u.Roles)
	u.Roles = slices.Compact(u.Roles)
}

// Validate checks the user against the kind of the agency they belong to.
func (u *User) Validate(kind agency.Kind) error {
	f := map[string]string{}
	if n := len([]rune(u.DisplayName)); n < 2 || n > 200 {
		f["display_name"] = "Enter the person's name (2–200 characters)."
	}
	if u.Issuer == "" || len(u.Issuer) > 500 {
		f["issuer"] = "Enter the OpenID Connect issuer URL that signs this user in."
	} else if iu, err := url.Parse(u.Issuer); err != nil || (iu.Scheme != "https" && iu.Scheme != "http") || iu.Host == "" {
		f["issuer"] = "The issuer is a URL starting with https://."
	}
	if u.Subject == "" || len(u.Subject) > 255 {
		f["subject"] = "Enter the subject (sub claim) the issuer gives this user."
	}
	if u.Email != "" {
		if a, err := mail.ParseAddress(u.Email); err != nil || a.Address != u.Email {
			f["email"] = "Enter a valid e-mail address, or leave it empty."
		}
	}
	if u.AgencyID == 0 {
		f["agency_id"] = "Choose the user's agency."
	}
	for _, r := range u.Roles {
		if !slices.Contains(Roles, r) {
			f["roles"] = "Choose roles from the list."
			break
		}
		if !r.AllowedIn(kind) {
			f["roles"] = r.Label() + " cannot be held by a user of a " + kind.Label() + "."
			break
		}
	}
	if len(f) > 0 {
		return apperr.Invalid(f)
	}
	return nil
}

// Filter selects users; a zero AgencyID means every agency.
type Filter struct {
	AgencyID int64
}

// ErrStale says a user was changed by someone else since the form was loaded.
var ErrStale = &apperr.Error{Code: apperr.ECONFLICT,
	Message: "Someone else changed this user after you opened the form. Your changes were not saved; the form now shows the current values."}

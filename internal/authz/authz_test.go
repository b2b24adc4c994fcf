package authz_test

import (
	"context"
	"fmt"
	"testing"

	"tearline/internal/agency"
	"tearline/internal/authz"
	"tearline/internal/demo"
	"tearline/internal/user"
	"tearline/policies"
)

// Agency ids used for the demo agencies in these tests.
var agencyIDs = map[string]int64{
	"HSTC": 1, "ICE": 2, "EUROPOL": 3, "CBP": 4, "USCG": 5, "FBI": 6, "DOS": 7, "DOJ": 8,
	"DHS-IA": 9, "ODNI": 10, "INTERPOL": 11, "FRONTEX": 12, "NCA": 13, "FGR": 14,
}

const (
	hstc    = 1
	ice     = 2
	europol = 3
	cbp     = 4
)

func newAuthorizer(t *testing.T) *authz.Authorizer {
	t.Helper()
	a, err := authz.New()
	if err != nil {
		t.Fatalf("authz.New: %v", err)
	}
	return a
}

// persona returns the principal of the demo persona with the login hint.
func persona(t *testing.T, hint string) *user.Principal {
	t.Helper()
	p, ok := demo.FindPersona(hint)
	if !ok {
		t.Fatalf("no demo persona %q", hint)
	}
	var kind agency.Kind
	for _, a := range demo.Agencies() {
		if a.Code == p.Agency {
			kind = a.Kind
		}
	}
	id, ok := agencyIDs[p.Agency]
	if !ok || kind == "" {
		t.Fatalf("persona %s: agency %s has no test id or kind", hint, p.Agency)
	}
	return &user.Principal{Name: p.Name, AgencyID: id, AgencyCode: p.Agency, AgencyKind: kind, Roles: p.Roles}
}

var (
	types   = []string{authz.TypeHome, authz.TypeAdmin, authz.TypeAgency, authz.TypeUser}
	actions = []string{authz.ActRead, authz.ActList, authz.ActCreate, authz.ActUpdate, authz.ActDeactivate}
)

type scope int

const (
	scopeNone scope = iota
	scopeOwn        // the type as a whole and the principal's own agency's objects
	scopeAny        // also other agencies' objects and AnyAgency
)

type grants map[string]scope // "type/action" -> scope

func (g grants) merge(o grants) grants {
	out := grants{}
	for k, v := range g {
		out[k] = v
	}
	for k, v := range o {
		out[k] = max(out[k], v)
	}
	return out
}

// What each role may do, written out by hand from the product's rules rather than read from the
// policy file, so that a change to either shows up here.
var (
	homeOnly    = grants{"home/read": scopeOwn}
	centerStaff = homeOnly.merge(grants{"agency/list": scopeAny})
	auditor     = homeOnly.merge(grants{"agency/list": scopeAny, "user/list": scopeAny, "user/read": scopeAny})
	centerAdmin = homeOnly.merge(grants{
		"admin/read":  scopeAny,
		"agency/list": scopeAny, "agency/read": scopeAny, "agency/create": scopeAny, "agency/update": scopeAny,
		"user/list": scopeAny, "user/read": scopeAny, "user/create": scopeAny, "user/update": scopeAny, "user/deactivate": scopeAny,
	})
	agencyAdmin = homeOnly.merge(grants{
		"admin/read": scopeOwn, "agency/read": scopeOwn,
		"user/list": scopeOwn, "user/read": scopeOwn, "user/create": scopeOwn, "user/update": scopeOwn, "user/deactivate": scopeOwn,
	})
)

func TestDemoPersonaMatrix(t *testing.T) {
	a := newAuthorizer(t)
	want := map[string]grants{
		"analyst@hstc":     centerStaff,
		"analyst2@hstc":    centerStaff,
		"reviewer@hstc":    centerStaff,
		"admin@hstc":       centerAdmin.merge(auditor),
		"steering@dos":     homeOnly,
		"steering@doj":     homeOnly,
		"steering@dhs-ia":  homeOnly,
		"liaison@ice":      homeOnly,
		"liaison@cbp":      homeOnly,
		"liaison@fbi":      homeOnly,
		"liaison@uscg":     homeOnly,
		"liaison@europol":  homeOnly,
		"liaison@interpol": homeOnly,
		"liaison@nca":      homeOnly,
		"admin@ice":        agencyAdmin,
	}
	if len(want) != len(demo.Personas()) {
		t.Fatalf("matrix covers %d personas, demo has %d", len(want), len(demo.Personas()))
	}
	for _, pers := range demo.Personas() {
		t.Run(pers.Hint, func(t *testing.T) {
			g, ok := want[pers.Hint]
			if !ok {
				t.Fatalf("persona %s is not in the matrix", pers.Hint)
			}
			p := persona(t, pers.Hint)
			other := int64(hstc)
			if p.AgencyID == hstc {
				other = ice
			}
			for _, typ := range types {
				for _, act := range actions {
					s := g[typ+"/"+act]
					objs := []struct {
						form string
						obj  authz.Object
						want bool
					}{
						{"Type", authz.Type(typ), s >= scopeOwn},
						{"Owned(own)", authz.Owned(typ, p.AgencyID), s >= scopeOwn},
						{"Owned(other)", authz.Owned(typ, other), s >= scopeAny},
						{"AnyAgency", authz.AnyAgency(typ), s >= scopeAny},
					}
					for _, o := range objs {
						if got := a.Can(context.Background(), p, act, o.obj); got != o.want {
							t.Errorf("Can(%s, %s %s) = %v, want %v", act, typ, o.form, got, o.want)
						}
					}
				}
			}
		})
	}
}

func TestNamedRules(t *testing.T) {
	a := newAuthorizer(t)
	tests := []struct {
		name string
		hint string
		act  string
		obj  authz.Object
		want bool
	}{
		{"center admin lists users of any agency", "admin@hstc", authz.ActList, authz.AnyAgency(authz.TypeUser), true},
		{"center admin deactivates an ICE user", "admin@hstc", authz.ActDeactivate, authz.Owned(authz.TypeUser, ice), true},
		{"center admin updates a EUROPOL user", "admin@hstc", authz.ActUpdate, authz.Owned(authz.TypeUser, europol), true},
		{"center admin creates an agency", "admin@hstc", authz.ActCreate, authz.AnyAgency(authz.TypeAgency), true},
		{"center admin updates EUROPOL", "admin@hstc", authz.ActUpdate, authz.Owned(authz.TypeAgency, europol), true},
		{"center admin cannot deactivate an agency", "admin@hstc", authz.ActDeactivate, authz.Owned(authz.TypeAgency, europol), false},

		{"ICE admin lists ICE users", "admin@ice", authz.ActList, authz.Owned(authz.TypeUser, ice), true},
		{"ICE admin reads an ICE user", "admin@ice", authz.ActRead, authz.Owned(authz.TypeUser, ice), true},
		{"ICE admin creates an ICE user", "admin@ice", authz.ActCreate, authz.Owned(authz.TypeUser, ice), true},
		{"ICE admin updates an ICE user", "admin@ice", authz.ActUpdate, authz.Owned(authz.TypeUser, ice), true},
		{"ICE admin deactivates an ICE user", "admin@ice", authz.ActDeactivate, authz.Owned(authz.TypeUser, ice), true},
		{"ICE admin cannot list CBP users", "admin@ice", authz.ActList, authz.Owned(authz.TypeUser, cbp), false},
		{"ICE admin cannot read an HSTC user", "admin@ice", authz.ActRead, authz.Owned(authz.TypeUser, hstc), false},
		{"ICE admin cannot create a EUROPOL user", "admin@ice", authz.ActCreate, authz.Owned(authz.TypeUser, europol), false},
		{"ICE admin cannot update a CBP user", "admin@ice", authz.ActUpdate, authz.Owned(authz.TypeUser, cbp), false},
		{"ICE admin cannot deactivate a CBP user", "admin@ice", authz.ActDeactivate, authz.Owned(authz.TypeUser, cbp), false},
		{"center admin grants center_admin anywhere", "admin@hstc", authz.ActGrant, authz.Owned(authz.RoleType("center_admin"), ice), true},
		{"ICE admin grants liaison in ICE", "admin@ice", authz.ActGrant, authz.Owned(authz.RoleType("liaison"), ice), true},
		{"ICE admin cannot grant liaison in CBP", "admin@ice", authz.ActGrant, authz.Owned(authz.RoleType("liaison"), cbp), false},
		{"ICE admin cannot grant center_admin", "admin@ice", authz.ActGrant, authz.Owned(authz.RoleType("center_admin"), ice), false},
		{"ICE admin cannot grant analyst", "admin@ice", authz.ActGrant, authz.Owned(authz.RoleType("analyst"), ice), false},
		{"liaison cannot grant anything", "liaison@ice", authz.ActGrant, authz.Owned(authz.RoleType("liaison"), ice), false},
		{"ICE admin cannot list users of any agency", "admin@ice", authz.ActList, authz.AnyAgency(authz.TypeUser), false},
		{"ICE admin cannot create users in any agency", "admin@ice", authz.ActCreate, authz.AnyAgency(authz.TypeUser), false},
		{"ICE admin cannot create agencies", "admin@ice", authz.ActCreate, authz.Type(authz.TypeAgency), false},
		{"ICE admin cannot update ICE", "admin@ice", authz.ActUpdate, authz.Owned(authz.TypeAgency, ice), false},
		{"ICE admin reads ICE", "admin@ice", authz.ActRead, authz.Owned(authz.TypeAgency, ice), true},
		{"ICE admin cannot read CBP", "admin@ice", authz.ActRead, authz.Owned(authz.TypeAgency, cbp), false},

		{"liaison cannot open admin", "liaison@ice", authz.ActRead, authz.Type(authz.TypeAdmin), false},
		{"liaison cannot list ICE users", "liaison@ice", authz.ActList, authz.Owned(authz.TypeUser, ice), false},
		{"liaison cannot read ICE", "liaison@ice", authz.ActRead, authz.Owned(authz.TypeAgency, ice), false},
		{"partner liaison cannot list agencies", "liaison@europol", authz.ActList, authz.Type(authz.TypeAgency), false},

		{"analyst lists agencies", "analyst@hstc", authz.ActList, authz.AnyAgency(authz.TypeAgency), true},
		{"analyst cannot list users", "analyst@hstc", authz.ActList, authz.Type(authz.TypeUser), false},
		{"analyst cannot list HSTC users", "analyst@hstc", authz.ActList, authz.Owned(authz.TypeUser, hstc), false},
		{"analyst cannot open admin", "analyst@hstc", authz.ActRead, authz.Type(authz.TypeAdmin), false},

		{"liaison reads own home", "liaison@europol", authz.ActRead, authz.Owned(authz.TypeHome, europol), true},
		{"liaison cannot read another agency's home", "liaison@europol", authz.ActRead, authz.Owned(authz.TypeHome, ice), false},

		{"unknown action", "admin@hstc", "delete", authz.Owned(authz.TypeUser, ice), false},
		{"empty action", "admin@hstc", "", authz.Owned(authz.TypeUser, ice), false},
		{"unknown type", "admin@hstc", authz.ActRead, authz.AnyAgency("product"), false},
		{"empty type", "admin@hstc", authz.ActRead, authz.Object{}, false},
		{"action name is case-sensitive", "admin@hstc", "READ", authz.Type(authz.TypeAdmin), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := persona(t, tt.hint)
			if got := a.Can(context.Background(), p, tt.act, tt.obj); got != tt.want {
				t.Errorf("Can(%s, %s, %+v) = %v, want %v", tt.hint, tt.act, tt.obj, got, tt.want)
			}
		})
	}
}

// everyRequest calls fn with each action and object form over agencies 1..3.
func everyRequest(fn func(act string, obj authz.Object, label string)) {
	for _, typ := range append(types, "product") {
		for _, act := range actions {
			fn(act, authz.Type(typ), typ+" Type")
			fn(act, authz.AnyAgency(typ), typ+" AnyAgency")
			for id := int64(1); id <= 3; id++ {
				fn(act, authz.Owned(typ, id), fmt.Sprintf("%s Owned(%d)", typ, id))
			}
		}
	}
}

func TestPrincipalsThatCanDoNothing(t *testing.T) {
	a := newAuthorizer(t)
	tests := []struct {
		name string
		p    *user.Principal
	}{
		{"nil principal", nil},
		{"no roles in the center", &user.Principal{AgencyID: hstc, AgencyKind: agency.KindCenter}},
		{"no roles in a member", &user.Principal{AgencyID: ice, AgencyKind: agency.KindMember}},
		{"empty roles slice", &user.Principal{AgencyID: europol, AgencyKind: agency.KindPartner, Roles: []user.Role{}}},
		{"unknown role", &user.Principal{AgencyID: hstc, AgencyKind: agency.KindCenter, Roles: []user.Role{"root"}}},
		{"center admin held in a member agency", &user.Principal{AgencyID: ice, AgencyKind: agency.KindMember, Roles: []user.Role{user.RoleCenterAdmin}}},
		{"center admin with no agency kind", &user.Principal{AgencyID: hstc, Roles: []user.Role{user.RoleCenterAdmin}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			everyRequest(func(act string, obj authz.Object, label string) {
				if a.Can(context.Background(), tt.p, act, obj) {
					t.Errorf("Can(%s, %s) = true, want false", act, label)
				}
			})
		})
	}
}

func TestEveryRoleReadsOwnHome(t *testing.T) {
	a := newAuthorizer(t)
	ids := map[agency.Kind]int64{agency.KindCenter: hstc, agency.KindMember: ice, agency.KindPartner: europol}
	for _, r := range user.Roles {
		for _, k := range agency.Kinds {
			if !r.AllowedIn(k) {
				continue
			}
			t.Run(string(r)+"/"+string(k), func(t *testing.T) {
				p := &user.Principal{AgencyID: ids[k], AgencyKind: k, Roles: []user.Role{r}}
				if !a.Can(context.Background(), p, authz.ActRead, authz.Owned(authz.TypeHome, p.AgencyID)) {
					t.Errorf("%s in a %s cannot read its own home", r, k)
				}
				otherID := ids[agency.KindCenter]
				if otherID == p.AgencyID {
					otherID = ids[agency.KindMember]
				}
				if a.Can(context.Background(), p, authz.ActRead, authz.Owned(authz.TypeHome, otherID)) {
					t.Errorf("%s in a %s can read agency %d's home", r, k, otherID)
				}
			})
		}
	}
}

func TestPolicyScopes(t *testing.T) {
	type check struct {
		obj  authz.Object
		want bool
	}
	p := &user.Principal{AgencyID: ice, AgencyKind: agency.KindMember, Roles: []user.Role{user.RoleAgencyAdmin}}
	tests := []struct {
		name   string
		policy string
		checks []check
	}{
		{"own", "p, agency_admin, *, user, read, own\n", []check{
			{authz.Type(authz.TypeUser), true},
			{authz.Owned(authz.TypeUser, ice), true},
			{authz.Owned(authz.TypeUser, cbp), false},
			{authz.AnyAgency(authz.TypeUser), false},
		}},
		{"any", "p, agency_admin, *, user, read, any\n", []check{
			{authz.Type(authz.TypeUser), true},
			{authz.Owned(authz.TypeUser, ice), true},
			{authz.Owned(authz.TypeUser, cbp), true},
			{authz.AnyAgency(authz.TypeUser), true},
		}},
		{"typo'd scope anyy", "p, agency_admin, *, user, read, anyy\n", []check{
			{authz.Type(authz.TypeUser), false},
			{authz.Owned(authz.TypeUser, ice), false},
			{authz.Owned(authz.TypeUser, cbp), false},
			{authz.AnyAgency(authz.TypeUser), false},
		}},
		{"typo'd scope onw", "p, agency_admin, *, user, read, onw\n", []check{
			{authz.Type(authz.TypeUser), false},
			{authz.Owned(authz.TypeUser, ice), false},
			{authz.Owned(authz.TypeUser, cbp), false},
			{authz.AnyAgency(authz.TypeUser), false},
		}},
		{"upper-case scope ANY", "p, agency_admin, *, user, read, ANY\n", []check{
			{authz.Owned(authz.TypeUser, ice), false},
			{authz.Owned(authz.TypeUser, cbp), false},
			{authz.AnyAgency(authz.TypeUser), false},
		}},
		{"typo'd domain kind", "p, agency_admin, membr, user, read, any\n", []check{
			{authz.Type(authz.TypeUser), false},
			{authz.Owned(authz.TypeUser, ice), false},
			{authz.AnyAgency(authz.TypeUser), false},
		}},
		{"other kind only", "p, agency_admin, partner, user, read, any\n", []check{
			{authz.Type(authz.TypeUser), false},
			{authz.Owned(authz.TypeUser, ice), false},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := authz.NewFromText(policies.Model, tt.policy)
			if err != nil {
				t.Fatalf("NewFromText: %v", err)
			}
			for _, c := range tt.checks {
				if got := a.Can(context.Background(), p, authz.ActRead, c.obj); got != c.want {
					t.Errorf("Can(read, %+v) = %v, want %v", c.obj, got, c.want)
				}
			}
		})
	}
}

func TestNewFromTextRejectsBadModel(t *testing.T) {
	if _, err := authz.NewFromText("[request_definition]\nr = sub\n", policies.Policy); err == nil {
		t.Error("NewFromText accepted a model without a matcher")
	}
}

package user_test

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"

	"tearline/internal/agency"
	"tearline/internal/apperr"
	"tearline/internal/user"
)

func TestRoleAllowedIn(t *testing.T) {
	// want[role] lists the kinds the role may be held in; every other kind is refused.
	want := map[user.Role][]agency.Kind{
		user.RoleAnalyst:     {agency.KindCenter},
		user.RoleReviewer:    {agency.KindCenter},
		user.RoleCenterAdmin: {agency.KindCenter},
		user.RoleAuditor:     {agency.KindCenter},
		user.RoleSteering:    {agency.KindMember},
		user.RoleLiaison:     {agency.KindMember, agency.KindPartner},
		user.RoleAgencyAdmin: {agency.KindCenter, agency.KindMember, agency.KindPartner},
		user.Role("root"):    nil,
		user.Role(""):        nil,
	}
	if len(user.Roles) != 7 {
		t.Fatalf("user.Roles has %d roles, the matrix below covers 7", len(user.Roles))
	}
	for _, r := range user.Roles {
		if _, ok := want[r]; !ok {
			t.Errorf("role %q is missing from the matrix", r)
		}
	}
	for r, allowed := range want {
		for _, k := range agency.Kinds {
			t.Run(string(r)+"/"+string(k), func(t *testing.T) {
				if got, w := r.AllowedIn(k), slices.Contains(allowed, k); got != w {
					t.Errorf("Role(%q).AllowedIn(%q) = %v, want %v", r, k, got, w)
				}
			})
		}
	}
}

func TestRoleLabel(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range user.Roles {
		l := r.Label()
		if l == "" || l == string(r) || seen[l] {
			t.Errorf("role %q has label %q; want a distinct human label", r, l)
		}
		seen[l] = true
	}
	if got := user.Role("root").Label(); got != "root" {
		t.Errorf("unknown role label = %q, want the role itself", got)
	}
}

func validUser() user.User {
	return user.User{
		AgencyID: 2, Issuer: "https://login.ice.example.gov", Subject: "abc-123",
		DisplayName: "Rosa Delgado", Email: "rosa@ice.example.gov", Roles: []user.Role{user.RoleLiaison},
	}
}

func TestUserValidate(t *testing.T) {
	tests := []struct {
		name       string
		kind       agency.Kind
		edit       func(u *user.User)
		wantFields []string // nil means valid
	}{
		{"valid", agency.KindMember, func(u *user.User) {}, nil},
		{"valid without e-mail or roles", agency.KindMember, func(u *user.User) { u.Email, u.Roles = "", nil }, nil},
		{"valid http issuer", agency.KindMember, func(u *user.User) { u.Issuer = "http://localhost:8080/demo-idp" }, nil},
		{"issuer without a host", agency.KindMember, func(u *user.User) { u.Issuer = "http://" }, []string{"issuer"}},
		{"valid two-rune name", agency.KindMember, func(u *user.User) { u.DisplayName = "Jó" }, nil},
		{"valid 200-rune name", agency.KindMember, func(u *user.User) { u.DisplayName = strings.Repeat("ñ", 200) }, nil},
		{"valid 500-byte issuer", agency.KindMember, func(u *user.User) { u.Issuer = "https://" + strings.Repeat("a", 492) }, nil},
		{"valid 255-byte subject", agency.KindMember, func(u *user.User) { u.Subject = strings.Repeat("s", 255) }, nil},
		{"valid center roles", agency.KindCenter, func(u *user.User) {
			u.Roles = []user.Role{user.RoleAnalyst, user.RoleReviewer, user.RoleCenterAdmin, user.RoleAuditor, user.RoleAgencyAdmin}
		}, nil},
		{"valid partner roles", agency.KindPartner, func(u *user.User) {
			u.Roles = []user.Role{user.RoleLiaison, user.RoleAgencyAdmin}
		}, nil},

		{"empty name", agency.KindMember, func(u *user.User) { u.DisplayName = "" }, []string{"display_name"}},
		{"one-rune name", agency.KindMember, func(u *user.User) { u.DisplayName = "R" }, []string{"display_name"}},
		{"201-rune name", agency.KindMember, func(u *user.User) { u.DisplayName = strings.Repeat("ñ", 201) }, []string{"display_name"}},
		{"empty issuer", agency.KindMember, func(u *user.User) { u.Issuer = "" }, []string{"issuer"}},
		{"501-byte issuer", agency.KindMember, func(u *user.User) { u.Issuer = "https://" + strings.Repeat("a", 493) }, []string{"issuer"}},
		{"issuer without scheme", agency.KindMember, func(u *user.User) { u.Issuer = "login.ice.example.gov" }, []string{"issuer"}},
		{"ftp issuer", agency.KindMember, func(u *user.User) { u.Issuer = "ftp://login.ice.example.gov" }, []string{"issuer"}},
		{"empty subject", agency.KindMember, func(u *user.User) { u.Subject = "" }, []string{"subject"}},
		{"256-byte subject", agency.KindMember, func(u *user.User) { u.Subject = strings.Repeat("s", 256) }, []string{"subject"}},
		{"e-mail without @", agency.KindMember, func(u *user.User) { u.Email = "rosa.ice.example.gov" }, []string{"email"}},
		{"e-mail with a display name", agency.KindMember, func(u *user.User) { u.Email = "Rosa <rosa@ice.example.gov>" }, []string{"email"}},
		{"e-mail with spaces", agency.KindMember, func(u *user.User) { u.Email = " rosa@ice.example.gov" }, []string{"email"}},
		{"no agency", agency.KindMember, func(u *user.User) { u.AgencyID = 0 }, []string{"agency_id"}},
		{"unknown role", agency.KindMember, func(u *user.User) { u.Roles = []user.Role{"root"} }, []string{"roles"}},
		{"unknown role after a valid one", agency.KindMember, func(u *user.User) {
			u.Roles = []user.Role{user.RoleLiaison, "superuser"}
		}, []string{"roles"}},
		{"analyst in a member agency", agency.KindMember, func(u *user.User) { u.Roles = []user.Role{user.RoleAnalyst} }, []string{"roles"}},
		{"reviewer in a partner", agency.KindPartner, func(u *user.User) { u.Roles = []user.Role{user.RoleReviewer} }, []string{"roles"}},
		{"center admin in a member agency", agency.KindMember, func(u *user.User) { u.Roles = []user.Role{user.RoleCenterAdmin} }, []string{"roles"}},
		{"auditor in a partner", agency.KindPartner, func(u *user.User) { u.Roles = []user.Role{user.RoleAuditor} }, []string{"roles"}},
		{"steering in a partner", agency.KindPartner, func(u *user.User) { u.Roles = []user.Role{user.RoleSteering} }, []string{"roles"}},
		{"steering in the center", agency.KindCenter, func(u *user.User) { u.Roles = []user.Role{user.RoleSteering} }, []string{"roles"}},
		{"liaison in the center", agency.KindCenter, func(u *user.User) { u.Roles = []user.Role{user.RoleLiaison} }, []string{"roles"}},
		{"any role in an unknown kind", agency.Kind(""), func(u *user.User) { u.Roles = []user.Role{user.RoleLiaison} }, []string{"roles"}},
		{"everything wrong", agency.KindPartner, func(u *user.User) {
			*u = user.User{Email: "nope", Roles: []user.Role{user.RoleAnalyst}}
		}, []string{"agency_id", "display_name", "email", "issuer", "roles", "subject"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := validUser()
			tt.edit(&u)
			err := u.Validate(tt.kind)
			if tt.wantFields == nil {
				if err != nil {
					t.Fatalf("Validate(%q) = %v (fields %v), want nil", tt.kind, err, apperr.FieldErrors(err))
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate(%q) = nil, want errors on %v", tt.kind, tt.wantFields)
			}
			if code := apperr.Code(err); code != apperr.EINVALID {
				t.Errorf("code = %q, want %q", code, apperr.EINVALID)
			}
			fields := apperr.FieldErrors(err)
			if got := slices.Sorted(maps.Keys(fields)); !slices.Equal(got, tt.wantFields) {
				t.Errorf("field errors on %v (%v), want %v", got, fields, tt.wantFields)
			}
		})
	}
}

func TestUserValidateRoleMessageNamesRoleAndKind(t *testing.T) {
	u := validUser()
	u.Roles = []user.Role{user.RoleSteering}
	msg := apperr.FieldErrors(u.Validate(agency.KindPartner))["roles"]
	if !strings.Contains(msg, user.RoleSteering.Label()) || !strings.Contains(msg, agency.KindPartner.Label()) {
		t.Errorf("roles message %q should name the role and the agency kind", msg)
	}
}

func TestUserNormalize(t *testing.T) {
	tests := []struct {
		name      string
		in        user.User
		wantRoles []user.Role
	}{
		{"de-duplicates and sorts", user.User{Roles: []user.Role{user.RoleLiaison, user.RoleAgencyAdmin, user.RoleLiaison, user.RoleAgencyAdmin}},
			[]user.Role{user.RoleAgencyAdmin, user.RoleLiaison}},
		{"single role", user.User{Roles: []user.Role{user.RoleAuditor}}, []user.Role{user.RoleAuditor}},
		{"no roles", user.User{}, nil},
		{"all duplicates", user.User{Roles: []user.Role{user.RoleAnalyst, user.RoleAnalyst, user.RoleAnalyst}}, []user.Role{user.RoleAnalyst}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := tt.in
			u.Normalize()
			if !slices.Equal(u.Roles, tt.wantRoles) {
				t.Errorf("roles = %v, want %v", u.Roles, tt.wantRoles)
			}
		})
	}
	t.Run("trims text fields", func(t *testing.T) {
		u := user.User{Issuer: " https://x.example \n", Subject: "\tsub ", DisplayName: "  Dana Whitfield ", Email: " dana@x.example "}
		u.Normalize()
		if u.Issuer != "https://x.example" || u.Subject != "sub" || u.DisplayName != "Dana Whitfield" || u.Email != "dana@x.example" {
			t.Errorf("Normalize left %+v", u)
		}
	})
}

func TestHasRole(t *testing.T) {
	p := &user.Principal{Roles: []user.Role{user.RoleAuditor, user.RoleCenterAdmin}}
	u := &user.User{Roles: p.Roles}
	for _, r := range append(slices.Clone(user.Roles), "root") {
		t.Run(string(r), func(t *testing.T) {
			want := r == user.RoleAuditor || r == user.RoleCenterAdmin
			if got := p.HasRole(r); got != want {
				t.Errorf("Principal.HasRole(%q) = %v, want %v", r, got, want)
			}
			if got := u.HasRole(r); got != want {
				t.Errorf("User.HasRole(%q) = %v, want %v", r, got, want)
			}
		})
	}
	t.Run("no roles", func(t *testing.T) {
		empty := &user.Principal{}
		for _, r := range user.Roles {
			if empty.HasRole(r) {
				t.Errorf("a principal without roles has %q", r)
			}
		}
	})
}

func TestRoleLabels(t *testing.T) {
	p := &user.Principal{Roles: []user.Role{user.RoleAuditor, user.RoleCenterAdmin}}
	want := []string{user.RoleAuditor.Label(), user.RoleCenterAdmin.Label()}
	if got := p.RoleLabels(); !slices.Equal(got, want) {
		t.Errorf("RoleLabels() = %v, want %v", got, want)
	}
}

func TestPrincipalContext(t *testing.T) {
	p := &user.Principal{UserID: 42, Name: "Rosa Delgado", AgencyCode: "ICE"}
	tests := []struct {
		name string
		ctx  context.Context
		want *user.Principal
	}{
		{"empty context", context.Background(), nil},
		{"with principal", user.WithPrincipal(context.Background(), p), p},
		{"nil principal", user.WithPrincipal(context.Background(), nil), nil},
		{"inner principal wins", user.WithPrincipal(user.WithPrincipal(context.Background(), &user.Principal{UserID: 1}), p), p},
		{"unrelated value", context.WithValue(context.Background(), otherKey{}, p), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := user.PrincipalFrom(tt.ctx); got != tt.want {
				t.Errorf("PrincipalFrom = %+v, want %+v", got, tt.want)
			}
		})
	}
}

type otherKey struct{}

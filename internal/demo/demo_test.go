package demo_test

import (
	"slices"
	"strings"
	"testing"

	"tearline/internal/agency"
	"tearline/internal/demo"
	"tearline/internal/user"
)

var wantHints = []string{
	"analyst@hstc", "analyst2@hstc", "reviewer@hstc", "admin@hstc",
	"steering@dos", "steering@doj", "steering@dhs-ia",
	"liaison@ice", "liaison@cbp", "liaison@fbi", "liaison@uscg",
	"liaison@europol", "liaison@interpol", "liaison@nca",
	"admin@ice",
}

func agenciesByCode(t *testing.T) map[string]agency.Agency {
	t.Helper()
	m := map[string]agency.Agency{}
	for _, a := range demo.Agencies() {
		if _, dup := m[a.Code]; dup {
			t.Errorf("agency code %s appears twice", a.Code)
		}
		m[a.Code] = a
	}
	return m
}

func TestAgencies(t *testing.T) {
	as := demo.Agencies()
	if len(as) != 14 {
		t.Errorf("got %d demo agencies, want 14", len(as))
	}
	m := agenciesByCode(t)
	var centers []string
	for _, a := range as {
		if a.Kind == agency.KindCenter {
			centers = append(centers, a.Code)
		}
	}
	if !slices.Equal(centers, []string{"HSTC"}) {
		t.Errorf("centers = %v, want exactly [HSTC]", centers)
	}
	for _, code := range []string{"ICE", "EUROPOL", "NCA"} {
		if _, ok := m[code]; !ok {
			t.Errorf("agency %s missing", code)
		}
	}
}

func TestPersonas(t *testing.T) {
	ps := demo.Personas()
	agencies := agenciesByCode(t)

	t.Run("hints are exactly the documented fifteen", func(t *testing.T) {
		var got []string
		for _, p := range ps {
			got = append(got, p.Hint)
		}
		if !slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(wantHints))) {
			t.Errorf("hints = %v, want %v", got, wantHints)
		}
	})
	t.Run("hints are unique", func(t *testing.T) {
		seen := map[string]bool{}
		for _, p := range ps {
			if seen[p.Hint] {
				t.Errorf("hint %s appears twice", p.Hint)
			}
			seen[p.Hint] = true
		}
	})
	for _, p := range ps {
		t.Run(p.Hint, func(t *testing.T) {
			a, ok := agencies[p.Agency]
			if !ok {
				t.Fatalf("agency %s is not a demo agency", p.Agency)
			}
			if !strings.HasSuffix(p.Hint, "@"+strings.ToLower(p.Agency)) {
				t.Errorf("hint %s does not name agency %s", p.Hint, p.Agency)
			}
			if len(p.Roles) == 0 {
				t.Error("persona has no roles")
			}
			for _, r := range p.Roles {
				if !slices.Contains(user.Roles, r) {
					t.Errorf("role %q is not a known role", r)
				}
				if !r.AllowedIn(a.Kind) {
					t.Errorf("role %s is not allowed in %s (%s)", r, a.Code, a.Kind)
				}
			}
			u := user.User{AgencyID: 1, Issuer: "http://localhost:8080/demo-idp", Subject: p.Hint,
				DisplayName: p.Name, Email: p.Email(), Roles: p.Roles}
			u.Normalize()
			if err := u.Validate(a.Kind); err != nil {
				t.Errorf("persona does not validate as a user: %v", err)
			}
			if p.Email() != p.Hint+".demo.invalid" {
				t.Errorf("Email() = %q", p.Email())
			}
		})
	}
}

func TestFindPersona(t *testing.T) {
	tests := []struct {
		hint     string
		wantOK   bool
		wantName string
	}{
		{"analyst@hstc", true, "Dana Whitfield"},
		{"admin@ice", true, "Victor Reyes"},
		{"liaison@europol", true, "Katrin Vogel"},
		{"", false, ""},
		{"nobody@hstc", false, ""},
		{"ANALYST@HSTC", false, ""},
		{" analyst@hstc", false, ""},
		{"analyst", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.hint, func(t *testing.T) {
			p, ok := demo.FindPersona(tt.hint)
			if ok != tt.wantOK {
				t.Fatalf("FindPersona(%q) ok = %v, want %v", tt.hint, ok, tt.wantOK)
			}
			if p.Name != tt.wantName {
				t.Errorf("FindPersona(%q) name = %q, want %q", tt.hint, p.Name, tt.wantName)
			}
			if ok && p.Hint != tt.hint {
				t.Errorf("FindPersona(%q) returned hint %q", tt.hint, p.Hint)
			}
		})
	}
	for _, h := range wantHints {
		if _, ok := demo.FindPersona(h); !ok {
			t.Errorf("FindPersona(%q) not found", h)
		}
	}
}

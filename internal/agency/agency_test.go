package agency_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"tearline/internal/agency"
	"tearline/internal/apperr"
	"tearline/internal/demo"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name string
		in   agency.Agency
		want agency.Agency
	}{
		{"trims and upper-cases",
			agency.Agency{Code: "  dhs-ia ", Name: "  DHS Office of Intelligence and Analysis\t", Country: " usa "},
			agency.Agency{Code: "DHS-IA", Name: "DHS Office of Intelligence and Analysis", Country: "USA"}},
		{"name keeps its case",
			agency.Agency{Code: "FGR", Name: "Fiscalía General", Country: "mex"},
			agency.Agency{Code: "FGR", Name: "Fiscalía General", Country: "MEX"}},
		{"empty stays empty", agency.Agency{Code: " ", Country: "  "}, agency.Agency{}},
		{"other fields untouched",
			agency.Agency{ID: 7, Code: "x", Kind: agency.KindPartner, Foreign: true, IntlOrg: true, Federal: true, StateLocal: true},
			agency.Agency{ID: 7, Code: "X", Kind: agency.KindPartner, Foreign: true, IntlOrg: true, Federal: true, StateLocal: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.in
			got.Normalize()
			if got != tt.want {
				t.Errorf("Normalize() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func valid() agency.Agency {
	return agency.Agency{Code: "ICE", Name: "U.S. Immigration and Customs Enforcement", Kind: agency.KindMember, Country: "USA", Federal: true}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name       string
		edit       func(a *agency.Agency)
		wantFields []string // nil means valid
	}{
		{"valid member", func(a *agency.Agency) {}, nil},
		{"valid center", func(a *agency.Agency) { a.Kind = agency.KindCenter }, nil},
		{"valid state/local member", func(a *agency.Agency) { a.Federal, a.StateLocal = false, true }, nil},
		{"valid foreign partner", func(a *agency.Agency) {
			a.Kind, a.Country, a.Federal, a.Foreign = agency.KindPartner, "GBR", false, true
		}, nil},
		{"valid international organisation", func(a *agency.Agency) {
			a.Kind, a.Country, a.Federal, a.IntlOrg = agency.KindPartner, "", false, true
		}, nil},
		{"code of two characters", func(a *agency.Agency) { a.Code = "IC" }, nil},
		{"code of sixteen characters", func(a *agency.Agency) { a.Code = "A" + strings.Repeat("1", 15) }, nil},
		{"name of two characters", func(a *agency.Agency) { a.Name = "Ab" }, nil},
		{"name of 200 runes", func(a *agency.Agency) { a.Name = strings.Repeat("é", 200) }, nil},

		{"empty code", func(a *agency.Agency) { a.Code = "" }, []string{"code"}},
		{"one-character code", func(a *agency.Agency) { a.Code = "I" }, []string{"code"}},
		{"seventeen-character code", func(a *agency.Agency) { a.Code = "A" + strings.Repeat("1", 16) }, []string{"code"}},
		{"lower-case code", func(a *agency.Agency) { a.Code = "ice" }, []string{"code"}},
		{"code starting with a digit", func(a *agency.Agency) { a.Code = "1CE" }, []string{"code"}},
		{"code starting with a hyphen", func(a *agency.Agency) { a.Code = "-ICE" }, []string{"code"}},
		{"code with a space", func(a *agency.Agency) { a.Code = "DHS IA" }, []string{"code"}},
		{"code with an underscore", func(a *agency.Agency) { a.Code = "DHS_IA" }, []string{"code"}},
		{"empty name", func(a *agency.Agency) { a.Name = "" }, []string{"name"}},
		{"one-character name", func(a *agency.Agency) { a.Name = "I" }, []string{"name"}},
		{"name of 201 runes", func(a *agency.Agency) { a.Name = strings.Repeat("é", 201) }, []string{"name"}},
		{"empty kind", func(a *agency.Agency) { a.Kind = "" }, []string{"kind"}},
		{"unknown kind", func(a *agency.Agency) { a.Kind = "Member" }, []string{"kind"}},
		{"two-letter country", func(a *agency.Agency) { a.Country = "US" }, []string{"country"}},
		{"lower-case country", func(a *agency.Agency) { a.Country = "usa" }, []string{"country"}},
		{"numeric country", func(a *agency.Agency) { a.Country = "840" }, []string{"country"}},
		{"no country and not international", func(a *agency.Agency) { a.Country = "" }, []string{"country"}},
		{"international organisation with a country", func(a *agency.Agency) {
			a.Kind, a.Federal, a.IntlOrg = agency.KindPartner, false, true
		}, []string{"country"}},
		{"partner neither foreign nor international", func(a *agency.Agency) {
			a.Kind, a.Federal = agency.KindPartner, false
		}, []string{"foreign"}},
		{"member marked foreign", func(a *agency.Agency) { a.Federal, a.Foreign = false, true }, []string{"foreign"}},
		{"center marked international", func(a *agency.Agency) {
			a.Kind, a.Country, a.Federal, a.IntlOrg = agency.KindCenter, "", false, true
		}, []string{"foreign"}},
		{"federal and state/local", func(a *agency.Agency) { a.StateLocal = true }, []string{"federal"}},
		{"everything wrong", func(a *agency.Agency) {
			*a = agency.Agency{Code: "x", Kind: "bogus", Country: "us", Federal: true, StateLocal: true, Foreign: true}
		}, []string{"code", "country", "federal", "foreign", "kind", "name"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := valid()
			tt.edit(&a)
			err := a.Validate()
			if tt.wantFields == nil {
				if err != nil {
					t.Fatalf("Validate(%+v) = %v, want nil", a, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate(%+v) = nil, want errors on %v", a, tt.wantFields)
			}
			if code := apperr.Code(err); code != apperr.EINVALID {
				t.Errorf("code = %q, want %q", code, apperr.EINVALID)
			}
			fields := apperr.FieldErrors(err)
			got := slices.Sorted(maps.Keys(fields))
			if !slices.Equal(got, tt.wantFields) {
				t.Errorf("field errors on %v (%v), want %v", got, fields, tt.wantFields)
			}
			for k, msg := range fields {
				if msg == "" {
					t.Errorf("field %s has an empty message", k)
				}
			}
		})
	}
}

func TestKindLabel(t *testing.T) {
	seen := map[string]bool{}
	for _, k := range agency.Kinds {
		l := k.Label()
		if l == "" || l == string(k) || seen[l] {
			t.Errorf("kind %q has label %q; want a distinct human label", k, l)
		}
		seen[l] = true
	}
	if got := agency.Kind("other").Label(); got != "other" {
		t.Errorf("unknown kind label = %q, want the kind itself", got)
	}
}

func TestDemoAgenciesValidate(t *testing.T) {
	for _, a := range demo.Agencies() {
		t.Run(a.Code, func(t *testing.T) {
			n := a
			n.Normalize()
			if n != a {
				t.Errorf("demo agency is not normalized: %+v vs %+v", a, n)
			}
			if err := a.Validate(); err != nil {
				t.Errorf("Validate: %v (fields %v)", err, apperr.FieldErrors(err))
			}
		})
	}
}

package marking_test

import (
	"slices"
	"testing"

	"tearline/internal/marking"
)

func TestDefaultRegistry(t *testing.T) {
	d := marking.DefaultRegistry()
	if d.Version() != marking.DefaultRegistryVersion {
		t.Errorf("Version() = %q, want %q", d.Version(), marking.DefaultRegistryVersion)
	}
	cats := d.Categories()
	// The default table must pass the same checks as a loaded registry and already be sorted.
	loaded, err := marking.NewRegistry(marking.DefaultRegistryVersion, cats)
	if err != nil {
		t.Fatalf("default table is not a valid registry: %v", err)
	}
	if !slices.Equal(loaded.Categories(), cats) {
		t.Errorf("default table is not sorted by code")
	}
	var basic, specified []string
	for _, c := range cats {
		if c.Basic {
			basic = append(basic, c.Code)
		}
		if c.Specified {
			specified = append(specified, c.Code)
		}
	}
	wantBasic := []string{"ASYL", "CVIC", "FSEC", "INF", "INTEL", "INV", "IVIC", "JUV", "LEI", "LSCRN", "LVIC", "PRIOR", "PRIVILEGE", "PRVCY", "VISA", "WIT"}
	wantSpecified := []string{"CHRI", "FSEC", "INF", "INTEL", "INV", "JURY", "LDNA", "LFNC", "LPROT", "PRVCY", "SUB", "WIT"}
	if !slices.Equal(basic, wantBasic) {
		t.Errorf("Basic codes = %q, want %q", basic, wantBasic)
	}
	if !slices.Equal(specified, wantSpecified) {
		t.Errorf("Specified codes = %q, want %q", specified, wantSpecified)
	}
	cats[0].Code = "CHANGED"
	if c, _ := d.LookupCategory("ASYL"); c.Code != "ASYL" {
		t.Error("Categories() exposes the registry's table")
	}
}

func TestLookupAndAllows(t *testing.T) {
	r := marking.DefaultRegistry()
	tests := []struct {
		name      string
		code      string
		wantName  string
		basic, sp bool // Allows for the Basic and the Specified form
	}{
		{"Basic and Specified", "INV", "Investigation", true, true},
		{"Basic only", "IVIC", "Victims of Human Trafficking", true, false},
		{"Specified only", "CHRI", "Criminal History Records Information", false, true},
		{"PRIVILEGE", "PRIVILEGE", "Legal Privilege", true, false},
		{"lookup ignores case and SP-", "sp-prvcy", "General Privacy", false, false},
		{"unknown", "BOGUS", "", false, false},
		{"empty", "", "", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info, ok := r.LookupCategory(tt.code)
			if ok != (tt.wantName != "") || info.Name != tt.wantName {
				t.Errorf("LookupCategory(%q) = %+v, %v; want name %q", tt.code, info, ok, tt.wantName)
			}
			if got := r.Allows(marking.Category{Code: tt.code}); got != tt.basic {
				t.Errorf("Allows(Basic %s) = %v, want %v", tt.code, got, tt.basic)
			}
			if got := r.Allows(marking.Category{Code: tt.code, Specified: true}); got != tt.sp {
				t.Errorf("Allows(SP-%s) = %v, want %v", tt.code, got, tt.sp)
			}
		})
	}
}

func TestNewRegistryRejects(t *testing.T) {
	ok := marking.CategoryInfo{Code: "INV", Name: "Investigation", Basic: true}
	tests := []struct {
		name    string
		version string
		cats    []marking.CategoryInfo
	}{
		{"empty version", " ", []marking.CategoryInfo{ok}},
		{"duplicate code", "v1", []marking.CategoryInfo{ok, ok}},
		{"SP- prefix in code", "v1", []marking.CategoryInfo{{Code: "SP-INV", Name: "x", Specified: true}}},
		{"lower-case code", "v1", []marking.CategoryInfo{{Code: "inv", Name: "x", Basic: true}}},
		{"neither Basic nor Specified", "v1", []marking.CategoryInfo{{Code: "INV", Name: "x"}}},
		{"no name", "v1", []marking.CategoryInfo{{Code: "INV", Basic: true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := marking.NewRegistry(tt.version, tt.cats); err == nil {
				t.Error("NewRegistry() = nil error, want one")
			}
		})
	}
}

func TestParseCategory(t *testing.T) {
	tests := []struct {
		in   string
		want marking.Category
		mark string
	}{
		{"INV", marking.Category{Code: "INV"}, "INV"},
		{" sp-inv ", marking.Category{Code: "INV", Specified: true}, "SP-INV"},
		{"SP- PRVCY", marking.Category{Code: "PRVCY", Specified: true}, "SP-PRVCY"},
		{"privilege", marking.Category{Code: "PRIVILEGE"}, "PRIVILEGE"},
		{"", marking.Category{}, ""},
		// Found by FuzzPortionMark: a repeated prefix used to survive one parse and vanish on the next,
		// so Normalize was not idempotent.
		{"SP-SP-INV", marking.Category{Code: "INV", Specified: true}, "SP-INV"},
		{"sp- SP-", marking.Category{Specified: true}, "SP-"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := marking.ParseCategory(tt.in)
			if got != tt.want || got.Mark() != tt.mark || got.String() != tt.mark {
				t.Errorf("ParseCategory(%q) = %+v (%q), want %+v (%q)", tt.in, got, got.Mark(), tt.want, tt.mark)
			}
		})
	}
}

package marking

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// DefaultRegistryVersion names the category table DefaultRegistry serves: the law-enforcement subset of
// the NIEM 6.0 cui.xsd enumerations listed in markings.md §2.1. Verify against the live NARA registry.
const DefaultRegistryVersion = "niem-6.0-le/1"

// Category is one CUI category on a portion: its registry code and whether the authority that applies
// to this instance makes it Specified (rendered "SP-CODE") or Basic (rendered "CODE").
type Category struct {
	Code      string `json:"code"`
	Specified bool   `json:"specified,omitempty"`
}

// ParseCategory reads a category as a form posts it: "INV", "sp-inv" or " SP-INV " (case and spaces
// are ignored; the "SP-" prefix sets Specified). A repeated prefix ("SP-SP-INV") counts once, so the
// result never starts with "SP-" and parsing its own output changes nothing. It does not check the
// registry.
func ParseCategory(s string) Category {
	code, specified := cutPrefixes(strings.ToUpper(strings.TrimSpace(s)), "SP-")
	return Category{Code: code, Specified: specified}
}

// cutPrefixes returns s without every leading prefix, each followed by optional spaces, and whether
// there was one: "SP-SP- INV" is "INV", true. Cutting the result again changes nothing, which is what
// keeps Normalize idempotent.
func cutPrefixes(s, prefix string) (string, bool) {
	found := false
	for {
		rest, ok := strings.CutPrefix(s, prefix)
		if !ok {
			return s, found
		}
		s, found = strings.TrimSpace(rest), true
	}
}

// Mark returns the category as it appears in portion marks and banners: "SP-INV" or "IVIC".
func (c Category) Mark() string {
	if c.Specified {
		return "SP-" + c.Code
	}
	return c.Code
}

// String returns Mark.
func (c Category) String() string { return c.Mark() }

// compareCategories orders Specified categories first, each group alphabetically by code.
func compareCategories(a, b Category) int {
	if a.Specified != b.Specified {
		if a.Specified {
			return -1
		}
		return 1
	}
	return cmp.Compare(a.Code, b.Code)
}

// CategoryInfo describes one registry category and the forms it may take.
type CategoryInfo struct {
	Code      string `json:"code"`
	Name      string `json:"name"`
	Basic     bool   `json:"basic"`
	Specified bool   `json:"specified"`
}

// Registry is a loaded, versioned, immutable CUI category registry.
type Registry struct {
	version string
	cats    []CategoryInfo // sorted by Code, never modified
}

// defaultCategories is the read-only table behind DefaultRegistry, sorted by code.
var defaultCategories = []CategoryInfo{
	{Code: "ASYL", Name: "Asylee", Basic: true},
	{Code: "CHRI", Name: "Criminal History Records Information", Specified: true},
	{Code: "CVIC", Name: "Child Victim/Witness", Basic: true},
	{Code: "FSEC", Name: "Bank Secrecy", Basic: true, Specified: true},
	{Code: "INF", Name: "Informant", Basic: true, Specified: true},
	{Code: "INTEL", Name: "General Intelligence", Basic: true, Specified: true},
	{Code: "INV", Name: "Investigation", Basic: true, Specified: true},
	{Code: "IVIC", Name: "Victims of Human Trafficking", Basic: true},
	{Code: "JURY", Name: "Federal Grand Jury", Specified: true},
	{Code: "JUV", Name: "Juvenile", Basic: true},
	{Code: "LDNA", Name: "DNA", Specified: true},
	{Code: "LEI", Name: "General Law Enforcement", Basic: true},
	{Code: "LFNC", Name: "Law Enforcement Financial Records", Specified: true},
	{Code: "LPROT", Name: "Protective Order", Specified: true},
	{Code: "LSCRN", Name: "Terrorist Screening", Basic: true},
	{Code: "LVIC", Name: "Victim", Basic: true},
	{Code: "PRIOR", Name: "Prior Arrest", Basic: true},
	{Code: "PRIVILEGE", Name: "Legal Privilege", Basic: true},
	{Code: "PRVCY", Name: "General Privacy", Basic: true, Specified: true},
	{Code: "SUB", Name: "Controlled Substances", Specified: true},
	{Code: "VISA", Name: "Visas", Basic: true},
	{Code: "WIT", Name: "Witness Protection", Basic: true, Specified: true},
}

var categoryCodeRE = regexp.MustCompile(`^[A-Z][A-Z0-9]{1,15}$`)

// DefaultRegistry returns the built-in registry (version DefaultRegistryVersion).
func DefaultRegistry() *Registry {
	return &Registry{version: DefaultRegistryVersion, cats: defaultCategories}
}

// NewRegistry loads a registry version from a category list. Codes must be unique capitalised codes
// without the "SP-" prefix, and every category must allow the Basic form, the Specified form or both.
func NewRegistry(version string, cats []CategoryInfo) (*Registry, error) {
	version = strings.TrimSpace(version)
	if version == "" {
		return nil, fmt.Errorf("marking registry: empty version")
	}
	sorted := slices.Clone(cats)
	slices.SortFunc(sorted, func(a, b CategoryInfo) int { return cmp.Compare(a.Code, b.Code) })
	for i, c := range sorted {
		switch {
		case !categoryCodeRE.MatchString(c.Code):
			return nil, fmt.Errorf("marking registry %s: bad category code %q", version, c.Code)
		case i > 0 && sorted[i-1].Code == c.Code:
			return nil, fmt.Errorf("marking registry %s: duplicate category code %q", version, c.Code)
		case !c.Basic && !c.Specified:
			return nil, fmt.Errorf("marking registry %s: category %s is neither Basic nor Specified", version, c.Code)
		case strings.TrimSpace(c.Name) == "":
			return nil, fmt.Errorf("marking registry %s: category %s has no name", version, c.Code)
		}
	}
	return &Registry{version: version, cats: sorted}, nil
}

// Version returns the registry version, to be stored with what was validated against it.
func (r *Registry) Version() string { return r.version }

// LookupCategory finds a category by code; "sp-inv" finds INV.
func (r *Registry) LookupCategory(code string) (CategoryInfo, bool) {
	code = ParseCategory(code).Code
	i, ok := slices.BinarySearchFunc(r.cats, code, func(c CategoryInfo, code string) int {
		return cmp.Compare(c.Code, code)
	})
	if !ok {
		return CategoryInfo{}, false
	}
	return r.cats[i], true
}

// Categories returns every category sorted by code, for the category picker.
func (r *Registry) Categories() []CategoryInfo { return slices.Clone(r.cats) }

// Allows reports whether the registry knows the category in the form (Basic or Specified) it has.
func (r *Registry) Allows(c Category) bool {
	info, ok := r.LookupCategory(c.Code)
	if !ok || c.Code != info.Code {
		return false
	}
	if c.Specified {
		return info.Specified
	}
	return info.Basic
}

package marking

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"tearline/internal/apperr"
)

// Field keys used in Problem.Field and in the apperr field map; the portion editor names its inputs so.
const (
	FieldControl     = "control"
	FieldCategories  = "categories"
	FieldLDC         = "ldc"
	FieldAudience    = "audience"
	FieldRelTo       = "rel_to"
	FieldDisplayOnly = "display_only"
	FieldDLOnly      = "dl_only"
	FieldTLP         = "tlp"
)

// Problem is one thing wrong with a marking, with the form field it belongs to.
type Problem struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

var (
	trigraphRE   = regexp.MustCompile(`^[A-Z]{3}$`)
	agencyCodeRE = regexp.MustCompile(`^[A-Z][A-Z0-9-]{1,15}$`)
)

// Validate checks the marking against DefaultRegistry; see ValidateWith.
func (m Marking) Validate() error { return m.ValidateWith(DefaultRegistry()) }

// ValidateWith checks a normalized marking against registry r and returns an EINVALID error whose field
// map is keyed by the Field constants (messages for one field are joined), or nil.
func (m Marking) ValidateWith(r *Registry) error {
	ps := r.Check(m)
	if len(ps) == 0 {
		return nil
	}
	fields := map[string]string{}
	for _, p := range ps {
		if prev, ok := fields[p.Field]; ok {
			fields[p.Field] = prev + " " + p.Message
		} else {
			fields[p.Field] = p.Message
		}
	}
	return apperr.Invalid(fields)
}

// Check lists everything wrong with a normalized marking under registry r (B17): an unmarked or
// unknown control; categories or LDCs on a (U) portion; categories the registry does not know in the
// form used; NOFORN with REL TO, DISPLAY ONLY or RELIDO; malformed or USA-only REL TO; DISPLAY ONLY
// naming USA or a REL TO country; DL ONLY without a list or a list without DL ONLY; an unknown audience
// or TLP; AC or AWP without the PRIVILEGE category.
func (r *Registry) Check(m Marking) []Problem {
	var ps []Problem
	add := func(field, format string, args ...any) {
		ps = append(ps, Problem{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	switch m.Control {
	case CUI:
	case Uncontrolled:
		if len(m.Categories) > 0 {
			add(FieldCategories, "An uncontrolled (U) portion has no CUI categories; remove them or mark the portion CUI.")
		}
		if m.hasLDC() {
			add(FieldLDC, "An uncontrolled (U) portion has no dissemination controls; remove them or mark the portion CUI.")
		}
	case Unmarked:
		add(FieldControl, "This portion has no marking; choose CUI or U.")
	default:
		add(FieldControl, "%q is not a control marking; choose CUI or U.", string(m.Control))
	}
	r.checkCategories(m, add)
	checkForeign(m, add)
	if !m.Audience.Valid() {
		add(FieldAudience, "%q is not an audience control; choose FED ONLY, FEDCON, NOCON or none.", string(m.Audience))
	}
	if m.DLOnly && len(m.DLList) == 0 {
		add(FieldDLOnly, "DL ONLY needs a dissemination list; add the agencies that may receive this portion.")
	}
	if !m.DLOnly && len(m.DLList) > 0 {
		add(FieldDLOnly, "A dissemination list needs DL ONLY; tick DL ONLY or clear the list.")
	}
	if bad := notMatching(m.DLList, agencyCodeRE); len(bad) > 0 {
		add(FieldDLOnly, "%s: not agency codes.", strings.Join(bad, ", "))
	}
	if (m.AttorneyClient || m.AttorneyWP) && !slices.ContainsFunc(m.Categories, isPrivilege) {
		add(FieldLDC, "ATTORNEY-CLIENT (AC) and ATTORNEY-WP (AWP) may only be used with the category PRIVILEGE.")
	}
	if !m.TLP.Valid() {
		add(FieldTLP, "%q is not a TLP 2.0 label; choose CLEAR, GREEN, AMBER, AMBER+STRICT, RED or none.", string(m.TLP))
	}
	return ps
}

func isPrivilege(c Category) bool { return c.Code == "PRIVILEGE" }

// checkCategories reports codes missing from the registry or used in a form it does not allow.
func (r *Registry) checkCategories(m Marking, add func(field, format string, args ...any)) {
	for _, c := range m.Categories {
		info, ok := r.LookupCategory(c.Code)
		switch {
		case c.Code == "":
			add(FieldCategories, "A category has no code.")
		case !ok || info.Code != c.Code:
			add(FieldCategories, "%s is not a category in CUI registry version %s.", c.Mark(), r.version)
		case c.Specified && !info.Specified:
			add(FieldCategories, "%s (%s) is not a Specified category; mark it %s.", c.Code, info.Name, c.Code)
		case !c.Specified && !info.Basic:
			add(FieldCategories, "%s (%s) is a Specified category; mark it SP-%s.", c.Code, info.Name, c.Code)
		}
	}
}

// checkForeign reports problems with NOFORN, REL TO, DISPLAY ONLY and RELIDO.
func checkForeign(m Marking, add func(field, format string, args ...any)) {
	if m.NoForn && len(m.RelTo) > 0 {
		add(FieldRelTo, "NOFORN and REL TO cannot both apply to one portion.")
	}
	if m.NoForn && len(m.DisplayOnly) > 0 {
		add(FieldDisplayOnly, "NOFORN and DISPLAY ONLY cannot both apply to one portion.")
	}
	if m.NoForn && m.Relido {
		add(FieldLDC, "NOFORN and RELIDO cannot both apply to one portion.")
	}
	if bad := notMatching(m.RelTo, trigraphRE); len(bad) > 0 {
		add(FieldRelTo, "%s: use three-letter GENC country codes such as GBR or MEX.", strings.Join(bad, ", "))
	}
	if len(m.RelTo) > 0 && !slices.ContainsFunc(m.RelTo, func(s string) bool { return s != "USA" }) {
		add(FieldRelTo, "REL TO needs at least one country besides USA; to keep the portion from every foreign recipient, use NOFORN.")
	}
	if bad := notMatching(m.DisplayOnly, trigraphRE); len(bad) > 0 {
		add(FieldDisplayOnly, "%s: use three-letter GENC country codes such as GBR or MEX.", strings.Join(bad, ", "))
	}
	if slices.Contains(m.DisplayOnly, "USA") {
		add(FieldDisplayOnly, "DISPLAY ONLY lists foreign countries only; remove USA.")
	}
	var both []string
	for _, c := range m.DisplayOnly {
		if c != "USA" && slices.Contains(m.RelTo, c) {
			both = append(both, c)
		}
	}
	if len(both) > 0 {
		add(FieldDisplayOnly, "%s already in REL TO, which allows display; remove from DISPLAY ONLY.", strings.Join(both, ", "))
	}
}

func notMatching(list []string, re *regexp.Regexp) []string {
	var bad []string
	for _, s := range list {
		if !re.MatchString(s) {
			bad = append(bad, fmt.Sprintf("%q", s))
		}
	}
	return bad
}

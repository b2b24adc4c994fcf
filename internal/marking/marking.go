package marking

import (
	"slices"
	"strings"
)

// Marking is the structured marking of one portion or attachment, stored as jsonb and posted from the
// portion editor. The zero value is an unmarked portion.
type Marking struct {
	Control    Control    `json:"control,omitempty"`
	Categories []Category `json:"categories,omitempty"`
	// NoForn forbids any foreign dissemination (portion mark NF).
	NoForn bool `json:"noforn,omitempty"`
	// RelTo lists GENC trigraphs the portion is releasable to, USA first (added by Normalize).
	RelTo []string `json:"rel_to,omitempty"`
	// DisplayOnly lists foreign GENC trigraphs the portion may be shown to without handing over a copy.
	DisplayOnly []string `json:"display_only,omitempty"`
	Audience    Audience `json:"audience,omitempty"`
	// DLOnly limits dissemination to the agencies (agency codes) in DLList.
	DLOnly bool     `json:"dl_only,omitempty"`
	DLList []string `json:"dl_list,omitempty"`
	// Relido lets a foreign disclosure official decide further release (IC-eligible agencies only).
	Relido         bool `json:"relido,omitempty"`
	AttorneyClient bool `json:"attorney_client,omitempty"`
	AttorneyWP     bool `json:"attorney_wp,omitempty"`
	// TLP is shown next to the portion mark, never inside it.
	TLP TLP `json:"tlp,omitempty"`
}

// Marked reports whether the portion carries a known control marking (CUI or U).
func (m Marking) Marked() bool { return m.Control == CUI || m.Control == Uncontrolled }

// Controlled reports whether the portion is CUI.
func (m Marking) Controlled() bool { return m.Control == CUI }

// hasLDC reports whether any limited dissemination control is set.
func (m Marking) hasLDC() bool {
	return m.NoForn || len(m.RelTo) > 0 || len(m.DisplayOnly) > 0 || m.Audience != AudienceAll ||
		m.DLOnly || len(m.DLList) > 0 || m.Relido || m.AttorneyClient || m.AttorneyWP
}

// Normalize puts the marking in its canonical stored form: codes trimmed and upper-cased, "SP-" prefixes
// turned into Specified, lists deduplicated and sorted (REL TO with USA first), a code present as both
// Basic and Specified kept as Specified. It never drops a control, so it cannot loosen a marking.
func (m *Marking) Normalize() {
	m.Control = Control(strings.ToUpper(strings.TrimSpace(string(m.Control))))
	m.Categories = normalizeCategories(m.Categories)
	m.RelTo = normalizeRelTo(m.RelTo)
	m.DisplayOnly = normalizeCodes(m.DisplayOnly)
	m.Audience = Audience(strings.Join(strings.Fields(strings.ToUpper(string(m.Audience))), " "))
	m.DLList = normalizeCodes(m.DLList)
	m.TLP = normalizeTLP(m.TLP)
}

// normalizeCategories returns a new canonical category list (nil when empty).
func normalizeCategories(in []Category) []Category {
	specified := map[string]bool{}
	for _, c := range in {
		p := ParseCategory(c.Code)
		if p.Code == "" {
			continue
		}
		specified[p.Code] = specified[p.Code] || p.Specified || c.Specified
	}
	if len(specified) == 0 {
		return nil
	}
	out := make([]Category, 0, len(specified))
	for code, sp := range specified {
		out = append(out, Category{Code: code, Specified: sp})
	}
	slices.SortFunc(out, compareCategories)
	return out
}

// normalizeCodes returns a new trimmed, upper-cased, sorted, deduplicated list (nil when empty).
func normalizeCodes(in []string) []string {
	var out []string
	for _, s := range in {
		if s = strings.ToUpper(strings.TrimSpace(s)); s != "" {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// normalizeRelTo is normalizeCodes with USA moved to, or added at, the front.
func normalizeRelTo(in []string) []string {
	codes := normalizeCodes(in)
	if len(codes) == 0 {
		return nil
	}
	return append([]string{"USA"}, slices.DeleteFunc(codes, func(s string) bool { return s == "USA" })...)
}

// PortionMark renders the portion mark: "(U)", "(CUI)", "(CUI//SP-INV/IVIC//NF)" … with Specified
// categories first, each group alphabetical, and LDCs in registry order. It renders a normalized copy, so
// the result is canonical even for unnormalized input. An unmarked portion renders "". TLP is not part
// of the portion mark.
func (m Marking) PortionMark() string {
	m.Normalize()
	switch m.Control {
	case Uncontrolled:
		return "(U)"
	case CUI:
		return "(" + render(m.Categories, m.controls().tokens(true)) + ")"
	}
	return ""
}

// render joins "CUI", the category marks and the LDC tokens with the CUI separators.
func render(cats []Category, ldcs []string) string {
	var b strings.Builder
	b.WriteString("CUI")
	for i, c := range cats {
		if i == 0 {
			b.WriteString("//")
		} else {
			b.WriteString("/")
		}
		b.WriteString(c.Mark())
	}
	if len(ldcs) > 0 {
		b.WriteString("//")
		b.WriteString(strings.Join(ldcs, "/"))
	}
	return b.String()
}

// controls are the limited dissemination controls of a portion or a banner.
type controls struct {
	noForn         bool
	audience       Audience
	dlOnly         bool
	relTo          []string
	displayOnly    []string
	relido         bool
	attorneyClient bool
	attorneyWP     bool
}

func (m Marking) controls() controls {
	return controls{m.NoForn, m.Audience, m.DLOnly, m.RelTo, m.DisplayOnly, m.Relido, m.AttorneyClient, m.AttorneyWP}
}

// tokens renders the LDCs in registry order: NOFORN, FED ONLY, FEDCON, NOCON, DL ONLY, REL TO,
// DISPLAY ONLY, RELIDO, ATTORNEY-CLIENT, ATTORNEY-WP; portion form when portion is true.
func (c controls) tokens(portion bool) []string {
	var out []string
	if c.noForn {
		out = append(out, pick(portion, "NF", "NOFORN"))
	}
	if c.audience != AudienceAll {
		out = append(out, string(c.audience))
	}
	if c.dlOnly {
		out = append(out, "DL ONLY")
	}
	if len(c.relTo) > 0 {
		out = append(out, "REL TO "+strings.Join(c.relTo, ", "))
	}
	if len(c.displayOnly) > 0 {
		out = append(out, "DISPLAY ONLY "+strings.Join(c.displayOnly, ", "))
	}
	if c.relido {
		out = append(out, "RELIDO")
	}
	if c.attorneyClient {
		out = append(out, pick(portion, "AC", "ATTORNEY-CLIENT"))
	}
	if c.attorneyWP {
		out = append(out, pick(portion, "AWP", "ATTORNEY-WP"))
	}
	return out
}

func pick(portion bool, portionForm, bannerForm string) string {
	if portion {
		return portionForm
	}
	return bannerForm
}

package marking

import (
	"slices"
)

// Banner is the document marking derived from all portions and attachments (markings.md §2.3): the
// banner text and the effective controls the release ledger checks recipients against. It is computed,
// never edited, and may be stored as a snapshot of a released edition.
type Banner struct {
	// Controlled is true when at least one portion is CUI; otherwise the banner text is empty.
	Controlled bool `json:"controlled"`
	// Categories is the union of portion categories, Specified form winning, Specified first.
	Categories []Category `json:"categories,omitempty"`
	// NoForn: no foreign recipient at all.
	NoForn bool `json:"noforn,omitempty"`
	// RelTo: foreign recipients of these countries may receive copies (USA first). Never with NoForn.
	RelTo []string `json:"rel_to,omitempty"`
	// DisplayOnly: recipients of these countries may be shown the product but not given a copy.
	DisplayOnly []string `json:"display_only,omitempty"`
	Audience    Audience `json:"audience,omitempty"`
	// DLOnly: only agencies in DLList (on every portion's list) may receive it; the list may be empty.
	DLOnly         bool     `json:"dl_only,omitempty"`
	DLList         []string `json:"dl_list,omitempty"`
	Relido         bool     `json:"relido,omitempty"`
	AttorneyClient bool     `json:"attorney_client,omitempty"`
	AttorneyWP     bool     `json:"attorney_wp,omitempty"`
	// TLP is the most restrictive portion TLP (uncontrolled portions included).
	TLP TLP `json:"tlp,omitempty"`
	// Unmarked counts portions without a marking; they add nothing and block review (CheckDocument).
	Unmarked int `json:"unmarked,omitempty"`
}

// DeriveBanner computes the banner of a product from the markings of its portions and attachments.
// Portion order does not matter. Input need not be normalized or valid; invalid combinations resolve
// to the more restrictive reading (any NOFORN wins, unknown TLP counts as RED, unknown audiences meet
// at FED ONLY).
func DeriveBanner(portions []Marking) Banner {
	var (
		b            Banner
		specified    = map[string]bool{}
		foreign      bool     // some controlled portion carries REL TO or DISPLAY ONLY
		rel, display []string // running intersections, without USA
		dlSeen       bool
		relidoAll    = true
	)
	for _, p := range portions {
		p.Normalize()
		b.TLP = b.TLP.Max(p.TLP)
		if !p.Marked() {
			b.Unmarked++
			continue
		}
		if !p.Controlled() {
			continue
		}
		b.Controlled = true
		for _, c := range p.Categories {
			specified[c.Code] = specified[c.Code] || c.Specified
		}
		b.NoForn = b.NoForn || p.NoForn
		if len(p.RelTo) > 0 || len(p.DisplayOnly) > 0 {
			r := without(p.RelTo, "USA")
			d := union(r, without(p.DisplayOnly, "USA"))
			if !foreign {
				rel, display, foreign = r, d, true
			} else {
				rel, display = intersect(rel, r), intersect(display, d)
			}
		}
		b.Audience = b.Audience.Intersect(p.Audience)
		if p.DLOnly || len(p.DLList) > 0 {
			if !dlSeen {
				b.DLList, dlSeen = p.DLList, true
			} else {
				b.DLList = intersect(b.DLList, p.DLList)
			}
		}
		relidoAll = relidoAll && p.Relido
		b.AttorneyClient = b.AttorneyClient || p.AttorneyClient
		b.AttorneyWP = b.AttorneyWP || p.AttorneyWP
	}
	if !b.Controlled {
		return Banner{TLP: b.TLP, Unmarked: b.Unmarked}
	}
	for code, sp := range specified {
		b.Categories = append(b.Categories, Category{Code: code, Specified: sp})
	}
	slices.SortFunc(b.Categories, compareCategories)
	b.DLOnly = dlSeen
	if !b.NoForn && foreign {
		display = without(display, rel...)
		if len(rel) > 0 {
			b.RelTo = append([]string{"USA"}, rel...)
		}
		b.DisplayOnly = display
		b.NoForn = len(rel) == 0 && len(display) == 0
	}
	b.Relido = relidoAll && !b.NoForn
	return b
}

// String returns the banner in NARA style, e.g. "CUI//SP-INV/SP-PRVCY/IVIC//NOFORN", or "" when no
// portion is controlled.
func (b Banner) String() string { return b.Text(StyleNARA) }

// Text returns the banner in the given style: NARA style (the default) carries categories and LDCs,
// DoD style only "CUI". It is "" when no portion is controlled.
func (b Banner) Text(style Style) string {
	switch {
	case !b.Controlled:
		return ""
	case style == StyleDoD:
		return "CUI"
	}
	return render(b.Categories, b.LDCs())
}

// CategoryMarks returns the banner categories as marked, e.g. ["SP-INV", "IVIC"].
func (b Banner) CategoryMarks() []string {
	out := make([]string, len(b.Categories))
	for i, c := range b.Categories {
		out[i] = c.Mark()
	}
	return out
}

// LDCs returns the banner limited dissemination controls in registry order, e.g.
// ["FED ONLY", "REL TO USA, GBR"].
func (b Banner) LDCs() []string {
	return controls{b.NoForn, b.Audience, b.DLOnly, b.RelTo, b.DisplayOnly, b.Relido, b.AttorneyClient, b.AttorneyWP}.tokens(false)
}

// without returns the sorted list s minus the given values, as a new slice (nil when empty).
func without(s []string, drop ...string) []string {
	var out []string
	for _, v := range s {
		if !slices.Contains(drop, v) {
			out = append(out, v)
		}
	}
	return out
}

// intersect returns the sorted intersection of two sorted, deduplicated lists as a new slice.
func intersect(a, b []string) []string {
	var out []string
	for _, v := range a {
		if _, ok := slices.BinarySearch(b, v); ok {
			out = append(out, v)
		}
	}
	return out
}

// union returns the sorted union of two sorted, deduplicated lists as a new slice.
func union(a, b []string) []string {
	out := append(slices.Clone(a), b...)
	slices.Sort(out)
	return slices.Compact(out)
}

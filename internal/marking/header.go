package marking

import "strings"

// UncontrolledBanner fills the banner slot of a non-final product that has no controlled portion, so
// that its supplemental line never stands alone. Released uncontrolled products show no banner.
const UncontrolledBanner = "UNCONTROLLED"

// Header is what the top and bottom of every page, screen, print and export of a product show:
// the banner line, under it the supplemental line of a non-final product, and the document TLP label,
// which is rendered right-justified in FIRST colours and is not part of the banner.
type Header struct {
	Banner       string       `json:"banner,omitempty"`
	Supplemental Supplemental `json:"supplemental,omitempty"`
	TLP          TLP          `json:"tlp,omitempty"`
}

// NewHeader builds the header of a product with banner b in the given style. A released product shows
// no supplemental marking, whatever s is (release removes it, B21). A non-final product always shows
// one: s, or DRAFT when s is empty or unknown. A non-final product with no controlled portion shows
// UncontrolledBanner in the banner slot.
func NewHeader(b Banner, style Style, s Supplemental, released bool) Header {
	h := Header{Banner: b.Text(style), TLP: b.TLP}
	if released {
		return h
	}
	h.Supplemental = s
	if s == SupplementalNone || !s.Valid() {
		h.Supplemental = Draft
	}
	if h.Banner == "" {
		h.Banner = UncontrolledBanner
	}
	return h
}

// Lines returns the non-empty centred lines, banner first: e.g. ["CUI//SP-INV//NOFORN", "DRAFT"].
func (h Header) Lines() []string {
	var out []string
	if h.Banner != "" {
		out = append(out, h.Banner)
	}
	if h.Supplemental != SupplementalNone {
		out = append(out, string(h.Supplemental))
	}
	return out
}

// String renders the header for plain text (e-mail bodies, text exports): the Lines and then the TLP
// label, one per line.
func (h Header) String() string {
	lines := h.Lines()
	if l := h.TLP.Label(); l != "" {
		lines = append(lines, l)
	}
	return strings.Join(lines, "\n")
}

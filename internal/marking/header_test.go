package marking_test

import (
	"slices"
	"testing"

	"tearline/internal/marking"
)

func TestNewHeader(t *testing.T) {
	controlled := marking.DeriveBanner([]marking.Marking{cui("SP-INV", nf, tlp(marking.TLPAmber)), u()})
	uncontrolled := marking.DeriveBanner([]marking.Marking{u(tlp(marking.TLPClear)), u()})
	tests := []struct {
		name     string
		b        marking.Banner
		style    marking.Style
		s        marking.Supplemental
		released bool
		want     []string
		wantText string
	}{
		{"B21 draft shows DRAFT under the banner", controlled, marking.StyleNARA, marking.Draft, false,
			[]string{"CUI//SP-INV//NOFORN", "DRAFT"}, "CUI//SP-INV//NOFORN\nDRAFT\nTLP:AMBER"},
		{"B21 release removes the supplemental marking", controlled, marking.StyleNARA, marking.Draft, true,
			[]string{"CUI//SP-INV//NOFORN"}, "CUI//SP-INV//NOFORN\nTLP:AMBER"},
		{"pre-decisional kept", controlled, marking.StyleNARA, marking.PreDecisional, false,
			[]string{"CUI//SP-INV//NOFORN", "PRE-DECISIONAL"}, "CUI//SP-INV//NOFORN\nPRE-DECISIONAL\nTLP:AMBER"},
		{"deliberative kept", controlled, marking.StyleNARA, marking.Deliberative, false,
			[]string{"CUI//SP-INV//NOFORN", "DELIBERATIVE"}, "CUI//SP-INV//NOFORN\nDELIBERATIVE\nTLP:AMBER"},
		{"provisional kept", controlled, marking.StyleNARA, marking.Provisional, false,
			[]string{"CUI//SP-INV//NOFORN", "PROVISIONAL"}, "CUI//SP-INV//NOFORN\nPROVISIONAL\nTLP:AMBER"},
		{"non-final without a supplemental marking shows DRAFT", controlled, marking.StyleNARA, "", false,
			[]string{"CUI//SP-INV//NOFORN", "DRAFT"}, "CUI//SP-INV//NOFORN\nDRAFT\nTLP:AMBER"},
		{"unknown supplemental on non-final shows DRAFT", controlled, marking.StyleNARA, "FINAL", false,
			[]string{"CUI//SP-INV//NOFORN", "DRAFT"}, "CUI//SP-INV//NOFORN\nDRAFT\nTLP:AMBER"},
		{"uncontrolled draft", uncontrolled, marking.StyleNARA, marking.Draft, false,
			[]string{"UNCONTROLLED", "DRAFT"}, "UNCONTROLLED\nDRAFT\nTLP:CLEAR"},
		{"uncontrolled released: no banner", uncontrolled, marking.StyleNARA, marking.Draft, true,
			nil, "TLP:CLEAR"},
		{"DoD style draft", controlled, marking.StyleDoD, marking.Draft, false,
			[]string{"CUI", "DRAFT"}, "CUI\nDRAFT\nTLP:AMBER"},
		{"nothing at all", marking.Banner{}, marking.StyleNARA, "", true, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := marking.NewHeader(tt.b, tt.style, tt.s, tt.released)
			if got := h.Lines(); !slices.Equal(got, tt.want) {
				t.Errorf("Lines() = %q, want %q", got, tt.want)
			}
			if got := h.String(); got != tt.wantText {
				t.Errorf("String() = %q, want %q", got, tt.wantText)
			}
			if h.TLP != tt.b.TLP {
				t.Errorf("TLP = %q, want %q", h.TLP, tt.b.TLP)
			}
		})
	}
}

package marking_test

import (
	"maps"
	"slices"
	"testing"

	"tearline/internal/marking"
)

func TestCheckDocument(t *testing.T) {
	tests := []struct {
		name         string
		portions     []marking.Marking
		wantPortions []int    // indexes with problems
		wantDocument []string // fields of document problems
		wantErrKeys  []string
	}{
		{"all marked and valid", []marking.Marking{cui("SP-INV", nf), u(), cui("")}, nil, nil, nil},
		{"no portions", nil, nil, nil, nil},
		{"B15 an unmarked portion blocks review", []marking.Marking{cui("INV"), {}, u()},
			[]int{1}, []string{"control"}, []string{"marking", "portion.1"}},
		{"only the bad portions are listed", []marking.Marking{cui("BOGUS"), u(), cui("", nf, relTo("GBR"))},
			[]int{0, 2}, nil, []string{"portion.0", "portion.2"}},
		{"unnormalized input is normalized first", []marking.Marking{{Control: "cui", RelTo: []string{"gbr"}}}, nil, nil, nil},
		{"DL ONLY lists with nothing in common", []marking.Marking{cui("", dl("HSTC")), cui("", dl("ICE", "CBP"))},
			nil, []string{"dl_only"}, []string{"marking"}},
		{"DL ONLY lists sharing an agency", []marking.Marking{cui("", dl("HSTC", "ICE")), cui("", dl("ICE")), cui("")}, nil, nil, nil},
		{"a single empty DL list is a portion problem only", []marking.Marking{cui("", dl()), cui("", dl("ICE"))},
			[]int{0}, nil, []string{"portion.0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := marking.CheckDocument(tt.portions)
			if got := slices.Sorted(maps.Keys(p.Portions)); !slices.Equal(got, tt.wantPortions) {
				t.Errorf("portions with problems = %v, want %v (%+v)", got, tt.wantPortions, p.Portions)
			}
			var docFields []string
			for _, d := range p.Document {
				docFields = append(docFields, d.Field)
			}
			if !slices.Equal(docFields, tt.wantDocument) {
				t.Errorf("document problems = %+v, want fields %q", p.Document, tt.wantDocument)
			}
			if p.OK() != (tt.wantErrKeys == nil) {
				t.Errorf("OK() = %v", p.OK())
			}
			if got := fieldKeys(t, p.Err()); !slices.Equal(got, tt.wantErrKeys) {
				t.Errorf("Err() fields = %q, want %q", got, tt.wantErrKeys)
			}
		})
	}
}

func TestCheckDocumentUnmarkedMessage(t *testing.T) {
	p := marking.CheckDocument([]marking.Marking{{}, u(), {TLP: marking.TLPAmber}})
	if len(p.Portions[0]) != 1 || p.Portions[0][0].Message != "This portion has no marking; choose CUI or U." {
		t.Errorf("portion 0 problems = %+v", p.Portions[0])
	}
	if len(p.Document) != 1 || p.Document[0].Message != "2 of 3 portions have no marking; every portion must be marked before review." {
		t.Errorf("document problems = %+v", p.Document)
	}
}

package tradecraft

import (
	"strings"
	"testing"
)

// want describes one expected finding by kind and the flagged text.
type want struct {
	kind, term string
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []want
	}{
		// Negative cases: correct ICD 203 usage and look-alikes produce nothing.
		{"primary row term alone", "Cocaine shipments through the port of Antwerp are likely to increase in the next quarter.", nil},
		{"unlikely is not likely", "The network is unlikely to abandon the Balkan route before the summer.", nil},
		{"several primary terms", "Couriers will very likely use the northern crossing; a switch to air freight is very unlikely, and a return to maritime routes is almost certainly off the table.", nil},
		{"alternate row alone", "It is highly probable that the cell moves precursors by rail. Use of the ferry is improbable, and the odds of a land route are roughly even odds.", nil},
		{"probably is on the alternate row", "The group probably uses front companies in Mersin.", nil},
		{"confidence without likelihood", "We assess with high confidence that the vessel MV Aurora carried the consignment.", nil},
		{"confidence and likelihood in different sentences", "We have moderate confidence in this judgment. The broker is likely to relocate to Tangier.", nil},
		{"remote as geography", "The remote border crossing near Kapitan Andreevo is staffed only at night.", nil},
		{"probable cause", "Officers had probable cause to search the refrigerated trailer.", nil},
		{"could not as fact", "The driver could not be identified from the CCTV footage.", nil},
		{"likelihood as a noun", "The likelihood estimates above are derived from seizure data.", nil},
		{"words that contain terms", "Likelihoods, probabilities and maybes were discussed in the workshop; the Mighty Sea ferry docked.", nil},
		{"empty", "", nil},

		// (a) off-scale likelihood expressions.
		{"possibly", "The shipment possibly transited Rotterdam.", []want{{KindOffScale, "possibly"}}},
		{"perhaps and maybe", "Perhaps the broker is in Tangier, maybe in Ceuta.", []want{{KindOffScale, "Perhaps"}, {KindOffScale, "maybe"}}},
		{"could and might", "The cell could shift to the Aegean route and might use fishing vessels.", []want{{KindOffScale, "could"}, {KindOffScale, "might"}}},
		{"probably not", "The organisation is probably not aware of the investigation.", []want{{KindOffScale, "probably not"}}},
		{"highly likely", "It is highly likely that the load was split at Algeciras.", []want{{KindOffScale, "highly likely"}}},
		{"highly unlikely", "A maritime transfer is Highly Unlikely.", []want{{KindOffScale, "Highly Unlikely"}}},
		{"certainly", "The courier certainly knew the contents.", []want{{KindOffScale, "certainly"}}},
		{"in all likelihood", "In all likelihood the precursors came from the same supplier.", []want{{KindOffScale, "In all likelihood"}}},
		{"conceivably", "The cash could conceivably be moved by hawala.", []want{{KindOffScale, "could"}, {KindOffScale, "conceivably"}}},
		{"doubtful", "It is doubtful that the new route is operational.", []want{{KindOffScale, "doubtful"}}},
		{"there is a chance", "There is a chance the vessel will divert to Piraeus.", []want{{KindOffScale, "There is a chance"}}},
		{"typographic apostrophe", "There’s a chance the vessel will divert.", []want{{KindOffScale, "There’s a chance"}}},
		{"fifty-fifty", "It is fifty-fifty whether the trailer returns.", []want{{KindOffScale, "fifty-fifty"}}},
		{"phrase across a wrapped line", "The load was highly\nlikely split.", []want{{KindOffScale, "highly\nlikely"}}},

		// (b) both rows in one text: the minority row is flagged.
		{"mixed rows", "The network will likely expand. A move to Spain is very likely. A new supplier is probable.",
			[]want{{KindMixedRows, "probable"}}},
		{"mixed rows alternate dominant", "Expansion is probable. Relocation is highly probable. Arrests are likely.",
			[]want{{KindMixedRows, "likely"}}},
		{"mixed rows tie flags alternate", "Expansion is likely. Relocation is improbable.",
			[]want{{KindMixedRows, "improbable"}}},
		{"remote chance counts as alternate", "Seizure is likely. There is only a remote chance of interdiction at sea.",
			[]want{{KindMixedRows, "remote chance"}}},

		// (c) confidence level and likelihood term in one sentence.
		{"high confidence and likely", "We assess with high confidence that the group will likely move to Durres.",
			[]want{{KindConfidenceWithLikelihood, "high confidence"}}},
		{"likelihood before confidence", "The broker is almost certainly in Istanbul, a judgment made with low confidence.",
			[]want{{KindConfidenceWithLikelihood, "low confidence"}}},
		{"confidence with off-scale term", "We have moderate confidence the shipment possibly left Guayaquil.",
			[]want{{KindConfidenceWithLikelihood, "moderate confidence"}, {KindOffScale, "possibly"}}},
		{"hyphenated confidence", "This high-confidence judgment holds that relocation is unlikely.",
			[]want{{KindConfidenceWithLikelihood, "high-confidence"}}},
		{"one finding per sentence", "With high confidence we judge seizures likely and arrests very likely. Nothing else.",
			[]want{{KindConfidenceWithLikelihood, "high confidence"}}},
		{"U.S. does not end the sentence", "We judge with high confidence that U.S. ports are unlikely targets.",
			[]want{{KindConfidenceWithLikelihood, "high confidence"}}},
		{"decimal does not end a sentence", "We judge with high confidence that volumes rose 3.5 times and will likely rise again.",
			[]want{{KindConfidenceWithLikelihood, "high confidence"}}},
		{"list items are separate sentences", "- High confidence in the source\n- Shipments likely to rise", nil},
		{"lower-case list items are separate sentences", "* high confidence in the source\n* shipments likely to rise", nil},
		{"wrapped line continues the sentence", "We judge with high confidence\nthat shipments are likely to rise.",
			[]want{{KindConfidenceWithLikelihood, "high confidence"}}},
		{"blank line ends the sentence", "Key judgment (high confidence)\n\nshipments are likely to rise.", nil},
		{"table cells are separate sentences", "| Low confidence | Likely |", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Check(tt.text)
			if len(got) != len(tt.want) {
				t.Fatalf("Check() = %+v, want %d findings %v", got, len(tt.want), tt.want)
			}
			for i, w := range tt.want {
				f := got[i]
				if f.Kind != w.kind || f.Term != w.term {
					t.Errorf("finding %d = %s %q, want %s %q", i, f.Kind, f.Term, w.kind, w.term)
				}
				if f.Start < 0 || f.End > len(tt.text) || f.Start >= f.End {
					t.Errorf("finding %d has span %d..%d outside the text", i, f.Start, f.End)
				} else if f.Kind != KindConfidenceWithLikelihood && tt.text[f.Start:f.End] != f.Term {
					t.Errorf("finding %d span %q != term %q", i, tt.text[f.Start:f.End], f.Term)
				}
				if f.Message == "" {
					t.Errorf("finding %d has no message", i)
				}
			}
		})
	}
}

func TestCheckSuggestions(t *testing.T) {
	tests := []struct {
		text, suggestion string
	}{
		{"The load is highly likely to be split.", "very likely"},
		{"It is probably not operational.", "unlikely"},
		{"The courier certainly knew.", "almost certain(ly)"},
		{"Perhaps in Ceuta.", "roughly even chance"},
		// A text on the alternate row gets suggestions from that row.
		{"It is probable and highly probable; it is highly likely too.", "highly probable"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got := Check(tt.text)
			if len(got) != 1 || got[0].Suggestion != tt.suggestion {
				t.Fatalf("Check() = %+v, want one finding suggesting %q", got, tt.suggestion)
			}
			if !strings.Contains(got[0].Message, tt.suggestion) {
				t.Errorf("message %q does not name %q", got[0].Message, tt.suggestion)
			}
		})
	}
}

func TestCheckConfidenceSpanCoversBoth(t *testing.T) {
	text := "Intro. The broker is likely in Istanbul, we judge with high confidence. End."
	got := Check(text)
	if len(got) != 1 {
		t.Fatalf("Check() = %+v, want one finding", got)
	}
	if span := text[got[0].Start:got[0].End]; span != "likely in Istanbul, we judge with high confidence" {
		t.Errorf("span = %q", span)
	}
}

func TestCheckByteOffsetsWithMultibyteText(t *testing.T) {
	text := "Die Lieferung über Ústí nad Labem — possibly via Dresden."
	got := Check(text)
	if len(got) != 1 || text[got[0].Start:got[0].End] != "possibly" {
		t.Fatalf("Check() = %+v, want one finding on \"possibly\"", got)
	}
}

func TestScale(t *testing.T) {
	scale := Scale()
	if len(scale) != 14 {
		t.Fatalf("Scale() has %d terms, want 14", len(scale))
	}
	tests := []struct {
		row      Row
		step     int
		phrase   string
		min, max int
	}{
		{RowPrimary, 0, "almost no chance", 1, 5},
		{RowPrimary, 3, "roughly even chance", 45, 55},
		{RowPrimary, 6, "almost certain(ly)", 95, 99},
		{RowAlternate, 0, "remote", 1, 5},
		{RowAlternate, 2, "improbable (improbably)", 20, 45},
		{RowAlternate, 4, "probable (probably)", 55, 80},
		{RowAlternate, 6, "nearly certain", 95, 99},
	}
	for _, tt := range tests {
		t.Run(tt.phrase, func(t *testing.T) {
			got := termFor(tt.row, tt.step)
			if got.Phrase != tt.phrase || got.MinPercent != tt.min || got.MaxPercent != tt.max {
				t.Fatalf("term = %+v, want %q %d–%d", got, tt.phrase, tt.min, tt.max)
			}
		})
	}
	// Every form of every term is accepted on its own.
	for _, term := range scale {
		for _, form := range term.Forms {
			t.Run("form "+form, func(t *testing.T) {
				if got := Check("The vessel is " + form + " to dock."); len(got) != 0 {
					t.Errorf("Check(%q) = %+v, want none", form, got)
				}
			})
		}
	}
}

func FuzzCheck(f *testing.F) {
	for _, s := range []string{
		"We assess with high confidence that the group will likely move to Durres.",
		"It is probable. It is likely. Perhaps.",
		"There’s a chance U.S. ports are highly\nlikely targets.",
		"| low confidence | likely |\n- could not",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		prev := 0
		for _, fd := range Check(text) {
			if fd.Start < prev || fd.Start >= fd.End || fd.End > len(text) {
				t.Fatalf("finding %+v out of order or outside %d bytes", fd, len(text))
			}
			if fd.Kind != KindConfidenceWithLikelihood && text[fd.Start:fd.End] != fd.Term {
				t.Fatalf("finding %+v: span %q != term", fd, text[fd.Start:fd.End])
			}
			prev = fd.Start
		}
	})
}

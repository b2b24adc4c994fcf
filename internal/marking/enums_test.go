package marking_test

import (
	"testing"

	"tearline/internal/marking"
)

func TestTLP(t *testing.T) {
	tests := []struct {
		tlp   marking.TLP
		label string
		rank  int
		color string
	}{
		{marking.TLPNone, "", 0, ""},
		{marking.TLPClear, "TLP:CLEAR", 1, "#FFFFFF"},
		{marking.TLPGreen, "TLP:GREEN", 2, "#33FF00"},
		{marking.TLPAmber, "TLP:AMBER", 3, "#FFC000"},
		{marking.TLPAmberStrict, "TLP:AMBER+STRICT", 4, "#FFC000"},
		{marking.TLPRed, "TLP:RED", 5, "#FF2B2B"},
		{"PURPLE", "", -1, ""},
	}
	for _, tt := range tests {
		t.Run(string(tt.tlp), func(t *testing.T) {
			if got := tt.tlp.Label(); got != tt.label {
				t.Errorf("Label() = %q, want %q", got, tt.label)
			}
			if got := tt.tlp.Rank(); got != tt.rank {
				t.Errorf("Rank() = %d, want %d", got, tt.rank)
			}
			if got := tt.tlp.Color(); got != tt.color {
				t.Errorf("Color() = %q, want %q", got, tt.color)
			}
			if got := tt.tlp.Valid(); got != (tt.rank >= 0) {
				t.Errorf("Valid() = %v", got)
			}
			if hasID := tt.tlp.STIXMarkingID() != ""; hasID != (tt.rank > 0) {
				t.Errorf("STIXMarkingID() = %q", tt.tlp.STIXMarkingID())
			}
		})
	}
	if n := len(marking.TLPs()); n != 5 {
		t.Errorf("TLPs() has %d labels, want 5", n)
	}
}

func TestParseTLP(t *testing.T) {
	tests := []struct {
		in      string
		want    marking.TLP
		wantErr bool
	}{
		{"TLP:AMBER+STRICT", marking.TLPAmberStrict, false},
		{" tlp:red ", marking.TLPRed, false},
		{"green", marking.TLPGreen, false},
		{"TLP:WHITE", marking.TLPClear, false},
		{"", marking.TLPNone, false},
		{"TLP:AMBER STRICT", "", true},
		{"PURPLE", "", true},
		// Found by FuzzPortionMark: a repeated prefix used to survive one normalization and vanish on
		// the next, so Normalize was not idempotent.
		{"tlp: TLP:red", marking.TLPRed, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := marking.ParseTLP(tt.in)
			if got != tt.want || (err != nil) != tt.wantErr {
				t.Errorf("ParseTLP(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestTLPMax(t *testing.T) {
	tests := []struct {
		a, b, want marking.TLP
	}{
		{marking.TLPNone, marking.TLPNone, marking.TLPNone},
		{marking.TLPNone, marking.TLPClear, marking.TLPClear},
		{marking.TLPAmber, marking.TLPAmberStrict, marking.TLPAmberStrict},
		{marking.TLPRed, marking.TLPGreen, marking.TLPRed},
		{marking.TLPClear, "PURPLE", marking.TLPRed},
	}
	for _, tt := range tests {
		t.Run(string(tt.a)+"+"+string(tt.b), func(t *testing.T) {
			if got := tt.a.Max(tt.b); got != tt.want {
				t.Errorf("Max = %q, want %q", got, tt.want)
			}
			if got := tt.b.Max(tt.a); got != tt.want {
				t.Errorf("Max (swapped) = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestAudienceIntersect(t *testing.T) {
	all, fed, fedcon, nocon := marking.AudienceAll, marking.FedOnly, marking.FedCon, marking.NoCon
	tests := []struct {
		a, b, want marking.Audience
	}{
		{all, all, all},
		{all, nocon, nocon},
		{all, fedcon, fedcon},
		{all, fed, fed},
		{fedcon, nocon, fed},
		{fedcon, fed, fed},
		{nocon, fed, fed},
		{nocon, nocon, nocon},
		{all, "BOGUS", fed},
		{"BOGUS", "BOGUS", fed},
	}
	for _, tt := range tests {
		t.Run(string(tt.a)+"∩"+string(tt.b), func(t *testing.T) {
			if got := tt.a.Intersect(tt.b); got != tt.want {
				t.Errorf("Intersect = %q, want %q", got, tt.want)
			}
			if got := tt.b.Intersect(tt.a); got != tt.want {
				t.Errorf("Intersect (swapped) = %q, want %q", got, tt.want)
			}
		})
	}
	for _, a := range marking.Audiences() {
		if !a.Valid() || a.Label() == "" {
			t.Errorf("audience %q: Valid %v, Label %q", a, a.Valid(), a.Label())
		}
	}
}

func TestSupplementals(t *testing.T) {
	for _, s := range marking.Supplementals() {
		if !s.Valid() || s == marking.SupplementalNone {
			t.Errorf("supplemental %q is not a valid non-final marking", s)
		}
	}
	if marking.Supplemental("FINAL").Valid() {
		t.Error(`Supplemental("FINAL").Valid() = true`)
	}
}

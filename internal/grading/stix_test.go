package grading

import (
	"strconv"
	"testing"
)

func TestSTIXConfidence(t *testing.T) {
	tests := []struct {
		name  string
		grade Grade
		want  int
		ok    bool
	}{
		{"Admiralty 1", Grade{Scheme: Admiralty, Source: "A", Information: "1"}, 90, true},
		{"Admiralty 2", Grade{Scheme: Admiralty, Source: "B", Information: "2"}, 70, true},
		{"Admiralty 3", Grade{Scheme: Admiralty, Source: "C", Information: "3"}, 50, true},
		{"Admiralty 4", Grade{Scheme: Admiralty, Source: "D", Information: "4"}, 30, true},
		{"Admiralty 5", Grade{Scheme: Admiralty, Source: "E", Information: "5"}, 10, true},
		{"Admiralty 6 omitted", Grade{Scheme: Admiralty, Source: "F", Information: "6"}, 0, false},
		{"Admiralty invalid 7", Grade{Scheme: Admiralty, Source: "F", Information: "7"}, 0, false},
		{"Europol has no mapping", Grade{Scheme: Europol, Source: "A", Information: "1"}, 0, false},
		{"5x5x5 has no mapping", Grade{Scheme: UK5x5x5, Source: "A", Information: "1", Handling: "1"}, 0, false},
		{"3x5x2 has no mapping", Grade{Scheme: UK3x5x2, Source: "1", Information: "A", Handling: "P"}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := STIXConfidence(tt.grade)
			if ok != tt.ok || got.Value != tt.want {
				t.Fatalf("STIXConfidence() = %v, %v; want %d, %v", got.Value, ok, tt.want, tt.ok)
			}
		})
	}
	c, _ := STIXConfidence(Grade{Scheme: Admiralty, Source: "B", Information: "2"})
	if got, want := c.Label(), "70 (derived from Admiralty information grade 2)"; got != want {
		t.Errorf("Label() = %q, want %q", got, want)
	}
}

func TestAdmiraltyFromSTIX(t *testing.T) {
	tests := []struct {
		confidence int
		want       string
		ok         bool
	}{
		{100, "1", true}, {80, "1", true}, {79, "2", true}, {60, "2", true}, {59, "3", true},
		{40, "3", true}, {39, "4", true}, {20, "4", true}, {19, "5", true}, {0, "5", true},
		{-1, "", false}, {101, "", false},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.confidence), func(t *testing.T) {
			got, ok := AdmiraltyFromSTIX(tt.confidence)
			if got != tt.want || ok != tt.ok {
				t.Fatalf("AdmiraltyFromSTIX(%d) = %q, %v; want %q, %v", tt.confidence, got, ok, tt.want, tt.ok)
			}
		})
	}
	for _, info := range []string{"1", "2", "3", "4", "5"} {
		c, _ := STIXConfidence(Grade{Scheme: Admiralty, Source: "A", Information: info})
		if back, _ := AdmiraltyFromSTIX(c.Value); back != info {
			t.Errorf("round trip of %s gave %s", info, back)
		}
	}
}

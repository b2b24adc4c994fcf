package grading

import "fmt"

// Confidence is a STIX 2.1 confidence value (0–100) derived from an Admiralty information grade. It is
// never stored as a grade and must be shown with its Label (requirement 25).
type Confidence struct {
	Value int
	// Basis names the grade it was derived from, e.g. "Admiralty information grade 2".
	Basis string
}

// Label returns the value marked as derived, e.g. "70 (derived from Admiralty information grade 2)".
func (c Confidence) Label() string {
	return fmt.Sprintf("%d (derived from %s)", c.Value, c.Basis)
}

// STIXConfidence maps an Admiralty information grade to STIX 2.1 confidence following STIX 2.1
// Appendix B: 1→90, 2→70, 3→50, 4→30, 5→10. It returns false for grade 6 (truth cannot be judged),
// for which a STIX export omits confidence, and for every other scheme, which has no published
// mapping.
func STIXConfidence(g Grade) (Confidence, bool) {
	if g.Scheme != Admiralty {
		return Confidence{}, false
	}
	values := map[string]int{"1": 90, "2": 70, "3": 50, "4": 30, "5": 10}
	v, ok := values[g.Information]
	if !ok {
		return Confidence{}, false
	}
	return Confidence{Value: v, Basis: "Admiralty information grade " + g.Information}, true
}

// AdmiraltyFromSTIX maps a STIX 2.1 confidence value back to an Admiralty information grade
// (80–100→1, 60–79→2, 40–59→3, 20–39→4, 0–19→5). The result is derived: an importer stores it only
// together with a note that it was derived from STIX confidence. It returns false outside 0–100.
func AdmiraltyFromSTIX(confidence int) (string, bool) {
	switch {
	case confidence < 0 || confidence > 100:
		return "", false
	case confidence >= 80:
		return "1", true
	case confidence >= 60:
		return "2", true
	case confidence >= 40:
		return "3", true
	case confidence >= 20:
		return "4", true
	default:
		return "5", true
	}
}

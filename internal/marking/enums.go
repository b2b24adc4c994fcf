package marking

import (
	"fmt"
	"strings"
)

// Control is the control marking of a portion. The zero value means the portion has not been marked.
type Control string

// Control markings.
const (
	Unmarked     Control = ""
	Uncontrolled Control = "U"
	CUI          Control = "CUI"
)

// Audience is the audience limited dissemination control of a portion or banner.
type Audience string

// Audiences. AudienceAll (the zero value) means no audience LDC.
const (
	AudienceAll Audience = ""
	FedOnly     Audience = "FED ONLY"
	FedCon      Audience = "FEDCON"
	NoCon       Audience = "NOCON"
)

// Audiences lists every audience in display order, for pickers.
func Audiences() []Audience { return []Audience{AudienceAll, FedOnly, FedCon, NoCon} }

// Valid reports whether a is a known audience.
func (a Audience) Valid() bool {
	switch a {
	case AudienceAll, FedOnly, FedCon, NoCon:
		return true
	}
	return false
}

// Label returns a human label for the audience picker.
func (a Audience) Label() string {
	switch a {
	case AudienceAll:
		return "No audience limit"
	case FedOnly:
		return "FED ONLY: federal employees only"
	case FedCon:
		return "FEDCON: federal employees and contractors only"
	case NoCon:
		return "NOCON: no contractors (state, local and tribal allowed)"
	}
	return string(a)
}

// Intersect returns the audience allowed by both a and b: all ⊇ NOCON, all ⊇ FEDCON ⊇ FED ONLY, and
// FEDCON ∩ NOCON = FED ONLY. Unknown audiences intersect to FED ONLY, the narrowest.
func (a Audience) Intersect(b Audience) Audience {
	switch {
	case !a.Valid() || !b.Valid():
		return FedOnly
	case a == b || b == AudienceAll:
		return a
	case a == AudienceAll:
		return b
	}
	return FedOnly
}

// TLP is a Traffic Light Protocol 2.0 label. The zero value means no TLP.
type TLP string

// TLP labels, least to most restrictive.
const (
	TLPNone        TLP = ""
	TLPClear       TLP = "CLEAR"
	TLPGreen       TLP = "GREEN"
	TLPAmber       TLP = "AMBER"
	TLPAmberStrict TLP = "AMBER+STRICT"
	TLPRed         TLP = "RED"
)

// TLPs lists the TLP labels from least to most restrictive, for pickers.
func TLPs() []TLP { return []TLP{TLPClear, TLPGreen, TLPAmber, TLPAmberStrict, TLPRed} }

// ParseTLP reads "TLP:AMBER+STRICT", "amber+strict", "" (none) and the TLP 1.0 "WHITE" (as CLEAR).
func ParseTLP(s string) (TLP, error) {
	t := normalizeTLP(TLP(s))
	if t == "WHITE" {
		t = TLPClear
	}
	if !t.Valid() {
		return TLPNone, fmt.Errorf("marking: unknown TLP label %q", s)
	}
	return t, nil
}

// normalizeTLP upper-cases and trims t and drops its "TLP:" prefix; a repeated prefix ("TLP:TLP:RED")
// counts once, so normalizing the result changes nothing.
func normalizeTLP(t TLP) TLP {
	s, _ := cutPrefixes(strings.ToUpper(strings.TrimSpace(string(t))), "TLP:")
	return TLP(s)
}

// Valid reports whether t is a TLP 2.0 label or none.
func (t TLP) Valid() bool { return t == TLPNone || t.Rank() > 0 }

// Label returns the label as TLP 2.0 requires it to be written, e.g. "TLP:AMBER+STRICT"; "" for none.
func (t TLP) Label() string {
	if t == TLPNone || !t.Valid() {
		return ""
	}
	return "TLP:" + string(t)
}

// Rank orders labels by restriction: none 0, CLEAR 1, GREEN 2, AMBER 3, AMBER+STRICT 4, RED 5;
// unknown labels rank -1.
func (t TLP) Rank() int {
	switch t {
	case TLPNone:
		return 0
	case TLPClear:
		return 1
	case TLPGreen:
		return 2
	case TLPAmber:
		return 3
	case TLPAmberStrict:
		return 4
	case TLPRed:
		return 5
	}
	return -1
}

// Max returns the more restrictive of t and u; an unknown label counts as RED.
func (t TLP) Max(u TLP) TLP {
	if !t.Valid() || !u.Valid() {
		return TLPRed
	}
	if u.Rank() > t.Rank() {
		return u
	}
	return t
}

// Color returns the FIRST font colour for the label, shown on a black background; "" for none.
func (t TLP) Color() string {
	switch t {
	case TLPClear:
		return "#FFFFFF"
	case TLPGreen:
		return "#33FF00"
	case TLPAmber, TLPAmberStrict:
		return "#FFC000"
	case TLPRed:
		return "#FF2B2B"
	}
	return ""
}

// Background is the background colour TLP labels are shown on.
const Background = "#000000"

// STIXMarkingID returns the STIX 2.1 marking-definition id of the TLP 2.0 label; "" for none.
func (t TLP) STIXMarkingID() string {
	switch t {
	case TLPClear:
		return "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
	case TLPGreen:
		return "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
	case TLPAmber:
		return "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
	case TLPAmberStrict:
		return "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"
	case TLPRed:
		return "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
	}
	return ""
}

// Supplemental is a supplemental administrative marking that flags a non-final product. It is not a
// registry marking and never enters the banner text; see Header.
type Supplemental string

// Supplemental markings. SupplementalNone (the zero value) is for released products.
const (
	SupplementalNone  Supplemental = ""
	Draft             Supplemental = "DRAFT"
	PreDecisional     Supplemental = "PRE-DECISIONAL"
	Deliberative      Supplemental = "DELIBERATIVE"
	Provisional       Supplemental = "PROVISIONAL"
	ProvisionalInWork Supplemental = "PROVISIONAL - IN WORK"
)

// Supplementals lists the supplemental markings a non-final product may carry, for pickers.
func Supplementals() []Supplemental {
	return []Supplemental{Draft, PreDecisional, Deliberative, Provisional, ProvisionalInWork}
}

// Valid reports whether s is a known supplemental marking or none.
func (s Supplemental) Valid() bool {
	switch s {
	case SupplementalNone, Draft, PreDecisional, Deliberative, Provisional, ProvisionalInWork:
		return true
	}
	return false
}

// Style is the banner style policy of a tenant.
type Style string

// Banner styles. StyleNARA (also the zero value) writes categories and LDCs in the banner; StyleDoD
// writes only "CUI" and leaves categories and LDCs to the designation indicator (DoDI 5200.48).
const (
	StyleNARA Style = "nara"
	StyleDoD  Style = "dod"
)

package dissem

import (
	"fmt"
	"slices"
	"strings"

	"tearline/internal/agency"
	"tearline/internal/marking"
)

// Options carries what the releasing official chose besides the banner.
type Options struct {
	// Named lists the codes of the agencies the releasing official named one by one, as opposed to
	// those reached through a distribution list. TLP:AMBER+STRICT admits only these.
	Named []string
}

// Verdict is the outcome of the caveat check for one recipient agency.
type Verdict struct {
	AgencyID   int64
	AgencyCode string
	AgencyName string
	// Allowed is true when no rule excludes the agency; then Reasons is empty.
	Allowed bool
	// Reasons holds one plain-language sentence per rule that excludes the agency, e.g.
	// "NOFORN: EUROPOL is an international organisation".
	Reasons []string
}

// Check decides whether an edition with banner b may be released to agency a.
func Check(b marking.Banner, a agency.Agency, opts Options) Verdict {
	v := Verdict{AgencyID: a.ID, AgencyCode: a.Code, AgencyName: a.Name}
	if a.Kind == agency.KindCenter {
		v.Allowed = true
		return v
	}
	r := recipientOf(a)
	for _, reason := range []string{
		checkMarked(b),
		checkForeign(b, r),
		checkAudience(b, r),
		checkDL(b, r),
		checkTLP(b, r, opts),
	} {
		if reason != "" {
			v.Reasons = append(v.Reasons, reason)
		}
	}
	v.Allowed = len(v.Reasons) == 0
	return v
}

// CheckAll checks every agency and returns the verdicts ordered by agency code; agencies with the
// same code keep their input order. The input slice is not modified.
func CheckAll(b marking.Banner, agencies []agency.Agency, opts Options) []Verdict {
	sorted := slices.Clone(agencies)
	slices.SortStableFunc(sorted, func(x, y agency.Agency) int { return strings.Compare(x.Code, y.Code) })
	out := make([]Verdict, 0, len(sorted))
	for _, a := range sorted {
		out = append(out, Check(b, a, opts))
	}
	return out
}

// recipient is an agency reduced to what the rules look at.
type recipient struct {
	code       string
	country    string
	intl       bool
	domestic   bool
	federal    bool
	stateLocal bool
	// what completes "<code> is …" for a non-domestic agency.
	what string
}

func recipientOf(a agency.Agency) recipient {
	r := recipient{code: canon(a.Code), country: canon(a.Country), intl: a.IntlOrg}
	switch {
	case a.IntlOrg:
		r.what = "an international organisation"
	case (a.Foreign || a.Kind == agency.KindPartner) && r.country != "" && r.country != "USA":
		r.what = "a foreign government agency (" + r.country + ")"
	case a.Foreign || a.Kind == agency.KindPartner:
		r.what = "a foreign partner with no foreign country on record"
	case r.country == "":
		r.what = "not recorded as a U.S. agency (no country on record)"
	case r.country != "USA":
		r.what = "not a U.S. agency (country " + r.country + ")"
	case a.Kind != agency.KindMember:
		r.what = fmt.Sprintf("of unknown kind %q", a.Kind)
	default:
		r.domestic = true
	}
	r.federal = r.domestic && a.Federal && !a.StateLocal
	r.stateLocal = r.domestic && a.StateLocal && !a.Federal
	return r
}

func checkMarked(b marking.Banner) string {
	switch {
	case b.Unmarked == 1:
		return "Unmarked: 1 portion is not marked, so the banner may understate the controls; mark it before release"
	case b.Unmarked > 1:
		return fmt.Sprintf("Unmarked: %d portions are not marked, so the banner may understate the controls; mark them before release", b.Unmarked)
	}
	return ""
}

// checkForeign applies NOFORN, REL TO and DISPLAY ONLY.
func checkForeign(b marking.Banner, r recipient) string {
	switch {
	case r.domestic:
		return ""
	case b.NoForn:
		return fmt.Sprintf("NOFORN: %s is %s", r.code, r.what)
	case len(b.RelTo) == 0 && len(b.DisplayOnly) == 0:
		return ""
	}
	rel := foreignOnly(b.RelTo)
	label := "DISPLAY ONLY " + strings.Join(b.DisplayOnly, ", ")
	if len(rel) > 0 {
		label = "REL TO " + strings.Join(append([]string{"USA"}, rel...), ", ")
	}
	switch {
	case r.intl && len(rel) > 0:
		if dlOnly(b) && onList(b.DLList, r.code) {
			return ""
		}
		return fmt.Sprintf("%s: %s is an international organisation; it can receive this only through a DL ONLY list that names it", label, r.code)
	case r.intl:
		return fmt.Sprintf("%s: no foreign recipient may be given a copy, and %s is an international organisation", label, r.code)
	case r.country == "" || r.country == "USA":
		return fmt.Sprintf("%s: %s is %s, so it cannot be matched against the list", label, r.code, r.what)
	case onList(rel, r.country):
		return ""
	case onList(b.DisplayOnly, r.country):
		return fmt.Sprintf("DISPLAY ONLY %s: %s (%s) may be shown this product but not given a copy",
			strings.Join(b.DisplayOnly, ", "), r.code, r.country)
	case len(rel) > 0:
		return fmt.Sprintf("%s: %s (%s) is not on the list", label, r.country, r.code)
	}
	return fmt.Sprintf("%s: %s (%s) is not on the list, and no foreign recipient may be given a copy", label, r.country, r.code)
}

// checkAudience applies FED ONLY, FEDCON and NOCON.
func checkAudience(b marking.Banner, r recipient) string {
	switch b.Audience {
	case marking.AudienceAll:
		return ""
	case marking.NoCon:
		if r.federal || r.stateLocal {
			return ""
		}
		return fmt.Sprintf("NOCON: %s is not a U.S. federal, state, local or tribal agency", r.code)
	case marking.FedOnly, marking.FedCon:
		if r.federal {
			return ""
		}
		return fmt.Sprintf("%s: %s is not a U.S. federal agency", b.Audience, r.code)
	}
	if r.federal {
		return ""
	}
	return fmt.Sprintf("Audience %q is unknown and read as FED ONLY: %s is not a U.S. federal agency", b.Audience, r.code)
}

// checkDL applies DL ONLY.
func checkDL(b marking.Banner, r recipient) string {
	switch {
	case !dlOnly(b):
		return ""
	case len(b.DLList) == 0:
		return "DL ONLY: the dissemination list is empty, so no agency may receive this"
	case onList(b.DLList, r.code):
		return ""
	}
	return fmt.Sprintf("DL ONLY: %s is not on the dissemination list", r.code)
}

// checkTLP applies TLP:RED and TLP:AMBER+STRICT.
func checkTLP(b marking.Banner, r recipient, opts Options) string {
	switch {
	case !b.TLP.Valid():
		return fmt.Sprintf("TLP label %q is unknown and read as TLP:RED: it cannot be released agency-wide", string(b.TLP))
	case b.TLP == marking.TLPRed:
		return "TLP:RED: for named individuals only; it cannot be released agency-wide"
	case b.TLP == marking.TLPAmberStrict && !onList(opts.Named, r.code):
		return fmt.Sprintf("TLP:AMBER+STRICT: %s was not named as a recipient by the releasing official", r.code)
	}
	return ""
}

func dlOnly(b marking.Banner) bool { return b.DLOnly || len(b.DLList) > 0 }

// foreignOnly returns the REL TO list without USA, canonicalised.
func foreignOnly(list []string) []string {
	var out []string
	for _, c := range list {
		if c = canon(c); c != "USA" && c != "" {
			out = append(out, c)
		}
	}
	return out
}

func onList(list []string, v string) bool {
	return v != "" && slices.ContainsFunc(list, func(s string) bool { return canon(s) == v })
}

func canon(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

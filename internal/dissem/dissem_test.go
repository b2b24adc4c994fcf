package dissem_test

import (
	"slices"
	"testing"

	"tearline/internal/agency"
	"tearline/internal/dissem"
	"tearline/internal/marking"
)

const (
	msgNFEuropol  = "NOFORN: EUROPOL is an international organisation"
	msgNFNCA      = "NOFORN: NCA is a foreign government agency (GBR)"
	msgRelFGR     = "REL TO USA, GBR: MEX (FGR) is not on the list"
	msgRelEuropol = "REL TO USA, GBR: EUROPOL is an international organisation; it can receive this only through a DL ONLY list that names it"
	msgRed        = "TLP:RED: for named individuals only; it cannot be released agency-wide"
)

// TestCheck runs every rule against the demo agencies plus TXDPS. allowed is the exact set of agencies
// that may receive the edition; reasons pins the full reason list of some refused agencies.
func TestCheck(t *testing.T) {
	intl := []string{"EUROPOL", "FRONTEX", "INTERPOL"}
	domestic := codes(federal(), []string{"TXDPS"})
	all := codes(domestic, intl, []string{"FGR", "HSTC", "NCA"})
	tests := []struct {
		name    string
		banner  marking.Banner
		named   []string
		allowed []string
		reasons map[string][]string
	}{
		{name: "uncontrolled without TLP allows everyone", banner: marking.Banner{}, allowed: all},
		{name: "uncontrolled TLP:CLEAR allows everyone", banner: marking.Banner{TLP: marking.TLPClear}, allowed: all},
		{name: "uncontrolled TLP:GREEN allows everyone", banner: marking.Banner{TLP: marking.TLPGreen}, allowed: all},
		{name: "TLP:AMBER allows everyone, named or not", banner: cui(tlp(marking.TLPAmber)), named: []string{"ICE"}, allowed: all},
		{name: "CUI without LDC allows everyone", banner: cui(), allowed: all},
		{name: "RELIDO and attorney controls do not restrict agencies",
			banner: cui(func(b *marking.Banner) { b.Relido, b.AttorneyClient, b.AttorneyWP = true, true, true }), allowed: all},

		{name: "issue: NOFORN bulletin reaches ICE, not NCA or EUROPOL", banner: cui(noforn),
			allowed: codes(domestic, []string{"HSTC"}),
			reasons: map[string][]string{"EUROPOL": {msgNFEuropol}, "NCA": {msgNFNCA},
				"FGR": {"NOFORN: FGR is a foreign government agency (MEX)"}}},
		{name: "issue: REL TO USA, GBR note reaches ICE and NCA, not FGR or EUROPOL", banner: cui(relTo("GBR")),
			allowed: codes(domestic, []string{"HSTC", "NCA"}),
			reasons: map[string][]string{"FGR": {msgRelFGR}, "EUROPOL": {msgRelEuropol}}},
		{name: "REL TO with two countries admits both", banner: cui(relTo("GBR", "MEX")),
			allowed: codes(domestic, []string{"FGR", "HSTC", "NCA"})},
		{name: "REL TO with DL ONLY naming EUROPOL admits EUROPOL and only the listed",
			banner:  cui(relTo("GBR"), dl("EUROPOL", "FGR", "ICE", "NCA")),
			allowed: []string{"EUROPOL", "HSTC", "ICE", "NCA"},
			reasons: map[string][]string{
				"FGR":      {msgRelFGR},
				"CBP":      {"DL ONLY: CBP is not on the dissemination list"},
				"INTERPOL": {"REL TO USA, GBR: INTERPOL is an international organisation; it can receive this only through a DL ONLY list that names it", "DL ONLY: INTERPOL is not on the dissemination list"},
			}},
		{name: "REL TO with DL ONLY not naming EUROPOL refuses it twice", banner: cui(relTo("GBR"), dl("ICE", "NCA")),
			allowed: []string{"HSTC", "ICE", "NCA"},
			reasons: map[string][]string{"EUROPOL": {msgRelEuropol, "DL ONLY: EUROPOL is not on the dissemination list"}}},
		{name: "a DL ONLY list never lifts NOFORN", banner: cui(noforn, dl("EUROPOL", "ICE", "NCA")),
			allowed: []string{"HSTC", "ICE"},
			reasons: map[string][]string{"EUROPOL": {msgNFEuropol}, "NCA": {msgNFNCA}}},
		{name: "DL ONLY without foreign control admits listed foreign and international agencies",
			banner: cui(dl("EUROPOL", "NCA")), allowed: []string{"EUROPOL", "HSTC", "NCA"},
			reasons: map[string][]string{"ICE": {"DL ONLY: ICE is not on the dissemination list"}}},
		{name: "DL ONLY codes match case-insensitively", banner: cui(dl(" ice ", "Cbp")), allowed: []string{"CBP", "HSTC", "ICE"}},
		{name: "DL ONLY with an empty list admits only the center", banner: cui(dl()), allowed: []string{"HSTC"},
			reasons: map[string][]string{"ICE": {"DL ONLY: the dissemination list is empty, so no agency may receive this"}}},
		{name: "a DL list without the flag is read as DL ONLY",
			banner: cui(func(b *marking.Banner) { b.DLList = []string{"FBI"} }), allowed: []string{"FBI", "HSTC"}},

		{name: "DISPLAY ONLY countries are refused a copy", banner: cui(relTo("GBR"), displayOnly("MEX")),
			allowed: codes(domestic, []string{"HSTC", "NCA"}),
			reasons: map[string][]string{"FGR": {"DISPLAY ONLY MEX: FGR (MEX) may be shown this product but not given a copy"}}},
		{name: "DISPLAY ONLY without REL TO gives no foreign copy", banner: cui(displayOnly("GBR"), dl("EUROPOL", "ICE", "NCA")),
			allowed: []string{"HSTC", "ICE"},
			reasons: map[string][]string{
				"NCA":     {"DISPLAY ONLY GBR: NCA (GBR) may be shown this product but not given a copy"},
				"EUROPOL": {"DISPLAY ONLY GBR: no foreign recipient may be given a copy, and EUROPOL is an international organisation"},
				"FGR": {"DISPLAY ONLY GBR: MEX (FGR) is not on the list, and no foreign recipient may be given a copy",
					"DL ONLY: FGR is not on the dissemination list"},
			}},

		{name: "FED ONLY refuses state/local, foreign and international", banner: cui(audience(marking.FedOnly)),
			allowed: codes(federal(), []string{"HSTC"}),
			reasons: map[string][]string{"TXDPS": {"FED ONLY: TXDPS is not a U.S. federal agency"},
				"EUROPOL": {"FED ONLY: EUROPOL is not a U.S. federal agency"}}},
		{name: "FEDCON is checked like FED ONLY", banner: cui(audience(marking.FedCon)),
			allowed: codes(federal(), []string{"HSTC"}),
			reasons: map[string][]string{"TXDPS": {"FEDCON: TXDPS is not a U.S. federal agency"}}},
		{name: "NOCON admits state/local but no foreign", banner: cui(audience(marking.NoCon)),
			allowed: codes(domestic, []string{"HSTC"}),
			reasons: map[string][]string{"NCA": {"NOCON: NCA is not a U.S. federal, state, local or tribal agency"}}},
		{name: "REL TO with FED ONLY refuses the listed country's agency", banner: cui(relTo("GBR"), audience(marking.FedOnly)),
			allowed: codes(federal(), []string{"HSTC"}),
			reasons: map[string][]string{"NCA": {"FED ONLY: NCA is not a U.S. federal agency"},
				"FGR": {msgRelFGR, "FED ONLY: FGR is not a U.S. federal agency"}}},
		{name: "an unknown audience is read as FED ONLY", banner: cui(audience("STATE ONLY")),
			allowed: codes(federal(), []string{"HSTC"}),
			reasons: map[string][]string{"TXDPS": {`Audience "STATE ONLY" is unknown and read as FED ONLY: TXDPS is not a U.S. federal agency`}}},

		{name: "TLP:RED is refused to every agency but the center", banner: marking.Banner{TLP: marking.TLPRed},
			named: []string{"ICE"}, allowed: []string{"HSTC"},
			reasons: map[string][]string{"ICE": {msgRed}, "NCA": {msgRed}}},
		{name: "TLP:RED with NOFORN gives both reasons", banner: cui(noforn, tlp(marking.TLPRed)), allowed: []string{"HSTC"},
			reasons: map[string][]string{"NCA": {msgNFNCA, msgRed}, "TXDPS": {msgRed}}},
		{name: "issue: AMBER+STRICT named ICE refuses CBP", banner: cui(tlp(marking.TLPAmberStrict)),
			named: []string{"ICE"}, allowed: []string{"HSTC", "ICE"},
			reasons: map[string][]string{"CBP": {"TLP:AMBER+STRICT: CBP was not named as a recipient by the releasing official"}}},
		{name: "AMBER+STRICT with nobody named admits only the center",
			banner: marking.Banner{TLP: marking.TLPAmberStrict}, allowed: []string{"HSTC"}},
		{name: "AMBER+STRICT naming NCA does not lift NOFORN", banner: cui(noforn, tlp(marking.TLPAmberStrict)),
			named: []string{" ice", "nca"}, allowed: []string{"HSTC", "ICE"},
			reasons: map[string][]string{"NCA": {msgNFNCA}}},
		{name: "an unknown TLP is read as TLP:RED", banner: marking.Banner{TLP: "PURPLE"}, allowed: []string{"HSTC"},
			reasons: map[string][]string{"ICE": {`TLP label "PURPLE" is unknown and read as TLP:RED: it cannot be released agency-wide`}}},

		{name: "unmarked portions block release", banner: cui(func(b *marking.Banner) { b.Unmarked = 2 }),
			allowed: []string{"HSTC"},
			reasons: map[string][]string{"ICE": {"Unmarked: 2 portions are not marked, so the banner may understate the controls; mark them before release"}}},
		{name: "controls apply even when Controlled is false", banner: marking.Banner{NoForn: true},
			allowed: codes(domestic, []string{"HSTC"})},
		{name: "every failing rule is listed", banner: cui(noforn, audience(marking.FedOnly), dl("ICE"), tlp(marking.TLPRed)),
			allowed: []string{"HSTC"},
			reasons: map[string][]string{
				"EUROPOL": {msgNFEuropol, "FED ONLY: EUROPOL is not a U.S. federal agency",
					"DL ONLY: EUROPOL is not on the dissemination list", msgRed},
				"ICE": {msgRed},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, a := range agencies() {
				v := dissem.Check(tt.banner, a, dissem.Options{Named: tt.named})
				if v.Allowed != (len(v.Reasons) == 0) {
					t.Errorf("%s: Allowed = %v with reasons %q", a.Code, v.Allowed, v.Reasons)
				}
				if v.Allowed {
					got = append(got, a.Code)
				}
				if want, ok := tt.reasons[a.Code]; ok && !slices.Equal(v.Reasons, want) {
					t.Errorf("%s: Reasons = %q, want %q", a.Code, v.Reasons, want)
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.allowed) {
				t.Errorf("allowed = %v, want %v", got, tt.allowed)
			}
		})
	}
}

// TestCheckDerivedBanner checks banners as DeriveBanner produces them from portions.
func TestCheckDerivedBanner(t *testing.T) {
	p := func(m marking.Marking) marking.Marking { m.Control = marking.CUI; return m }
	tests := []struct {
		name     string
		portions []marking.Marking
		allowed  []string
	}{
		{"REL TO intersection drops MEX", []marking.Marking{
			p(marking.Marking{RelTo: []string{"USA", "MEX", "GBR"}}), p(marking.Marking{RelTo: []string{"USA", "GBR"}})},
			codes(federal(), []string{"HSTC", "NCA", "TXDPS"})},
		{"empty REL TO intersection is NOFORN", []marking.Marking{
			p(marking.Marking{RelTo: []string{"MEX"}}), p(marking.Marking{RelTo: []string{"GBR"}})},
			codes(federal(), []string{"HSTC", "TXDPS"})},
		{"FEDCON and NOCON meet at FED ONLY", []marking.Marking{
			p(marking.Marking{Audience: marking.FedCon}), p(marking.Marking{Audience: marking.NoCon})},
			codes(federal(), []string{"HSTC"})},
		{"uncontrolled portion with TLP:RED", []marking.Marking{{Control: marking.Uncontrolled, TLP: marking.TLPRed}},
			[]string{"HSTC"}},
		{"an unmarked portion blocks release", []marking.Marking{p(marking.Marking{}), {}}, []string{"HSTC"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := marking.DeriveBanner(tt.portions)
			var got []string
			for _, v := range dissem.CheckAll(b, agencies(), dissem.Options{}) {
				if v.Allowed {
					got = append(got, v.AgencyCode)
				}
			}
			if !slices.Equal(got, tt.allowed) {
				t.Errorf("banner %q: allowed = %v, want %v", b, got, tt.allowed)
			}
		})
	}
}

// TestCheckAgencyRecords checks that inconsistent agency records fail closed.
func TestCheckAgencyRecords(t *testing.T) {
	base := agency.Agency{Code: "X1", Name: "Test agency", Kind: agency.KindMember, Country: "USA", Federal: true}
	tests := []struct {
		name   string
		edit   func(*agency.Agency)
		banner marking.Banner
		want   []string // nil: allowed
	}{
		{"domestic federal member passes NOFORN", func(a *agency.Agency) {}, cui(noforn), nil},
		{"member with a foreign country is foreign", func(a *agency.Agency) { a.Country = "GBR" }, cui(noforn),
			[]string{"NOFORN: X1 is not a U.S. agency (country GBR)"}},
		{"member without country is foreign", func(a *agency.Agency) { a.Country = "" }, cui(noforn),
			[]string{"NOFORN: X1 is not recorded as a U.S. agency (no country on record)"}},
		{"lower-case USA is domestic", func(a *agency.Agency) { a.Country = "usa" }, cui(noforn), nil},
		{"unknown kind is foreign", func(a *agency.Agency) { a.Kind = "vendor" }, cui(noforn),
			[]string{`NOFORN: X1 is of unknown kind "vendor"`}},
		{"partner without foreign flags is foreign", func(a *agency.Agency) { a.Kind, a.Federal = agency.KindPartner, false },
			cui(relTo("GBR")), []string{"REL TO USA, GBR: X1 is a foreign partner with no foreign country on record, so it cannot be matched against the list"}},
		{"foreign partner without country fails REL TO", func(a *agency.Agency) {
			a.Kind, a.Country, a.Federal, a.Foreign = agency.KindPartner, "", false, true
		}, cui(relTo("GBR")), []string{"REL TO USA, GBR: X1 is a foreign partner with no foreign country on record, so it cannot be matched against the list"}},
		{"foreign agency marked federal is not federal", func(a *agency.Agency) {
			a.Kind, a.Country, a.Foreign = agency.KindPartner, "GBR", true
		}, cui(audience(marking.FedOnly)), []string{"FED ONLY: X1 is not a U.S. federal agency"}},
		{"federal and state/local at once is neither", func(a *agency.Agency) { a.StateLocal = true },
			cui(audience(marking.NoCon)), []string{"NOCON: X1 is not a U.S. federal, state, local or tribal agency"}},
		{"domestic neither federal nor state/local fails NOCON", func(a *agency.Agency) { a.Federal = false },
			cui(audience(marking.NoCon)), []string{"NOCON: X1 is not a U.S. federal, state, local or tribal agency"}},
		{"center is allowed even under TLP:RED and NOFORN", func(a *agency.Agency) { a.Kind = agency.KindCenter },
			cui(noforn, dl("ICE"), tlp(marking.TLPRed)), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := base
			tt.edit(&a)
			v := dissem.Check(tt.banner, a, dissem.Options{})
			if v.Allowed != (tt.want == nil) || !slices.Equal(v.Reasons, tt.want) {
				t.Errorf("Check() = %v %q, want allowed=%v %q", v.Allowed, v.Reasons, tt.want == nil, tt.want)
			}
		})
	}
}

func TestCheckVerdictIdentity(t *testing.T) {
	a := agency.Agency{ID: 42, Code: "NCA", Name: "National Crime Agency (United Kingdom)", Kind: agency.KindPartner, Country: "GBR", Foreign: true}
	got := dissem.Check(cui(noforn), a, dissem.Options{})
	want := dissem.Verdict{AgencyID: 42, AgencyCode: "NCA", AgencyName: a.Name, Reasons: []string{msgNFNCA}}
	if got.AgencyID != want.AgencyID || got.AgencyCode != want.AgencyCode || got.AgencyName != want.AgencyName ||
		got.Allowed || !slices.Equal(got.Reasons, want.Reasons) {
		t.Errorf("Check() = %+v, want %+v", got, want)
	}
}

func TestCheckAll(t *testing.T) {
	in := []agency.Agency{
		{ID: 3, Code: "NCA", Kind: agency.KindPartner, Country: "GBR", Foreign: true},
		{ID: 1, Code: "ICE", Kind: agency.KindMember, Country: "USA", Federal: true},
		{ID: 4, Code: "CBP", Kind: agency.KindMember, Country: "USA", Federal: true},
		{ID: 2, Code: "ICE", Kind: agency.KindMember, Country: "USA", Federal: true},
	}
	orig := slices.Clone(in)
	got := dissem.CheckAll(cui(noforn), in, dissem.Options{})
	var ids []int64
	var allowed []bool
	for _, v := range got {
		ids, allowed = append(ids, v.AgencyID), append(allowed, v.Allowed)
	}
	if want := []int64{4, 1, 2, 3}; !slices.Equal(ids, want) {
		t.Errorf("order by id = %v, want %v", ids, want)
	}
	if want := []bool{true, true, true, false}; !slices.Equal(allowed, want) {
		t.Errorf("allowed = %v, want %v", allowed, want)
	}
	if !slices.Equal(in, orig) {
		t.Errorf("CheckAll modified its input: %v", in)
	}
	t.Run("no agencies", func(t *testing.T) {
		if got := dissem.CheckAll(cui(), nil, dissem.Options{}); len(got) != 0 {
			t.Errorf("CheckAll(nil) = %v, want empty", got)
		}
	})
}

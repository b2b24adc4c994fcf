package marking_test

import (
	"reflect"
	"slices"
	"testing"

	"tearline/internal/marking"
)

// bannerGolden holds the banner golden cases: markings.md §2.3 and requirements B14, B16, B17 first.
var bannerGolden = []struct {
	name     string
	portions []marking.Marking
	want     string
	wantTLP  marking.TLP
}{
	{"§2.3/B14 SP, SP+NF, Basic and U",
		[]marking.Marking{cui("SP-PRVCY"), cui("SP-INV", nf), cui("IVIC"), u()},
		"CUI//SP-INV/SP-PRVCY/IVIC//NOFORN", ""},
	{"§2.3/B16 REL TO is the intersection, USA first",
		[]marking.Marking{cui("", relTo("USA", "MEX", "GBR")), cui("", relTo("USA", "GBR", "CAN"))},
		"CUI//REL TO USA, GBR", ""},
	{"§2.3 FEDCON and NOCON meet at FED ONLY",
		[]marking.Marking{cui("", aud(marking.FedCon)), cui("", aud(marking.NoCon))},
		"CUI//FED ONLY", ""},
	{"B16 REL TO with empty intersection collapses to NOFORN",
		[]marking.Marking{cui("", relTo("MEX")), cui("", relTo("CAN"))},
		"CUI//NOFORN", ""},
	{"B16 any NOFORN portion makes the banner NOFORN",
		[]marking.Marking{cui("", relTo("GBR", "CAN")), cui("", nf), cui("", relTo("GBR"))},
		"CUI//NOFORN", ""},
	{"SP and Basic of the same code keep SP only",
		[]marking.Marking{cui("INV"), cui("SP-INV"), cui("INV/PRVCY")},
		"CUI//SP-INV/PRVCY", ""},
	{"SP alphabetical, then Basic alphabetical",
		[]marking.Marking{cui("LEI/SP-PRVCY"), cui("ASYL/SP-CHRI")},
		"CUI//SP-CHRI/SP-PRVCY/ASYL/LEI", ""},
	{"REL TO renders USA first then alphabetical",
		[]marking.Marking{cui("", relTo("MEX", "CAN", "USA", "GBR"))},
		"CUI//REL TO USA, CAN, GBR, MEX", ""},
	{"portions without a foreign LDC are neutral",
		[]marking.Marking{cui("", relTo("GBR")), cui("INV"), u()},
		"CUI//INV//REL TO USA, GBR", ""},
	{"all uncontrolled: no banner", []marking.Marking{u(), u()}, "", ""},
	{"no portions: no banner", nil, "", ""},
	{"controlled without categories or LDCs", []marking.Marking{cui(""), u()}, "CUI", ""},
	{"DL ONLY is the intersection of the lists",
		[]marking.Marking{cui("", dl("HSTC", "ICE", "CBP")), cui("", dl("ICE", "HSTC")), cui("")},
		"CUI//DL ONLY", ""},
	{"FED ONLY wins over no audience", []marking.Marking{cui("", aud(marking.FedOnly)), cui("")}, "CUI//FED ONLY", ""},
	{"NOCON wins over no audience", []marking.Marking{cui(""), cui("", aud(marking.NoCon))}, "CUI//NOCON", ""},
	{"FEDCON and FED ONLY meet at FED ONLY",
		[]marking.Marking{cui("", aud(marking.FedCon)), cui("", aud(marking.FedOnly))}, "CUI//FED ONLY", ""},
	{"LDCs in registry order",
		[]marking.Marking{cui("PRIVILEGE", ac, awp, relido, dl("HSTC"), relTo("GBR"), displayOnly("MEX"), aud(marking.FedCon))},
		"CUI//PRIVILEGE//FEDCON/DL ONLY/REL TO USA, GBR/DISPLAY ONLY MEX/RELIDO/ATTORNEY-CLIENT/ATTORNEY-WP", ""},
	{"DISPLAY ONLY keeps countries displayable on every foreign-LDC portion",
		[]marking.Marking{cui("", relTo("GBR"), displayOnly("CAN")), cui("", relTo("GBR", "CAN"))},
		"CUI//REL TO USA, GBR/DISPLAY ONLY CAN", ""},
	{"a DISPLAY ONLY-only portion stops REL TO but keeps display",
		[]marking.Marking{cui("", displayOnly("GBR")), cui("", relTo("GBR"))},
		"CUI//DISPLAY ONLY GBR", ""},
	{"DISPLAY ONLY with empty intersection collapses to NOFORN",
		[]marking.Marking{cui("", displayOnly("GBR")), cui("", displayOnly("CAN"))},
		"CUI//NOFORN", ""},
	{"NOFORN drops DISPLAY ONLY", []marking.Marking{cui("", displayOnly("GBR")), cui("", nf)}, "CUI//NOFORN", ""},
	{"RELIDO only when every controlled portion has it",
		[]marking.Marking{cui("", relido), cui(""), u()}, "CUI", ""},
	{"RELIDO on every controlled portion", []marking.Marking{cui("", relido), cui("INV", relido), u()}, "CUI//INV//RELIDO", ""},
	{"attorney controls are a union",
		[]marking.Marking{cui("PRIVILEGE", awp), cui("PRIVILEGE", ac), cui("")},
		"CUI//PRIVILEGE//ATTORNEY-CLIENT/ATTORNEY-WP", ""},
	{"TLP is the most restrictive portion TLP",
		[]marking.Marking{cui("", tlp(marking.TLPGreen)), cui("", tlp(marking.TLPAmberStrict)), cui("", tlp(marking.TLPAmber))},
		"CUI", marking.TLPAmberStrict},
	{"TLP counts uncontrolled portions",
		[]marking.Marking{cui("", tlp(marking.TLPClear)), u(tlp(marking.TLPRed))}, "CUI", marking.TLPRed},
	{"TLP of an uncontrolled document", []marking.Marking{u(tlp(marking.TLPGreen)), u()}, "", marking.TLPGreen},
	{"unknown TLP counts as RED", []marking.Marking{cui("", tlp("PURPLE")), cui("", tlp(marking.TLPGreen))}, "CUI", marking.TLPRed},
	{"unmarked portions add nothing", []marking.Marking{{}, cui("INV"), {}}, "CUI//INV", ""},
	{"unnormalized input is read canonically",
		[]marking.Marking{{Control: " cui", Categories: []marking.Category{{Code: "sp-inv"}}, RelTo: []string{"gbr ", "usa"}, TLP: "tlp:amber"}},
		"CUI//SP-INV//REL TO USA, GBR", marking.TLPAmber},
	{"NOFORN and REL TO on one (invalid) portion reads as NOFORN",
		[]marking.Marking{cui("", nf, relTo("GBR"))}, "CUI//NOFORN", ""},
}

func TestDeriveBannerGolden(t *testing.T) {
	for _, tt := range bannerGolden {
		t.Run(tt.name, func(t *testing.T) {
			b := marking.DeriveBanner(tt.portions)
			if got := b.String(); got != tt.want {
				t.Errorf("banner = %q, want %q", got, tt.want)
			}
			if b.TLP != tt.wantTLP {
				t.Errorf("TLP = %q, want %q", b.TLP, tt.wantTLP)
			}
			rev := slices.Clone(tt.portions)
			slices.Reverse(rev)
			if got := marking.DeriveBanner(rev); !reflect.DeepEqual(got, b) {
				t.Errorf("reversed portions give %+v, want %+v", got, b)
			}
		})
	}
}

func TestDeriveBannerControls(t *testing.T) {
	tests := []struct {
		name     string
		portions []marking.Marking
		want     marking.Banner
	}{
		{"§2.3 example",
			[]marking.Marking{cui("SP-PRVCY"), cui("SP-INV", nf), cui("IVIC"), u()},
			marking.Banner{Controlled: true, NoForn: true, Categories: []marking.Category{
				{Code: "INV", Specified: true}, {Code: "PRVCY", Specified: true}, {Code: "IVIC"}}}},
		{"REL TO intersection",
			[]marking.Marking{cui("", relTo("USA", "MEX", "GBR")), cui("", relTo("USA", "GBR", "CAN"))},
			marking.Banner{Controlled: true, RelTo: []string{"USA", "GBR"}}},
		{"DL ONLY list",
			[]marking.Marking{cui("", dl("HSTC", "ICE", "CBP")), cui("", dl("ice", "HSTC")), cui("")},
			marking.Banner{Controlled: true, DLOnly: true, DLList: []string{"HSTC", "ICE"}}},
		{"DL ONLY lists with nothing in common",
			[]marking.Marking{cui("", dl("HSTC")), cui("", dl("ICE"))},
			marking.Banner{Controlled: true, DLOnly: true}},
		{"audience and display",
			[]marking.Marking{cui("", aud(marking.NoCon), displayOnly("GBR")), cui("", aud(marking.FedCon), relTo("GBR"))},
			marking.Banner{Controlled: true, Audience: marking.FedOnly, DisplayOnly: []string{"GBR"}}},
		{"uncontrolled keeps only TLP and the unmarked count",
			[]marking.Marking{u(tlp(marking.TLPAmber)), {}},
			marking.Banner{TLP: marking.TLPAmber, Unmarked: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := marking.DeriveBanner(tt.portions); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("DeriveBanner() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestBannerTextStyles(t *testing.T) {
	b := marking.DeriveBanner([]marking.Marking{cui("SP-PRVCY"), cui("SP-INV", nf), cui("IVIC")})
	tests := []struct {
		name  string
		b     marking.Banner
		style marking.Style
		want  string
	}{
		{"NARA", b, marking.StyleNARA, "CUI//SP-INV/SP-PRVCY/IVIC//NOFORN"},
		{"zero style is NARA", b, "", "CUI//SP-INV/SP-PRVCY/IVIC//NOFORN"},
		{"DoD", b, marking.StyleDoD, "CUI"},
		{"DoD uncontrolled", marking.Banner{}, marking.StyleDoD, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.b.Text(tt.style); got != tt.want {
				t.Errorf("Text(%q) = %q, want %q", tt.style, got, tt.want)
			}
		})
	}
	if got, want := b.CategoryMarks(), []string{"SP-INV", "SP-PRVCY", "IVIC"}; !slices.Equal(got, want) {
		t.Errorf("CategoryMarks() = %q, want %q", got, want)
	}
	if got, want := b.LDCs(), []string{"NOFORN"}; !slices.Equal(got, want) {
		t.Errorf("LDCs() = %q, want %q", got, want)
	}
}

func TestDeriveBannerDoesNotModifyInput(t *testing.T) {
	in := []marking.Marking{{Control: "cui", Categories: []marking.Category{{Code: "sp-inv"}}, RelTo: []string{"mex", "gbr"}}}
	want := []marking.Marking{{Control: "cui", Categories: []marking.Category{{Code: "sp-inv"}}, RelTo: []string{"mex", "gbr"}}}
	marking.DeriveBanner(in)
	in[0].PortionMark()
	if !reflect.DeepEqual(in, want) {
		t.Errorf("input changed to %+v", in)
	}
}

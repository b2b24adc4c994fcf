package marking_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"tearline/internal/marking"
)

func TestPortionMark(t *testing.T) {
	tests := []struct {
		name string
		m    marking.Marking
		want string
	}{
		{"§2.1 example SP-INV and NF", cui("SP-INV", nf), "(CUI//SP-INV//NF)"},
		{"§2.1 example CUI", cui(""), "(CUI)"},
		{"§2.1 example U", u(), "(U)"},
		{"unmarked renders nothing", marking.Marking{}, ""},
		{"unknown control renders nothing", marking.Marking{Control: "SECRET"}, ""},
		{"SP first then Basic, alphabetical", cui("IVIC/SP-PRVCY/SP-INV"), "(CUI//SP-INV/SP-PRVCY/IVIC)"},
		{"Basic and SP of one code keep SP", cui("INV/SP-INV"), "(CUI//SP-INV)"},
		{"LDCs without categories", cui("", aud(marking.NoCon)), "(CUI//NOCON)"},
		{"REL TO USA first then alphabetical", cui("INV", relTo("MEX", "GBR", "CAN")), "(CUI//INV//REL TO USA, CAN, GBR, MEX)"},
		{"portion LDC order and abbreviations",
			cui("PRIVILEGE", awp, ac, relido, displayOnly("MEX"), relTo("GBR"), dl("HSTC"), aud(marking.FedOnly)),
			"(CUI//PRIVILEGE//FED ONLY/DL ONLY/REL TO USA, GBR/DISPLAY ONLY MEX/RELIDO/AC/AWP)"},
		{"TLP is not part of the portion mark", cui("INV", tlp(marking.TLPAmber)), "(CUI//INV)"},
		{"TLP on an uncontrolled portion", u(tlp(marking.TLPRed)), "(U)"},
		{"unnormalized input",
			marking.Marking{Control: "cui ", Categories: []marking.Category{{Code: " sp-inv"}, {Code: "ivic"}}, NoForn: true},
			"(CUI//SP-INV/IVIC//NF)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.m.PortionMark(); got != tt.want {
				t.Errorf("PortionMark() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct {
		name string
		in   marking.Marking
		want marking.Marking
	}{
		{"zero stays zero", marking.Marking{}, marking.Marking{}},
		{"codes upper-cased, trimmed, SP prefix read",
			marking.Marking{Control: " cui", Categories: []marking.Category{{Code: "ivic"}, {Code: " SP-prvcy "}, {Code: "inv", Specified: true}, {Code: " "}}},
			marking.Marking{Control: marking.CUI, Categories: []marking.Category{{Code: "INV", Specified: true}, {Code: "PRVCY", Specified: true}, {Code: "IVIC"}}}},
		{"Basic and SP of one code collapse to SP",
			marking.Marking{Categories: []marking.Category{{Code: "INV"}, {Code: "SP-INV"}, {Code: "inv"}}},
			marking.Marking{Categories: []marking.Category{{Code: "INV", Specified: true}}}},
		{"REL TO deduplicated, USA added first",
			marking.Marking{RelTo: []string{"mex", "GBR", " gbr", ""}},
			marking.Marking{RelTo: []string{"USA", "GBR", "MEX"}}},
		{"REL TO keeps USA first",
			marking.Marking{RelTo: []string{"CAN", "USA", "AUS"}},
			marking.Marking{RelTo: []string{"USA", "AUS", "CAN"}}},
		{"REL TO of blanks is no REL TO", marking.Marking{RelTo: []string{" ", ""}}, marking.Marking{}},
		{"DISPLAY ONLY sorted, USA kept for Validate to reject",
			marking.Marking{DisplayOnly: []string{"mex", "usa", "MEX"}},
			marking.Marking{DisplayOnly: []string{"MEX", "USA"}}},
		{"DL list sorted and deduplicated, flag untouched",
			marking.Marking{DLOnly: true, DLList: []string{"ice", "HSTC", "ICE"}},
			marking.Marking{DLOnly: true, DLList: []string{"HSTC", "ICE"}}},
		{"audience and TLP spelled canonically",
			marking.Marking{Audience: " fed  only", TLP: " tlp:amber+strict"},
			marking.Marking{Audience: marking.FedOnly, TLP: marking.TLPAmberStrict}},
		{"booleans untouched",
			marking.Marking{NoForn: true, Relido: true, AttorneyClient: true, AttorneyWP: true},
			marking.Marking{NoForn: true, Relido: true, AttorneyClient: true, AttorneyWP: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.in
			got.Normalize()
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Normalize() = %+v, want %+v", got, tt.want)
			}
			again := got
			again.Normalize()
			if !reflect.DeepEqual(again, got) {
				t.Errorf("Normalize is not idempotent: %+v then %+v", got, again)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		m    marking.Marking
		want []string // sorted field keys; nil means valid
	}{
		{"valid CUI", cui("SP-INV/IVIC", nf, tlp(marking.TLPAmber)), nil},
		{"valid bare CUI", cui(""), nil},
		{"valid U", u(), nil},
		{"valid U with TLP", u(tlp(marking.TLPClear)), nil},
		{"valid REL TO and DISPLAY ONLY", cui("INV", relTo("USA", "GBR"), displayOnly("MEX")), nil},
		{"valid everything", cui("PRIVILEGE/SP-CHRI", ac, awp, relido, relTo("USA", "CAN"), dl("HSTC", "DHS-IA"), aud(marking.FedCon)), nil},
		{"B15 unmarked portion", marking.Marking{}, []string{"control"}},
		{"unknown control", marking.Marking{Control: "SECRET"}, []string{"control"}},
		{"B17 unknown category", cui("SP-INV/BOGUS"), []string{"categories"}},
		{"empty category code", cui("", func(m *marking.Marking) { m.Categories = []marking.Category{{}} }), []string{"categories"}},
		{"Specified form not in registry", cui("SP-IVIC"), []string{"categories"}},
		{"Basic form of a Specified-only category", cui("CHRI"), []string{"categories"}},
		{"B17 NOFORN with REL TO", cui("", nf, relTo("USA", "GBR")), []string{"rel_to"}},
		{"B17 NOFORN with DISPLAY ONLY", cui("", nf, displayOnly("GBR")), []string{"display_only"}},
		{"NOFORN with RELIDO", cui("", nf, relido), []string{"ldc"}},
		{"malformed trigraph", cui("", relTo("USA", "GB", "G8R")), []string{"rel_to"}},
		{"lower-case trigraph (not normalized)", cui("", relTo("USA", "gbr")), []string{"rel_to"}},
		{"REL TO only USA", cui("", relTo("USA")), []string{"rel_to"}},
		{"DISPLAY ONLY malformed", cui("", displayOnly("MEXICO")), []string{"display_only"}},
		{"DISPLAY ONLY naming USA", cui("", displayOnly("USA", "MEX")), []string{"display_only"}},
		{"DISPLAY ONLY repeating REL TO", cui("", relTo("USA", "GBR"), displayOnly("GBR")), []string{"display_only"}},
		{"B17 AC without PRIVILEGE", cui("INV", ac), []string{"ldc"}},
		{"B17 AWP without PRIVILEGE", cui("", awp), []string{"ldc"}},
		{"categories on a U portion", u(func(m *marking.Marking) { m.Categories = []marking.Category{{Code: "INV"}} }), []string{"categories"}},
		{"NOFORN on a U portion", u(nf), []string{"ldc"}},
		{"audience on a U portion", u(aud(marking.FedOnly)), []string{"ldc"}},
		{"DL ONLY on a U portion", u(dl("HSTC")), []string{"ldc"}},
		{"DL ONLY with an empty list", cui("", dl()), []string{"dl_only"}},
		{"DL list without DL ONLY", cui("", func(m *marking.Marking) { m.DLList = []string{"HSTC"} }), []string{"dl_only"}},
		{"DL list with a bad agency code", cui("", dl("HSTC", "h s t c")), []string{"dl_only"}},
		{"unknown audience", cui("", aud("CONTRACTORS")), []string{"audience"}},
		{"unknown TLP", cui("", tlp("WHITE")), []string{"tlp"}},
		{"several fields at once", cui("BOGUS", nf, relTo("USA", "GBR"), tlp("PURPLE")), []string{"categories", "rel_to", "tlp"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fieldKeys(t, tt.m.Validate()); !slices.Equal(got, tt.want) {
				t.Errorf("Validate() fields = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestValidateWithRegistryVersion(t *testing.T) {
	r, err := marking.NewRegistry("test/2", []marking.CategoryInfo{{Code: "PRVCY", Name: "General Privacy", Basic: true}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		m    marking.Marking
		want string // substring of the categories message; "" means valid
	}{
		{"known in this version", cui("PRVCY"), ""},
		{"absent from this version", cui("INV"), "INV is not a category in CUI registry version test/2"},
		{"form not in this version", cui("SP-PRVCY"), "not a Specified category"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.m.ValidateWith(r)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("ValidateWith() = %v, want nil", err)
			case tt.want != "":
				if msg := apperrField(t, err, "categories"); !strings.Contains(msg, tt.want) {
					t.Errorf("categories message = %q, want it to contain %q", msg, tt.want)
				}
			}
		})
	}
}

func apperrField(t *testing.T, err error, field string) string {
	t.Helper()
	keys := fieldKeys(t, err)
	if !slices.Contains(keys, field) {
		t.Fatalf("error fields = %q, want %q among them", keys, field)
	}
	return fieldMessage(err, field)
}

func TestCheckMessagesForEditor(t *testing.T) {
	ps := marking.DefaultRegistry().Check(cui("BOGUS/INV", nf, relTo("USA", "GBR")))
	if len(ps) != 2 {
		t.Fatalf("Check() = %+v, want 2 problems", ps)
	}
	for _, p := range ps {
		if p.Field == "" || p.Message == "" {
			t.Errorf("problem %+v lacks a field or message", p)
		}
	}
}

func TestMarkingJSON(t *testing.T) {
	m := cui("SP-INV/PRIVILEGE", ac, awp, relido, relTo("USA", "GBR"), displayOnly("MEX"), dl("HSTC"), aud(marking.FedCon), tlp(marking.TLPAmberStrict))
	const want = `{"control":"CUI","categories":[{"code":"INV","specified":true},{"code":"PRIVILEGE"}],` +
		`"rel_to":["USA","GBR"],"display_only":["MEX"],"audience":"FEDCON","dl_only":true,"dl_list":["HSTC"],` +
		`"relido":true,"attorney_client":true,"attorney_wp":true,"tlp":"AMBER+STRICT"}`
	got, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("json = %s\nwant   %s", got, want)
	}
	var back marking.Marking
	if err := json.Unmarshal(got, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, m) {
		t.Errorf("round trip = %+v, want %+v", back, m)
	}

	zero, _ := json.Marshal(marking.Marking{})
	if string(zero) != "{}" {
		t.Errorf("unmarked json = %s, want {}", zero)
	}
	var fromNF marking.Marking
	if err := json.Unmarshal([]byte(`{"control":"CUI","noforn":true}`), &fromNF); err != nil {
		t.Fatal(err)
	}
	if got := fromNF.PortionMark(); got != "(CUI//NF)" {
		t.Errorf("decoded portion mark = %q, want (CUI//NF)", got)
	}
}

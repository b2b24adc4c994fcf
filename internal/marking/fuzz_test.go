package marking_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"tearline/internal/marking"
)

// gen turns fuzz bytes into markings drawn from small pools, so that many of them are valid.
type gen struct{ data []byte }

func (g *gen) next() byte {
	if len(g.data) == 0 {
		return 0
	}
	b := g.data[0]
	g.data = g.data[1:]
	return b
}

func (g *gen) pick(pool []string) string { return pool[int(g.next())%len(pool)] }

func (g *gen) list(pool []string) []string {
	n := int(g.next()) % 4
	var out []string
	for range n {
		out = append(out, g.pick(pool))
	}
	return out
}

var (
	fuzzControls  = []string{"", "U", "CUI", "CUI", "CUI", "cui", "X"}
	fuzzCats      = []string{"INV", "SP-INV", "SP-PRVCY", "IVIC", "CHRI", "SP-CHRI", "PRIVILEGE", "LEI", "sp-wit", "BOGUS", ""}
	fuzzCountries = []string{"USA", "GBR", "CAN", "MEX", "AUS", "gbr", "G8", "FRA"}
	fuzzAgencies  = []string{"HSTC", "ICE", "CBP", "FBI", "ice", "x y"}
	fuzzAudiences = []string{"", "", "FED ONLY", "FEDCON", "NOCON", "nocon", "ALL"}
	fuzzTLPs      = []string{"", "", "CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED", "tlp:amber", "PURPLE"}
)

func (g *gen) marking() marking.Marking {
	m := marking.Marking{Control: marking.Control(g.pick(fuzzControls))}
	for _, c := range g.list(fuzzCats) {
		m.Categories = append(m.Categories, marking.ParseCategory(c))
	}
	flags := g.next()
	m.NoForn = flags&0x07 == 0
	if flags&0x08 != 0 {
		m.RelTo = g.list(fuzzCountries)
	}
	if flags&0x30 == 0x30 {
		m.DisplayOnly = g.list(fuzzCountries)
	}
	if flags&0x40 != 0 {
		m.DLOnly, m.DLList = true, g.list(fuzzAgencies)
	}
	more := g.next()
	m.Relido = more&0x03 == 0
	m.AttorneyClient = more&0x0c == 0
	m.AttorneyWP = more&0x30 == 0
	m.Audience = marking.Audience(g.pick(fuzzAudiences))
	m.TLP = marking.TLP(g.pick(fuzzTLPs))
	return m
}

func (g *gen) portions() []marking.Marking {
	n := 1 + int(g.next())%6
	out := make([]marking.Marking, n)
	for i := range out {
		out[i] = g.marking()
	}
	return out
}

func FuzzBanner(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{2, 2, 1, 3, 9, 0, 0, 0, 0})
	f.Add([]byte("\x04\x02\x02\x01\x02\x08\x02\x01\x02\x00\x00\x02\x02\x02\x08\x03\x01\x02\x03"))
	f.Add([]byte("fuzzing the banner derivation of CUI portions with REL TO and NOFORN"))
	f.Fuzz(func(t *testing.T, data []byte) {
		g := &gen{data: data}
		portions := g.portions()
		b := marking.DeriveBanner(portions)
		s := b.String()
		checkBannerText(t, b, s)
		checkBannerControls(t, portions, b)

		rev := slices.Clone(portions)
		slices.Reverse(rev)
		if got := marking.DeriveBanner(rev); !reflect.DeepEqual(got, b) {
			t.Fatalf("banner depends on portion order: %+v vs %+v", got, b)
		}
		if got := marking.DeriveBanner(append(slices.Clone(portions), portions...)).String(); got != s {
			t.Fatalf("repeating the portions changes the banner: %q vs %q", got, s)
		}
		for _, p := range portions {
			if p.Validate() != nil {
				continue
			}
			one := marking.DeriveBanner([]marking.Marking{p}).String()
			if want := portionToBanner(p.PortionMark()); one != want {
				t.Fatalf("banner of one valid portion %+v = %q, portion mark %q implies %q", p, one, p.PortionMark(), want)
			}
		}
	})
}

func checkBannerText(t *testing.T, b marking.Banner, s string) {
	t.Helper()
	if strings.Contains(s, "REL TO") && strings.Contains(s, "NOFORN") {
		t.Fatalf("banner %q has both REL TO and NOFORN", s)
	}
	if strings.Contains(s, "DISPLAY ONLY") && strings.Contains(s, "NOFORN") {
		t.Fatalf("banner %q has both DISPLAY ONLY and NOFORN", s)
	}
	if b.Controlled != (s != "") {
		t.Fatalf("banner %q, Controlled %v", s, b.Controlled)
	}
	if s != "" && (!strings.HasPrefix(s, "CUI") || strings.Contains(s, "///") || strings.HasSuffix(s, "/")) {
		t.Fatalf("malformed banner %q", s)
	}
	if !b.TLP.Valid() {
		t.Fatalf("banner TLP %q is not a TLP label", b.TLP)
	}
}

// checkBannerControls checks that the banner is at least as restrictive as every portion.
func checkBannerControls(t *testing.T, portions []marking.Marking, b marking.Banner) {
	t.Helper()
	for _, p := range portions {
		p.Normalize()
		if p.TLP.Valid() && b.TLP.Rank() < p.TLP.Rank() {
			t.Fatalf("banner TLP %q below portion TLP %q", b.TLP, p.TLP)
		}
		if !p.Controlled() {
			continue
		}
		if p.NoForn && !b.NoForn {
			t.Fatalf("NOFORN portion %+v, banner %q", p, b)
		}
		for _, c := range p.Categories {
			if !slices.ContainsFunc(b.Categories, func(bc marking.Category) bool {
				return bc.Code == c.Code && (bc.Specified || !c.Specified)
			}) {
				t.Fatalf("category %s of %+v missing from banner %q", c, p, b)
			}
		}
		if len(p.RelTo) > 0 || len(p.DisplayOnly) > 0 {
			for _, c := range b.RelTo {
				if !slices.Contains(p.RelTo, c) {
					t.Fatalf("banner REL TO %q not allowed by portion %+v", b.RelTo, p)
				}
			}
			for _, c := range b.DisplayOnly {
				if !slices.Contains(p.RelTo, c) && !slices.Contains(p.DisplayOnly, c) {
					t.Fatalf("banner DISPLAY ONLY %q not allowed by portion %+v", b.DisplayOnly, p)
				}
			}
		}
		if p.Audience.Valid() && b.Audience.Intersect(p.Audience) != b.Audience {
			t.Fatalf("banner audience %q wider than portion audience %q", b.Audience, p.Audience)
		}
		if p.DLOnly || len(p.DLList) > 0 {
			if !b.DLOnly {
				t.Fatalf("DL ONLY portion %+v, banner %q", p, b)
			}
			for _, a := range b.DLList {
				if !slices.Contains(p.DLList, a) {
					t.Fatalf("banner DL list %q not within portion list %q", b.DLList, p.DLList)
				}
			}
		}
		if b.Relido && !p.Relido {
			t.Fatalf("banner RELIDO but portion %+v is not", p)
		}
	}
}

func FuzzPortionMark(f *testing.F) {
	f.Add("CUI", "SP-INV", "", "", "", "", "", uint8(1))
	f.Add("CUI", "SP-PRVCY/IVIC", "GBR,MEX", "CAN", "HSTC,ICE", "FEDCON", "AMBER", uint8(0x1c))
	f.Add("U", "", "", "", "", "", "RED", uint8(0))
	f.Add("", "", "", "", "", "", "", uint8(0))
	f.Add("cui", "privilege", "usa", "usa", "", "nocon", "tlp:clear", uint8(0xff))
	f.Fuzz(func(t *testing.T, control, cats, rel, disp, dlList, audience, tlpLabel string, flags uint8) {
		m := marking.Marking{
			Control: marking.Control(control), NoForn: flags&1 != 0, DLOnly: flags&2 != 0, Relido: flags&4 != 0,
			AttorneyClient: flags&8 != 0, AttorneyWP: flags&16 != 0,
			RelTo: split(rel, ","), DisplayOnly: split(disp, ","), DLList: split(dlList, ","),
			Audience: marking.Audience(audience), TLP: marking.TLP(tlpLabel),
		}
		for _, c := range split(cats, "/") {
			m.Categories = append(m.Categories, marking.ParseCategory(c))
		}
		pm := m.PortionMark()
		n := m
		n.Normalize()
		n2 := n
		n2.Normalize()
		if !reflect.DeepEqual(n, n2) {
			t.Fatalf("Normalize not idempotent: %+v then %+v", n, n2)
		}
		if got := n.PortionMark(); got != pm {
			t.Fatalf("portion mark %q changes after Normalize to %q", pm, got)
		}
		if !n.Marked() && pm != "" {
			t.Fatalf("unmarked %+v has portion mark %q", n, pm)
		}
		if n.Validate() != nil {
			return
		}
		if !strings.HasPrefix(pm, "(") || !strings.HasSuffix(pm, ")") {
			t.Fatalf("valid marking %+v has portion mark %q", n, pm)
		}
		if pm != "(U)" && (!strings.HasPrefix(pm, "(CUI") || strings.Contains(pm, "///") || strings.HasSuffix(pm, "/)")) {
			t.Fatalf("malformed portion mark %q", pm)
		}
		if got, want := marking.DeriveBanner([]marking.Marking{n}).String(), portionToBanner(pm); got != want {
			t.Fatalf("banner of %+v = %q, portion mark %q implies %q", n, got, pm, want)
		}
	})
}

func split(s, sep string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, sep)
}

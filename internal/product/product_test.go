package product_test

import (
	"strings"
	"testing"

	"tearline/internal/apperr"
	"tearline/internal/marking"
	"tearline/internal/product"
)

func TestEveryTypeHasATemplate(t *testing.T) {
	for _, typ := range product.Types {
		t.Run(string(typ), func(t *testing.T) {
			secs := product.Template(typ)
			if len(secs) < 2 {
				t.Fatalf("%s has %d sections", typ, len(secs))
			}
			for _, s := range secs {
				if product.SectionTitle(typ, s.Key) != s.Title || s.Title == "" {
					t.Errorf("section %q has no title", s.Key)
				}
			}
			if typ.Label() == string(typ) {
				t.Errorf("%s has no label", typ)
			}
		})
	}
	if product.Type("XX").Valid() || product.Template("XX") != nil {
		t.Error("unknown type accepted")
	}
}

func TestValidateMetadata(t *testing.T) {
	ok := product.Product{Type: product.TypeBulletin, Title: "Go-fast boats in the Gulf of Honduras", Topics: []string{"trends"}, Regions: []string{"HND", "CENTRAL AMERICA"}}
	tests := []struct {
		name  string
		edit  func(p *product.Product)
		field string
	}{
		{"valid", func(p *product.Product) {}, ""},
		{"unknown type", func(p *product.Product) { p.Type = "ZZ" }, "type"},
		{"short title", func(p *product.Product) { p.Title = "ab" }, "title"},
		{"long title", func(p *product.Product) { p.Title = strings.Repeat("x", 301) }, "title"},
		{"long summary", func(p *product.Product) { p.Summary = strings.Repeat("x", product.MaxSummary+1) }, "summary"},
		{"unknown topic", func(p *product.Product) { p.Topics = []string{"weather"} }, "topics"},
		{"bad region", func(p *product.Product) { p.Regions = []string{"<script>"} }, "regions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := ok
			tt.edit(&p)
			err := p.ValidateMetadata()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if _, has := apperr.FieldErrors(err)[tt.field]; !has {
				t.Errorf("error %v lacks field %q", err, tt.field)
			}
		})
	}
}

func TestNormalizeSplitsAndUppercasesRegions(t *testing.T) {
	p := product.Product{Title: "  t  ", Regions: []string{"mex, gtm", "MEX"}, Topics: []string{"trends", "trends"}}
	p.Normalize()
	if p.Title != "t" || strings.Join(p.Regions, "|") != "MEX|GTM" || len(p.Topics) != 1 {
		t.Errorf("normalized = %+v", p)
	}
}

func cui(cats ...string) marking.Marking {
	m := marking.Marking{Control: marking.CUI}
	for _, c := range cats {
		m.Categories = append(m.Categories, marking.ParseCategory(c))
	}
	return m
}

func TestReadyForReview(t *testing.T) {
	base := func() product.Product {
		return product.Product{Type: product.TypeNote, Title: "Visa fraud", Summary: "Brokers sell visas.", Designation: marking.Designation{ControlledBy: "HSTC", POC: "Dana Whitfield"},
			Portions: []product.Portion{{Kind: product.KindParagraph, Body: "a", Marking: cui("LEI")}}}
	}
	p := base()
	if got := p.ReadyForReview(); len(got) != 0 {
		t.Errorf("a complete draft is blocked: %v", got)
	}
	tests := map[string]func(p *product.Product){
		"unmarked portion": func(p *product.Product) {
			p.Portions = append(p.Portions, product.Portion{Kind: product.KindParagraph})
		},
		"NOFORN with REL TO": func(p *product.Product) {
			m := cui("LEI")
			m.NoForn, m.RelTo = true, []string{"GBR"}
			p.Portions[0].Marking = m
		},
		"no content":              func(p *product.Product) { p.Portions = nil },
		"no bottom line":          func(p *product.Product) { p.Summary = " " },
		"empty portion":           func(p *product.Product) { p.Portions[0].Body = "\n" },
		"no designation":          func(p *product.Product) { p.Designation = marking.Designation{} },
		"bad title":               func(p *product.Product) { p.Title = "" },
		"attachment without mark": func(p *product.Product) { p.Attachments = []product.Attachment{{Filename: "map.png"}} },
	}
	for name, edit := range tests {
		t.Run(name, func(t *testing.T) {
			p := base()
			edit(&p)
			if len(p.ReadyForReview()) == 0 {
				t.Error("not blocked")
			}
		})
	}
}

func TestHeaderShowsDraftAndBanner(t *testing.T) {
	p := product.Product{Portions: []product.Portion{{Marking: cui("SP-INV")}, {Marking: cui("IVIC")}}}
	h := p.Header()
	if got := strings.Join(h.Lines(), " / "); got != "CUI//SP-INV/IVIC / DRAFT" {
		t.Errorf("header = %q", got)
	}
}

func TestSnapshotDiff(t *testing.T) {
	p := product.Product{Title: "Routes", Portions: []product.Portion{
		{Kind: product.KindParagraph, Body: "Boats leave at night.", Marking: cui("LEI")},
		{Kind: product.KindParagraph, Body: "Fees are paid in cash.", Marking: cui("LEI")},
		{Kind: product.KindParagraph, Body: "Guides carry satellite phones.", Marking: cui("LEI")},
	}}
	a := p.Snapshot()
	p.Portions[1].Body = "Fees are paid through hawala."
	p.Portions[0].Marking = marking.Marking{Control: marking.Uncontrolled}
	b := p.Snapshot()
	if !product.Changed(a, b) || product.Changed(a, a) {
		t.Fatal("Changed is wrong")
	}
	var ins, del string
	for _, d := range product.Diff(a, b) {
		switch d.Op {
		case "insert":
			ins += d.Text
		case "delete":
			del += d.Text
		}
	}
	if !strings.Contains(ins, "hawala") || !strings.Contains(del, "cash") || !strings.Contains(ins, "U) Boats") || !strings.Contains(del, "CUI//LEI) Boats") {
		t.Errorf("diff: inserted %q, deleted %q", ins, del)
	}
	if strings.Contains(ins+del, "satellite phones") {
		t.Error("unchanged text reported as changed")
	}
}

func TestIsAuthor(t *testing.T) {
	p := product.Product{Authors: []product.Author{{UserID: 3}, {UserID: 9}}}
	if !p.IsAuthor(9) || p.IsAuthor(4) {
		t.Error("IsAuthor wrong")
	}
}

func TestPageHeaderCoversQuotedMarkings(t *testing.T) {
	p := product.Product{Portions: []product.Portion{{Marking: cui("LEI")}}}
	q := cui("SP-INV")
	q.NoForn = true
	p.QuotedMarkings = []marking.Marking{q}
	if got := p.Header().Banner; got != "CUI//SP-INV/LEI//NOFORN" {
		t.Errorf("page banner with a quoted NOFORN portion = %q", got)
	}
	if got := p.Banner().String(); got != "CUI//LEI" {
		t.Errorf("product banner (editions) = %q, quotes must not count", got)
	}
}

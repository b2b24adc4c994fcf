package demo_test

import (
	"context"
	"errors"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"tearline/internal/agency"
	"tearline/internal/demo"
	"tearline/internal/marking"
	"tearline/internal/product"
	"tearline/internal/tradecraft"
	"tearline/internal/user"
)

func TestDraftsCoverEveryType(t *testing.T) {
	perType := map[product.Type]int{}
	for _, d := range demo.Drafts() {
		perType[d.Product.Type]++
	}
	for _, typ := range product.Types {
		if perType[typ] < 3 {
			t.Errorf("%s: %d demo drafts, want at least 3", typ, perType[typ])
		}
	}
}

func TestDraftsFollowTemplates(t *testing.T) {
	for _, d := range demo.Drafts() {
		p := d.Product
		tmpl := product.Template(p.Type)
		inTemplate := map[string]bool{}
		for _, s := range tmpl {
			inTemplate[s.Key] = true
		}
		headings, content := map[string]int{}, map[string]int{}
		for i, x := range p.Portions {
			if !inTemplate[x.Section] {
				t.Errorf("%q portion %d: section %q is not in the %s template", p.Title, i+1, x.Section, p.Type)
			}
			if err := x.Validate(); err != nil {
				t.Errorf("%q portion %d: %v", p.Title, i+1, err)
			}
			switch x.Kind {
			case product.KindHeading:
				headings[x.Section]++
				if x.Marking.Control != marking.Uncontrolled || x.Body != product.SectionTitle(p.Type, x.Section) {
					t.Errorf("%q portion %d: heading should be the (U) section title, got %s %q", p.Title, i+1, x.Marking.PortionMark(), x.Body)
				}
			case product.KindList:
				content[x.Section]++
				for _, line := range strings.Split(x.Body, "\n") {
					if !strings.HasPrefix(line, "- ") {
						t.Errorf("%q portion %d: list line %q is not a Markdown bullet", p.Title, i+1, line)
					}
				}
			default:
				content[x.Section]++
			}
		}
		var order []string
		for _, x := range p.Portions {
			if x.Kind == product.KindHeading {
				order = append(order, x.Section)
			}
		}
		for i, s := range tmpl {
			if headings[s.Key] != 1 || content[s.Key] < 1 {
				t.Errorf("%q section %q: %d headings and %d content portions, want 1 and at least 1", p.Title, s.Key, headings[s.Key], content[s.Key])
			}
			if i < len(order) && order[i] != s.Key {
				t.Errorf("%q: section %d is %q, want %q", p.Title, i+1, order[i], s.Key)
			}
		}
	}
}

func TestDraftsMetadata(t *testing.T) {
	titles := map[string]bool{}
	offices := map[string]bool{"Maritime Analysis Branch": true, "Financial Networks Cell": true, "Strategic Assessments Staff": true}
	for _, d := range demo.Drafts() {
		p := d.Product
		if titles[p.Title] {
			t.Errorf("title %q appears twice", p.Title)
		}
		titles[p.Title] = true
		if err := p.ValidateMetadata(); err != nil {
			t.Errorf("%q: %v", p.Title, err)
		}
		if p.Summary == "" || len(p.Topics) == 0 || len(p.Regions) == 0 {
			t.Errorf("%q: summary, topics and regions are all wanted", p.Title)
		}
		if !offices[p.OriginatingOffice] {
			t.Errorf("%q: unexpected office %q", p.Title, p.OriginatingOffice)
		}
		if d.Author != "analyst@hstc" && d.Author != "analyst2@hstc" {
			t.Errorf("%q: author %q is not one of the HSTC analysts", p.Title, d.Author)
		}
		persona, _ := demo.FindPersona(d.Author)
		des := p.Designation
		if des.ControlledBy != "HSTC" || des.Office != p.OriginatingOffice || !strings.HasPrefix(des.POC, persona.Name+", ") {
			t.Errorf("%q: designation %+v does not name HSTC, the office and the author", p.Title, des)
		}
		if err := des.Validate(p.Banner().Controlled); err != nil {
			t.Errorf("%q: designation: %v", p.Title, err)
		}
	}
}

func TestDraftsSources(t *testing.T) {
	schemes := map[string]bool{}
	for _, d := range demo.Drafts() {
		p := d.Product
		if n := len(p.Sources); n < 1 || n > 3 {
			t.Errorf("%q: %d sources, want 1–3", p.Title, n)
		}
		for _, s := range p.Sources {
			if s.Description == "" || s.OriginatingAgency == "" {
				t.Errorf("%q: source %+v lacks a description or originator", p.Title, s)
			}
			if s.Grade != s.Grade.Normalize() {
				t.Errorf("%q: source grade %+v is not normalized", p.Title, s.Grade)
			}
			if err := s.Grade.Validate(); err != nil {
				t.Errorf("%q: source %q grade %s: %v", p.Title, s.Description, s.Grade, err)
			}
			schemes[string(s.Grade.Scheme)] = true
		}
	}
	if len(schemes) != 4 {
		t.Errorf("demo sources use schemes %v, want all four", schemes)
	}
}

func TestDraftsMarkings(t *testing.T) {
	var flawed, clean int
	seen := map[string]bool{}
	for _, d := range demo.Drafts() {
		p := d.Product
		probs := p.Problems()
		if d.Flawed {
			flawed++
			if probs.OK() {
				t.Errorf("%q is meant to show marking problems but has none", p.Title)
			}
			if len(p.ReadyForReview()) == 0 {
				t.Errorf("%q is meant to be blocked from review", p.Title)
			}
		} else {
			clean++
			if !probs.OK() {
				t.Errorf("%q: unexpected marking problems: %v", p.Title, probs.Err())
			}
			if r := p.ReadyForReview(); len(r) > 0 {
				t.Errorf("%q: not ready for review: %v", p.Title, r)
			}
		}
		for _, x := range p.Portions {
			m := x.Marking
			n := m
			n.Normalize()
			if !reflect.DeepEqual(m, n) {
				t.Errorf("%q: portion marking %+v is not normalized", p.Title, m)
			}
			seen["control:"+string(m.Control)] = true
			for _, c := range m.Categories {
				seen[c.Mark()] = true
			}
			seen["nf"] = seen["nf"] || m.NoForn
			seen["rel"] = seen["rel"] || len(m.RelTo) > 0
			seen["fed"] = seen["fed"] || m.Audience == marking.FedOnly
			if m.TLP != marking.TLPNone {
				seen["tlp:"+string(m.TLP)] = true
			}
		}
	}
	if flawed < 2 {
		t.Errorf("%d drafts with marking problems, want at least 2", flawed)
	}
	if clean <= 2*flawed {
		t.Errorf("%d clean drafts and %d flawed, want most drafts clean", clean, flawed)
	}
	for _, want := range []string{"control:U", "control:CUI", "control:", "LEI", "INV", "SP-INV", "IVIC", "SP-PRVCY",
		"nf", "rel", "fed", "tlp:AMBER", "tlp:GREEN"} {
		if !seen[want] {
			t.Errorf("no demo portion uses %s", want)
		}
	}
}

// TestDraftsTradecraft: the hedged drafts show the editor's ICD 203 warnings; the others show none.
func TestDraftsTradecraft(t *testing.T) {
	var hedged int
	for _, d := range demo.Drafts() {
		var findings []tradecraft.Finding
		for _, x := range d.Product.Portions {
			findings = append(findings, tradecraft.Check(x.Body)...)
		}
		switch {
		case d.Hedged && len(findings) == 0:
			t.Errorf("%q is meant to show likelihood warnings but has none", d.Product.Title)
		case !d.Hedged:
			for _, f := range findings {
				t.Errorf("%q: unexpected warning on %q: %s", d.Product.Title, f.Term, f.Message)
			}
		}
		if d.Hedged {
			hedged++
		}
	}
	if hedged < 2 {
		t.Errorf("%d hedged drafts, want at least 2", hedged)
	}
}

var htmlRE = regexp.MustCompile(`<[a-zA-Z/!?]`)

func TestDraftsText(t *testing.T) {
	sentenceEnd := regexp.MustCompile(`[.!?](\s|$)`)
	for _, d := range demo.Drafts() {
		p := d.Product
		texts := []string{p.Title, p.Summary}
		for _, x := range p.Portions {
			texts = append(texts, x.Body)
			if x.Kind == product.KindParagraph {
				if n := len(sentenceEnd.FindAllString(x.Body, -1)); n < 1 || n > 5 {
					t.Errorf("%q: paragraph of %d sentences, want 1–5: %q", p.Title, n, x.Body)
				}
			}
			if x.Kind == product.KindList {
				if n := strings.Count(x.Body, "\n") + 1; n > 5 {
					t.Errorf("%q: list of %d items, want at most 5", p.Title, n)
				}
			}
		}
		for _, s := range texts {
			if strings.Contains(strings.ToLower(s), "<script") || htmlRE.MatchString(s) {
				t.Errorf("%q: text holds raw HTML: %q", p.Title, s)
			}
			if !utf8.ValidString(s) || strings.TrimSpace(s) != s || s == "" {
				t.Errorf("%q: text is empty, untrimmed or not UTF-8: %q", p.Title, s)
			}
		}
	}
}

// TestDraftsFresh: every call builds new values, so creating one draft cannot change another call's.
func TestDraftsFresh(t *testing.T) {
	a := demo.Drafts()
	a[0].Product.Portions[0].Body = "changed"
	a[0].Product.Portions[1].Marking.RelTo = append(a[0].Product.Portions[1].Marking.RelTo, "XXX")
	b := demo.Drafts()
	if b[0].Product.Portions[0].Body == "changed" || strings.Contains(b[0].Product.Portions[1].Marking.PortionMark(), "XXX") {
		t.Error("Drafts shares state between calls")
	}
}

// draftStore is an in-memory DraftStore.
type draftStore struct {
	agencies map[string]agency.Agency
	users    map[string]user.User // by subject
	products []created
	failOn   string
}

type created struct {
	agencyID, userID int64
	p                product.Product
	initial          marking.Marking
}

func newDraftStore(issuer string) *draftStore {
	s := &draftStore{agencies: map[string]agency.Agency{}, users: map[string]user.User{}}
	for i, a := range demo.Agencies() {
		a.ID = int64(100 + i)
		s.agencies[a.Code] = a
	}
	for i, p := range demo.Personas() {
		s.users[issuer+" "+p.Hint] = user.User{ID: int64(1000 + i), AgencyID: s.agencies[p.Agency].ID, Issuer: issuer, Subject: p.Hint, DisplayName: p.Name}
	}
	return s
}

var errNotFound = errors.New("not found")

func (s *draftStore) FindAgencyByCode(_ context.Context, code string) (agency.Agency, error) {
	a, ok := s.agencies[code]
	if !ok {
		return a, errNotFound
	}
	return a, nil
}

func (s *draftStore) FindUserByIdentity(_ context.Context, issuer, subject string) (user.User, error) {
	u, ok := s.users[issuer+" "+subject]
	if !ok {
		return u, errNotFound
	}
	return u, nil
}

func (s *draftStore) ProductTitleExists(_ context.Context, agencyID int64, title string) (bool, error) {
	for _, c := range s.products {
		if c.agencyID == agencyID && c.p.Title == title {
			return true, nil
		}
	}
	return false, nil
}

func (s *draftStore) CreateProduct(_ context.Context, agencyID, userID int64, p *product.Product, initial marking.Marking) error {
	if p.Title == s.failOn {
		return errors.New("boom")
	}
	p.ID = int64(len(s.products) + 1)
	s.products = append(s.products, created{agencyID, userID, *p, initial})
	return nil
}

func TestSeedDrafts(t *testing.T) {
	ctx := context.Background()
	const issuer = "https://demo.invalid/idp"
	s := newDraftStore(issuer)
	n, err := demo.SeedDrafts(ctx, s, issuer)
	if err != nil {
		t.Fatal(err)
	}
	want := len(demo.Drafts())
	if n != want || len(s.products) != want {
		t.Fatalf("created %d (stored %d), want %d", n, len(s.products), want)
	}
	hstc := s.agencies["HSTC"].ID
	for i, c := range s.products {
		d := demo.Drafts()[i]
		author := s.users[issuer+" "+d.Author]
		if c.agencyID != hstc || c.userID != author.ID {
			t.Errorf("%q: created in agency %d by user %d, want HSTC %d by %s %d", c.p.Title, c.agencyID, c.userID, hstc, d.Author, author.ID)
		}
		if len(c.p.Portions) != len(d.Product.Portions) || len(c.p.Sources) != len(d.Product.Sources) {
			t.Errorf("%q: portions or sources lost on the way to the store", c.p.Title)
		}
		if c.initial.PortionMark() != "(CUI//LEI)" {
			t.Errorf("%q: initial marking %s, want (CUI//LEI)", c.p.Title, c.initial.PortionMark())
		}
	}

	n, err = demo.SeedDrafts(ctx, s, issuer)
	if err != nil || n != 0 || len(s.products) != want {
		t.Errorf("second run: created %d, err %v, stored %d; want 0, nil, %d", n, err, len(s.products), want)
	}

	// A missing draft is recreated; the others are left alone.
	s.products = s.products[1:]
	if n, err := demo.SeedDrafts(ctx, s, issuer); err != nil || n != 1 {
		t.Errorf("after deleting one draft: created %d, err %v; want 1, nil", n, err)
	}
}

func TestSeedDraftsErrors(t *testing.T) {
	ctx := context.Background()
	const issuer = "https://demo.invalid/idp"
	if _, err := demo.SeedDrafts(ctx, newDraftStore(issuer), "https://other.invalid"); !errors.Is(err, errNotFound) {
		t.Errorf("unknown issuer: err %v, want not found", err)
	}
	s := newDraftStore(issuer)
	delete(s.agencies, "HSTC")
	if _, err := demo.SeedDrafts(ctx, s, issuer); !errors.Is(err, errNotFound) {
		t.Errorf("no HSTC: err %v, want not found", err)
	}
	s = newDraftStore(issuer)
	s.failOn = demo.Drafts()[2].Product.Title
	n, err := demo.SeedDrafts(ctx, s, issuer)
	if err == nil || n != 2 || !strings.Contains(err.Error(), s.failOn) {
		t.Errorf("store failure: created %d, err %v; want 2 and an error naming the draft", n, err)
	}
}

package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"tearline/internal/agency"
	"tearline/internal/grading"
	"tearline/internal/marking"
	"tearline/internal/product"
	"tearline/internal/user"
)

// DraftStore is what seeding the demo drafts needs.
type DraftStore interface {
	CreateProduct(ctx context.Context, agencyID, userID int64, p *product.Product, initial marking.Marking) error
	ProductTitleExists(ctx context.Context, agencyID int64, title string) (bool, error)
	FindAgencyByCode(ctx context.Context, code string) (agency.Agency, error)
	FindUserByIdentity(ctx context.Context, issuer, subject string) (user.User, error)
}

// DraftAgency is the agency that owns every demo draft.
const DraftAgency = "HSTC"

// draftPOCContact is the fictional functional mailbox named in the demo drafts' designation indicators.
const draftPOCContact = "hstc-analysis@demo.invalid"

// Draft is one demo draft: the product as it will be stored and the persona (login hint) who writes it.
type Draft struct {
	Author  string
	Product product.Product
	// Flawed says the draft carries a marking problem on purpose, so the editor's "before review"
	// panel has something to show.
	Flawed bool
	// Hedged says the draft uses likelihood language outside ICD 203 on purpose, so the editor's
	// tradecraft warnings have something to show.
	Hedged bool
}

// Drafts returns the demo drafts, freshly built on every call: realistic, entirely fictional products
// of every type, laid out by the type's section template, with varied portion markings and graded
// sources. Networks, people and cases are invented; places are named only at a general level.
func Drafts() []Draft {
	specs := draftSpecs()
	out := make([]Draft, 0, len(specs))
	for _, s := range specs {
		out = append(out, s.build())
	}
	return out
}

// SeedDrafts creates the demo drafts that do not exist yet (matched by title within HSTC), each owned
// by HSTC and created by its author persona signed in through issuer. Seed must have run first.
// Running it again creates nothing.
func SeedDrafts(ctx context.Context, s DraftStore, issuer string) (created int, err error) {
	a, err := s.FindAgencyByCode(ctx, DraftAgency)
	if err != nil {
		return 0, fmt.Errorf("demo drafts: agency %s: %w", DraftAgency, err)
	}
	authors := map[string]int64{}
	for _, d := range Drafts() {
		uid, ok := authors[d.Author]
		if !ok {
			u, err := s.FindUserByIdentity(ctx, issuer, d.Author)
			if err != nil {
				return created, fmt.Errorf("demo drafts: persona %s: %w", d.Author, err)
			}
			uid, authors[d.Author] = u.ID, u.ID
		}
		p := d.Product
		exists, err := s.ProductTitleExists(ctx, a.ID, p.Title)
		if err != nil {
			return created, fmt.Errorf("demo draft %q: %w", p.Title, err)
		}
		if exists {
			continue
		}
		if err := p.ValidateMetadata(); err != nil {
			return created, fmt.Errorf("demo draft %q: %w", p.Title, err)
		}
		if err := s.CreateProduct(ctx, a.ID, uid, &p, lawEnforcement()); err != nil {
			return created, fmt.Errorf("demo draft %q: %w", p.Title, err)
		}
		created++
	}
	return created, nil
}

// lawEnforcement is CUI//LEI, the marking a new section starts with in the editor.
func lawEnforcement() marking.Marking {
	return marking.Marking{Control: marking.CUI, Categories: []marking.Category{{Code: "LEI"}}}
}

// draftSpec is the compact form the demo drafts are written in (drafts_data.go).
type draftSpec struct {
	typ     product.Type
	author  string // persona login hint
	office  string
	title   string
	summary string
	topics  []string
	regions []string
	// body holds the portions of each template section, keyed by section key; build adds the headings.
	body    map[string][]part
	sources []product.Source
	flawed  bool
	hedged  bool
}

// part is one paragraph or list portion of a draft.
type part struct {
	kind product.Kind
	m    mark
	body string
}

// mark builds a portion marking fluently: cui("SP-INV").nf(), cui("LEI").rel("GBR").
type mark marking.Marking

// u is an uncontrolled (U) portion; unmarked is a portion nobody has marked yet.
var (
	u        = mark{Control: marking.Uncontrolled}
	unmarked = mark{}
)

// cui is a CUI portion with the categories given as written in portion marks ("LEI", "SP-INV").
func cui(cats ...string) mark {
	m := mark{Control: marking.CUI}
	for _, c := range cats {
		m.Categories = append(m.Categories, marking.ParseCategory(c))
	}
	return m
}

func (m mark) nf() mark               { m.NoForn = true; return m }
func (m mark) fed() mark              { m.Audience = marking.FedOnly; return m }
func (m mark) tlp(t marking.TLP) mark { m.TLP = t; return m }
func (m mark) rel(countries ...string) mark {
	m.RelTo = append([]string{"USA"}, countries...)
	return m
}

// para is a paragraph portion.
func para(m mark, text string) part { return part{product.KindParagraph, m, text} }

// list is a list portion written as a Markdown bullet list, one item per argument.
func list(m mark, items ...string) part {
	return part{product.KindList, m, "- " + strings.Join(items, "\n- ")}
}

// src is a cited source; date is YYYY-MM-DD or empty.
func src(description, originator, date string, g grading.Grade) product.Source {
	s := product.Source{Description: description, OriginatingAgency: originator, Grade: g}
	if date != "" {
		t, err := time.Parse(time.DateOnly, date)
		if err != nil {
			panic("demo draft source date " + date + ": " + err.Error())
		}
		s.Date = &t
	}
	return s
}

// Grades in each scheme, written as analysts quote them.
func admiralty(grade string) grading.Grade {
	return grading.Grade{Scheme: grading.Admiralty, Source: grade[:1], Information: grade[1:]}
}

func europol(grade, handling string) grading.Grade {
	return grading.Grade{Scheme: grading.Europol, Source: grade[:1], Information: grade[1:], Handling: handling}
}

func uk5x5x5(grade, handling string) grading.Grade {
	return grading.Grade{Scheme: grading.UK5x5x5, Source: grade[:1], Information: grade[1:], Handling: handling}
}

func uk3x5x2(grade, handling string) grading.Grade {
	return grading.Grade{Scheme: grading.UK3x5x2, Source: grade[:1], Information: grade[1:], Handling: handling}
}

// build lays the spec out by its type's template: for each section a (U) heading, then its portions.
// Portions under a key the template does not know are appended at the end, where the tests find them.
func (s draftSpec) build() Draft {
	name := s.author
	if p, ok := FindPersona(s.author); ok {
		name = p.Name
	}
	p := product.Product{
		Type: s.typ, State: product.StateDraft, Title: s.title, Summary: s.summary,
		Topics: s.topics, Regions: s.regions, OriginatingOffice: s.office,
		Designation: marking.Designation{ControlledBy: DraftAgency, Office: s.office, POC: name + ", " + draftPOCContact},
	}
	add := func(key string, x part) {
		m := marking.Marking(x.m)
		m.Normalize()
		p.Portions = append(p.Portions, product.Portion{Kind: x.kind, Section: key, Body: x.body, Marking: m})
	}
	seen := map[string]bool{}
	for _, sec := range product.Template(s.typ) {
		seen[sec.Key] = true
		add(sec.Key, part{product.KindHeading, u, sec.Title})
		for _, x := range s.body[sec.Key] {
			add(sec.Key, x)
		}
	}
	for key, xs := range s.body {
		if !seen[key] {
			for _, x := range xs {
				add(key, x)
			}
		}
	}
	for _, src := range s.sources {
		src.Grade = src.Grade.Normalize()
		p.Sources = append(p.Sources, src)
	}
	p.Normalize()
	p.Designation.Normalize()
	return Draft{Author: s.author, Product: p, Flawed: s.flawed, Hedged: s.hedged}
}

package postgres_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"tearline/internal/marking"
	"tearline/internal/postgres"
	"tearline/internal/product"
	"tearline/internal/search"
)

// searchEdition writes, approves and releases an edition with the given text as the center.
func searchEdition(t *testing.T, app *postgres.DB, hstc, reviewer int64, typ product.Type, title, summary, body string, topics, regions []string, office string) product.Edition {
	t.Helper()
	ctx := actorCtx(reviewer, hstc)
	section := product.Template(typ)[0].Key
	lei := marking.Marking{Control: marking.CUI, Categories: []marking.Category{{Code: "LEI"}}}
	p := product.Product{Type: typ, Title: title, Summary: summary, Topics: topics, Regions: regions, OriginatingOffice: office,
		Portions: []product.Portion{{Kind: product.KindParagraph, Section: section, Body: body, Marking: lei}}}
	if err := app.CreateProduct(ctx, hstc, reviewer, &p, lei); err != nil {
		t.Fatal(err)
	}
	if err := app.TransitionProduct(ctx, hstc, reviewer, p.ID, product.StateDraft, product.StateApproved, "test", ""); err != nil {
		t.Fatal(err)
	}
	e, err := app.ReleaseProduct(ctx, hstc, reviewer, p.ID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func recipientScope(agencyID int64) search.Scope {
	return search.Scope{AgencyID: agencyID, UserID: 1, Received: true}
}

func hitIDs(res search.Results) []int64 {
	var out []int64
	for _, h := range res.Hits {
		out = append(out, h.EditionID)
	}
	return out
}

// TestSearchSyntaxRankingAndSnippets: web-search syntax, ranking, highlighted snippets, facets,
// sorting, the number jump and rescission, as a recipient agency.
func TestSearchSyntaxRankingAndSnippets(t *testing.T) {
	app, owner := setup(t)
	hstc, reviewer := seedHSTC(t, owner)
	ctx := actorCtx(reviewer, hstc)
	ice, err := owner.FindAgencyByCode(context.Background(), "ICE")
	if err != nil {
		t.Fatal(err)
	}
	nca, err := owner.FindAgencyByCode(context.Background(), "NCA")
	if err != nil {
		t.Fatal(err)
	}
	mk := func(typ product.Type, title, summary, body string, topics, regions []string, office string, to ...int64) product.Edition {
		e := searchEdition(t, app, hstc, reviewer, typ, title, summary, body, topics, regions, office)
		if len(to) > 0 {
			if _, err := app.DisseminateEdition(ctx, hstc, reviewer, e.ID, to, "Need to know: search test audience", e.Banner); err != nil {
				t.Fatal(err)
			}
		}
		return e
	}
	// a: the words in the title; b: the phrase in the body; c: the words apart; d: other words; h: hidden from ICE.
	a := mk(product.TypeBulletin, "Go-fast departures from the Gulf of Honduras", "Boats leave at night.", "Crews are paid per trip.",
		[]string{"trends"}, []string{"HND"}, "Maritime Analysis Branch", ice.ID)
	b := mk(product.TypeNote, "Coastal staging points", "Staging moves west.", "Pilots <script>alert(1)</script> reported night departures from fishing camps.",
		[]string{"trends", "organisations"}, []string{"HND", "GTM"}, "Maritime Analysis Branch", ice.ID, nca.ID)
	c := mk(product.TypeReport, "Brokers and couriers", "Departures by air rose. Nothing happened at night.", "Fees moved through stablecoin wallets.",
		[]string{"organisations"}, []string{"CHN"}, "Financial Networks Cell", ice.ID)
	d := mk(product.TypeReport, "Stablecoin settlement by Red Lantern brokers", "Wallet clusters.", "Cash couriers are used less.",
		[]string{"organisations"}, []string{"MEX"}, "Financial Networks Cell", ice.ID)
	h := mk(product.TypeBulletin, "Night departures hidden from ICE", "Only NCA holds this.", "Night departures everywhere.",
		[]string{"trends"}, []string{"GBR"}, "Maritime Analysis Branch", nca.ID)

	run := func(t *testing.T, sc search.Scope, text string, mod ...func(*search.Query)) search.Results {
		t.Helper()
		q := search.Query{Text: text, Sort: search.SortRelevance, Page: 1}
		for _, m := range mod {
			m(&q)
		}
		res, err := app.Search(actorCtx(sc.UserID, sc.AgencyID), sc, q)
		if err != nil {
			t.Fatalf("search %q: %v", text, err)
		}
		if res.Total < len(res.Hits) {
			t.Fatalf("search %q: total %d below %d hits", text, res.Total, len(res.Hits))
		}
		return res
	}
	same := func(got, want []int64) bool {
		g, w := slices.Clone(got), slices.Clone(want)
		slices.Sort(g)
		slices.Sort(w)
		return slices.Equal(g, w)
	}
	iceScope := recipientScope(ice.ID)
	cases := []struct {
		name, q string
		want    []int64
		ordered bool
	}{
		{"words match every form, title ranks first", "night departures", []int64{a.ID, b.ID, c.ID}, false},
		{"quoted phrase needs adjacent words", `"night departures"`, []int64{b.ID}, true},
		{"OR", "stablecoin OR honduras", []int64{a.ID, c.ID, d.ID}, false},
		{"exclusion", "departures -stablecoin", []int64{a.ID, b.ID}, false},
		{"stemming", "crew", []int64{a.ID}, false},
		{"title outranks body", "stablecoin", []int64{d.ID, c.ID}, true},
		{"stop words only", "the of", nil, true},
		{"nothing", "zeppelin", nil, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := run(t, iceScope, tc.q)
			got := hitIDs(res)
			if (tc.ordered && !slices.Equal(got, tc.want)) || (!tc.ordered && !same(got, tc.want)) || res.Total != len(tc.want) {
				t.Errorf("%q: hits %v (total %d), want %v", tc.q, got, res.Total, tc.want)
			}
		})
	}

	t.Run("ranking", func(t *testing.T) {
		res := run(t, iceScope, "go-fast departures honduras")
		if len(res.Hits) == 0 || res.Hits[0].EditionID != a.ID {
			t.Fatalf("hits %v, want %d first", hitIDs(res), a.ID)
		}
		for i := 1; i < len(res.Hits); i++ {
			if res.Hits[i].Rank > res.Hits[i-1].Rank {
				t.Errorf("hit %d ranks above hit %d", i, i-1)
			}
		}
	})

	t.Run("snippets are highlighted, plain text, and the edition's own", func(t *testing.T) {
		res := run(t, iceScope, "night departures")
		for _, hit := range res.Hits {
			all := append(slices.Clone(hit.Title), hit.Snippet...)
			marked := 0
			for _, s := range all {
				if strings.ContainsAny(s.Text, "\uE000\uE001") {
					t.Errorf("edition %d: a highlight marker survived in %q", hit.EditionID, s.Text)
				}
				if s.Mark {
					marked++
					if w := strings.ToLower(s.Text); !strings.HasPrefix(w, "night") && !strings.HasPrefix(w, "depart") {
						t.Errorf("edition %d: highlighted %q", hit.EditionID, s.Text)
					}
				}
			}
			if marked == 0 {
				t.Errorf("edition %d: nothing highlighted in %+v", hit.EditionID, all)
			}
			if strings.Contains(search.Plain(hit.Snippet), "NCA holds") || strings.Contains(search.Plain(hit.Snippet), "everywhere") {
				t.Errorf("edition %d: snippet carries the hidden edition's text: %q", hit.EditionID, search.Plain(hit.Snippet))
			}
		}
		// Body text reaches the snippet as plain text (ts_headline drops tags from fragments; the
		// view escapes whatever comes).
		res = run(t, iceScope, "fishing camps")
		if len(res.Hits) != 1 || !strings.Contains(search.Plain(res.Hits[0].Snippet), "alert(1)") {
			t.Errorf("fishing camps: %+v", res.Hits)
		}
		if title := search.Plain(res.Hits[0].Title); title != b.Title {
			t.Errorf("title segments %q, want %q", title, b.Title)
		}
	})

	t.Run("facets count every visible match and only those", func(t *testing.T) {
		res := run(t, iceScope, "departures OR stablecoin")
		if res.Total != 4 {
			t.Fatalf("total %d, want 4", res.Total)
		}
		counts := func(fs []search.FacetValue) map[string]int {
			m := map[string]int{}
			for _, f := range fs {
				m[f.Value] = f.Count
			}
			return m
		}
		year := fmt.Sprint(time.Now().UTC().Year())
		for name, c := range map[string]struct{ got, want map[string]int }{
			"type":   {counts(res.Facets.Type), map[string]int{"IB": 1, "IN": 1, "IR": 2}},
			"topic":  {counts(res.Facets.Topic), map[string]int{"trends": 2, "organisations": 3}},
			"region": {counts(res.Facets.Region), map[string]int{"HND": 2, "GTM": 1, "CHN": 1, "MEX": 1}},
			"year":   {counts(res.Facets.Year), map[string]int{year: 4}},
			"office": {counts(res.Facets.Office), map[string]int{"Maritime Analysis Branch": 2, "Financial Networks Cell": 2}},
		} {
			if fmt.Sprint(c.got) != fmt.Sprint(c.want) {
				t.Errorf("facet %s = %v, want %v", name, c.got, c.want)
			}
		}
		for name, f := range map[string]func(*search.Query){
			"type":   func(q *search.Query) { q.Filter.Type = product.TypeReport },
			"topic":  func(q *search.Query) { q.Filter.Topic = "organisations" },
			"region": func(q *search.Query) { q.Filter.Region = "HND" },
			"office": func(q *search.Query) { q.Filter.Office = "Financial Networks Cell" },
		} {
			want := map[string][]int64{"type": {c.ID, d.ID}, "topic": {b.ID, c.ID, d.ID}, "region": {a.ID, b.ID}, "office": {c.ID, d.ID}}[name]
			if got := run(t, iceScope, "departures OR stablecoin", f); !same(hitIDs(got), want) || got.Total != len(want) {
				t.Errorf("filter %s: %v (total %d), want %v", name, hitIDs(got), got.Total, want)
			}
		}
		if got := run(t, iceScope, "departures OR stablecoin", func(q *search.Query) { q.Filter.Year = 2001 }); got.Total != 0 {
			t.Errorf("year 2001: %d hits", got.Total)
		}
	})

	t.Run("sort by date and pagination", func(t *testing.T) {
		res := run(t, iceScope, "departures OR stablecoin", func(q *search.Query) { q.Sort = search.SortDate })
		if want := []int64{d.ID, c.ID, b.ID, a.ID}; !slices.Equal(hitIDs(res), want) {
			t.Errorf("newest first: %v, want %v", hitIDs(res), want)
		}
		if res := run(t, iceScope, "departures", func(q *search.Query) { q.Page = 2 }); len(res.Hits) != 0 || res.Total != 3 {
			t.Errorf("page 2: %d hits, total %d", len(res.Hits), res.Total)
		}
	})

	t.Run("product number jumps only to a visible edition", func(t *testing.T) {
		if res := run(t, iceScope, strings.ToLower(a.Number)); res.JumpTo != a.ID {
			t.Errorf("ICE %s: jump %d, want %d", a.Number, res.JumpTo, a.ID)
		}
		hidden, missing := run(t, iceScope, h.Number), run(t, iceScope, "HSTC-IB-1999-99999")
		if hidden.JumpTo != 0 || hidden.Total != 0 || missing.JumpTo != 0 || missing.Total != 0 {
			t.Errorf("hidden %+v / missing %+v, want nothing for both", hidden, missing)
		}
		if res := run(t, recipientScope(nca.ID), h.Number+" rev 1"); res.JumpTo != h.ID {
			t.Errorf("NCA %s rev 1: jump %d", h.Number, res.JumpTo)
		}
		if res := run(t, search.Scope{AgencyID: hstc, UserID: reviewer, Owned: true}, h.Number); res.JumpTo != h.ID {
			t.Errorf("center %s: jump %d", h.Number, res.JumpTo)
		}
	})

	t.Run("a rescinded edition disappears at once", func(t *testing.T) {
		if err := app.RescindEdition(ctx, hstc, reviewer, b.ID, "Disseminated in error (search test)"); err != nil {
			t.Fatal(err)
		}
		if res := run(t, iceScope, "night departures"); slices.Contains(hitIDs(res), b.ID) || res.Total != 2 || res.Facets.Type[0].Count != 1 {
			t.Errorf("after rescission ICE finds %v (total %d, facets %+v)", hitIDs(res), res.Total, res.Facets.Type)
		}
		if res := run(t, iceScope, b.Number); res.JumpTo != 0 {
			t.Errorf("after rescission the number still jumps to %d", res.JumpTo)
		}
		// The owner still finds it, marked.
		res := run(t, search.Scope{AgencyID: hstc, UserID: reviewer, Owned: true}, `"night departures"`)
		if len(res.Hits) != 2 || !slices.ContainsFunc(res.Hits, func(x search.Hit) bool { return x.EditionID == b.ID && x.Rescinded }) {
			t.Errorf("center after rescission: %+v", res.Hits)
		}
	})

	t.Run("an agency setting that disagrees answers nothing", func(t *testing.T) {
		// Scope for ICE, but no received right: nothing; and a forged call with another agency
		// than the transaction's is answered empty by tearline_search itself.
		if res := run(t, search.Scope{AgencyID: ice.ID}, "departures"); res.Total != 0 {
			t.Errorf("no scope: %d", res.Total)
		}
		direct := func(agency, setting int64) (n int, err error) {
			err = app.Pool.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM tearline_search($1, to_tsquery('english', 'departures'),
				true, true, '', '', '', 0, '', true, 100)) FROM (SELECT set_config('tearline.agency_id', $2, true)) s`, agency, fmt.Sprint(setting)).Scan(&n)
			return n, err
		}
		if n, err := direct(ice.ID, ice.ID); err != nil || n == 0 {
			t.Errorf("tearline_search for ICE in an ICE transaction: %d rows, %v", n, err)
		}
		if n, err := direct(ice.ID, nca.ID); err != nil || n != 0 {
			t.Errorf("tearline_search for ICE in an NCA transaction: %d rows, %v", n, err)
		}
		if _, err := app.Pool.Exec(context.Background(), `SELECT count(*) FROM search_doc`); pgCode(err) != "42501" {
			t.Errorf("the application role reads search_doc: %v", err)
		}
	})

	t.Run("the search terms are audited", func(t *testing.T) {
		before := count(t, owner, `SELECT count(*) FROM audit_event WHERE action = 'search'`)
		run(t, iceScope, `"cash couriers" -wallets`)
		var q string
		if err := owner.Pool.QueryRow(context.Background(), `SELECT details->>'query' FROM audit_event WHERE action = 'search'
			AND actor_agency_id = $1 ORDER BY id DESC LIMIT 1`, ice.ID).Scan(&q); err != nil || q != `"cash couriers" -wallets` {
			t.Errorf("audited query %q (%v)", q, err)
		}
		if after := count(t, owner, `SELECT count(*) FROM audit_event WHERE action = 'search'`); after != before+1 {
			t.Errorf("%d search events written, want 1", after-before)
		}
	})
}

// TestSearchDrafts: center staff find the unreleased products they may read, recipients none.
func TestSearchDrafts(t *testing.T) {
	app, owner := setup(t)
	hstc, reviewer := seedHSTC(t, owner)
	analyst, err := owner.FindUserByIdentity(context.Background(), "https://idp.test", "analyst@hstc")
	if err != nil {
		t.Fatal(err)
	}
	lei := marking.Marking{Control: marking.CUI, Categories: []marking.Category{{Code: "LEI"}}}
	draft := func(by int64, title string) int64 {
		p := product.Product{Type: product.TypeNote, Title: title, Summary: "Kestrel couriers",
			Portions: []product.Portion{{Kind: product.KindParagraph, Section: product.Template(product.TypeNote)[0].Key, Body: "Kestrel couriers cross at dawn.", Marking: lei}}}
		if err := app.CreateProduct(actorCtx(by, hstc), hstc, by, &p, lei); err != nil {
			t.Fatal(err)
		}
		return p.ID
	}
	mine := draft(analyst.ID, "Kestrel draft by the analyst")
	theirs := draft(reviewer, "Kestrel draft by the reviewer")
	inReview := draft(reviewer, "Kestrel product in review")
	if err := app.TransitionProduct(actorCtx(reviewer, hstc), hstc, reviewer, inReview, product.StateDraft, product.StatePeerReview, "submit", ""); err != nil {
		t.Fatal(err)
	}
	ids := func(res search.Results) []int64 {
		var out []int64
		for _, d := range res.Drafts {
			out = append(out, d.ProductID)
		}
		slices.Sort(out)
		return out
	}
	for name, tc := range map[string]struct {
		scope search.Scope
		want  []int64
	}{
		"releasing official": {search.Scope{AgencyID: hstc, UserID: reviewer, Owned: true, Drafts: search.DraftScope{All: true, InReview: true}}, []int64{mine, theirs, inReview}},
		"analyst":            {search.Scope{AgencyID: hstc, UserID: analyst.ID, Owned: true, Drafts: search.DraftScope{Authored: true, InReview: true}}, []int64{mine, inReview}},
		"recipient":          {recipientScope(hstc), nil},
	} {
		res, err := app.Search(actorCtx(tc.scope.UserID, hstc), tc.scope, search.Query{Text: "kestrel", Sort: search.SortRelevance, Page: 1})
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(res); !slices.Equal(got, tc.want) || res.DraftTotal != len(tc.want) {
			t.Errorf("%s: drafts %v (total %d), want %v", name, got, res.DraftTotal, tc.want)
		}
		for _, d := range res.Drafts {
			if !slices.ContainsFunc(d.Snippet, func(s search.Segment) bool { return s.Mark }) {
				t.Errorf("%s: draft %d snippet not highlighted: %+v", name, d.ProductID, d.Snippet)
			}
		}
	}
}

// TestSearchLeakProperty: over the generated world of the leak tests (random agencies, caveats,
// audiences and rescissions), every agency's search results, totals and facets are exactly the
// editions the generator says it may see, and a term unique to one edition finds it iff visible.
func TestSearchLeakProperty(t *testing.T) {
	seed := leakSeed(t)
	t.Logf("seed %d (replay with TEARLINE_LEAK_SEED=%d)", seed, seed)
	w := newLeakWorld(t, seed, 12, 160)
	r := rand.New(rand.NewPCG(seed, 7))
	checked := 0
	for _, a := range w.agencies {
		owns := a.ID == w.releasers[0].agency.ID || a.ID == w.releasers[1].agency.ID
		sc := search.Scope{AgencyID: a.ID, UserID: 1, Owned: owns, Received: !owns}
		var want []int64
		types := map[string]int{}
		for _, e := range w.editions {
			if (owns && e.Owner == a.ID) || (!owns && e.received(a.ID)) {
				want = append(want, e.ID)
				types[string(e.Type)]++
			}
		}
		var got []int64
		for page := 1; ; page++ {
			res, err := w.app.Search(actorCtx(1, a.ID), sc, search.Query{Text: "leak world", Sort: search.SortDate, Page: page})
			if err != nil {
				t.Fatalf("%s page %d: %v", a.Code, page, err)
			}
			if res.Total != len(want) {
				t.Errorf("%s: total %d, the generator gives %d", a.Code, res.Total, len(want))
			}
			sum := 0
			for _, f := range res.Facets.Type {
				sum += f.Count
				if f.Count != types[f.Value] {
					t.Errorf("%s: facet type %s = %d, want %d", a.Code, f.Value, f.Count, types[f.Value])
				}
			}
			if sum != len(want) {
				t.Errorf("%s: type facets sum to %d, want %d", a.Code, sum, len(want))
			}
			for _, h := range res.Hits {
				e := w.byID[h.EditionID]
				if e == nil || !strings.Contains(e.Title, search.Plain(h.Title)) {
					t.Errorf("%s: hit %d titled %q is not the generator's", a.Code, h.EditionID, search.Plain(h.Title))
					continue
				}
				// The snippet is the edition's own summary and body (they carry its index).
				idx := strings.Fields(e.Title)[3]
				for _, n := range numbersIn(search.Plain(h.Snippet)) {
					if n != idx {
						t.Errorf("LEAK %s: snippet of edition %d carries %q: %q", a.Code, h.EditionID, n, search.Plain(h.Snippet))
					}
				}
				got = append(got, h.EditionID)
			}
			if len(res.Hits) < search.PerPage {
				break
			}
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("LEAK/MISS %s (owner %v): search finds %s", a.Code, owns, diffIDs(got, want))
		}
		// A term unique to one edition (its title's hex tag), for random editions.
		for range 12 {
			e := w.editions[r.IntN(len(w.editions))]
			tag := strings.Fields(e.Title)[4]
			res, err := w.app.Search(actorCtx(1, a.ID), sc, search.Query{Text: tag, Sort: search.SortRelevance, Page: 1})
			if err != nil {
				t.Fatal(err)
			}
			vis := (owns && e.Owner == a.ID) || (!owns && e.received(a.ID))
			if found := slices.Equal(hitIDs(res), []int64{e.ID}); found != vis || (!vis && (res.Total != 0 || !res.Facets.Empty())) {
				t.Errorf("%s searching %s (edition %d, visible %v): hits %v, total %d", a.Code, tag, e.ID, vis, hitIDs(res), res.Total)
			}
			checked++
		}
	}
	t.Logf("%d agencies, %d editions, %d single-edition probes", len(w.agencies), len(w.editions), checked)
}

// numbersIn returns the four-digit edition indexes a generated text carries.
func numbersIn(s string) []string {
	var out []string
	for _, f := range strings.Fields(s) {
		if len(f) == 4 && strings.Trim(f, "0123456789") == "" {
			out = append(out, f)
		}
	}
	return out
}

// TestSearchWindow: a search ranks, counts and pages the Window newest visible matches and says when
// there are more; the walk over the index finds matches however far apart their edition ids are
// (spans of 65,536 ids, docs/search.md "The window"), and hidden editions never enter the window.
func TestSearchWindow(t *testing.T) {
	app, owner := setup(t)
	hstc, reviewer := seedHSTC(t, owner)
	ctx := context.Background()
	ice, err := owner.FindAgencyByCode(ctx, "ICE")
	if err != nil {
		t.Fatal(err)
	}
	nca, err := owner.FindAgencyByCode(ctx, "NCA")
	if err != nil {
		t.Fatal(err)
	}
	release := func(e product.Edition, to ...int64) {
		if _, err := app.DisseminateEdition(actorCtx(reviewer, hstc), hstc, reviewer, e.ID, to, "Need to know: search window test", e.Banner); err != nil {
			t.Fatal(err)
		}
	}
	kestrel := searchEdition(t, app, hstc, reviewer, product.TypeBulletin, "Kestrel corridor crossings", "Kestrel route.", "Kestrel boats leave at dawn.",
		[]string{"trends"}, []string{"HND"}, "Maritime Analysis Branch")
	release(kestrel, ice.ID)
	osprey := searchEdition(t, app, hstc, reviewer, product.TypeNote, "Osprey staging point", "Osprey camp.", "Osprey pilots wait inland.",
		[]string{"trends"}, []string{"GTM"}, "Maritime Analysis Branch")
	release(osprey, ice.ID)

	// clone copies an edition at ids from, from+1, …, from+n-1 (the owner writes them directly, so that
	// the ids span many of the index's steps); the search trigger indexes each.
	clone := func(src product.Edition, from int64, n int) []int64 {
		rows, err := owner.Pool.Query(ctx, `INSERT INTO edition (id, product_id, owner_agency_id, number, rev, type, title, banner, content, sha256, released_by, released_at)
			OVERRIDING SYSTEM VALUE
			SELECT g.id, e.product_id, e.owner_agency_id, e.number, g.id::integer, e.type, e.title, e.banner, e.content, e.sha256, e.released_by,
				e.released_at + g.id * interval '1 millisecond'
			FROM edition e, generate_series($2::bigint, $2::bigint + $3 - 1) AS g(id) WHERE e.id = $1 RETURNING id`, src.ID, from, n)
		if err != nil {
			t.Fatal(err)
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil || len(ids) != n {
			t.Fatalf("clone: %d of %d (%v)", len(ids), n, err)
		}
		return ids
	}
	ledger := func(agencyID int64, ids []int64) {
		if _, err := owner.Pool.Exec(ctx, `INSERT INTO release_ledger (edition_id, agency_id, released_by, justification, caveats)
			SELECT unnest($1::bigint[]), $2, $3, 'Need to know: search window test', ''`, ids, agencyID, reviewer); err != nil {
			t.Fatal(err)
		}
	}
	a := clone(kestrel, 70_001, 600)    // span 1
	b := clone(kestrel, 300_001, 600)   // spans 4 and 5
	c := clone(kestrel, 1_500_001, 30)  // span 22
	late := clone(osprey, 1_600_000, 1) // span 24
	var bShown, bHidden, aNCA []int64
	for i, id := range b {
		if i%10 == 0 {
			bHidden = append(bHidden, id)
		} else {
			bShown = append(bShown, id)
		}
	}
	for i, id := range a {
		if i%3 == 0 {
			aNCA = append(aNCA, id)
		}
	}
	ledger(ice.ID, slices.Concat(a, bShown, c, late))
	ledger(nca.ID, slices.Concat(aNCA, bHidden))

	// ICE may see kestrel, a, b without bHidden, c: 1 + 600 + 540 + 30 = 1,171, newest first.
	visible := slices.Concat([]int64{kestrel.ID}, a, bShown, c)
	slices.Sort(visible)
	slices.Reverse(visible)
	window := visible[:search.Window]

	iceScope := recipientScope(ice.ID)
	query := func(sc search.Scope, text string, sort search.Sort, page int) search.Results {
		t.Helper()
		res, err := app.Search(actorCtx(sc.UserID, sc.AgencyID), sc, search.Query{Text: text, Sort: sort, Page: page})
		if err != nil {
			t.Fatalf("search %q page %d: %v", text, page, err)
		}
		return res
	}

	t.Run("newest first, counted up to the window", func(t *testing.T) {
		res := query(iceScope, "kestrel", search.SortDate, 1)
		if res.Total != search.Window || !res.More {
			t.Fatalf("total %d more %v, want %d and more", res.Total, res.More, search.Window)
		}
		if got := hitIDs(res); !slices.Equal(got, window[:search.PerPage]) {
			t.Errorf("page 1 = %v, want %v", got, window[:search.PerPage])
		}
		last := query(iceScope, "kestrel", search.SortDate, search.MaxPage)
		if got := hitIDs(last); !slices.Equal(got, window[search.Window-search.PerPage:]) {
			t.Errorf("last page = %v, want %v", got, window[search.Window-search.PerPage:])
		}
		if n := res.Facets.Type[0].Count; len(res.Facets.Type) != 1 || n != search.Window {
			t.Errorf("type facet %+v, want one value counting %d", res.Facets.Type, search.Window)
		}
	})

	t.Run("ranked within the window", func(t *testing.T) {
		res := query(iceScope, "kestrel", search.SortRelevance, 1)
		if res.Total != search.Window || !res.More || len(res.Hits) != search.PerPage {
			t.Fatalf("total %d more %v hits %d", res.Total, res.More, len(res.Hits))
		}
		for i, h := range res.Hits {
			if !slices.Contains(window, h.EditionID) {
				t.Errorf("hit %d (edition %d) is outside the window", i, h.EditionID)
			}
			if i > 0 && h.Rank > res.Hits[i-1].Rank {
				t.Errorf("hit %d ranks above hit %d", i, i-1)
			}
		}
	})

	t.Run("a rare word is found across every span", func(t *testing.T) {
		res := query(iceScope, "osprey", search.SortDate, 1)
		if got := hitIDs(res); res.More || res.Total != 2 || !slices.Equal(got, []int64{late[0], osprey.ID}) {
			t.Errorf("osprey: total %d more %v hits %v, want [%d %d]", res.Total, res.More, got, late[0], osprey.ID)
		}
	})

	t.Run("another agency's window holds only what it holds", func(t *testing.T) {
		want := slices.Concat(aNCA, bHidden)
		slices.Sort(want)
		slices.Reverse(want)
		var got []int64
		for page := 1; ; page++ {
			res := query(recipientScope(nca.ID), "kestrel", search.SortDate, page)
			if res.More || res.Total != len(want) {
				t.Fatalf("NCA: total %d more %v, want %d", res.Total, res.More, len(want))
			}
			if len(res.Hits) == 0 {
				break
			}
			got = append(got, hitIDs(res)...)
		}
		if !slices.Equal(got, want) {
			t.Errorf("NCA pages %v, want %v", got, want)
		}
	})

	t.Run("span keys never name another agency", func(t *testing.T) {
		// The last span an agency's key can hold, and one beyond it, which gets no key rather than
		// the next agency's first key.
		var last, next int64
		var beyond *int64
		if err := owner.Pool.QueryRow(ctx, `SELECT tearline_search_key(7, 68719476735), tearline_search_key(8, 0), tearline_search_key(7, 68719476736)`).
			Scan(&last, &next, &beyond); err != nil {
			t.Fatal(err)
		}
		if last >= next || beyond != nil {
			t.Errorf("keys: last span of 7 = %d, first of 8 = %d, beyond = %v", last, next, beyond)
		}
	})

	t.Run("the owner's window", func(t *testing.T) {
		res := query(search.Scope{AgencyID: hstc, UserID: reviewer, Owned: true}, "kestrel", search.SortDate, 1)
		if !res.More || res.Total != search.Window || len(res.Hits) == 0 || res.Hits[0].EditionID != c[len(c)-1] {
			t.Errorf("center: total %d more %v first %v, want newest %d", res.Total, res.More, hitIDs(res), c[len(c)-1])
		}
	})
}

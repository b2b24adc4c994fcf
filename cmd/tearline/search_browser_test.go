package main

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserSearch: in Chromium, liaison@ice and liaison@nca search the demo from the header box
// and each finds exactly what its agency holds; ICE refines by a facet and opens a product by number.
func TestBrowserSearch(t *testing.T) {
	a := newTestApp(t)
	seedSearchDemo(t, a)
	browser := newChromium(t)
	const q = "smuggling OR migrants"
	for _, hint := range []string{"liaison@ice", "liaison@nca"} {
		s := newBrowserSession(t, browser, a)
		s.signIn(hint, "")
		s.run("search from the header", chromedp.SendKeys(chromedp.CSS("#header-search-q"), q), chromedp.Submit(chromedp.CSS("#header-search-q")),
			chromedp.WaitVisible(chromedp.CSS("[data-testid=search-total]")))
		code := strings.ToUpper(strings.SplitN(hint, "@", 2)[1])
		want := visibleMatches(t, a, code, q)
		got := browserEval[[]string](s, `[...document.querySelectorAll('[data-testid=search-results] li')].map(li => li.dataset.edition)`)
		if len(got) != len(want) {
			t.Errorf("%s sees %d results %v, the ledger gives %v", hint, len(got), got, want)
		}
		for _, id := range want {
			if !strings.Contains(strings.Join(got, ","), itoa(id)) {
				t.Errorf("%s misses edition %d", hint, id)
			}
		}
		marks := browserEval[int](s, `document.querySelectorAll('[data-testid=search-results] mark').length`)
		if len(want) > 0 && marks == 0 {
			t.Errorf("%s: nothing highlighted", hint)
		}
		s.checkPage("search-" + code)
		if hint != "liaison@ice" {
			continue
		}
		// Refine by the first type facet: every remaining result has that type.
		typ := browserEval[string](s, `document.querySelector('[data-facet=type] li').dataset.value`)
		s.click(`[data-facet=type] li a`)
		s.run("wait for the filter", chromedp.WaitVisible(chromedp.CSS("[data-testid=active-filters]")))
		tags := browserEval[[]string](s, `[...document.querySelectorAll('[data-testid=search-results] .tl-type-tag')].map(t => t.textContent.trim())`)
		for _, tg := range tags {
			if tg != typ {
				t.Errorf("after filtering by %s a %s result is listed", typ, tg)
			}
		}
		s.checkPage("search-ICE-filtered")
		// A product number opens the product.
		number := browserEval[string](s, `document.querySelector('[data-testid=search-results] .tl-inbox__number').textContent.trim()`)
		id := browserEval[string](s, `document.querySelector('[data-testid=search-results] li').dataset.edition`)
		s.navigate("/search?q=" + url.QueryEscape(number))
		if p := s.path(); p != "/editions/"+id {
			t.Errorf("searching %s: at %s, want /editions/%s", number, p, id)
		}
	}

	// More than the window: 1,005 copies of an edition ICE holds, whose titles share a word no demo
	// product has. The page says that more match, lists the newest 1,000 in 50 pages, and says how to
	// narrow the search.
	ctx := context.Background()
	var src int64
	if err := a.Owner.Pool.QueryRow(ctx, `SELECT e.id FROM edition e JOIN release_ledger l ON l.edition_id = e.id
		JOIN agency g ON g.id = l.agency_id WHERE g.code = 'ICE' ORDER BY e.id LIMIT 1`).Scan(&src); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Owner.Pool.Exec(ctx, `WITH c AS (
		INSERT INTO edition (product_id, owner_agency_id, number, rev, type, title, banner, content, sha256, released_by, released_at)
		SELECT e.product_id, e.owner_agency_id, e.number, 1000 + g, e.type, e.title || ' (kestrel copy ' || g || ')', e.banner, e.content,
			e.sha256, e.released_by, e.released_at + g * interval '1 second'
		FROM edition e, generate_series(1, 1005) g WHERE e.id = $1 RETURNING id, released_by)
	INSERT INTO release_ledger (edition_id, agency_id, released_by, justification, caveats)
	SELECT c.id, (SELECT id FROM agency WHERE code = 'ICE'), c.released_by, 'Need to know: search window test', '' FROM c`, src); err != nil {
		t.Fatal(err)
	}
	s := newBrowserSession(t, browser, a)
	s.signIn("liaison@ice", "")
	s.navigate("/search?q=kestrel")
	if got := s.text("[data-testid=search-total]"); !strings.Contains(got, "More than 1,000 editions match") {
		t.Errorf("total line %q", got)
	}
	if got := s.text("[data-testid=search-window]"); !strings.Contains(got, "newest 1,000") {
		t.Errorf("window hint %q", got)
	}
	if got := s.text(".usa-pagination__page-no"); got != "Page 1 of 50" {
		t.Errorf("pager %q, want Page 1 of 50", got)
	}
	if n := browserEval[int](s, `document.querySelectorAll('[data-testid=search-results] li').length`); n != 20 {
		t.Errorf("%d results on the page, want 20", n)
	}
	s.checkPage("search-ICE-window")
}

package main

import (
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
}

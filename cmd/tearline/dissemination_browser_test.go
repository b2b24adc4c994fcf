package main

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserDissemination: the releasing official releases a NOFORN bulletin and a REL TO USA, GBR
// note in Chromium; ICE sees both, NCA only the note, EUROPOL neither; ICE acknowledges and leaves
// feedback, and the official sees it.
func TestBrowserDissemination(t *testing.T) {
	a := newTestApp(t)
	bulletin := releaseMarked(t, a, "IB", "Cayo Verde crews paid through informant account", url.Values{"m_control": {"CUI"}, "m_categories": {"SP-INV"}, "m_noforn": {"on"}})
	note := releaseMarked(t, a, "IN", "Calais embarkation points move east", url.Values{"m_control": {"CUI"}, "m_categories": {"LEI"}, "m_rel_to": {"GBR"}})
	browser := newChromium(t)

	elena := newBrowserSession(t, browser, a)
	elena.signIn("reviewer@hstc", "")
	release := func(path string, codes ...string) {
		elena.navigate(path)
		elena.click("[data-testid=disseminate]")
		for _, c := range codes {
			elena.run("tick "+c, chromedp.Click(chromedp.CSS(`label[for="agency-`+c+`"]`), chromedp.NodeVisible))
		}
		elena.run("justify", chromedp.SendKeys(chromedp.CSS("#justification"), "Partners working this route need it."))
		elena.click(`.tl-disseminate button[type=submit]`)
		elena.wantContains("[data-testid=ledger]", codes...)
	}
	elena.navigate(bulletin + "/disseminate")
	disabled := browserEval[bool](elena, `document.getElementById('agency-NCA').disabled && document.getElementById('agency-EUROPOL').disabled && !document.getElementById('agency-ICE').disabled`)
	if !disabled {
		t.Error("NOFORN bulletin: NCA or EUROPOL can be chosen, or ICE cannot")
	}
	elena.wantContains(`tr[data-agency="NCA"]`, "NOFORN")
	elena.checkPage("disseminate-noforn")
	release(bulletin, "ICE")
	release(note, "ICE", "NCA")

	for hint, want := range map[string][]bool{"liaison@ice": {true, true}, "liaison@nca": {false, true}, "liaison@europol": {false, false}} {
		s := newBrowserSession(t, browser, a)
		s.signIn(hint, "")
		s.navigate("/inbox")
		body := browserEval[string](s, `document.querySelector('main').innerText`)
		for i, title := range []string{"Cayo Verde crews", "Calais embarkation points"} {
			if strings.Contains(body, title) != want[i] {
				t.Errorf("%s inbox shows %q = %v", hint, title, !want[i])
			}
		}
		if hint == "liaison@ice" {
			s.checkPage("inbox-ice")
			s.click(`a.tl-inbox__title[href="` + bulletin + `"]`)
			s.click("[data-testid=acknowledge]")
			s.wantContains("[data-testid=acknowledged]", "Rosa Delgado")
			for _, f := range []string{"relevance-5", "timeliness-4", "actionability-4"} {
				s.run("rate "+f, chromedp.Click(chromedp.CSS(`label[for="`+f+`"]`), chromedp.NodeVisible))
			}
			s.run("action taken", chromedp.SetValue(chromedp.CSS("#action"), "shared"))
			s.run("comment", chromedp.SendKeys(chromedp.CSS("#comment"), "Used to brief the Key West task force."))
			s.click("[data-testid=send-feedback]")
			s.wantContains("[data-testid=my-feedback]", "Key West task force")
			s.checkPage("edition-recipient")
		}
	}
	// The releasing official reads the distribution lists but may not change them.
	admin := a.browser(t)
	admin.signIn("admin@hstc")
	admin.post("/admin/lists", url.Values{"name": {"Channel partners"}, "members": agencyIDs(t, a, "ICE", "NCA")["agency"]})
	elena.navigate("/admin/lists")
	elena.wantContains("[data-testid=lists]", "Channel partners", "ICE, NCA")
	if n := browserEval[int](elena, `document.querySelectorAll('a[href^="/admin/lists/"]').length`); n != 0 {
		t.Errorf("the releasing official is offered %d list edit links", n)
	}
	elena.checkPage("lists")
	// A recall replaces the note's content for its recipients with the notice.
	prep := a.browser(t)
	prep.signIn("reviewer@hstc")
	prep.post(note+"/rescind", url.Values{"reason": {"Disseminated in error"}})
	nca := newBrowserSession(t, browser, a)
	nca.signIn("liaison@nca", "")
	nca.navigate(note)
	nca.wantContains("[data-testid=recall-notice]", "was recalled", "Disseminated in error")
	if body := browserEval[string](nca, `document.body.innerText`); strings.Contains(body, "Calais embarkation") {
		t.Error("the recall notice shows the title")
	}
	// The notice answers 410 Gone, which the browser logs; that is the only problem allowed here.
	for _, pr := range nca.takeProblems() {
		if !strings.Contains(pr, "410") {
			t.Errorf("recall notice page: %s", pr)
		}
	}
	nca.screenshot("recall-notice")
	// The inbox lists the recall (number and reason) where the note was.
	nca.navigate("/inbox")
	nca.wantContains("[data-testid=recalled]", "Disseminated in error")
	nca.wantContains("[data-testid=inbox-empty]", "has been recalled")
	if body := browserEval[string](nca, `document.body.innerText`); strings.Contains(body, "Calais embarkation") {
		t.Error("the inbox still shows the recalled note's title")
	}
	nca.checkPage("inbox-recalled")

	elena.navigate(bulletin)
	elena.wantContains("[data-testid=reach]", "ICE", "Rosa Delgado")
	elena.wantContains("[data-testid=feedback-list]", "Key West task force")
	elena.checkPage("edition-reach")
}

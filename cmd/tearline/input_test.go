package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestUnstorableInputIsRefused: a NUL character or bytes that are not UTF-8 in a query string, a form
// or an upload field are refused with a message (422) before they reach PostgreSQL, which cannot
// store them (wapiti found 500s on /inbox?region=, feedback comments and subscriptions), and nothing
// is saved.
func TestUnstorableInputIsRefused(t *testing.T) {
	a := newTestApp(t)
	ed := releaseMarked(t, a, "IB", "Bulletin for the input checks", url.Values{"m_control": {"CUI"}, "m_categories": {"LEI"}})
	elena := a.browser(t)
	elena.signIn("reviewer@hstc")
	rel := agencyIDs(t, a, "ICE")
	rel.Set("justification", "Maritime interdiction partners need this.")
	if p := elena.post(ed+"/disseminate", rel); p.Status != http.StatusOK {
		t.Fatalf("release to ICE: %d", p.Status)
	}
	rosa := a.browser(t)
	rosa.signIn("liaison@ice")
	const formMsg = "The form contains a character that cannot be stored"
	const queryMsg = "The address contains a character that cannot be used"
	for _, bad := range []string{"a\x00b", "caf\xe9", "\xff"} {
		for _, path := range []string{"/inbox?region=" + url.QueryEscape(bad), "/search?q=" + url.QueryEscape(bad), "/inbox?" + url.QueryEscape(bad) + "=1"} {
			if p := rosa.get(path); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, queryMsg) {
				t.Errorf("GET %s: %d", path, p.Status)
			}
		}
		feedback := url.Values{"relevance": {"4"}, "timeliness": {"4"}, "actionability": {"4"}, "action": {"none"}, "comment": {bad}}
		if p := rosa.post(ed+"/feedback", feedback); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, formMsg) {
			t.Errorf("feedback with %q: %d", bad, p.Status)
		}
		if p := rosa.post("/subscriptions", url.Values{"kind": {"search"}, "value": {bad}}); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, formMsg) {
			t.Errorf("subscription with %q: %d", bad, p.Status)
		}
	}
	if n := a.countRows(t, `SELECT count(*) FROM feedback`) + a.countRows(t, `SELECT count(*) FROM subscription`); n != 0 {
		t.Errorf("%d feedback or subscription rows saved from refused input", n)
	}
	// The same forms with storable text still work.
	ok := url.Values{"relevance": {"4"}, "timeliness": {"4"}, "actionability": {"4"}, "action": {"none"}, "comment": {"café, naïve — fine"}}
	if p := rosa.post(ed+"/feedback", ok); p.Status != http.StatusOK {
		t.Errorf("feedback with UTF-8 text: %d", p.Status)
	}
}

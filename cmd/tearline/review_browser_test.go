package main

import (
	"regexp"
	"strings"
	"testing"
)

// TestBrowserBulletinToRelease walks a bulletin in Chromium from its author through a peer and the
// releasing official to a numbered edition, clicking the buttons a person would.
func TestBrowserBulletinToRelease(t *testing.T) {
	a := newTestApp(t)
	// The draft itself is written over HTTP (the editor has its own browser test).
	prep := a.browser(t)
	prep.signIn("analyst@hstc")
	id := prep.readyDraft("IB", "Night departures from Puerto Cortés")
	browser := newChromium(t)

	dana := newBrowserSession(t, browser, a)
	dana.signIn("analyst@hstc", "")
	dana.navigate("/products/" + id)
	dana.wantContains("[data-testid=review-panel]", "Draft", "Not yet submitted")
	dana.click(`button[data-action=submit]`)
	dana.wantContains("[data-testid=timeline]", "submitted for review")
	dana.checkPage("review-submitted")

	marcus := newBrowserSession(t, browser, a)
	marcus.signIn("analyst2@hstc", "")
	marcus.navigate("/reviews")
	marcus.wantContains("[data-testid=review-queue]", "Night departures from Puerto Cortés")
	marcus.click(`[data-testid=review-queue] a`)
	marcus.click(`button[data-action=peer_approve]`)

	elena := newBrowserSession(t, browser, a)
	elena.signIn("reviewer@hstc", "")
	elena.navigate("/reviews")
	elena.click(`[data-testid=review-queue] a`)
	elena.wantContains("[data-testid=review-panel]", "In supervisory review")
	elena.click(`button[data-action=supervise_approve]`)
	elena.click(`button[data-action=release]`)
	if !strings.HasPrefix(elena.path(), "/editions/") {
		t.Fatalf("after release: at %s", elena.path())
	}
	number := elena.text("[data-testid=edition-number]")
	if !regexp.MustCompile(`^HSTC-IB-\d{4}-00001$`).MatchString(number) {
		t.Errorf("edition number %q", number)
	}
	if top := elena.text("#banner-top"); strings.Contains(top, "DRAFT") || !strings.Contains(top, "CUI//LEI") {
		t.Errorf("released banner %q", top)
	}
	if sum := elena.text("[data-testid=edition-sha256]"); !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(sum) {
		t.Errorf("edition hash %q", sum)
	}
	elena.checkPage("edition")

	// The author's product page now lists the edition and the whole timeline.
	dana.navigate("/products/" + id)
	dana.wantContains("[data-testid=editions]", number)
	dana.wantContains("[data-testid=timeline]", "approved the peer review", "approved the supervisory review", "released")
	buttons := browserEval[[]string](dana, `[...document.querySelectorAll('[data-action]')].map(b => b.dataset.action)`)
	if len(buttons) != 1 || buttons[0] != "revise" {
		t.Errorf("author's actions on a released product: %v, want only revise", buttons)
	}
}

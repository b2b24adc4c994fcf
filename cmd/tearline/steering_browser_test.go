package main

import (
	"regexp"
	"testing"

	"github.com/chromedp/chromedp"
)

// tick clicks a checkbox or radio label, which causes no navigation.
func (s *browserSession) tick(sel string) {
	s.t.Helper()
	if _, err := chromedp.Run(s.ctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible)); err != nil {
		s.t.Fatalf("click %s: %v", sel, err)
	}
}

// fill types text into a field.
func (s *browserSession) fill(sel, text string) {
	s.t.Helper()
	if _, err := chromedp.Run(s.ctx, chromedp.SendKeys(chromedp.CSS(sel), text, chromedp.NodeVisible)); err != nil {
		s.t.Fatalf("type into %s: %v", sel, err)
	}
}

// TestBrowserAssessmentThroughSteering walks a strategic assessment in Chromium: the releasing
// official assigns the steering group, State's and Justice's members concur from their queues, DHS
// I&A's member finds nothing left to do, and the assessment is released.
func TestBrowserAssessmentThroughSteering(t *testing.T) {
	a := newTestApp(t)
	const title = "Maritime smuggling will move to the Pacific coast by 2027"
	prep := signedIn(t, a, "analyst@hstc", "analyst2@hstc")
	id := toSupervisory(t, prep[0], prep[1], "SA", title)
	browser := newChromium(t)

	elena := newBrowserSession(t, browser, a)
	elena.signIn("reviewer@hstc", "")
	elena.navigate("/products/" + id)
	elena.wantContains("[data-testid=steering-panel]", "No steering group members are assigned")
	for _, hint := range []string{"steering@dos", "steering@doj", "steering@dhs-ia"} {
		elena.tick(`label[for="member-` + itoa(a.userID(t, hint)) + `"]`)
	}
	elena.click(`button[data-action=steering-assign]`)
	elena.wantContains("[data-testid=steering-members]", "Thomas Achebe", "Laura Jiménez", "Kevin Marsh")
	elena.checkPage("steering-assigned")
	elena.click(`button[data-action=supervise_approve]`)
	elena.wantContains("[data-testid=review-panel]", "In steering-group review")

	for i, hint := range []string{"steering@dos", "steering@doj"} {
		m := newBrowserSession(t, browser, a)
		m.signIn(hint, "")
		if links := m.navLinks(); !contains(links, "Steering") {
			t.Errorf("%s's navigation: %q", hint, links)
		}
		m.navigate("/steering")
		m.wantContains("[data-testid=steering-queue]", title)
		m.click(`[data-testid=steering-queue] a`)
		m.wantContains("[data-testid=steering-assessment]", "Key judgments", "Intelligence gaps")
		if i == 0 {
			m.tick("[data-testid=steering-comments-gaps] summary")
			m.fill("#steering-comment-gaps", "Name the collection that would close gap 1.")
			m.click(`button[data-action=steering-comment-gaps]`)
			m.wantContains("[data-testid=steering-comments-gaps]", "Name the collection that would close gap 1.")
			m.checkPage("steering-member")
		}
		m.tick(`label[for="decision-concur"]`)
		m.click(`button[data-action=steering-decide]`)
		m.wantContains("[data-testid=my-decision]", "Concur")
	}

	kevin := newBrowserSession(t, browser, a)
	kevin.signIn("steering@dhs-ia", "")
	kevin.navigate("/steering")
	kevin.wantContains("main", "Nothing is waiting for you.")

	elena.navigate("/products/" + id)
	elena.wantContains("[data-testid=steering-tally]", "2 of 3 concur")
	elena.wantContains("[data-testid=steering-comments]", "Name the collection that would close gap 1.")
	elena.checkPage("steering-approved")
	elena.click(`button[data-action=release]`)
	if number := elena.text("[data-testid=edition-number]"); !regexp.MustCompile(`^HSTC-SA-\d{4}-00001$`).MatchString(number) {
		t.Errorf("edition number %q", number)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestBrowserNotifications: a liaison whose agency received a bulletin sees the bell count in
// Chromium, reads the notification list and the demo e-mail, and opens the edition from the list.
func TestBrowserNotifications(t *testing.T) {
	a := newTestApp(t)
	a.startJobs(t)
	bulletin := releaseMarked(t, a, "IB", "Go-fast departures shift to the new moon", url.Values{"m_control": {"CUI"}, "m_categories": {"LEI"}, "m_tlp": {"AMBER"}})
	elena := a.browser(t)
	elena.signIn("reviewer@hstc")
	form := agencyIDs(t, a, "ICE")
	form.Set("justification", "Maritime interdiction partners need this.")
	if p := elena.post(bulletin+"/disseminate", form); p.Status != http.StatusOK {
		t.Fatalf("disseminate: %d", p.Status)
	}
	probe := a.browser(t)
	probe.signIn("liaison@ice")
	eventually(t, "the notification and its e-mail", func() bool {
		return strings.Contains(probe.get("/outbox").Body, `data-testid="mail-subject"`)
	})

	s := newBrowserSession(t, newChromium(t), a)
	s.signIn("liaison@ice", "")
	s.navigate("/inbox")
	s.wantContains("[data-testid=bell-count]", "1")
	s.click("[data-testid=bell]")
	s.wantContains("[data-testid=notifications]", "Go-fast departures shift to the new moon", "acknowledgement due")
	s.checkPage("notifications")
	s.screenshot("notifications")
	s.navigate("/outbox")
	s.wantContains("[data-testid=mail-subject]", "[CUI//LEI TLP:AMBER]")
	s.checkPage("outbox")
	s.screenshot("outbox")
	s.navigate("/notifications")
	s.click(".tl-notification__link")
	s.wantContains("[data-testid=edition]", "Go-fast departures shift to the new moon")
	if got := browserEval[int](s, `document.querySelectorAll('[data-testid=bell-count]').length`); got != 0 {
		t.Error("the bell still counts after the notification was opened")
	}
}

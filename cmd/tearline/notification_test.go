package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// startJobs runs the portal's background-job workers for the rest of the test.
func (a *testApp) startJobs(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done, err := a.app.startJobs(ctx, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		<-done
	})
}

// eventually polls check until it holds or ten seconds pass.
func eventually(t *testing.T, what string, check func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !check() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not after 10 s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// A release reaches the liaisons of exactly the agencies that received it, in the portal (the bell and
// the list) and by demo e-mail marked with the banner and TLP; a subscriber of the agency hears too;
// an agency that did not receive it hears nothing.
func TestNotificationsOfARelease(t *testing.T) {
	a := newTestApp(t)
	a.startJobs(t)
	admin := a.browser(t)
	admin.signIn("admin@ice")
	if p := admin.post("/subscriptions", url.Values{"kind": {"type"}, "type": {"IB"}}); p.Status != http.StatusOK || !strings.Contains(p.Body, `data-testid="subscriptions"`) {
		t.Fatalf("subscribe: %d", p.Status)
	}
	if p := admin.post("/subscriptions", url.Values{"kind": {"region"}, "value": {"<script>"}}); p.Status != http.StatusUnprocessableEntity ||
		!strings.Contains(p.Body, "Enter a region") || !strings.Contains(p.Body, `data-testid="subscriptions"`) || !strings.Contains(p.Body, `value="&lt;SCRIPT&gt;"`) {
		t.Errorf("a bad subscription: status %d, want 422 with the message and the kept subscription", p.Status)
	}

	if n := a.countRows(t, `SELECT count(*) FROM audit_event WHERE action = 'subscription.create' AND details->>'value' = 'IB'`); n != 1 {
		t.Errorf("subscription audited %d times, want 1", n)
	}
	// Removing another user's subscription is not found, and writes nothing.
	var sub int64
	if err := a.Owner.Pool.QueryRow(context.Background(), `SELECT id FROM subscription`).Scan(&sub); err != nil {
		t.Fatal(err)
	}
	other := a.browser(t)
	other.signIn("liaison@cbp")
	if p := other.post("/subscriptions/"+itoa(sub)+"/delete", url.Values{}); p.Status != http.StatusNotFound {
		t.Errorf("deleting another user's subscription: %d", p.Status)
	}
	if n := a.countRows(t, `SELECT count(*) FROM audit_event WHERE action = 'subscription.delete'`); n != 0 {
		t.Errorf("a refused deletion was audited %d times", n)
	}
	bulletin := releaseMarked(t, a, "IB", "Night departures from the Cayo Verde coast", url.Values{"m_control": {"CUI"}, "m_categories": {"LEI"}, "m_tlp": {"AMBER"}})
	elena := a.browser(t)
	elena.signIn("reviewer@hstc")
	form := agencyIDs(t, a, "ICE", "NCA")
	form.Set("justification", "Maritime interdiction partners need this.")
	if p := elena.post(bulletin+"/disseminate", form); p.Status != http.StatusOK {
		t.Fatalf("disseminate: %d", p.Status)
	}

	rosa := a.browser(t)
	rosa.signIn("liaison@ice")
	eventually(t, "ICE liaison's bell", func() bool { return strings.Contains(rosa.get("/inbox").Body, `data-testid="bell-count">1<`) })
	list := rosa.get("/notifications")
	if !strings.Contains(list.Body, "Night departures from the Cayo Verde coast") || !strings.Contains(list.Body, "acknowledgement due") {
		t.Errorf("ICE liaison's notifications lack the release")
	}
	eventually(t, "ICE liaison's e-mail", func() bool { return strings.Contains(rosa.get("/outbox").Body, `data-testid="mail-subject"`) })
	mail := rosa.get("/outbox").Body
	if !strings.Contains(mail, "[CUI//LEI TLP:AMBER] Released to your agency") || !strings.Contains(mail, "liaison@ice.demo.invalid") {
		t.Errorf("outbox e-mail lacks the marked subject or the address:\n%s", excerpt(mail, "mail-subject"))
	}
	eventually(t, "ICE subscriber's notification", func() bool { return strings.Contains(admin.get("/notifications").Body, "Matches your subscription") })

	katrin := a.browser(t)
	katrin.signIn("liaison@europol")
	if p := katrin.get("/notifications"); strings.Contains(p.Body, "Cayo Verde") || strings.Contains(p.Body, `data-testid="bell-count"`) {
		t.Error("LEAK: Europol's liaison heard of an edition Europol did not receive")
	}
	if p := katrin.get("/outbox"); strings.Contains(p.Body, "Cayo Verde") || strings.Contains(p.Body, `data-testid="mail"`) {
		t.Error("LEAK: Europol's liaison got e-mail about it")
	}

	// Opening a notification marks it read and leads to the edition.
	id := regexp.MustCompile(`action="/notifications/([0-9]+)/open"`).FindStringSubmatch(list.Body)[1]
	if p := rosa.post("/notifications/"+id+"/open", url.Values{}); p.URL.Path != bulletin {
		t.Errorf("opening the notification led to %s, want %s", p.URL.Path, bulletin)
	}
	if strings.Contains(rosa.get("/inbox").Body, `data-testid="bell-count"`) {
		t.Error("the bell still counts a read notification")
	}
	// Another user's notification id is not found, like a missing one.
	if p := katrin.post("/notifications/"+id+"/open", url.Values{}); p.Status != http.StatusNotFound {
		t.Errorf("opening another user's notification: %d", p.Status)
	}
}

// A recall between queueing and sending means no message about the release: only the recall notice
// (number and reason) reaches the liaisons who held it.
func TestRecallBeforeDeliverySendsOnlyTheRecall(t *testing.T) {
	a := newTestApp(t)
	bulletin := releaseMarked(t, a, "IB", "Payments through the Route A corridor", url.Values{"m_control": {"CUI"}, "m_categories": {"LEI"}})
	elena := a.browser(t)
	elena.signIn("reviewer@hstc")
	form := agencyIDs(t, a, "ICE")
	form.Set("justification", "Financial investigators need this.")
	if p := elena.post(bulletin+"/disseminate", form); p.Status != http.StatusOK {
		t.Fatalf("disseminate: %d", p.Status)
	}
	if p := elena.post(bulletin+"/rescind", url.Values{"reason": {"Disseminated in error: wrong audience"}}); p.Status != http.StatusOK {
		t.Fatalf("rescind: %d", p.Status)
	}
	a.startJobs(t) // the workers start only now: both fan-outs were queued before
	rosa := a.browser(t)
	rosa.signIn("liaison@ice")
	eventually(t, "the recall notification", func() bool { return strings.Contains(rosa.get("/notifications").Body, "Recalled: ") })
	eventually(t, "the recall e-mail", func() bool { return strings.Contains(rosa.get("/outbox").Body, "Recalled: ") })
	time.Sleep(500 * time.Millisecond) // let any other queued job finish
	list, mail := rosa.get("/notifications").Body, rosa.get("/outbox").Body
	if strings.Contains(list, "acknowledgement due") || strings.Contains(mail, "Released to your agency") {
		t.Error("the release was announced after the recall")
	}
	if strings.Contains(list, "Route A corridor") || strings.Contains(mail, "Route A corridor") {
		t.Error("the recall notification carries the recalled edition's title")
	}
	if !strings.Contains(mail, "Disseminated in error: wrong audience") {
		t.Error("the recall e-mail lacks the reason")
	}
	if n := a.countRows(t, `SELECT count(*) FROM mail_outbox`); n != 1 {
		t.Errorf("outbox holds %d e-mails, want the one recall", n)
	}
}

func excerpt(s, marker string) string {
	i := strings.Index(s, marker)
	if i < 0 {
		return s
	}
	return s[i:min(len(s), i+400)]
}

package postgres_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"tearline/internal/marking"
	"tearline/internal/notify"
	"tearline/internal/postgres"
	"tearline/internal/product"
)

// queuedFanouts returns the fan-out jobs waiting in River's table, oldest first.
func queuedFanouts(t *testing.T, owner *postgres.DB) []notify.FanoutArgs {
	t.Helper()
	rows, err := owner.Pool.Query(context.Background(), `SELECT args FROM river_job WHERE kind = 'notify.fanout' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []notify.FanoutArgs
	for rows.Next() {
		var a notify.FanoutArgs
		if err := rows.Scan(&a); err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}

// emailJobs returns the e-mail jobs waiting in River's table.
func emailJobs(t *testing.T, owner *postgres.DB) []notify.EmailArgs {
	t.Helper()
	rows, err := owner.Pool.Query(context.Background(), `SELECT args FROM river_job WHERE kind = 'notify.email' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []notify.EmailArgs
	for rows.Next() {
		var a notify.EmailArgs
		if err := rows.Scan(&a); err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}

func userByHint(t *testing.T, owner *postgres.DB, hint string) int64 {
	t.Helper()
	u, err := owner.FindUserByIdentity(context.Background(), "https://idp.test", hint)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// Releasing to agencies queues one fan-out in the same transaction; the fan-out notifies the liaisons
// of exactly those agencies and the users whose subscriptions match, once each, and never anyone of
// an agency that does not hold the edition. E-mails are re-checked at send time: after a recall, only
// the recall notice is sent.
func TestNotificationsFollowTheLedger(t *testing.T) {
	app, owner := setup(t)
	hstc, reviewer := seedHSTC(t, owner)
	ctx := actorCtx(reviewer, hstc)
	ice, nca, europol := agencyByCode(t, owner, "ICE"), agencyByCode(t, owner, "NCA"), agencyByCode(t, owner, "EUROPOL")
	liaisonICE, liaisonNCA, liaisonEuropol := userByHint(t, owner, "liaison@ice"), userByHint(t, owner, "liaison@nca"), userByHint(t, owner, "liaison@europol")
	adminICE := userByHint(t, owner, "admin@ice")
	for _, u := range []int64{liaisonICE, liaisonNCA, adminICE} {
		if _, err := owner.Pool.Exec(context.Background(), `UPDATE app_user SET email = $2 WHERE id = $1`, u, "user"+strconv.FormatInt(u, 10)+"@example.gov"); err != nil {
			t.Fatal(err)
		}
	}
	// ICE's agency admin subscribes to bulletins, Europol's liaison to the same: only ICE's match counts.
	if err := app.AddSubscription(context.Background(), ice, adminICE, notify.Subscription{Kind: notify.SubscribeType, Value: string(product.TypeBulletin)}); err != nil {
		t.Fatal(err)
	}
	if err := app.AddSubscription(context.Background(), europol, liaisonEuropol, notify.Subscription{Kind: notify.SubscribeSearch, Value: "maritime"}); err != nil {
		t.Fatal(err)
	}

	id := approvedProduct(t, app, hstc, reviewer, product.TypeBulletin, "Night departures on the north coast")
	e, err := app.ReleaseProduct(ctx, hstc, reviewer, id, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	before := len(queuedFanouts(t, owner))
	if _, err := app.DisseminateEdition(ctx, hstc, reviewer, e.ID, []int64{ice, nca}, "Need to know: maritime partners", "CUI"); err != nil {
		t.Fatal(err)
	}
	jobs := queuedFanouts(t, owner)
	if len(jobs) != before+1 {
		t.Fatalf("dissemination queued %d fan-outs, want 1", len(jobs)-before)
	}
	job := jobs[len(jobs)-1]
	if job.Event != notify.EditionReleased || job.EditionID != e.ID || len(job.Agencies) != 2 || job.Label != e.Label() {
		t.Fatalf("fan-out = %+v", job)
	}
	// A fan-out that also names Europol (which does not hold the edition) must not reach it.
	job.Agencies = append(job.Agencies, europol)
	n, err := app.FanOut(context.Background(), job)
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Errorf("fan-out wrote %d notifications, want 3 (two liaisons, one subscriber)", n)
	}
	if again, err := app.FanOut(context.Background(), job); err != nil || again != 0 {
		t.Errorf("repeated fan-out wrote %d, %v; want 0", again, err)
	}
	got := func(agency, user int64) []notify.Notification {
		items, _, err := app.FindNotifications(context.Background(), agency, user, 50)
		if err != nil {
			t.Fatal(err)
		}
		return items
	}
	if items := got(ice, liaisonICE); len(items) != 1 || items[0].Event != notify.EditionReleased || items[0].Title != "Night departures on the north coast" {
		t.Errorf("ICE liaison notifications = %+v", items)
	}
	if items := got(ice, adminICE); len(items) != 1 || items[0].Event != notify.EditionMatched {
		t.Errorf("ICE admin (subscribed) notifications = %+v", items)
	}
	if items := got(europol, liaisonEuropol); len(items) != 0 {
		t.Errorf("LEAK: Europol liaison notified about an edition Europol does not hold: %+v", items)
	}
	// Another user's notifications are invisible, even by id.
	if items := got(ice, liaisonNCA); len(items) != 0 {
		t.Errorf("NCA liaison reading with ICE's agency sees %+v", items)
	}
	// Row-level security alone refuses a notification about the edition for Europol.
	if n := rlsCount(t, app, europol, liaisonEuropol, `SELECT count(*) FROM notification`); n != 0 {
		t.Errorf("Europol sees %d notifications by RLS", n)
	}

	mails := emailJobs(t, owner)
	if len(mails) != 3 {
		t.Fatalf("queued %d e-mails, want 3", len(mails))
	}
	var iceMail notify.EmailArgs
	for _, m := range mails {
		if m.UserID == liaisonICE {
			iceMail = m
		}
	}
	facts, ok, err := app.EmailFacts(context.Background(), iceMail)
	if err != nil || !ok {
		t.Fatalf("e-mail facts for ICE's liaison: %v %v", ok, err)
	}
	msg := notify.Render(facts, "https://tearline.example.gov")
	if !strings.HasPrefix(msg.Subject, "["+e.Banner) || !strings.Contains(msg.Body, "Night departures") ||
		!strings.Contains(msg.Body, "https://tearline.example.gov/editions/"+strconv.FormatInt(e.ID, 10)) {
		t.Errorf("message = %q\n%s", msg.Subject, msg.Body)
	}

	// Recall between queueing and sending: the released e-mail is no longer sent; the recall reaches
	// the liaisons of the agencies that held it, with the number and the reason only.
	if err := app.RescindEdition(ctx, hstc, reviewer, e.ID, "Disseminated in error"); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := app.EmailFacts(context.Background(), iceMail); err != nil || ok {
		t.Errorf("after the recall the release e-mail would still be sent: %v %v", ok, err)
	}
	jobs = queuedFanouts(t, owner)
	recall := jobs[len(jobs)-1]
	if recall.Event != notify.EditionRecalled || len(recall.Agencies) != 2 || recall.Detail != "Disseminated in error" {
		t.Fatalf("recall fan-out = %+v", recall)
	}
	if n, err := app.FanOut(context.Background(), recall); err != nil || n != 2 {
		t.Errorf("recall fan-out wrote %d, %v; want the two liaisons", n, err)
	}
	items := got(ice, liaisonICE)
	if len(items) != 2 || items[0].Event != notify.EditionRecalled || items[1].Title != "" {
		t.Errorf("after recall ICE liaison sees %+v (want the recall first and no title on the release)", items)
	}
	mails = emailJobs(t, owner)
	last := mails[len(mails)-1]
	facts, ok, err = app.EmailFacts(context.Background(), last)
	if err != nil || !ok || facts.Notification.Event != notify.EditionRecalled {
		t.Fatalf("recall e-mail facts: %+v %v %v", facts.Notification, ok, err)
	}
	if msg := notify.Render(facts, "https://x"); strings.Contains(msg.Body, "Night departures") {
		t.Errorf("the recall e-mail carries the title: %s", msg.Body)
	}
	// Once e-mailed, never again.
	if err := app.MarkEmailed(context.Background(), last); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := app.EmailFacts(context.Background(), last); ok {
		t.Error("an e-mailed notification would be sent again")
	}
}

// Review events notify the right people of the owning agency: a draft submitted for peer review goes
// to the other analysts, not its author; a draft sent back goes to its authors.
func TestReviewNotifications(t *testing.T) {
	app, owner := setup(t)
	hstc, reviewer := seedHSTC(t, owner)
	analyst, analyst2 := userByHint(t, owner, "analyst@hstc"), userByHint(t, owner, "analyst2@hstc")
	p := product.Product{Type: product.TypeNote, Title: "Route note", Summary: "BLUF"}
	if err := app.CreateProduct(actorCtx(analyst, hstc), hstc, analyst, &p, marking.Marking{Control: marking.CUI, Categories: []marking.Category{{Code: "LEI"}}}); err != nil {
		t.Fatal(err)
	}
	if err := app.TransitionProduct(actorCtx(analyst, hstc), hstc, analyst, p.ID, product.StateDraft, product.StatePeerReview, "submit", ""); err != nil {
		t.Fatal(err)
	}
	jobs := queuedFanouts(t, owner)
	if len(jobs) != 1 || jobs[0].Event != notify.ReviewAssigned {
		t.Fatalf("submit queued %+v", jobs)
	}
	if n, err := app.FanOut(context.Background(), jobs[0]); err != nil || n != 1 {
		t.Fatalf("peer review fan-out wrote %d, %v; want analyst2 only", n, err)
	}
	if items, _, _ := app.FindNotifications(context.Background(), hstc, analyst2, 10); len(items) != 1 || items[0].Label != "Route note" {
		t.Errorf("analyst2 notifications = %+v", items)
	}
	if items, _, _ := app.FindNotifications(context.Background(), hstc, analyst, 10); len(items) != 0 {
		t.Errorf("the author was asked to review their own draft: %+v", items)
	}
	if err := app.TransitionProduct(actorCtx(analyst2, hstc), hstc, analyst2, p.ID, product.StatePeerReview, product.StateDraft, "return", "Cite the second source"); err != nil {
		t.Fatal(err)
	}
	jobs = queuedFanouts(t, owner)
	if n, err := app.FanOut(context.Background(), jobs[len(jobs)-1]); err != nil || n != 1 {
		t.Fatalf("return fan-out wrote %d, %v; want the author", n, err)
	}
	items, unread, _ := app.FindNotifications(context.Background(), hstc, analyst, 10)
	if len(items) != 1 || items[0].Event != notify.ReviewReturned || items[0].Detail != "Cite the second source" || unread != 1 {
		t.Errorf("author notifications = %+v (unread %d)", items, unread)
	}
	if p, err := app.FindPrincipal(context.Background(), analyst); err != nil || p.Unread != 1 {
		t.Errorf("principal before marking read = %+v, %v; want the bell at 1", p, err)
	}
	if err := app.MarkNotificationsRead(context.Background(), hstc, analyst, 0); err != nil {
		t.Fatal(err)
	}
	if p, err := app.FindPrincipal(context.Background(), analyst); err != nil || p.AgencyID != hstc || p.Unread != 0 {
		t.Errorf("principal after marking all read = %+v, %v; want no unread notification", p, err)
	}
	_ = reviewer
}

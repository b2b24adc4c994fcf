package main

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"tearline/internal/demo"
)

// readyDraft creates a bulletin and fills every portion so it may go to review.
func (b *browser) readyDraft(typ, title string) string {
	b.t.Helper()
	id, ed := b.newDraft(typ, title)
	ids, revs := portions(ed.Body)
	for i, pid := range ids {
		body := "Portion text " + pid
		kind, control := "paragraph", "CUI"
		if i%2 == 0 {
			kind, control = "heading", "U"
		}
		form := url.Values{"rev": {revs[pid]}, "kind": {kind}, "body": {body}, "m_control": {control}}
		if control == "CUI" {
			form.Set("m_categories", "LEI")
		}
		if p := b.savePortion(id, pid, form); p.Status != http.StatusOK {
			b.t.Fatalf("fill portion %s: %d", pid, p.Status)
		}
	}
	return id
}

func (b *browser) act(id, action, comment string) page {
	b.t.Helper()
	return b.post("/products/"+id+"/transitions", url.Values{"action": {action}, "comment": {comment}})
}

func TestBulletinFromDraftToNumberedEdition(t *testing.T) {
	a := newTestApp(t)
	dana, marcus, elena := a.browser(t), a.browser(t), a.browser(t)
	dana.signIn("analyst@hstc")
	marcus.signIn("analyst2@hstc")
	elena.signIn("reviewer@hstc")
	id := dana.readyDraft("IB", "Go-fast departures shift to the Gulf of Honduras")

	// The author cannot approve her own peer review; a stale or illegal action is refused with a message.
	if p := dana.act(id, "peer_approve", ""); p.Status != http.StatusConflict && p.Status != http.StatusForbidden && p.Status != http.StatusNotFound {
		t.Errorf("peer-approve own draft: %d", p.Status)
	}
	p := dana.act(id, "submit", "")
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "peer review") {
		t.Fatalf("submit: %d %s", p.Status, p.URL)
	}
	if p := dana.get("/products/" + id + "/edit"); p.Status != http.StatusConflict {
		t.Errorf("editing in review: %d, want 409", p.Status)
	}
	if p := dana.act(id, "peer_approve", ""); p.Status == http.StatusOK {
		t.Error("the author approved her own peer review")
	}
	// Marcus finds it in his queue and returns it with a comment, Dana resubmits, Marcus approves.
	if q := marcus.get("/reviews"); !strings.Contains(q.Body, "Go-fast departures") {
		t.Error("the peer's queue lacks the product")
	}
	if p := marcus.act(id, "return", ""); p.Status == http.StatusOK {
		t.Error("a return without a comment was accepted")
	}
	// Back to draft: no longer visible to Marcus, who lands on his queue with the confirmation, not on a 404.
	if p := marcus.act(id, "return", "Cite the USCG boarding report."); p.Status != http.StatusOK || p.URL.Path != "/reviews" ||
		!strings.Contains(p.Body, "the product is now draft") {
		t.Errorf("after returning: %d at %s", p.Status, p.URL)
	}
	if p := dana.get("/products/" + id); !strings.Contains(p.Body, "Cite the USCG boarding report.") || !strings.Contains(p.Body, "returned it to the author") {
		t.Fatalf("the author does not see the return comment")
	}
	if n := a.countRows(t, `SELECT count(*) FROM product WHERE id = $1 AND state = 'draft'`, id); n != 1 {
		t.Fatal("return did not move the product back to draft")
	}
	dana.act(id, "submit", "")
	marcus.act(id, "peer_approve", "")
	// The releasing official approves and releases; the number is HSTC-IB-<year>-00001.
	if q := elena.get("/reviews"); !strings.Contains(q.Body, "Go-fast departures") {
		t.Error("the reviewer's queue lacks the product")
	}
	if p := marcus.act(id, "supervise_approve", ""); p.Status == http.StatusOK {
		t.Error("an analyst made the supervisory approval")
	}
	elena.act(id, "supervise_approve", "")
	p = elena.act(id, "release", "")
	m := regexp.MustCompile(`HSTC-IB-\d{4}-00001`).FindString(p.Body)
	if p.Status != http.StatusOK || m == "" || !strings.HasPrefix(p.URL.Path, "/editions/") {
		t.Fatalf("release: %d at %s", p.Status, p.URL)
	}
	if strings.Contains(p.Body, ">DRAFT<") || !regexp.MustCompile(`data-testid="edition-sha256">[0-9a-f]{64}<`).MatchString(p.Body) {
		t.Error("edition page shows DRAFT or lacks its SHA-256")
	}
	// The timeline records every step with its author.
	tl := dana.get("/products/" + id)
	for _, want := range []string{"submitted for review", "returned it to the author", "Cite the USCG boarding report.", "approved the peer review", "approved the supervisory review", "released", m} {
		if !strings.Contains(tl.Body, want) {
			t.Errorf("timeline lacks %q", want)
		}
	}
	if n := a.countRows(t, `SELECT count(*) FROM audit_event WHERE action LIKE 'product.%' AND object_id = $1`, id); n < 7 {
		t.Errorf("transitions audited = %d", n)
	}
	// A revision goes through review again and releases as rev 2 of the same number.
	dana.act(id, "revise", "")
	if p := dana.get("/products/" + id + "/edit"); p.Status != http.StatusOK {
		t.Fatalf("editing a revision: %d", p.Status)
	}
	dana.act(id, "submit", "")
	marcus.act(id, "peer_approve", "")
	elena.act(id, "supervise_approve", "")
	p = elena.act(id, "release", "")
	if !strings.Contains(p.Body, "Supersedes") || !strings.Contains(p.Body, ">"+m+"</a>") {
		t.Error("the revision does not say which edition it supersedes")
	}
	if !strings.Contains(p.Body, m+" rev 2") {
		t.Errorf("revision released as %s", regexp.MustCompile(`HSTC-IB-\S+( rev \d)?`).FindString(p.Body))
	}
	// Liaisons never see the edition or the product.
	liaison := a.browser(t)
	liaison.signIn("liaison@ice")
	edURL := p.URL.Path
	if p := liaison.get(edURL); p.Status != http.StatusNotFound {
		t.Errorf("liaison reading the edition: %d", p.Status)
	}
}

func TestSubmitBlockedByMarkingProblems(t *testing.T) {
	a := newTestApp(t)
	b := a.browser(t)
	b.signIn("analyst@hstc")
	id, _ := b.newDraft("IN", "Unfinished note")
	p := b.act(id, "submit", "")
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "cannot go to review yet") {
		t.Errorf("submitting an unfinished draft: %d", p.Status)
	}
}

func TestLegalReviewWhenFlagged(t *testing.T) {
	a := newTestApp(t)
	dana, marcus, elena := a.browser(t), a.browser(t), a.browser(t)
	dana.signIn("analyst@hstc")
	marcus.signIn("analyst2@hstc")
	elena.signIn("reviewer@hstc")
	id := dana.readyDraft("IR", "Victims moved through Tapachula")
	rev := regexp.MustCompile(`id="details-rev" name="rev" value="(\d+)"`).FindStringSubmatch(dana.get("/products/" + id + "/edit").Body)
	dana.post("/products/"+id+"/details", url.Values{"rev": {rev[1]}, "title": {"Victims moved through Tapachula"},
		"summary": {"BLUF"}, "victim_data": {"on"}, "controlled_by": {"HSTC"}, "poc": {"Dana Whitfield"}})
	dana.act(id, "submit", "")
	marcus.act(id, "peer_approve", "")
	p := elena.act(id, "supervise_approve", "")
	if !strings.Contains(p.Body, "legal and privacy review") {
		t.Fatalf("a product with victim data skipped legal review")
	}
	if p := elena.act(id, "release", ""); p.Status == http.StatusOK && strings.HasPrefix(p.URL.Path, "/editions/") {
		t.Error("released before legal review")
	}
	elena.act(id, "legal_approve", "")
	if p := elena.act(id, "release", ""); !strings.HasPrefix(p.URL.Path, "/editions/") {
		t.Errorf("release after legal review: %d at %s", p.Status, p.URL)
	}
}

func TestSeededEditions(t *testing.T) {
	a := newTestApp(t)
	ctx := context.Background()
	if _, err := demo.SeedDrafts(ctx, a.Owner, a.URL+"/demo-idp"); err != nil {
		t.Fatal(err)
	}
	n, err := demo.SeedEditions(ctx, a.Owner, a.URL+"/demo-idp")
	if err != nil || n != 5 {
		t.Fatalf("seed editions: %d, %v", n, err)
	}
	if n, err := demo.SeedEditions(ctx, a.Owner, a.URL+"/demo-idp"); err != nil || n != 0 {
		t.Errorf("second seed released %d, %v", n, err)
	}
	for _, typ := range []string{"IB", "IR", "IN", "AP", "TP"} {
		if c := a.countRows(t, `SELECT count(*) FROM edition WHERE number LIKE 'HSTC-' || $1 || '-%-00001'`, typ); c != 1 {
			t.Errorf("%s editions = %d", typ, c)
		}
	}
	b := a.browser(t)
	b.signIn("reviewer@hstc")
	var id int64
	if err := a.Owner.Pool.QueryRow(ctx, `SELECT id FROM edition ORDER BY id LIMIT 1`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if p := b.get("/editions/" + itoa(id)); p.Status != 200 || !strings.Contains(p.Body, `data-testid="edition-number"`) {
		t.Errorf("seeded edition page: %d", p.Status)
	}
}

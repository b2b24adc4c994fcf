package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// auditSince returns the events written after id as "actor action object_type outcome" lines, the
// actor named by the persona hint (the subject of demo users) or "-".
func (a *testApp) auditSince(t *testing.T, id int64) []string {
	t.Helper()
	rows, _ := a.Owner.Pool.Query(context.Background(), `SELECT coalesce(u.subject, '-') || ' ' || e.action || ' ' || e.object_type || ' ' || e.outcome
		FROM audit_event e LEFT JOIN app_user u ON u.id = e.actor_user_id WHERE e.id > $1 ORDER BY e.id`, id)
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func (a *testApp) lastAuditID(t *testing.T) int64 {
	t.Helper()
	var id int64
	if err := a.Owner.Pool.QueryRow(context.Background(), `SELECT coalesce(max(id), 0) FROM audit_event`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func regexpFind(s, expr string) string {
	if m := regexp.MustCompile(expr).FindStringSubmatch(s); m != nil {
		return m[1]
	}
	return ""
}

func wantEvents(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s: events\n\t%s\nwant\n\t%s", what, strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
}

// A scripted session leaves exactly the expected audit rows, in order: sign-in, views of a draft and
// its attachment, the review and release, dissemination, a recipient's view, acknowledgement and
// feedback, denied and hidden accesses, recall, sign-out, and the auditors reading the trail.
func TestAuditScriptedSession(t *testing.T) {
	a := newTestApp(t)
	dana, marcus, elena, rosa, priya := a.browser(t), a.browser(t), a.browser(t), a.browser(t), a.browser(t)

	mark := a.lastAuditID(t)
	rosa.signIn("liaison@ice")
	wantEvents(t, "sign-in", a.auditSince(t, mark), []string{
		"liaison@ice auth.login session success",
		"liaison@ice auth.notice_ack session success",
	})
	dana.signIn("analyst@hstc")
	marcus.signIn("analyst2@hstc")
	elena.signIn("reviewer@hstc")
	priya.signIn("admin@hstc")
	id := dana.readyDraft("IB", "Audit trail: go-fast departures")
	if p := dana.upload(id, url.Values{"att_control": {"U"}}, uploadFile{`="route.png"`, "image/png", pngBytes()}); p.Status != http.StatusOK {
		t.Fatalf("upload: %d", p.Status)
	}
	aid, _, _, _ := attachmentRow(t, a, id)

	mark = a.lastAuditID(t)
	dana.get("/products/" + id)
	dana.get("/products/" + id + "/attachments/" + itoa(aid))
	dana.act(id, "submit", "")
	marcus.act(id, "peer_approve", "")
	elena.act(id, "supervise_approve", "")
	ed := elena.act(id, "release", "").URL.Path
	if !strings.HasPrefix(ed, "/editions/") {
		t.Fatalf("release: at %s", ed)
	}
	rel := agencyIDs(t, a, "ICE")
	rel.Set("justification", "Maritime partner needs this.")
	elena.post(ed+"/disseminate", rel)
	rosa.get(ed)
	rosa.get("/editions/999999")      // missing or hidden: the same 404, recorded
	rosa.get("/products/" + id)       // a liaison may not read drafts: denied
	rosa.get("/admin/users")          // nor administer users: denied
	rosa.post(ed+"/acknowledge", nil) // acknowledged, then the edition page again
	rosa.post(ed+"/feedback", url.Values{"relevance": {"4"}, "timeliness": {"5"}, "actionability": {"3"}, "action": {"none"}, "comment": {"Useful"}})
	elena.get(ed + "/access")
	elena.post(ed+"/rescind", url.Values{"reason": {"Disseminated in error\r\n{\"level\":\"INFO\",\"msg\":\"forged\"}"}})
	rosa.post("/auth/logout", nil)
	priya.get("/audit?action=edition.")
	priya.get("/audit.csv?object_type=edition")
	wantEvents(t, "session", a.auditSince(t, mark), []string{
		"analyst@hstc product.view product success",
		"analyst@hstc attachment.download product success",
		"analyst@hstc product.submit product success",
		"analyst@hstc product.view product success",
		"analyst2@hstc product.peer_approve product success",
		"analyst2@hstc product.view product success",
		"reviewer@hstc product.supervise_approve product success",
		"reviewer@hstc product.view product success",
		"reviewer@hstc product.release product success",
		"reviewer@hstc edition.release edition success",
		"reviewer@hstc edition.view edition success",
		"reviewer@hstc edition.disseminate edition success",
		"reviewer@hstc edition.view edition success",
		"liaison@ice edition.view edition success",
		"liaison@ice access.not_found edition failure",
		"liaison@ice authz.deny draft denied",
		"liaison@ice authz.deny user denied",
		"liaison@ice edition.acknowledge edition success",
		"liaison@ice edition.view edition success",
		"liaison@ice edition.feedback edition success",
		"liaison@ice edition.view edition success",
		"reviewer@hstc audit.read edition success",
		"reviewer@hstc edition.rescind edition success",
		"reviewer@hstc edition.view edition success",
		"liaison@ice auth.logout session success",
		"admin@hstc audit.read audit success",
		"admin@hstc audit.export audit success",
	})
	// Every row carries the request's metadata, and the trail still verifies.
	if n := a.countRows(t, `SELECT count(*) FROM audit_event WHERE id > $1 AND (request_id = '' OR client_addr = '' OR user_agent = ''
		OR actor_agency_id IS NULL)`, mark); n != 0 {
		t.Errorf("%d rows lack request id, client address, user agent or agency", n)
	}
	// Free text reaches the trail JSON-escaped: no raw line break to forge a log line with.
	var reason string
	if err := a.Owner.Pool.QueryRow(context.Background(), `SELECT details::text FROM audit_event WHERE action = 'edition.rescind'`).Scan(&reason); err != nil ||
		strings.ContainsAny(reason, "\r\n") || !strings.Contains(reason, `error\r\n{\"level\"`) {
		t.Errorf("the rescind reason is stored as %q (%v), want it JSON-escaped", reason, err)
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"audit", "verify"}, envOf(map[string]string{"DATABASE_URL": a.DB.OwnerURL}), &out); err != nil {
		t.Errorf("audit verify: %v\n%s", err, out.String())
	}
}

// The auditor page filters, pages and exports; an agency administrator sees only their agency's
// users' events; nobody else reaches it; every read is recorded.
func TestAuditPageFiltersAndScope(t *testing.T) {
	a := newTestApp(t)
	priya, victor, rosa, aaron, dana := a.browser(t), a.browser(t), a.browser(t), a.browser(t), a.browser(t)
	priya.signIn("admin@hstc")
	victor.signIn("admin@ice")
	rosa.signIn("liaison@ice")
	aaron.signIn("liaison@cbp")
	dana.signIn("analyst@hstc")
	aaron.get("/admin/users") // a CBP denial
	rosa.get("/admin/users")  // an ICE denial

	p := priya.get("/audit")
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "Audit trail") || !strings.Contains(p.Body, `href="/audit"`) {
		t.Fatalf("auditor page: %d", p.Status)
	}
	for _, who := range []string{"Rosa Delgado", "Aaron Fitzgerald", "Victor Reyes", "Dana Whitfield"} {
		if !strings.Contains(p.Body, who) {
			t.Errorf("the center auditor does not see %s's events", who)
		}
	}
	p = priya.get("/audit?action=authz.deny&agency=CBP")
	if rows := strings.Count(p.Body, `data-testid="audit-row"`); rows != 1 || !strings.Contains(p.Body, "Aaron Fitzgerald") {
		t.Errorf("CBP denials: %d rows, want Aaron's one", rows)
	}
	p = priya.get("/audit?user=rosa&outcome=success&action=auth.")
	if rows := strings.Count(p.Body, `data-testid="audit-row"`); rows != 2 || strings.Contains(p.Body, "Aaron") {
		t.Errorf("Rosa's successful auth events: %d rows, want sign-in and notice", rows)
	}
	if p := priya.get("/audit?from=yesterday"); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "YYYY-MM-DD") {
		t.Errorf("a bad date: %d, want 422 with the format", p.Status)
	}
	// Keyset paging: pages of 50 do not overlap.
	for range 45 {
		priya.get("/audit?action=none") // each search of the trail is an event itself
	}
	first := priya.get("/audit")
	older := regexpFind(first.Body, `href="(/audit\?before=\d+)"`)
	if older == "" {
		t.Fatal("no link to older events")
	}
	second := priya.get(strings.ReplaceAll(older, "&amp;", "&"))
	ids := regexp.MustCompile(`data-id="(\d+)"`)
	if second.Status != http.StatusOK || strings.Count(second.Body, `data-testid="audit-row"`) == 0 ||
		strings.Count(first.Body, `data-testid="audit-row"`) != 50 {
		t.Errorf("older page: %d", second.Status)
	}
	seen := map[string]bool{}
	for _, m := range ids.FindAllStringSubmatch(first.Body, -1) {
		seen[m[1]] = true
	}
	for _, m := range ids.FindAllStringSubmatch(second.Body, -1) {
		if seen[m[1]] {
			t.Errorf("event %s is on both pages", m[1])
		}
	}

	// The agency administrator sees ICE users' events only, and no agency filter.
	p = victor.get("/audit")
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "Rosa Delgado") || strings.Contains(p.Body, "Aaron Fitzgerald") ||
		strings.Contains(p.Body, "Dana Whitfield") || strings.Contains(p.Body, `id="agency"`) {
		t.Errorf("ICE admin's audit page: %d, shows other agencies or the agency filter", p.Status)
	}
	if p := victor.get("/audit?agency=CBP&user=aaron"); strings.Contains(p.Body, "Aaron Fitzgerald") {
		t.Error("the agency administrator reached CBP's events through the query string")
	}
	resp := victor.get("/audit.csv?agency=CBP")
	recs, err := csv.NewReader(strings.NewReader(resp.Body)).ReadAll()
	if err != nil || resp.Status != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("ICE export: %d %v", resp.Status, err)
	}
	for _, r := range recs[1:] {
		if r[6] != "ICE" {
			t.Errorf("ICE export holds a %s row: %v", r[6], r)
		}
	}

	// The center auditor's export carries every column.
	rosa.post("/auth/logout", nil)
	resp = priya.get("/audit.csv?action=authz.deny")
	recs, err = csv.NewReader(strings.NewReader(resp.Body)).ReadAll()
	if err != nil || len(recs) != 3 || recs[0][7] != "action" || recs[1][7] != "authz.deny" || len(recs[1][15]) != 64 {
		t.Errorf("auditor export: %v %q", err, recs)
	}
	if !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Error("the export is not a download")
	}

	// Nobody else reaches the trail: a 404 like a missing page, and the attempt is recorded.
	for _, path := range []string{"/audit", "/audit.csv"} {
		if p := dana.get(path); p.Status != http.StatusNotFound {
			t.Errorf("analyst %s: %d, want 404", path, p.Status)
		}
	}
	if n := a.countRows(t, `SELECT count(*) FROM audit_event WHERE action = 'authz.deny' AND object_type = 'audit'`); n != 2 {
		t.Errorf("%d denied audit reads recorded, want 2", n)
	}
	if n := a.countRows(t, `SELECT count(*) FROM audit_event WHERE action IN ('audit.read', 'audit.export')
		AND actor_user_id = $1`, a.userID(t, "admin@ice")); n != 3 {
		t.Errorf("%d reads of the trail by the ICE admin recorded, want 3", n)
	}
}

package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tearline/internal/audit"
)

// "tearline audit verify" passes on a trail written by the portal, and after a tampering by the
// owner role reports the altered row (chain, seq and id) and fails; with the anchor file written by
// serve's job it also catches a consistent rewrite of the chain.
func TestAuditVerifyCommand(t *testing.T) {
	a := newTestApp(t)
	for _, hint := range []string{"liaison@ice", "analyst@hstc", "admin@ice"} {
		b := a.browser(t)
		b.signIn(hint)
		b.get("/admin/agencies")
	}
	env := envOf(map[string]string{"DATABASE_URL": a.DB.OwnerURL})
	verify := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(context.Background(), append([]string{"audit", "verify"}, args...), env, &out)
		return out.String(), err
	}
	if out, err := verify(); err != nil || !strings.Contains(out, "every chain verifies") {
		t.Fatalf("verify: %v %s", err, out)
	}
	var logs bytes.Buffer
	file := filepath.Join(t.TempDir(), "anchors.jsonl")
	jobs := auditJobs{db: a.app.db, logger: slog.New(slog.NewJSONHandler(&logs, nil)), retention: audit.DefaultRetention,
		file: file, interval: time.Hour, now: time.Now}
	jobs.anchor(context.Background())
	jobs.expire(context.Background())
	jobs.anchor(context.Background())
	if !strings.Contains(logs.String(), `"msg":"audit heads"`) || !strings.Contains(logs.String(), `"msg":"audit expiry"`) {
		t.Errorf("job logs: %s", logs.String())
	}
	if n := a.countRows(t, `SELECT count(*) FROM audit_event WHERE action = 'audit.expire' AND (details->>'deleted')::int = 0`); n != 1 {
		t.Errorf("the expiry run was not recorded")
	}
	b, _ := os.ReadFile(file)
	if lines := strings.Count(string(b), "\n"); lines != 2 {
		t.Fatalf("anchor file has %d lines, want 2: %s", lines, b)
	}
	if out, err := verify("--anchors", file); err != nil || !strings.Contains(out, "anchored heads") {
		t.Fatalf("verify with anchors: %v %s", err, out)
	}

	// The owner rewrites a sign-in as a failure; the row is reported and the command fails.
	var id, seq int64
	var chain int
	if err := a.Owner.Pool.QueryRow(context.Background(), `SELECT id, chain, seq FROM audit_event
		WHERE action = 'auth.login' ORDER BY id LIMIT 1 OFFSET 1`).Scan(&id, &chain, &seq); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Owner.Pool.Exec(context.Background(), `UPDATE audit_event SET outcome = 'failure' WHERE id = $1`, id); err == nil {
		t.Fatal("the owner updated an audit row with the trigger on")
	}
	if _, err := a.Owner.Pool.Exec(context.Background(), fmt.Sprintf(`BEGIN;
		ALTER TABLE audit_event DISABLE TRIGGER audit_event_immutable;
		UPDATE audit_event SET outcome = 'failure' WHERE id = %d;
		ALTER TABLE audit_event ENABLE TRIGGER audit_event_immutable;
		COMMIT`, id)); err != nil {
		t.Fatal(err)
	}
	out, err := verify()
	want := fmt.Sprintf("chain %d seq %d (id %d)", chain, seq, id)
	if err == nil || !strings.Contains(out, "BROKEN "+want) || !strings.Contains(err.Error(), want) {
		t.Errorf("verify after tampering: %v\n%s\nwant a break at %s", err, out, want)
	}
	if out, err := verify("--anchors", filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Errorf("a missing anchor file was accepted: %s", out)
	}
	if err := run(context.Background(), []string{"audit", "check"}, env, &bytes.Buffer{}); err == nil {
		t.Error("an unknown audit subcommand was accepted")
	}
}

// When the audit row cannot be written, the action fails and changes nothing.
func TestAuditFailureAbortsTheRequest(t *testing.T) {
	a := newTestApp(t)
	ed := releaseMarked(t, a, "IB", "Audit failure bulletin", url.Values{"m_control": {"CUI"}, "m_categories": {"SP-INV"}, "m_noforn": {"on"}})
	elena, rosa := a.browser(t), a.browser(t)
	elena.signIn("reviewer@hstc")
	rel := agencyIDs(t, a, "ICE")
	rel.Set("justification", "Maritime partner needs this.")
	if p := elena.post(ed+"/disseminate", rel); p.Status != http.StatusOK {
		t.Fatalf("disseminate: %d", p.Status)
	}
	rosa.signIn("liaison@ice")
	if _, err := a.Owner.Pool.Exec(context.Background(), `
		CREATE FUNCTION test_fail_audit() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'audit storage unavailable'; END $$;
		CREATE TRIGGER a_test_fail BEFORE INSERT ON audit_event FOR EACH ROW
			WHEN (NEW.action IN ('edition.acknowledge', 'edition.view')) EXECUTE FUNCTION test_fail_audit();`); err != nil {
		t.Fatal(err)
	}
	if p := rosa.post(ed+"/acknowledge", nil); p.Status != http.StatusInternalServerError {
		t.Errorf("acknowledge without an audit row: %d, want 500", p.Status)
	}
	if n := a.countRows(t, `SELECT count(*) FROM acknowledgement`); n != 0 {
		t.Errorf("the acknowledgement committed without its audit row")
	}
	// A view whose audit row fails shows nothing of the edition, and leaves no receipt.
	if p := rosa.get(ed); p.Status != http.StatusInternalServerError || strings.Contains(p.Body, "Audit failure bulletin") {
		t.Errorf("edition view without an audit row: %d", p.Status)
	}
	if n := a.countRows(t, `SELECT count(*) FROM receipt`); n != 0 {
		t.Errorf("a receipt committed without its audit row")
	}
}

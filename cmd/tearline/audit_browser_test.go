package main

import (
	"context"
	"os"
	"testing"
)

// The auditor page and an edition's access accounting, in Chromium: healthy pages (USWDS loaded, no
// CSP violation or script error) with the events of a demo session, screenshotted.
func TestBrowserAuditPages(t *testing.T) {
	a := newTestApp(t)
	seedDemoEditions(t, a)
	var editionID int64
	if err := a.Owner.Pool.QueryRow(context.Background(), `SELECT e.id FROM edition e JOIN release_ledger l ON l.edition_id = e.id
		JOIN agency g ON g.id = l.agency_id WHERE g.code = 'ICE' ORDER BY e.id LIMIT 1`).Scan(&editionID); err != nil {
		t.Fatalf("an edition released to ICE: %v", err)
	}
	for _, hint := range []string{"liaison@ice", "admin@ice", "liaison@cbp"} {
		b := a.browser(t)
		b.signIn(hint)
		b.get("/inbox")
		b.get("/editions/" + itoa(editionID))
		b.get("/admin/agencies/new")
	}

	browser := newChromium(t)
	s := newBrowserSession(t, browser, a)
	s.signIn("admin@hstc", "")
	s.click(`.usa-nav__primary a[href="/audit"]`)
	if p := s.path(); p != "/audit" {
		t.Fatalf("the Audit link led to %s", p)
	}
	s.wantContains("h1", "Audit trail")
	s.wantContains("[data-testid=audit-table]", "Rosa Delgado", "edition.view", "authz.deny", "auth.login")
	s.checkPage("audit-trail")

	s.navigate("/audit?action=edition.&agency=ICE")
	s.wantContains("[data-testid=audit-table]", "edition.view", "ICE")
	s.checkPage("audit-trail-filtered")

	s.navigate("/editions/" + itoa(editionID) + "/access")
	s.wantContains("h1", "Access accounting")
	s.wantContains("[data-testid=access-readers]", "Rosa Delgado", "Victor Reyes", "ICE")
	s.checkPage("edition-access")

	ice := newBrowserSession(t, browser, a)
	ice.signIn("admin@ice", "")
	ice.navigate("/audit")
	ice.wantContains("[data-testid=audit-scope]", "users only")
	ice.checkPage("audit-trail-agency-admin")
	if os.Getenv("TEARLINE_UPDATE_SCREENSHOTS") == "1" && !t.Failed() {
		updateDocsScreenshots(t, "audit-trail", "edition-access")
	}
}

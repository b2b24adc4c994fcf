package main

import (
	"context"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// getMayWrite are the tables a GET may change, and why. Everything else must be byte-for-byte the same
// after any GET.
var getMayWrite = map[string]string{
	"audit_event":      "every view, search, export and refusal is audited (ASVS 16.3)",
	"audit_chain_head": "the audit hash chain's head moves with each audit row",
	"receipt":          "the first view of an edition by a user records its receipt (proof of reading, by design)",
	"sessions":         "sign-in state, flashes and the idle timer live in the server-side session",
}

// tableDigests returns, for every table in the database's own schemas, its row count and the md5 of
// its rows, read by the owner (who is not subject to row-level security).
func tableDigests(t *testing.T, a *testApp) map[string]string {
	t.Helper()
	ctx := context.Background()
	rows, err := a.Owner.Pool.Query(ctx, `SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname), c.relname
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'`)
	if err != nil {
		t.Fatal(err)
	}
	type table struct{ qualified, name string }
	tables, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (table, error) {
		var x table
		return x, r.Scan(&x.qualified, &x.name)
	})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, tb := range tables {
		var d string
		// The table name comes from the catalog, quoted by quote_ident.
		q := `SELECT count(*) || ':' || coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '') FROM ` + tb.qualified + ` x`
		if err := a.Owner.Pool.QueryRow(ctx, q).Scan(&d); err != nil {
			t.Fatalf("digest %s: %v", tb.qualified, err)
		}
		out[tb.name] = d
	}
	return out
}

// wantOnlyAllowedChanges fails the test for each table outside getMayWrite whose digest changed.
func wantOnlyAllowedChanges(t *testing.T, before, after map[string]string, what string) {
	t.Helper()
	var changed []string
	for name, d := range after {
		if _, ok := getMayWrite[name]; !ok && before[name] != d {
			changed = append(changed, name+" ("+before[name]+" → "+d+")")
		}
	}
	sort.Strings(changed)
	if len(changed) > 0 {
		t.Errorf("%s changed tables a GET must not change: %s", what, strings.Join(changed, ", "))
	}
}

// getSamples gives, for each GET route pattern, a path that reaches the handler with real objects of
// the demo (so the handler runs its whole read path, not just a 404).
func getSamples(t *testing.T, a *testApp, draft string) map[string]string {
	t.Helper()
	id := func(sql string) string {
		t.Helper()
		var v int64
		if err := a.Owner.Pool.QueryRow(context.Background(), sql).Scan(&v); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return itoa(v)
	}
	attachment := id(`SELECT min(id) FROM attachment WHERE product_id = ` + draft)
	edition := id(`SELECT ea.edition_id FROM edition_attachment ea JOIN release_ledger l ON l.edition_id = ea.edition_id
		JOIN agency g ON g.id = l.agency_id WHERE g.code = 'ICE' ORDER BY 1 LIMIT 1`)
	editionAttachment := id(`SELECT min(attachment_id) FROM edition_attachment WHERE edition_id = ` + edition)
	steering := id(`SELECT min(product_id) FROM steering_assignment`)
	return map[string]string{
		"/healthz":                         "/healthz",
		"/readyz":                          "/readyz",
		"/static/*":                        "/static/css/app.css",
		"/":                                "/",
		"/auth/login":                      "/auth/login?login_hint=analyst%40hstc",
		"/auth/callback/{provider}":        "/auth/callback/demo?code=forged&state=forged",
		"/notice":                          "/notice",
		"/admin/agencies":                  "/admin/agencies",
		"/admin/agencies/new":              "/admin/agencies/new",
		"/admin/agencies/{id}/edit":        "/admin/agencies/" + itoa(a.agencyID(t, "ICE")) + "/edit",
		"/admin/users":                     "/admin/users?agency=" + itoa(a.agencyID(t, "ICE")),
		"/admin/users/new":                 "/admin/users/new",
		"/admin/users/{id}/edit":           "/admin/users/" + itoa(a.userID(t, "liaison@ice")) + "/edit",
		"/products":                        "/products?state=draft",
		"/products/new":                    "/products/new?type=IB",
		"/products/{id}":                   "/products/" + draft,
		"/products/{id}/edit":              "/products/" + draft + "/edit",
		"/products/{id}/versions":          "/products/" + draft + "/versions",
		"/products/{id}/versions/compare":  "/products/" + draft + "/versions/compare?from=1&to=2",
		"/products/{id}/attachments/{aid}": "/products/" + draft + "/attachments/" + attachment,
		"/reviews":                         "/reviews",
		"/steering":                        "/steering",
		"/steering/{id}":                   "/steering/" + steering,
		"/editions/{id}":                   "/editions/" + edition,
		"/editions/{id}/attachments/{aid}": "/editions/" + edition + "/attachments/" + editionAttachment,
		"/editions/{id}/disseminate":       "/editions/" + edition + "/disseminate",
		"/editions/{id}/access":            "/editions/" + edition + "/access",
		"/inbox":                           "/inbox?type=IB",
		"/notifications":                   "/notifications",
		"/search":                          "/search?q=smuggling",
		"/admin/lists":                     "/admin/lists",
		"/admin/lists/new":                 "/admin/lists/new",
		"/admin/lists/{id}/edit":           "/admin/lists/" + id(`SELECT min(id) FROM distribution_list`) + "/edit",
		"/audit":                           "/audit?action=edition.view",
		"/audit.csv":                       "/audit.csv?action=edition.view",
		"/outbox":                          "/outbox",
		"/demo-idp/login":                  "/demo-idp/login?authRequestID=unknown",
		"/demo-idp/*":                      "/demo-idp/.well-known/openid-configuration",
	}
}

// No GET route changes state: every GET route of the table, requested as each of several personas
// (and anonymously) with real objects of the demo, leaves every table but the audit trail, the
// sessions and first-view receipts exactly as it was. Redirects are not followed, so each request
// reaches exactly one route.
func TestGetRoutesHaveNoSideEffects(t *testing.T) {
	a := newTestApp(t)
	seedDemoEditions(t, a)
	admin := a.browser(t)
	admin.signIn("admin@hstc")
	if p := admin.post("/admin/lists", url.Values{"name": {"Maritime partners"}, "description": {"Coast guards"},
		"members": {itoa(a.agencyID(t, "USCG")), itoa(a.agencyID(t, "CBP"))}}); p.Status != http.StatusOK {
		t.Fatalf("create a distribution list: %d", p.Status)
	}
	dana := a.browser(t)
	dana.signIn("analyst@hstc")
	draft, ed := dana.newDraft("IB", "Probe of side effects")
	ids, revs := portions(ed.Body)
	if p := dana.savePortion(draft, ids[0], url.Values{"rev": {revs[ids[0]]}, "kind": {"heading"}, "body": {"Heading"}, "m_control": {"U"}}); p.Status != http.StatusOK {
		t.Fatalf("save a portion: %d", p.Status)
	}
	if p := dana.upload(draft, cuiLEI, uploadFile{quotedName("map.png"), "image/png", pngBytes()}); p.Status != http.StatusOK {
		t.Fatalf("upload: %d", p.Status)
	}
	samples := getSamples(t, a, draft)
	hints := []string{"", "notice pending", "analyst@hstc", "reviewer@hstc", "admin@hstc", "liaison@ice", "steering@dos", "admin@ice"}
	clients := make([]*http.Client, len(hints))
	for i, h := range hints {
		b := a.browser(t)
		switch h {
		case "":
		case "notice pending": // signed in, the system-use notice not yet acknowledged
			if p := b.get("/auth/login?login_hint=analyst2%40hstc"); p.URL.Path != "/notice" {
				t.Fatalf("sign in without the notice: at %s", p.URL)
			}
		default:
			b.signIn(h)
		}
		c := *b.c
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		clients[i] = &c
	}
	snap := tableDigests(t, a)
	for _, r := range a.app.server.Routes() {
		if r.StateChanging {
			continue
		}
		path, ok := samples[r.Pattern]
		if !ok || path == "" {
			t.Errorf("GET %s has no sample path in getSamples: add one, so the route is checked", r.Pattern)
			continue
		}
		reached := false
		for i, c := range clients {
			resp, err := c.Get(a.URL + path)
			if err != nil {
				t.Fatalf("GET %s as %q: %v", path, hints[i], err)
			}
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				reached = true
			}
			if resp.StatusCode >= 500 {
				t.Errorf("GET %s as %q: %d", path, hints[i], resp.StatusCode)
			}
		}
		if !reached && r.Pattern != "/auth/callback/{provider}" && r.Pattern != "/auth/login" && r.Pattern != "/demo-idp/login" {
			t.Errorf("GET %s: no persona got a 200, so the route's read path was not exercised", path)
		}
		after := tableDigests(t, a)
		wantOnlyAllowedChanges(t, snap, after, "GET "+path)
		snap = after
	}
}

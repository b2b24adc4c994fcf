package main

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"tearline/internal/web"
)

// Routes that need no permission. Adding one is a security decision: it must be added here too.
var openRoutes = map[string]string{
	"GET /healthz":                  "infra",
	"GET /readyz":                   "infra",
	"GET /static/*":                 "infra",
	"GET /demo-idp/*":               "infra",
	"POST /demo-idp/*":              "infra",
	"POST /csp-report":              "infra",
	"GET /":                         "public",
	"GET /auth/login":               "public",
	"GET /auth/callback/{provider}": "public",
	"POST /auth/logout":             "public",
	"GET /demo-idp/login":           "public",
	"POST /demo-idp/login":          "public",
	"GET /notice":                   "signed-in",
	"POST /notice":                  "signed-in",
}

func TestRouteInventory(t *testing.T) {
	a := newTestApp(t)
	declared := map[string]string{}
	for _, r := range a.app.server.Routes() {
		declared[r.Method+" "+r.Pattern] = r.Access
	}
	router, ok := a.app.server.Handler().(chi.Routes)
	if !ok {
		t.Fatal("handler is not a chi router")
	}
	walked := 0
	err := chi.Walk(router, func(method, pattern string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		walked++
		key := method + " " + pattern
		acc, ok := declared[key]
		switch {
		case !ok:
			t.Errorf("route %s is registered without a declared permission", key)
		case acc == "":
			t.Errorf("route %s has an empty permission", key)
		case openRoutes[key] != "" && openRoutes[key] != acc:
			t.Errorf("route %s is %q, the inventory says %q", key, acc, openRoutes[key])
		case openRoutes[key] == "" && !regexp.MustCompile(`^[a-z]+ [a-z]+$`).MatchString(acc):
			t.Errorf("route %s is open (%q) but not in the open-route inventory", key, acc)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if walked != len(declared) {
		t.Errorf("router has %d routes, the table declares %d", walked, len(declared))
	}
}

// csrfExempt are the state-changing routes the cross-origin check lets through, each with the reason.
// Adding one is a security decision: it must be added here too.
var csrfExempt = map[string]string{
	// Browsers send violation reports on their own; the route loads no session, accepts only the two
	// report media types (which no cross-site form can send), and only logs and counts.
	"POST /csp-report": "browser-sent CSP reports; no session, report media types only, log and counter only",
}

var routeParamRE = regexp.MustCompile(`\{[a-z]+\}`)

// concrete turns a route pattern into a path that reaches the route.
func concrete(pattern string) string {
	p := strings.ReplaceAll(pattern, "{provider}", "demo")
	p = routeParamRE.ReplaceAllString(p, "1")
	if strings.HasSuffix(p, "/*") {
		p = strings.TrimSuffix(p, "*")
		if strings.HasPrefix(p, "/static/") {
			p += "css/app.css"
		} else {
			p += ".well-known/openid-configuration"
		}
	}
	return p
}

func TestSecurityHeadersOnEveryRoute(t *testing.T) {
	a := newTestApp(t)
	admin := a.browser(t)
	admin.signIn("admin@hstc")
	anon := a.browser(t)
	nonceRE := regexp.MustCompile(`script-src 'self' 'nonce-([A-Za-z0-9+/]{16,})'`)
	for _, r := range a.app.server.Routes() {
		for name, b := range map[string]*browser{"anonymous": anon, "admin": admin} {
			req, _ := http.NewRequest(r.Method, a.URL+concrete(r.Pattern), nil)
			if r.StateChanging {
				req.Header.Set("Origin", a.URL)
			}
			c := *b.c
			c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
			resp, err := c.Do(req)
			if err != nil {
				t.Fatalf("%s %s: %v", r.Method, r.Pattern, err)
			}
			resp.Body.Close()
			h := resp.Header
			where := name + " " + r.Method + " " + r.Pattern
			csp := h.Get("Content-Security-Policy")
			for _, want := range []string{"object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "default-src 'self'",
				"form-action 'self'", "report-uri /csp-report"} {
				if !strings.Contains(csp, want) {
					t.Errorf("%s: CSP lacks %s: %q", where, want, csp)
				}
			}
			if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") || !nonceRE.MatchString(csp) {
				t.Errorf("%s: CSP not strict with a nonce: %q", where, csp)
			}
			if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" || h.Get("X-Request-Id") == "" {
				t.Errorf("%s: missing nosniff, Referrer-Policy or request id", where)
			}
			if h.Get("Cross-Origin-Opener-Policy") != "same-origin" || h.Get("X-Frame-Options") != "DENY" {
				t.Errorf("%s: COOP %q, X-Frame-Options %q", where, h.Get("Cross-Origin-Opener-Policy"), h.Get("X-Frame-Options"))
			}
			if h.Get("Server") != "" || h.Get("X-Powered-By") != "" {
				t.Errorf("%s: the response names its software: Server %q, X-Powered-By %q", where, h.Get("Server"), h.Get("X-Powered-By"))
			}
			if strings.HasPrefix(r.Pattern, "/static/") {
				continue
			}
			if h.Get("Cache-Control") != "no-store" {
				t.Errorf("%s: Cache-Control = %q, want no-store", where, h.Get("Cache-Control"))
			}
			if h.Get("Strict-Transport-Security") != "" {
				t.Errorf("%s: HSTS sent over http", where)
			}
		}
	}
}

func TestNonceDiffersPerResponse(t *testing.T) {
	a := newTestApp(t)
	b := a.browser(t)
	p1, p2 := b.get("/"), b.get("/")
	c1, c2 := p1.Header.Get("Content-Security-Policy"), p2.Header.Get("Content-Security-Policy")
	if c1 == c2 {
		t.Error("the CSP nonce repeats between responses")
	}
	nonce := regexp.MustCompile(`'nonce-([^']+)'`).FindStringSubmatch(c1)[1]
	if !strings.Contains(p1.Body, `nonce="`+nonce+`"`) {
		t.Error("scripts on the page do not carry the response's nonce")
	}
}

func TestStaticAssetsAreHashedAndCached(t *testing.T) {
	a := newTestApp(t)
	b := a.browser(t)
	home := b.get("/")
	m := regexp.MustCompile(`href="(/static/vendor/uswds/css/uswds.min.css\?v=[0-9a-f]{12})"`).FindStringSubmatch(home.Body)
	if m == nil {
		t.Fatal("the page does not link a content-hashed USWDS stylesheet")
	}
	p := b.get(m[1])
	if p.Status != 200 || p.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
		t.Errorf("hashed asset: %d %q", p.Status, p.Header.Get("Cache-Control"))
	}
	if p := b.get("/static/vendor/uswds/css/uswds.min.css?v=stale"); strings.Contains(p.Header.Get("Cache-Control"), "immutable") {
		t.Error("a stale hash is cached as immutable")
	}
	for _, path := range []string{"/static/vendor/htmx/htmx.min.js", "/static/css/app.css", "/static/vendor/uswds/js/uswds.min.js"} {
		if p := b.get(path); p.Status != 200 {
			t.Errorf("%s: %d", path, p.Status)
		}
	}
	if p := b.get("/static/"); p.Status != 404 {
		t.Errorf("directory listing: %d, want 404", p.Status)
	}
}

func TestCrossSiteStateChangesAreRefused(t *testing.T) {
	a := newTestApp(t)
	b := a.browser(t)
	b.signIn("admin@hstc")
	changing := 0
	crossSite := func(method, path, contentType string) page {
		req, _ := http.NewRequest(method, a.URL+path, strings.NewReader("code=EVIL&name=Evil"))
		req.Header.Set("Content-Type", contentType)
		req.Header.Set("Origin", "https://attacker.invalid")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		return b.do(req)
	}
	for _, r := range a.app.server.Routes() {
		key := r.Method + " " + r.Pattern
		if r.Method != http.MethodGet && r.Method != http.MethodPost {
			t.Errorf("route %s: only GET (side-effect free) and POST (state-changing) routes are expected", key)
		}
		if !r.StateChanging {
			// No state-changing method reaches a GET route from another site either.
			for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch} {
				if p := crossSite(m, concrete(r.Pattern), "application/x-www-form-urlencoded"); p.Status != http.StatusForbidden {
					t.Errorf("cross-site %s to GET route %s: status %d, want 403", m, r.Pattern, p.Status)
				}
			}
			continue
		}
		changing++
		if why, ok := csrfExempt[key]; ok {
			// Exempt: what a cross-site form can send (a form content type) is refused before it is read.
			for _, ct := range []string{"application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain"} {
				if p := crossSite(r.Method, concrete(r.Pattern), ct); p.Status != http.StatusUnsupportedMediaType {
					t.Errorf("cross-site %s %s (%s, exempt: %s): status %d, want 415", r.Method, r.Pattern, ct, why, p.Status)
				}
			}
			continue
		}
		if p := crossSite(r.Method, concrete(r.Pattern), "application/x-www-form-urlencoded"); p.Status != http.StatusForbidden {
			t.Errorf("cross-site %s %s: status %d, want 403", r.Method, r.Pattern, p.Status)
		}
	}
	if changing < 40 {
		t.Errorf("only %d state-changing routes checked", changing)
	}
	for key := range csrfExempt {
		if !slices.ContainsFunc(a.app.server.Routes(), func(r web.RouteInfo) bool { return r.Method+" "+r.Pattern == key }) {
			t.Errorf("csrfExempt lists %s, which is not a route", key)
		}
	}
	if n := a.countRows(t, `SELECT count(*) FROM agency WHERE code = 'EVIL'`); n != 0 {
		t.Error("a cross-site POST created an agency")
	}
	if home := b.get("/"); !strings.Contains(home.Body, "Welcome,") {
		t.Error("a cross-site logout ended the session")
	}
}

func TestHealthAndMetrics(t *testing.T) {
	a := newTestApp(t)
	b := a.browser(t)
	for path, want := range map[string]string{"/healthz": "ok", "/readyz": "ready"} {
		b.get("/")
		if p := b.get(path); p.Status != 200 || !strings.Contains(p.Body, want) {
			t.Errorf("%s: %d, body lacks %q", path, p.Status, want)
		}
	}
	if p := b.get("/metrics"); p.Status != http.StatusNotFound {
		t.Errorf("/metrics on the public listener: %d, want 404", p.Status)
	}
	rec := httptest.NewRecorder()
	a.app.server.MetricsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if !strings.Contains(rec.Body.String(), `tearline_http_request_duration_seconds_count{method="GET",route="/readyz",status="200"}`) {
		t.Errorf("metrics lack the request histogram:\n%.2000s", rec.Body.String())
	}
}

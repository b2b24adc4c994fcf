package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"tearline/internal/config"
	"tearline/internal/demo"
	"tearline/internal/postgres"
	"tearline/internal/postgres/pgtest"
)

// clock is a settable clock shared by the relying party and the demo provider.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// testApp is the whole portal, assembled by main's own code, on a loopback test server with a
// fresh database of its own.
type testApp struct {
	URL   string
	DB    pgtest.Database
	Owner *postgres.DB // owner connection for assertions
	Clock *clock
	app   *app
	Logs  *strings.Builder
}

type appOption func(env map[string]string)

// newTestApp starts the portal in demo mode with the demo data seeded.
func newTestApp(t *testing.T, opts ...appOption) *testApp {
	t.Helper()
	db := pgtest.New(t)
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	env := map[string]string{
		"DATABASE_URL":              db.OwnerURL,
		"TEARLINE_APP_DATABASE_URL": db.AppURL,
		"TEARLINE_BASE_URL":         base,
		"TEARLINE_DEMO":             "true",
		"TEARLINE_SESSION_SECRET":   "test-session-secret-0123456789abcdef",
	}
	for _, o := range opts {
		o(env)
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	owner := pgtest.OpenOwner(t, db)
	if err := demo.Seed(context.Background(), owner, cfg.DemoIssuer()); err != nil {
		t.Fatalf("seed: %v", err)
	}
	logs := &strings.Builder{}
	var lmu sync.Mutex
	logger := slog.New(slog.NewJSONHandler(lockedWriter{&lmu, logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	clk := &clock{t: time.Now()}
	a, err := assemble(context.Background(), cfg, logger, hooks{now: clk.Now})
	if err != nil {
		t.Fatalf("assemble: %v", err)
	}
	srv.Config.Handler = a.server.Handler()
	srv.Start()
	t.Cleanup(func() {
		srv.Close()
		a.Close()
	})
	return &testApp{URL: base, DB: db, Owner: owner, Clock: clk, app: a, Logs: logs}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// browser is an HTTP client with its own cookie jar that follows redirects like a browser.
type browser struct {
	t   *testing.T
	app *testApp
	c   *http.Client
}

func (a *testApp) browser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, app: a, c: &http.Client{Jar: jar, Timeout: 20 * time.Second}}
}

// page is a fetched response with its body read.
type page struct {
	Status int
	URL    *url.URL
	Header http.Header
	Body   string
}

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return page{Status: resp.StatusCode, URL: resp.Request.URL, Header: resp.Header, Body: string(body)}
}

// get fetches a path (or absolute URL) following redirects.
func (b *browser) get(path string) page {
	b.t.Helper()
	u := path
	if strings.HasPrefix(path, "/") {
		u = b.app.URL + path
	}
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	return b.do(req)
}

// post submits a form as a same-origin browser would, following the 303 redirect.
func (b *browser) post(path string, form url.Values) page {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.app.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.app.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return b.do(req)
}

// signIn signs a demo persona in through login_hint and acknowledges the system-use notice.
func (b *browser) signIn(hint string) page {
	b.t.Helper()
	p := b.get("/auth/login?login_hint=" + url.QueryEscape(hint))
	if p.Status != http.StatusOK || p.URL.Path != "/notice" {
		b.t.Fatalf("sign in %s: got %d at %s, want the notice page", hint, p.Status, p.URL)
	}
	p = b.post("/notice", nil)
	if p.Status != http.StatusOK || p.URL.Path != "/" {
		b.t.Fatalf("acknowledge notice as %s: got %d at %s", hint, p.Status, p.URL)
	}
	return p
}

// countRows runs a count query as the owner.
func (a *testApp) countRows(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := a.Owner.Pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// pgtestOpenApp connects to the test database as the application role, without any agency setting.
func pgtestOpenApp(t *testing.T, a *testApp) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(context.Background(), a.DB.AppURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

package main

// Abuse limits and timeouts (security.md S20): per-user (or per-address) rate limits on sign-in,
// search and export answer 429 with Retry-After at the configured budget; the real server's
// ReadHeaderTimeout cuts off clients that trickle headers while others are served; the statement
// timeout cancels a statement that runs (or waits for a lock) too long and the request answers a
// generic 503 instead of hanging.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"tearline/internal/demo"
	"tearline/internal/postgres/pgtest"
)

// served is a `tearline serve` running in this process through run(), as main runs it.
type served struct {
	URL    string
	Addr   string
	cancel context.CancelFunc // what SIGTERM does to main's context
	done   chan error
	logs   *syncLog
}

type syncLog struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *syncLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// freeAddr returns a loopback address with a port nobody listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// startServe runs `tearline serve` in demo mode against the databases, on addr, until the test
// ends or stop is called; it returns once /healthz answers.
func startServe(t *testing.T, ownerURL, appURL, addr string, extra map[string]string) *served {
	t.Helper()
	env := map[string]string{
		"DATABASE_URL": ownerURL, "TEARLINE_APP_DATABASE_URL": appURL, "TEARLINE_LISTEN_ADDR": addr,
		"TEARLINE_BASE_URL": "http://" + addr, "TEARLINE_METRICS_ADDR": "off", "TEARLINE_DEMO": "true",
		"TEARLINE_SESSION_SECRET": "test-session-secret-0123456789abcdef", "TEARLINE_LOG_LEVEL": "warn",
	}
	for k, v := range extra {
		env[k] = v
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &served{URL: "http://" + addr, Addr: addr, cancel: cancel, done: make(chan error, 1), logs: &syncLog{}}
	go func() { s.done <- run(ctx, []string{"serve"}, func(k string) string { return env[k] }, s.logs) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-s.done:
		case <-time.After(30 * time.Second):
			t.Error("serve did not stop")
		}
	})
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get(s.URL + "/healthz")
		if err == nil {
			resp.Body.Close()
			return s
		}
		select {
		case err := <-s.done:
			t.Fatalf("serve stopped: %v\n%s", err, s.logs)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not answer: %v\n%s", err, s.logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// seededTestDB is a fresh migrated database with the demo agencies and personas, signed in by the
// demo provider of a server at addr.
func seededTestDB(t *testing.T, addr string) pgtest.Database {
	t.Helper()
	db := pgtest.New(t)
	owner := pgtest.OpenOwner(t, db)
	if err := demo.Seed(context.Background(), owner, "http://"+addr+"/demo-idp"); err != nil {
		t.Fatal(err)
	}
	return db
}

// servedBrowser is a browser for a served instance (the helpers only need its URL).
func servedBrowser(t *testing.T, s *served) *browser {
	return (&testApp{URL: s.URL}).browser(t)
}

func TestRateLimits(t *testing.T) {
	a := newTestApp(t, func(env map[string]string) {
		env["TEARLINE_RATE_LIMIT_SIGNIN"] = "8/1m"
		env["TEARLINE_RATE_LIMIT_SEARCH"] = "3/1m"
		env["TEARLINE_RATE_LIMIT_EXPORT"] = "2/1m"
	})
	// Sign-in: login and callback count, per client address. Three sign-ins use six of eight.
	liaison, other, admin := a.browser(t), a.browser(t), a.browser(t)
	liaison.signIn("liaison@ice")
	other.signIn("liaison@fbi")
	admin.signIn("admin@hstc")
	check429 := func(t *testing.T, p page, what string) {
		t.Helper()
		if p.Status != http.StatusTooManyRequests {
			t.Fatalf("%s: %d, want 429", what, p.Status)
		}
		if ra := p.Header.Get("Retry-After"); ra == "" || ra == "0" {
			t.Errorf("%s: Retry-After %q", what, ra)
		}
		if !strings.Contains(p.Body, "Too many") || !strings.Contains(p.Body, "seconds") {
			t.Errorf("%s: the 429 page does not say when to try again", what)
		}
	}
	t.Run("sign-in, per client address", func(t *testing.T) {
		anon := a.browser(t)
		for i := range 2 {
			anon.location(a.URL + "/auth/login?login_hint=liaison@cbp")
			_ = i
		}
		c := *anon.c
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		req, _ := http.NewRequest(http.MethodGet, a.URL+"/auth/login?login_hint=liaison@cbp", nil)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		check429(t, page{Status: resp.StatusCode, Header: resp.Header, Body: string(body)}, "ninth sign-in request")
		check429(t, anon.get("/auth/callback/demo?code=x&state=y"), "callback over budget")
		if p := liaison.get("/"); !strings.Contains(p.Body, "Welcome,") {
			t.Error("signed-in users lost their session to the sign-in limit")
		}
	})
	t.Run("search, per user", func(t *testing.T) {
		for i := range 3 {
			if p := liaison.get(fmt.Sprintf("/search?q=smuggling+%d", i)); p.Status != http.StatusOK {
				t.Fatalf("search %d: %d", i, p.Status)
			}
		}
		check429(t, liaison.get("/search?q=smuggling"), "fourth search")
		if p := other.get("/search?q=smuggling"); p.Status != http.StatusOK {
			t.Errorf("another user's search: %d, want 200 (budgets are per user)", p.Status)
		}
	})
	t.Run("export and downloads, per user", func(t *testing.T) {
		for i := range 2 {
			if p := admin.get("/audit.csv"); p.Status != http.StatusOK {
				t.Fatalf("export %d: %d", i, p.Status)
			}
		}
		check429(t, admin.get("/audit.csv"), "third export")
		check429(t, admin.get("/products/1/attachments/1"), "a download after the export budget is spent")
		if p := liaison.get("/editions/999999/attachments/1"); p.Status != http.StatusNotFound {
			t.Errorf("another user's download: %d, want 404 (budgets are per user)", p.Status)
		}
	})
	if !strings.Contains(a.Logs.String(), `"msg":"rate limit reached"`) {
		t.Error("rate-limit refusals are not logged")
	}
}

// A statement that runs (or waits) past TEARLINE_DB_STATEMENT_TIMEOUT is cancelled by PostgreSQL,
// and the request answers a generic 503 at once instead of hanging.
func TestStatementTimeout(t *testing.T) {
	a := newTestApp(t, func(env map[string]string) { env["TEARLINE_DB_STATEMENT_TIMEOUT"] = "1s" })
	ctx := context.Background()
	start := time.Now()
	_, err := a.app.db.Pool.Exec(ctx, "SELECT pg_sleep(10)")
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "57014" || time.Since(start) > 3*time.Second {
		t.Fatalf("pg_sleep(10) as the application role: %v after %v, want 57014 after about 1 s", err, time.Since(start))
	}

	b := a.browser(t)
	b.signIn("liaison@ice")
	// Every signed-in request reads the user; hold that table locked so the read waits.
	tx, err := a.Owner.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "LOCK TABLE app_user IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	p := b.get("/inbox")
	elapsed := time.Since(start)
	_ = tx.Rollback(ctx)
	if p.Status != http.StatusServiceUnavailable || elapsed > 4*time.Second {
		t.Errorf("request behind a lock: %d after %v, want 503 after about 1 s", p.Status, elapsed)
	}
	if p.Header.Get("Retry-After") == "" {
		t.Error("the 503 has no Retry-After")
	}
	for _, leak := range []string{"canceling statement", "statement timeout", "SQLSTATE", "app_user", "pgx", "57014"} {
		if strings.Contains(withoutNonces(p.Body), leak) {
			t.Errorf("the 503 page shows %q", leak)
		}
	}
	if p := b.get("/inbox"); p.Status != http.StatusOK {
		t.Errorf("after the lock: %d", p.Status)
	}
}

// Clients that trickle their headers are cut off by the real server's ReadHeaderTimeout, while
// everyone else is served throughout.
func TestSlowlorisCutOff(t *testing.T) {
	addr := freeAddr(t)
	db := seededTestDB(t, addr)
	s := startServe(t, db.OwnerURL, db.AppURL, addr, nil)
	const slow = 40
	closedAfter := make(chan time.Duration, slow)
	start := time.Now()
	for range slow {
		go func() {
			conn, err := net.Dial("tcp", s.Addr)
			if err != nil {
				closedAfter <- -1
				return
			}
			defer conn.Close()
			_, _ = io.WriteString(conn, "GET / HTTP/1.1\r\nHost: "+s.Addr+"\r\n")
			go func() { // one header byte every 200 ms, for up to 15 s
				for i := 0; i < 75; i++ {
					if _, err := io.WriteString(conn, "X"); err != nil {
						return
					}
					time.Sleep(200 * time.Millisecond)
				}
			}()
			_ = conn.SetReadDeadline(time.Now().Add(15 * time.Second))
			_, _ = bufio.NewReader(conn).ReadByte() // returns when the server closes the connection
			closedAfter <- time.Since(start)
		}()
	}
	// While they trickle, others are served promptly.
	for range 10 {
		t0 := time.Now()
		resp, err := (&http.Client{Timeout: 2 * time.Second}).Get(s.URL + "/")
		if err != nil {
			t.Fatalf("a normal request during the slow clients: %v", err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || time.Since(t0) > time.Second {
			t.Errorf("a normal request during the slow clients: %d in %v", resp.StatusCode, time.Since(t0))
		}
		time.Sleep(300 * time.Millisecond)
	}
	for range slow {
		d := <-closedAfter
		if d < 0 || d < 4*time.Second || d > 9*time.Second {
			t.Fatalf("a slow client was closed after %v, want about the 5 s ReadHeaderTimeout", d)
		}
	}
}

package main

// Fail closed and recover (security.md S19). PostgreSQL is stopped under running requests: every
// answer is a generic 503 (never content, never a hang), and the server recovers by itself within
// 5 s of PostgreSQL's return. The machine's shared PostgreSQL is never touched: the test runs a
// private cluster of its own (Debian's binaries) in a temporary directory. SIGTERM lets requests
// in flight finish. (A corrupt policy: internal/authz TestCorruptPolicyStopsStartUp.)

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"tearline/internal/demo"
	"tearline/internal/postgres"
)

const pgBin = "/usr/lib/postgresql/15/bin"

// privatePG is a PostgreSQL cluster owned by one test.
type privatePG struct {
	dir, sock string
	port      int
}

// asPostgres runs a PostgreSQL binary, as the postgres system user when the test runs as root
// (PostgreSQL refuses to run as root).
func asPostgres(t *testing.T, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(filepath.Join(pgBin, name), args...)
	if os.Geteuid() == 0 {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", filepath.Join(pgBin, name)}, args...)...)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

func newPrivatePG(t *testing.T) *privatePG {
	t.Helper()
	if _, err := os.Stat(filepath.Join(pgBin, "initdb")); err != nil {
		t.Fatalf("this test needs Debian's PostgreSQL 15 server binaries in %s: %v", pgBin, err)
	}
	root := t.TempDir()
	if os.Geteuid() == 0 {
		for d := root; d != "/" && d != os.TempDir(); d = filepath.Dir(d) {
			_ = os.Chmod(d, 0o755) // let the postgres user reach the cluster directory
		}
		out, err := exec.Command("chown", "postgres:postgres", root).CombinedOutput()
		if err != nil {
			t.Fatalf("chown: %v %s", err, out)
		}
	}
	pg := &privatePG{dir: filepath.Join(root, "data"), sock: root}
	_, port, _ := net.SplitHostPort(freeAddr(t))
	pg.port, _ = strconv.Atoi(port)
	asPostgres(t, "initdb", "-D", pg.dir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
	pg.start(t)
	t.Cleanup(func() {
		cmd := exec.Command(filepath.Join(pgBin, "pg_ctl"), "-D", pg.dir, "stop", "-m", "immediate")
		if os.Geteuid() == 0 {
			cmd = exec.Command("runuser", "-u", "postgres", "--", filepath.Join(pgBin, "pg_ctl"), "-D", pg.dir, "stop", "-m", "immediate")
		}
		_ = cmd.Run()
	})
	return pg
}

func (pg *privatePG) start(t *testing.T) {
	t.Helper()
	opts := fmt.Sprintf("-c port=%d -c listen_addresses=127.0.0.1 -c unix_socket_directories=%s -c fsync=off -c max_connections=60", pg.port, pg.sock)
	asPostgres(t, "pg_ctl", "-D", pg.dir, "-o", opts, "-l", filepath.Join(pg.sock, "pg.log"), "-w", "-t", "30", "start")
}

func (pg *privatePG) stop(t *testing.T) {
	t.Helper()
	asPostgres(t, "pg_ctl", "-D", pg.dir, "-m", "immediate", "-w", "stop")
}

func (pg *privatePG) url(user, db string) string {
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=disable", user, pg.port, db)
}

func TestFailClosedWhenPostgresStops(t *testing.T) {
	pg := newPrivatePG(t)
	ctx := context.Background()
	ownerURL, appURL := pg.url("postgres", "tearline"), pg.url("tearline_app", "tearline")
	if _, err := postgres.EnsureDatabase(ctx, ownerURL); err != nil {
		t.Fatal(err)
	}
	if err := postgres.Migrate(ctx, ownerURL); err != nil {
		t.Fatal(err)
	}
	owner, err := postgres.Open(ctx, ownerURL)
	if err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	err = demo.Seed(ctx, owner, "http://"+addr+"/demo-idp")
	owner.Close()
	if err != nil {
		t.Fatal(err)
	}
	s := startServe(t, ownerURL, appURL, addr, map[string]string{"TEARLINE_DB_STATEMENT_TIMEOUT": "2s"})

	const secret = "Corridor Tapachula secret draft 7f3a"
	analyst := servedBrowser(t, s)
	analyst.signIn("analyst@hstc")
	id, _ := analyst.newDraft("IB", secret)
	pages := []string{"/products/" + id, "/products/" + id + "/edit", "/products", "/search?q=Tapachula", "/", "/notifications"}
	for _, p := range pages {
		if pg := analyst.get(p); pg.Status != http.StatusOK {
			t.Fatalf("before the outage: %s %d", p, pg.Status)
		}
	}
	cookies := analyst.c.Jar.Cookies(&url.URL{Scheme: "http", Host: addr})

	// Requests keep running while PostgreSQL stops and starts again.
	type answer struct {
		path   string
		status int
		body   string
		err    error
		at     time.Time
	}
	var mu sync.Mutex
	var answers []answer
	stopLoad := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			for i := w; ; i++ {
				select {
				case <-stopLoad:
					return
				default:
				}
				path := pages[i%len(pages)]
				req, _ := http.NewRequest(http.MethodGet, s.URL+path, nil)
				for _, ck := range cookies {
					req.AddCookie(ck)
				}
				resp, err := c.Do(req)
				a := answer{path: path, err: err, at: time.Now()}
				if err == nil {
					b, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					a.status, a.body = resp.StatusCode, string(b)
				}
				mu.Lock()
				answers = append(answers, a)
				mu.Unlock()
				time.Sleep(20 * time.Millisecond)
			}
		}()
	}
	time.Sleep(300 * time.Millisecond)
	stoppedAt := time.Now()
	pg.stop(t)
	time.Sleep(2 * time.Second)

	// While PostgreSQL is down: 503 and nothing of the draft, for every page; readiness says so.
	anon := servedBrowser(t, s)
	for _, p := range pages {
		got := analyst.get(p)
		if got.Status != http.StatusServiceUnavailable || strings.Contains(got.Body, secret) || got.Header.Get("Retry-After") == "" {
			t.Errorf("during the outage: %s answered %d (content shown: %v)", p, got.Status, strings.Contains(got.Body, secret))
		}
		if a := anon.get(p); strings.Contains(a.Body, secret) || a.Status == http.StatusInternalServerError {
			t.Errorf("during the outage, anonymous %s: %d", p, a.Status)
		}
	}
	if r := anon.get("/readyz"); r.Status != http.StatusServiceUnavailable {
		t.Errorf("/readyz during the outage: %d", r.Status)
	}
	if h := anon.get("/healthz"); h.Status != http.StatusOK {
		t.Errorf("/healthz during the outage: %d", h.Status)
	}

	restarting := time.Now()
	pg.start(t)
	back := time.Now()
	recovered := time.Duration(-1)
	for time.Since(back) < 10*time.Second {
		if p := analyst.get("/products/" + id); p.Status == http.StatusOK && strings.Contains(p.Body, secret) {
			recovered = time.Since(back)
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	close(stopLoad)
	wg.Wait()
	if recovered < 0 || recovered > 5*time.Second {
		t.Errorf("recovered after %v, want within 5 s of PostgreSQL's return", recovered)
	}
	for _, p := range pages {
		if got := analyst.get(p); got.Status != http.StatusOK {
			t.Errorf("after recovery: %s %d", p, got.Status)
		}
	}

	// Every answer under load: before the outage 200; during it 503 without content; no hang, no 500.
	var during, ok200 int
	for _, a := range answers {
		switch {
		case a.err != nil:
			t.Errorf("%s at %v: %v (a hang or a dropped connection)", a.path, a.at.Sub(stoppedAt), a.err)
		case a.status == http.StatusOK:
			ok200++
			if a.at.After(stoppedAt.Add(500*time.Millisecond)) && a.at.Before(restarting) {
				t.Errorf("%s answered 200 %v after PostgreSQL stopped", a.path, a.at.Sub(stoppedAt))
			}
		case a.status == http.StatusServiceUnavailable:
			during++
			if strings.Contains(a.body, secret) {
				t.Errorf("%s: a 503 carrying the draft", a.path)
			}
		default:
			t.Errorf("%s at %v after the stop: status %d, want 200 or 503", a.path, a.at.Sub(stoppedAt), a.status)
		}
		body := withoutNonces(a.body)
		for _, leak := range []string{"SQLSTATE", "pgx", "dial tcp", "connection refused", "goroutine"} {
			if strings.Contains(body, leak) {
				t.Errorf("%s (%d): the answer shows %q: %.300s", a.path, a.status, leak, body[max(0, strings.Index(body, leak)-200):])
				break
			}
		}
	}
	if during == 0 || ok200 == 0 {
		t.Errorf("load saw %d answers of 200 and %d of 503, want both", ok200, during)
	}
	t.Logf("%d answers under load: %d 200, %d 503; recovered %v after PostgreSQL returned", len(answers), ok200, during, recovered)
}

// SIGTERM (main cancels run's context) while requests are in flight: the listener closes, the
// requests in flight finish with their answers, and serve returns cleanly.
func TestGracefulShutdownLetsRequestsFinish(t *testing.T) {
	addr := freeAddr(t)
	db := seededTestDB(t, addr)
	s := startServe(t, db.OwnerURL, db.AppURL, addr, nil)
	b := servedBrowser(t, s)
	b.signIn("liaison@ice")
	ctx := context.Background()
	owner := openOwnerURL(t, db.OwnerURL)
	tx, err := owner.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	// Hold the users table so every signed-in request waits inside its handler chain.
	if _, err := tx.Exec(ctx, "LOCK TABLE app_user IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	const inflight = 8
	statuses := make(chan int, inflight)
	for range inflight {
		go func() {
			req, _ := http.NewRequest(http.MethodGet, s.URL+"/inbox", nil)
			resp, err := b.c.Do(req)
			if err != nil {
				statuses <- -1
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			statuses <- resp.StatusCode
		}()
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		var waiting int
		_ = owner.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE usename = 'tearline_app' AND wait_event_type = 'Lock'`).Scan(&waiting)
		if waiting >= 4 { // the pool's size on two cores; the other requests wait for a connection
			time.Sleep(200 * time.Millisecond)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d requests are waiting", waiting)
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.cancel() // what SIGTERM does
	time.Sleep(500 * time.Millisecond)
	if conn, err := net.DialTimeout("tcp", s.Addr, time.Second); err == nil {
		conn.Close()
		t.Error("the listener still accepts connections after SIGTERM")
	}
	select {
	case err := <-s.done:
		t.Fatalf("serve returned with requests in flight: %v", err)
	default:
	}
	_ = tx.Rollback(ctx)
	for range inflight {
		if st := <-statuses; st != http.StatusOK {
			t.Errorf("a request in flight at SIGTERM answered %d, want 200", st)
		}
	}
	select {
	case err := <-s.done:
		if err != nil {
			t.Errorf("serve: %v", err)
		}
		s.done <- err // for the cleanup
	case <-time.After(15 * time.Second):
		t.Error("serve did not return after its requests finished")
	}
}

// openOwnerURL connects a pool as the owner role, closed when the test ends.
func openOwnerURL(t *testing.T, u string) *pgxpool.Pool {
	t.Helper()
	p, err := pgxpool.New(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

var nonceAttr = regexp.MustCompile(`nonce="[^"]*"`)

// withoutNonces blanks the CSP nonces of a page before it is searched for words that would reveal
// internals: a random nonce may spell one ("pgxsixMf…" failed a CI run).
func withoutNonces(body string) string { return nonceAttr.ReplaceAllString(body, `nonce=""`) }

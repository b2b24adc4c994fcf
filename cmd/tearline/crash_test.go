package main

// kill -9 during autosave (security.md S19, issue 9 item 10): the real binary, built with go build,
// is killed with SIGKILL while autosaves are arriving, and restarted. Every save that had answered
// 200 (what the editor reports as "Saved") is in the database afterwards, as the portion's text or
// in its version history, and the browser's session survives the restart.

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// binary is the tearline command started as a separate process.
type binary struct {
	path string
	env  []string
	cmd  *exec.Cmd
	logs *syncLog
}

func (b *binary) start(t *testing.T, url string) {
	t.Helper()
	b.cmd = exec.Command(b.path, "serve")
	b.cmd.Env = b.env
	b.cmd.Stdout, b.cmd.Stderr = b.logs, b.logs
	if err := b.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the binary did not become ready: %v\n%s", err, b.logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (b *binary) kill9() {
	_ = b.cmd.Process.Signal(syscall.SIGKILL)
	_ = b.cmd.Wait()
}

func TestKill9DuringAutosaveLosesNothingSaved(t *testing.T) {
	addr := freeAddr(t)
	db := seededTestDB(t, addr)
	bin := filepath.Join(t.TempDir(), "tearline")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	srv := &binary{path: bin, logs: &syncLog{}, env: []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"),
		"DATABASE_URL=" + db.OwnerURL, "TEARLINE_APP_DATABASE_URL=" + db.AppURL, "TEARLINE_LISTEN_ADDR=" + addr,
		"TEARLINE_BASE_URL=http://" + addr, "TEARLINE_METRICS_ADDR=off", "TEARLINE_DEMO=true",
		"TEARLINE_SESSION_SECRET=test-session-secret-0123456789abcdef", "TEARLINE_LOG_LEVEL=warn",
	}}
	base := "http://" + addr
	srv.start(t, base)
	t.Cleanup(srv.kill9)

	b := (&testApp{URL: base}).browser(t)
	b.signIn("analyst@hstc")
	id, ed := b.newDraft("IB", "Autosave under kill -9")
	ids, revs := portions(ed.Body)
	pid, rev := ids[1], revs[ids[1]]
	save := func(text, rev string) (page, error) {
		form := url.Values{"rev": {rev}, "kind": {"paragraph"}, "body": {text}, "m_control": {"U"}}
		req, _ := http.NewRequest(http.MethodPost, base+"/products/"+id+"/portions/"+pid, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", base)
		req.Header.Set("HX-Request", "true")
		req.Header.Set("HX-Target", "status-"+pid)
		resp, err := b.c.Do(req)
		if err != nil {
			return page{}, err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		return page{Status: resp.StatusCode, Header: resp.Header, Body: string(body)}, err
	}

	owner := openOwnerURL(t, db.OwnerURL)
	var saved []string // every text whose save answered 200
	n := 0
	for cycle := range 3 {
		for range 6 + 3*cycle {
			n++
			text := fmt.Sprintf("Autosave %d: the corridor moved east (marker-%d-end).", n, n)
			p, err := save(text, rev)
			if err != nil || p.Status != http.StatusOK {
				t.Fatalf("save %d: %v %d\n%.500s", n, err, p.Status, p.Body)
			}
			saved = append(saved, text)
			if r := revFor(p.Body, pid); r != "" {
				rev = r
			} else {
				_, rs := portions(b.get("/products/" + id + "/edit").Body)
				rev = rs[pid]
			}
		}
		// One more save in flight when the process dies: it may or may not have committed.
		n++
		inflight := fmt.Sprintf("Autosave %d: in flight at kill -9 (marker-%d-end).", n, n)
		done := make(chan int, 1)
		go func() {
			p, err := save(inflight, rev)
			if err != nil {
				done <- -1
				return
			}
			done <- p.Status
		}()
		time.Sleep(time.Duration(cycle*3) * time.Millisecond)
		srv.kill9()
		if st := <-done; st == http.StatusOK {
			saved = append(saved, inflight) // answered before it died: must be kept too
		}
		srv.start(t, base)

		var body string
		if err := owner.QueryRow(context.Background(), `SELECT body FROM portion WHERE id = $1`, pid).Scan(&body); err != nil {
			t.Fatal(err)
		}
		last := saved[len(saved)-1]
		if body != last && body != inflight {
			t.Fatalf("cycle %d: after kill -9 the portion holds %q, want the last saved text %q", cycle, body, last)
		}
		for _, s := range saved {
			marker := s[strings.Index(s, "(marker-"):]
			var k int
			if err := owner.QueryRow(context.Background(), `SELECT count(*) FROM product_version
				WHERE product_id = $1 AND position($2 in snapshot::text) > 0`, id, marker).Scan(&k); err != nil {
				t.Fatal(err)
			}
			if k == 0 {
				t.Errorf("cycle %d: the save %q answered 200 but is not in the version history", cycle, s)
			}
		}
		// The session lives in PostgreSQL, so the author goes on where they were.
		edit := b.get("/products/" + id + "/edit")
		if edit.Status != http.StatusOK || edit.URL.Path != "/products/"+id+"/edit" {
			t.Fatalf("cycle %d: the editor after restart: %d at %s", cycle, edit.Status, edit.URL)
		}
		_, rs := portions(edit.Body)
		rev = rs[pid]
	}
	if len(saved) < 20 {
		t.Errorf("only %d saves", len(saved))
	}
}

// revFor reads the portion's new revision from a save's answer, if it carries one.
func revFor(body, pid string) string {
	for _, m := range revRE.FindAllStringSubmatch(body, -1) {
		if m[1] == pid {
			return m[2]
		}
	}
	return ""
}

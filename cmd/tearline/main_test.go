package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"tearline/internal/postgres/pgtest"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestHelpOnEveryCommand(t *testing.T) {
	for name := range commands() {
		var out bytes.Buffer
		err := run(context.Background(), []string{name, "--help"}, envOf(nil), &out)
		if !errors.Is(err, flag.ErrHelp) || !strings.Contains(out.String(), "Usage: tearline "+name) {
			t.Errorf("%s --help: err=%v out=%q", name, err, out.String())
		}
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"--help"}, envOf(nil), &out); err != nil || !strings.Contains(out.String(), "seed-demo") {
		t.Errorf("--help: %v %q", err, out.String())
	}
	if err := run(context.Background(), []string{"frobnicate"}, envOf(nil), &out); err == nil {
		t.Error("unknown command accepted")
	}
}

func TestBadConfigurationStopsStartWithOneClearMessage(t *testing.T) {
	tests := map[string]map[string]string{
		"TEARLINE_BASE_URL":             {"TEARLINE_BASE_URL": "localhost:8080"},
		"TEARLINE_SESSION_IDLE_TIMEOUT": {"TEARLINE_SESSION_IDLE_TIMEOUT": "2h"},
		"TEARLINE_OIDC_PROVIDERS":       {"TEARLINE_DEMO": "false"},
		"TEARLINE_OIDC_ICE_CLIENT_ID":   {"TEARLINE_OIDC_PROVIDERS": "ice", "TEARLINE_OIDC_ICE_ISSUER": "https://login.ice.example"},
		"TEARLINE_SESSION_SECRET": {"TEARLINE_OIDC_PROVIDERS": "ice", "TEARLINE_OIDC_ICE_ISSUER": "https://login.ice.example",
			"TEARLINE_OIDC_ICE_CLIENT_ID": "c", "TEARLINE_OIDC_ICE_CLIENT_SECRET": "s", "TEARLINE_OIDC_ICE_AGENCIES": "ICE",
			"TEARLINE_BASE_URL": "https://tearline.example"},
		"DATABASE_URL": {"DATABASE_URL": "::not a url::"},
	}
	for variable, env := range tests {
		t.Run(variable, func(t *testing.T) {
			var out bytes.Buffer
			err := run(context.Background(), []string{"serve"}, envOf(env), &out)
			if err == nil || !strings.Contains(err.Error(), variable) {
				t.Errorf("error %v does not name %s", err, variable)
			}
			if strings.Count(err.Error(), "\n") > 0 {
				t.Errorf("error is not one line: %q", err)
			}
		})
	}
}

func TestMigrateCreatesDatabaseAndServeShutsDownGracefully(t *testing.T) {
	d := pgtest.New(t) // a server we know is reachable; we migrate a brand-new database beside it
	name := d.Name + "_fresh"
	owner := strings.Replace(d.OwnerURL, "/"+d.Name, "/"+name, 1)
	t.Cleanup(func() {
		c := pgtest.OpenOwner(t, d)
		_, _ = c.Pool.Exec(context.Background(), `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
	})
	env := map[string]string{"DATABASE_URL": owner, "TEARLINE_LISTEN_ADDR": "127.0.0.1:0", "TEARLINE_METRICS_ADDR": "127.0.0.1:0"}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"migrate"}, envOf(env), &out); err != nil || !strings.Contains(out.String(), "created database") {
		t.Fatalf("migrate: %v %q", err, out.String())
	}
	if err := run(context.Background(), []string{"migrate"}, envOf(env), &out); err != nil {
		t.Fatalf("second migrate: %v", err)
	}
	if err := run(context.Background(), []string{"seed-demo"}, envOf(env), &out); err != nil || !strings.Contains(out.String(), "15 personas") {
		t.Fatalf("seed-demo: %v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncBuffer{}
	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- run(ctx, []string{"serve"}, envOf(env), logs) }()
	addr := ""
	for addr == "" && time.Since(start) < 10*time.Second {
		time.Sleep(20 * time.Millisecond)
		for _, line := range strings.Split(logs.String(), "\n") {
			var rec map[string]any
			if json.Unmarshal([]byte(line), &rec) == nil && rec["msg"] == "serving" {
				addr, _ = rec["addr"].(string)
			}
		}
	}
	if addr == "" {
		t.Fatalf("server never said it was serving: %s", logs.String())
	}
	resp, err := http.Get("http://" + addr + "/readyz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("readyz: %v", err)
	}
	resp.Body.Close()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve returned %v after shutdown", err)
		}
	case <-time.After(25 * time.Second):
		t.Fatal("serve did not shut down")
	}
	if !strings.Contains(logs.String(), `"request_id"`) || !strings.Contains(logs.String(), "shutting down") {
		t.Error("JSON request log with request id or shutdown line missing")
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestRoutesCommandPrintsPermissions(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"routes"}, envOf(nil), &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"POST    /admin/users/{id}/deactivate", "deactivate user", "/demo-idp/login"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("routes output lacks %q:\n%s", want, out.String())
		}
	}
}

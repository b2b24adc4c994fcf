package main

import (
	"net/http"
	"strings"
	"testing"

	"tearline/internal/demo"
)

func TestEveryPersonaSignsInThroughLoginHint(t *testing.T) {
	a := newTestApp(t)
	for _, p := range demo.Personas() {
		t.Run(p.Hint, func(t *testing.T) {
			b := a.browser(t)
			home := b.signIn(p.Hint)
			if !strings.Contains(home.Body, p.Name) {
				t.Errorf("home page does not name %s", p.Name)
			}
			if !strings.Contains(home.Body, `data-testid="demo-banner"`) {
				t.Error("home page has no DEMO banner")
			}
			if !strings.Contains(home.Body, ">"+p.Agency+"<") {
				t.Errorf("home page does not show agency %s", p.Agency)
			}
		})
	}
	if n := a.countRows(t, `SELECT count(*) FROM audit_event WHERE action = 'auth.login' AND outcome = 'success'`); n != len(demo.Personas()) {
		t.Errorf("successful sign-in audit rows = %d, want %d", n, len(demo.Personas()))
	}
}

func TestUnknownLoginHintIsRefused(t *testing.T) {
	a := newTestApp(t)
	b := a.browser(t)
	p := b.get("/auth/login?login_hint=nobody@nowhere")
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("status = %d, want 422", p.Status)
	}
	if !strings.Contains(p.Body, "no demo persona") {
		t.Errorf("refusal page does not explain: %s", p.Body)
	}
	if p := b.get("/"); strings.Contains(p.Body, "Welcome,") {
		t.Error("a session was signed in after an unknown login_hint")
	}
	if n := a.countRows(t, `SELECT count(*) FROM sessions WHERE position('user_id' in encode(data, 'escape')) > 0`); n != 0 {
		t.Errorf("%d signed-in sessions exist", n)
	}
}

func TestPersonaPickerSignsIn(t *testing.T) {
	a := newTestApp(t)
	b := a.browser(t)
	p := b.get("/auth/login")
	if p.Status != http.StatusOK || p.URL.Path != "/demo-idp/login" || !strings.Contains(p.Body, `data-persona="reviewer@hstc"`) {
		t.Fatalf("picker: got %d at %s", p.Status, p.URL)
	}
	id := p.URL.Query().Get("authRequestID")
	p = b.post("/demo-idp/login", map[string][]string{"authRequestID": {id}, "persona": {"reviewer@hstc"}})
	if p.URL.Path != "/notice" {
		t.Fatalf("after picking: at %s (%d), want /notice", p.URL, p.Status)
	}
	p = b.post("/notice", nil)
	if !strings.Contains(p.Body, "Elena Sokolova") {
		t.Error("home page does not show the reviewer")
	}
}

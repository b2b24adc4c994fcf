package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func sessionCookie(b *browser) *http.Cookie {
	u, _ := url.Parse(b.app.URL)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == "tearline_session" {
			return c
		}
	}
	return nil
}

func TestSessionCookieAndFixation(t *testing.T) {
	a := newTestApp(t)
	b := a.browser(t)
	// A session exists before sign-in (it carries the sign-in state); sign-in must replace its token.
	b.location(a.URL + "/auth/login?login_hint=liaison@ice")
	before := sessionCookie(b)
	if before == nil {
		t.Fatal("no session cookie during sign-in")
	}
	resp, err := b.c.Get(a.URL + "/auth/login?login_hint=liaison@ice")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	after := sessionCookie(b)
	if after == nil || after.Value == before.Value {
		t.Error("the session token was not renewed at sign-in")
	}
	var setCookie string
	for _, h := range resp.Header.Values("Set-Cookie") {
		setCookie += h
	}
	b2 := a.browser(t)
	req, _ := http.NewRequest(http.MethodGet, a.URL+"/auth/login?login_hint=liaison@ice", nil)
	c := *b2.c
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	r, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	sc := r.Header.Get("Set-Cookie")
	for _, want := range []string{"HttpOnly", "SameSite=Lax", "Path=/"} {
		if !strings.Contains(sc, want) {
			t.Errorf("session cookie lacks %s: %q", want, sc)
		}
	}
	if strings.Contains(sc, "Expires=") || strings.Contains(sc, "Max-Age=") {
		t.Errorf("session cookie persists beyond the browser session: %q", sc)
	}
}

func TestSecureCookieUnderHTTPS(t *testing.T) {
	op := newFakeOP(t)
	a := newTestApp(t, op.env("ICE"), func(env map[string]string) {
		// The test server speaks http, but the configured public URL is https (behind a proxy).
		env["TEARLINE_BASE_URL"] = "https://tearline.example.test"
	})
	req, _ := http.NewRequest(http.MethodGet, a.URL+"/auth/login?provider=fake", nil)
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	r, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	sc := r.Header.Get("Set-Cookie")
	if !strings.HasPrefix(sc, "__Host-tearline_session=") || !strings.Contains(sc, "Secure") || strings.Contains(sc, "Domain=") {
		t.Errorf("cookie under https: %q", sc)
	}
	if r.Header.Get("Strict-Transport-Security") == "" {
		t.Error("no HSTS under https")
	}
}

func TestNoticeMustBeAcknowledgedFirst(t *testing.T) {
	a := newTestApp(t)
	b := a.browser(t)
	p := b.get("/auth/login?login_hint=admin@hstc")
	if p.URL.Path != "/notice" || !strings.Contains(p.Body, "monitored, recorded and subject to audit") {
		t.Fatalf("after sign-in: %s", p.URL)
	}
	for _, path := range []string{"/", "/admin/users", "/admin/agencies"} {
		if p := b.get(path); p.URL.Path != "/notice" {
			t.Errorf("%s before acknowledging: landed on %s", path, p.URL.Path)
		}
	}
	b.post("/notice", nil)
	if p := b.get("/admin/users"); p.Status != 200 || p.URL.Path != "/admin/users" {
		t.Errorf("after acknowledging: %d at %s", p.Status, p.URL)
	}
	if n := a.countRows(t, `SELECT count(*) FROM audit_event WHERE action = 'auth.notice_ack'`); n != 1 {
		t.Errorf("notice acknowledgements audited = %d, want 1", n)
	}
}

func TestIdleTimeout(t *testing.T) {
	a := newTestApp(t)
	b := a.browser(t)
	b.signIn("liaison@ice")
	a.Clock.Advance(29 * time.Minute)
	if p := b.get("/"); !strings.Contains(p.Body, "Welcome,") {
		t.Fatal("signed out before the idle timeout")
	}
	// Activity keeps the session alive; 29 more minutes of idleness is still within the limit.
	a.Clock.Advance(29 * time.Minute)
	if p := b.get("/"); !strings.Contains(p.Body, "Welcome,") {
		t.Fatal("activity did not extend the idle timeout")
	}
	a.Clock.Advance(30*time.Minute + time.Second)
	p := b.get("/")
	if strings.Contains(p.Body, "Welcome,") || !strings.Contains(p.Body, "Your session ended") {
		t.Error("session survived 30 minutes of inactivity")
	}
	if n := a.countRows(t, `SELECT count(*) FROM audit_event WHERE action = 'auth.session_end' AND details->>'reason' = 'idle timeout'`); n != 1 {
		t.Errorf("idle expiry audited %d times, want 1", n)
	}
}

func TestAbsoluteLifetime(t *testing.T) {
	a := newTestApp(t)
	b := a.browser(t)
	b.signIn("liaison@ice")
	reached := time.Duration(0)
	for range 30 { // steady activity every 29 minutes, for up to 14.5 hours
		a.Clock.Advance(29 * time.Minute)
		reached += 29 * time.Minute
		if p := b.get("/"); !strings.Contains(p.Body, "Welcome,") {
			break
		}
	}
	if reached < 12*time.Hour || reached >= 12*time.Hour+29*time.Minute {
		t.Errorf("session ended after %v of activity, want at the 12-hour mark", reached)
	}
	if p := b.get("/"); strings.Contains(p.Body, "Welcome,") {
		t.Error("session outlived the 12-hour absolute lifetime")
	}
	if n := a.countRows(t, `SELECT count(*) FROM audit_event WHERE action = 'auth.session_end' AND details->>'reason' = 'absolute lifetime reached'`); n != 1 {
		t.Errorf("absolute expiry audited %d times, want 1", n)
	}
}

func TestLogoutEndsServerSideSession(t *testing.T) {
	a := newTestApp(t)
	b := a.browser(t)
	b.signIn("analyst@hstc")
	stolen := sessionCookie(b)
	p := b.post("/auth/logout", nil)
	if !strings.Contains(p.Body, "You have signed out") {
		t.Error("no sign-out confirmation")
	}
	if n := a.signedInSessions(t); n != 0 {
		t.Errorf("%d signed-in sessions remain in the store", n)
	}
	// Replaying the old cookie must not work.
	other := a.browser(t)
	u, _ := url.Parse(a.URL)
	other.c.Jar.SetCookies(u, []*http.Cookie{{Name: stolen.Name, Value: stolen.Value, Path: "/"}})
	if p := other.get("/"); strings.Contains(p.Body, "Welcome,") {
		t.Error("the old session cookie still works after logout")
	}
}

func TestDeactivationEndsLiveSession(t *testing.T) {
	a := newTestApp(t)
	liaison := a.browser(t)
	liaison.signIn("liaison@cbp")
	admin := a.browser(t)
	admin.signIn("admin@hstc")
	var id int64
	if err := a.Owner.Pool.QueryRow(context.Background(), `SELECT id FROM app_user WHERE subject = 'liaison@cbp'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	p := admin.post("/admin/users/"+itoa(id)+"/deactivate", nil)
	if !strings.Contains(p.Body, "was deactivated") {
		t.Fatalf("deactivation not confirmed: %d %s", p.Status, p.URL)
	}
	if p := liaison.get("/"); strings.Contains(p.Body, "Welcome,") {
		t.Error("a deactivated user's live session still works")
	}
	// Signing in again is refused.
	again := a.browser(t)
	if p := again.get("/auth/login?login_hint=liaison@cbp"); p.Status != http.StatusUnauthorized {
		t.Errorf("deactivated user signing in: %d at %s", p.Status, p.URL)
	}
	// The refusal names the user and their agency, so the agency's administrators see it.
	if n := a.countRows(t, `SELECT count(*) FROM audit_event WHERE action = 'auth.login' AND outcome = 'failure'
		AND actor_user_id = $1 AND actor_agency_id = (SELECT agency_id FROM app_user WHERE id = $1)
		AND details->>'reason' = 'user is deactivated'`, id); n != 1 {
		t.Errorf("refused sign-ins of the deactivated user naming them = %d, want 1", n)
	}
	admin.post("/admin/users/"+itoa(id)+"/reactivate", nil)
	again.signIn("liaison@cbp")
	if n := a.countRows(t, `SELECT count(*) FROM audit_event WHERE action IN ('user.deactivate', 'user.reactivate') AND object_id = $1`, itoa(id)); n != 2 {
		t.Errorf("activation changes audited = %d, want 2", n)
	}
}

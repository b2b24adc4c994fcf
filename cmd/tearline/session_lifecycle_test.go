package main

// Session lifecycle (ASVS 7.x, security.md S12), beyond session_test.go: the pre-login token is dead
// on the server after sign-in (also under https, with the cookie flags of the signed-in cookie), an
// attacker-planted token is never adopted, idle and absolute limits hold to the second with the
// injected clock, and a deactivated user's live session is refused at once on every kind of request.

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// slNoRedirect is a client without a cookie jar that stops at the first response.
func slNoRedirect() *http.Client {
	return &http.Client{Timeout: 20 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// slGet requests u sending only the given cookie, without following redirects.
func slGet(t *testing.T, u string, c *http.Cookie) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	if c != nil {
		req.AddCookie(c)
	}
	resp, err := slNoRedirect().Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	return resp
}

// slSetCookie returns the session cookie a response sets, and its raw header.
func slSetCookie(resp *http.Response) (*http.Cookie, string) {
	for _, raw := range resp.Header.Values("Set-Cookie") {
		if strings.HasPrefix(raw, "tearline_session=") || strings.HasPrefix(raw, "__Host-tearline_session=") {
			c, err := http.ParseSetCookie(raw)
			if err == nil {
				return c, raw
			}
		}
	}
	return nil, ""
}

// cookieSignedIn reports whether the cookie alone reaches a signed-in page.
func cookieSignedIn(t *testing.T, a *testApp, c *http.Cookie) bool {
	t.Helper()
	resp := slGet(t, a.URL+"/notice", c)
	defer resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// The whole sign-in under an https base URL, cookies handled by hand (the test server speaks http,
// so a cookie jar would withhold the Secure cookie): the token renewed at the callback carries every
// flag, and the token from before sign-in is dead on the server.
func TestSessionFixationAndCookieFlagsUnderHTTPS(t *testing.T) {
	op := newFakeOP(t)
	a := newTestApp(t, op.env("ICE"), func(env map[string]string) { env["TEARLINE_BASE_URL"] = "https://tearline.example.test" })
	a.addFakeUser(t, op.srv.URL, "ice-officer-7", "ICE")

	resp := slGet(t, a.URL+"/auth/login?provider=fake", nil)
	resp.Body.Close()
	pre, _ := slSetCookie(resp)
	if pre == nil {
		t.Fatal("no session cookie when sign-in starts")
	}
	authorize, _ := resp.Location()
	resp = slGet(t, authorize.String(), nil)
	resp.Body.Close()
	cb, _ := resp.Location()
	callback := a.URL + cb.Path + "?" + cb.RawQuery // the provider redirects to the https base URL
	resp = slGet(t, callback, pre)
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/" {
		t.Fatalf("callback: %d to %q", resp.StatusCode, loc)
	}
	post, raw := slSetCookie(resp)
	if post == nil {
		t.Fatal("the callback set no session cookie")
	}
	if post.Value == pre.Value {
		t.Fatal("the session token was not renewed at sign-in")
	}
	if post.Name != "__Host-tearline_session" || !post.Secure || !post.HttpOnly || post.SameSite != http.SameSiteLaxMode ||
		post.Path != "/" || post.Domain != "" || post.MaxAge != 0 || !post.Expires.IsZero() {
		t.Errorf("signed-in cookie under https: %q", raw)
	}
	if !cookieSignedIn(t, a, post) {
		t.Fatal("the renewed token does not reach a signed-in page")
	}
	if cookieSignedIn(t, a, pre) {
		t.Error("the pre-login token is signed in after sign-in (session fixation)")
	}
	if n := a.countRows(t, `SELECT count(*) FROM sessions WHERE token = $1`, pre.Value); n != 0 {
		t.Error("the pre-login token is still in the session store")
	}
}

// An attacker who plants their own valid pre-login token in the victim's browser gains nothing:
// the victim's sign-in moves the session to a new token the attacker does not know. Tokens come
// from a CSPRNG with at least 128 bits of entropy (ASVS 7.2.3).
func TestPlantedSessionTokenIsNotAdopted(t *testing.T) {
	a := newTestApp(t)
	tokenRE := regexp.MustCompile(`^[A-Za-z0-9_-]{43,}$`) // scs: 32 random bytes, base64url
	seen := map[string]bool{}
	for range 5 {
		b := a.browser(t)
		b.location(a.URL + "/auth/login?login_hint=liaison@ice")
		c := sessionCookie(b)
		if c == nil || !tokenRE.MatchString(c.Value) || seen[c.Value] {
			t.Fatalf("session token %v: want 32 random bytes, base64url, never repeated", c)
		}
		seen[c.Value] = true
	}
	attacker := a.browser(t)
	attacker.location(a.URL + "/auth/login?login_hint=liaison@ice")
	planted := sessionCookie(attacker)
	if planted == nil {
		t.Fatal("no pre-login cookie")
	}
	victim := a.browser(t)
	u, _ := url.Parse(a.URL)
	victim.c.Jar.SetCookies(u, []*http.Cookie{{Name: planted.Name, Value: planted.Value, Path: "/"}})
	victim.signIn("liaison@fbi")
	if got := sessionCookie(victim); got == nil || got.Value == planted.Value {
		t.Fatal("the victim's session kept the planted token")
	}
	if p := attacker.get("/"); strings.Contains(p.Body, "Welcome,") || strings.Contains(p.Body, "Grace Lindqvist") {
		t.Error("the planted token is signed in as the victim")
	}
	// A made-up token is never adopted either: the server issues its own.
	forged := a.browser(t)
	forged.c.Jar.SetCookies(u, []*http.Cookie{{Name: "tearline_session", Value: "attacker-chosen-token-0000000000000000000", Path: "/"}})
	forged.signIn("liaison@cbp")
	if got := sessionCookie(forged); got == nil || got.Value == "attacker-chosen-token-0000000000000000000" {
		t.Error("a made-up session token was adopted")
	}
}

// The idle limit holds to the second: 1 s before it the session lives (and activity restarts it),
// 1 s after it the session is over and gone from the store.
func TestIdleTimeoutToTheSecond(t *testing.T) {
	a := newTestApp(t)
	b := a.browser(t)
	b.signIn("liaison@ice")
	token := sessionCookie(b).Value
	for i := range 3 {
		a.Clock.Advance(30*time.Minute - time.Second)
		if p := b.get("/"); !strings.Contains(p.Body, "Welcome,") {
			t.Fatalf("round %d: signed out 1 s before the idle limit", i)
		}
	}
	a.Clock.Advance(30*time.Minute + time.Second)
	if p := b.get("/inbox"); p.URL.Path != "/" || strings.Contains(p.Body, "Welcome,") || !strings.Contains(p.Body, "Your session ended") {
		t.Errorf("1 s after the idle limit: %d at %s", p.Status, p.URL)
	}
	if n := a.countRows(t, `SELECT count(*) FROM sessions WHERE token = $1`, token); n != 0 {
		t.Error("the expired session is still in the store")
	}
}

// The absolute lifetime holds to the second however active the user is.
func TestAbsoluteLifetimeToTheSecond(t *testing.T) {
	a := newTestApp(t)
	b := a.browser(t)
	b.signIn("liaison@ice")
	elapsed := time.Duration(0)
	for elapsed+29*time.Minute < 12*time.Hour-time.Second {
		a.Clock.Advance(29 * time.Minute)
		elapsed += 29 * time.Minute
		if p := b.get("/"); !strings.Contains(p.Body, "Welcome,") {
			t.Fatalf("signed out after %v of steady activity", elapsed)
		}
	}
	a.Clock.Advance(12*time.Hour - time.Second - elapsed)
	if p := b.get("/"); !strings.Contains(p.Body, "Welcome,") {
		t.Fatal("signed out 1 s before the absolute lifetime")
	}
	a.Clock.Advance(2 * time.Second)
	if p := b.get("/"); strings.Contains(p.Body, "Welcome,") || !strings.Contains(p.Body, "Your session ended") {
		t.Error("the session outlived the absolute lifetime by 1 s")
	}
}

// A deactivated user's live session ends on its very next request, whatever the request: a page
// goes to the sign-in page, a form post and an autosave answer 401, and the session is destroyed.
func TestDeactivatedUserRefusedAtOnce(t *testing.T) {
	a := newTestApp(t)
	analyst := a.browser(t)
	analyst.signIn("analyst2@hstc")
	id, _ := analyst.newDraft("IB", "Deactivation probe")
	stolen := sessionCookie(analyst)
	var uid int64
	if err := a.Owner.Pool.QueryRow(context.Background(), `SELECT id FROM app_user WHERE subject = 'analyst2@hstc'`).Scan(&uid); err != nil {
		t.Fatal(err)
	}
	admin := a.browser(t)
	admin.signIn("admin@hstc")
	if p := admin.post("/admin/users/"+itoa(uid)+"/deactivate", nil); !strings.Contains(p.Body, "was deactivated") {
		t.Fatalf("deactivation: %d", p.Status)
	}

	// A form post (same origin), with no redirect following, before any GET could end the session.
	req, _ := http.NewRequest(http.MethodPost, a.URL+"/products/"+id+"/details", strings.NewReader("title=changed"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", a.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.AddCookie(stolen)
	resp, err := slNoRedirect().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("form post by a deactivated user: %d, want 401", resp.StatusCode)
	}
	if n := a.countRows(t, `SELECT count(*) FROM sessions WHERE token = $1`, stolen.Value); n != 0 {
		t.Error("the deactivated user's session is still in the store")
	}
	// The same cookie, replayed, reaches nothing: pages go to the sign-in page.
	for _, path := range []string{"/products/" + id, "/products", "/inbox", "/notice"} {
		resp := slGet(t, a.URL+path, stolen)
		resp.Body.Close()
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/" {
			t.Errorf("GET %s with the deactivated user's cookie: %d to %q, want 303 to the sign-in page", path, resp.StatusCode, loc)
		}
	}
	if n := a.countRows(t, `SELECT count(*) FROM product WHERE id = $1 AND title = 'changed'`, id); n != 0 {
		t.Error("the deactivated user's post changed the draft")
	}
	if n := a.countRows(t, `SELECT count(*) FROM audit_event WHERE action = 'auth.session_end' AND details->>'reason' = 'user deactivated'`); n != 1 {
		t.Errorf("session end by deactivation audited %d times, want 1", n)
	}
}

package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"tearline/internal/user"
)

// location requests u without following redirects and returns the redirect target.
func (b *browser) location(u string) string {
	b.t.Helper()
	c := *b.c
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Get(u)
	if err != nil {
		b.t.Fatalf("GET %s: %v", u, err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 3 {
		b.t.Fatalf("GET %s: status %d, want a redirect", u, resp.StatusCode)
	}
	loc, _ := resp.Location()
	return loc.String()
}

// fakeCallback starts a sign-in with the fake provider and returns the callback URL it sends back.
func (b *browser) fakeCallback() string {
	b.t.Helper()
	return b.location(b.location(b.app.URL + "/auth/login?provider=fake"))
}

func (a *testApp) signedInSessions(t *testing.T) int {
	return a.countRows(t, `SELECT count(*) FROM sessions WHERE position('user_id' in encode(data, 'escape')) > 0`)
}

func (a *testApp) addFakeUser(t *testing.T, issuer, subject, agencyCode string) {
	t.Helper()
	ctx := context.Background()
	ag, err := a.Owner.FindAgencyByCode(ctx, agencyCode)
	if err != nil {
		t.Fatal(err)
	}
	u := user.User{AgencyID: ag.ID, Issuer: issuer, Subject: subject, DisplayName: "Test Officer " + subject, Roles: []user.Role{user.RoleLiaison}}
	if err := a.Owner.UpsertUser(ctx, &u); err != nil {
		t.Fatal(err)
	}
}

// assertRefused checks a callback outcome: 401 with the refusal message, no signed-in session,
// and a failed sign-in in the audit trail with the expected reason.
func assertRefused(t *testing.T, a *testApp, b *browser, p page, reason string) {
	t.Helper()
	if p.Status != http.StatusUnauthorized || !strings.Contains(p.Body, "Sign-in was refused") {
		t.Errorf("status %d at %s, want 401 with the refusal page", p.Status, p.URL)
	}
	if n := a.signedInSessions(t); n != 0 {
		t.Errorf("%d signed-in sessions exist after a refused sign-in", n)
	}
	if home := b.get("/"); strings.Contains(home.Body, "Welcome,") {
		t.Error("the browser is signed in after a refused sign-in")
	}
	if n := a.countRows(t, `SELECT count(*) FROM audit_event WHERE action = 'auth.login' AND outcome = 'failure'
		AND details->>'reason' LIKE $1`, reason+"%"); n == 0 {
		t.Errorf("no failed sign-in audited with reason %q", reason)
	}
}

func TestFakeProviderSignInWorks(t *testing.T) {
	op := newFakeOP(t)
	a := newTestApp(t, op.env("ICE"))
	a.addFakeUser(t, op.srv.URL, "ice-officer-7", "ICE")
	b := a.browser(t)
	p := b.get(b.fakeCallback())
	if p.URL.Path != "/notice" {
		t.Fatalf("landed on %s (%d), want /notice", p.URL, p.Status)
	}
	if n := a.signedInSessions(t); n != 1 {
		t.Fatalf("signed-in sessions = %d, want 1", n)
	}
	if home := b.post("/notice", nil); !strings.Contains(home.Body, "Test Officer ice-officer-7") {
		t.Error("home does not show the user signed in by the agency's own provider")
	}
}

func TestSignInRefusals(t *testing.T) {
	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		subject  string
		mutate   func(map[string]any)
		signWith *rsa.PrivateKey
		callback func(t *testing.T, b *browser, cb string) string
		reason   string
	}{
		{name: "wrong state", reason: "state mismatch", callback: func(t *testing.T, b *browser, cb string) string {
			u, _ := url.Parse(cb)
			q := u.Query()
			q.Set("state", "forged-state")
			u.RawQuery = q.Encode()
			return u.String()
		}},
		{name: "wrong nonce", reason: "nonce mismatch", mutate: func(c map[string]any) { c["nonce"] = "attacker-nonce" }},
		{name: "wrong audience", reason: "id_token verification failed", mutate: func(c map[string]any) { c["aud"] = "some-other-client" }},
		{name: "expired token", reason: "id_token verification failed", mutate: func(c map[string]any) {
			c["iat"], c["exp"] = time.Now().Add(-2*time.Hour).Unix(), time.Now().Add(-time.Hour).Unix()
		}},
		{name: "unknown issuer in token", reason: "id_token verification failed", mutate: func(c map[string]any) { c["iss"] = "https://idp.attacker.invalid" }},
		{name: "bad signature", reason: "id_token verification failed", signWith: otherKey},
		{name: "unknown subject", reason: "unknown subject", subject: "nobody-registered"},
		{name: "issuer not allowed for the user's agency", reason: "issuer may not sign in users of this agency", subject: "cbp-officer-1"},
		{name: "error from provider", reason: "provider returned an error", callback: func(t *testing.T, b *browser, cb string) string {
			u, _ := url.Parse(cb)
			u.RawQuery = url.Values{"error": {"access_denied"}, "state": {u.Query().Get("state")}}.Encode()
			return u.String()
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			op := newFakeOP(t)
			a := newTestApp(t, op.env("ICE"))
			a.addFakeUser(t, op.srv.URL, "ice-officer-7", "ICE")
			a.addFakeUser(t, op.srv.URL, "cbp-officer-1", "CBP")
			if tc.subject != "" {
				op.subject = tc.subject
			}
			op.mutate, op.signWith = tc.mutate, tc.signWith
			b := a.browser(t)
			cb := b.fakeCallback()
			if tc.callback != nil {
				cb = tc.callback(t, b, cb)
			}
			assertRefused(t, a, b, b.get(cb), tc.reason)
		})
	}
}

func TestReplayedCallbackIsRefused(t *testing.T) {
	op := newFakeOP(t)
	a := newTestApp(t, op.env("ICE"))
	a.addFakeUser(t, op.srv.URL, "ice-officer-7", "ICE")
	b := a.browser(t)
	cb := b.fakeCallback()
	if p := b.get(cb); p.URL.Path != "/notice" {
		t.Fatalf("first use of the callback: at %s", p.URL)
	}
	// The same callback in a fresh browser: no sign-in in progress there, state unknown.
	other := a.browser(t)
	p := other.get(cb)
	if p.Status != http.StatusUnauthorized {
		t.Errorf("replay in another browser: status %d, want 401", p.Status)
	}
	if home := other.get("/"); strings.Contains(home.Body, "Welcome,") {
		t.Error("replayed callback signed another browser in")
	}
	// And again in the original browser: the pending state was used up.
	if p := b.get(cb); p.Status != http.StatusUnauthorized {
		t.Errorf("replay in the same browser: status %d, want 401", p.Status)
	}
	if n := a.countRows(t, `SELECT count(*) FROM audit_event WHERE action = 'auth.login' AND outcome = 'failure'
		AND details->>'reason' = 'no sign-in in progress in this session'`); n != 2 {
		t.Errorf("replays audited = %d, want 2", n)
	}
}

// A code obtained in one browser session and injected into another fails PKCE: the victim's
// verifier does not match the attacker's challenge. Checked against the fake and the built-in provider.
func TestInjectedCodeFailsPKCE(t *testing.T) {
	t.Run("fake provider", func(t *testing.T) {
		op := newFakeOP(t)
		a := newTestApp(t, op.env("ICE"))
		a.addFakeUser(t, op.srv.URL, "ice-officer-7", "ICE")
		attacker, victim := a.browser(t), a.browser(t)
		stolen, _ := url.Parse(attacker.fakeCallback())
		mine, _ := url.Parse(victim.fakeCallback())
		q := mine.Query()
		q.Set("code", stolen.Query().Get("code"))
		mine.RawQuery = q.Encode()
		assertRefused(t, a, victim, victim.get(mine.String()), "code exchange failed")
	})
	t.Run("built-in provider", func(t *testing.T) {
		a := newTestApp(t)
		attacker, victim := a.browser(t), a.browser(t)
		stolen, _ := url.Parse(attacker.demoCallback("liaison@ice"))
		mine, _ := url.Parse(victim.demoCallback("liaison@fbi"))
		q := mine.Query()
		q.Set("code", stolen.Query().Get("code"))
		mine.RawQuery = q.Encode()
		assertRefused(t, a, victim, victim.get(mine.String()), "code exchange failed")
	})
}

// demoCallback walks the built-in provider's redirects for a persona and returns the callback URL.
func (b *browser) demoCallback(hint string) string {
	b.t.Helper()
	u := b.app.URL + "/auth/login?login_hint=" + url.QueryEscape(hint)
	for range 10 {
		u = b.location(u)
		if strings.Contains(u, "/auth/callback/") {
			return u
		}
		if strings.HasPrefix(u, "/") {
			u = b.app.URL + u
		}
	}
	b.t.Fatal("no callback reached")
	return ""
}

// The built-in provider itself insists on PKCE: no challenge, no authorization; no verifier, no token.
func TestBuiltInProviderRequiresPKCE(t *testing.T) {
	a := newTestApp(t)
	b := a.browser(t)
	redirect := a.URL + "/auth/callback/demo"
	authorize := func(extra url.Values) *http.Response {
		q := url.Values{"client_id": {"tearline-portal"}, "redirect_uri": {redirect}, "response_type": {"code"},
			"scope": {"openid"}, "state": {"s1"}, "nonce": {"n1"}, "login_hint": {"liaison@ice"}}
		for k, v := range extra {
			q[k] = v
		}
		c := *b.c
		c.CheckRedirect = func(req *http.Request, _ []*http.Request) error {
			if strings.HasPrefix(req.URL.String(), redirect) {
				return http.ErrUseLastResponse
			}
			return nil
		}
		resp, err := c.Get(a.URL + "/demo-idp/authorize?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	resp := authorize(nil)
	loc, _ := resp.Location()
	if loc == nil || loc.Query().Get("code") != "" || loc.Query().Get("error") == "" {
		t.Fatalf("authorization without PKCE was not refused: %v", loc)
	}

	newCode := func(verifier string) string {
		resp := authorize(url.Values{"code_challenge": {oauth2.S256ChallengeFromVerifier(verifier)}, "code_challenge_method": {"S256"}})
		loc, _ := resp.Location()
		code := loc.Query().Get("code")
		if code == "" {
			t.Fatalf("no code with PKCE: %v", loc)
		}
		return code
	}
	exchange := func(code, v string) int {
		form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect}}
		if v != "" {
			form.Set("code_verifier", v)
		}
		req, _ := http.NewRequest(http.MethodPost, a.URL+"/demo-idp/oauth/token", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth("tearline-portal", "test-session-secret-0123456789abcdef")
		r, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		return r.StatusCode
	}
	v := oauth2.GenerateVerifier()
	if st := exchange(newCode(v), ""); st == http.StatusOK {
		t.Error("token issued without a code_verifier")
	}
	if st := exchange(newCode(v), oauth2.GenerateVerifier()); st == http.StatusOK {
		t.Error("token issued with a wrong code_verifier")
	}
	if st := exchange(newCode(v), v); st != http.StatusOK {
		t.Errorf("token refused with the right code_verifier: %d", st)
	}
}

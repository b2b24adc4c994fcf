package main

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"
)

// fakeOP is a minimal OpenID provider under the test's control, used to send the relying party
// ID tokens that are wrong in exactly one way. It checks PKCE like a real provider.
type fakeOP struct {
	srv      *httptest.Server
	key      *rsa.PrivateKey
	clientID string
	secret   string

	mu      sync.Mutex
	pending map[string]authzReq // code -> authorization request
	subject string
	// mutate changes the ID token claims before signing.
	mutate func(claims map[string]any)
	// signWith, when set, signs with another key (bad signature).
	signWith *rsa.PrivateKey
}

type authzReq struct {
	state, nonce, challenge, redirect string
}

func newFakeOP(t *testing.T) *fakeOP {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeOP{key: key, clientID: "tearline-test", secret: "fake-secret", pending: map[string]authzReq{}, subject: "ice-officer-7"}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", f.discovery)
	mux.HandleFunc("GET /authorize", f.authorize)
	mux.HandleFunc("POST /token", f.token)
	mux.HandleFunc("GET /keys", f.keys)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeOP) env(agencies string) appOption {
	return func(env map[string]string) {
		env["TEARLINE_DEMO"] = "false"
		env["TEARLINE_OIDC_PROVIDERS"] = "fake"
		env["TEARLINE_OIDC_FAKE_ISSUER"] = f.srv.URL
		env["TEARLINE_OIDC_FAKE_CLIENT_ID"] = f.clientID
		env["TEARLINE_OIDC_FAKE_CLIENT_SECRET"] = f.secret
		env["TEARLINE_OIDC_FAKE_AGENCIES"] = agencies
		env["TEARLINE_OIDC_FAKE_LABEL"] = "Fake agency IdP"
	}
}

func (f *fakeOP) discovery(w http.ResponseWriter, _ *http.Request) {
	_ = json.NewEncoder(w).Encode(map[string]any{
		"issuer":                                f.srv.URL,
		"authorization_endpoint":                f.srv.URL + "/authorize",
		"token_endpoint":                        f.srv.URL + "/token",
		"jwks_uri":                              f.srv.URL + "/keys",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"code_challenge_methods_supported":      []string{"S256"},
	})
}

func (f *fakeOP) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	code := randomCode()
	f.mu.Lock()
	f.pending[code] = authzReq{state: q.Get("state"), nonce: q.Get("nonce"), challenge: q.Get("code_challenge"), redirect: q.Get("redirect_uri")}
	f.mu.Unlock()
	u, _ := url.Parse(q.Get("redirect_uri"))
	v := url.Values{"code": {code}, "state": {q.Get("state")}}
	u.RawQuery = v.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

func (f *fakeOP) token(w http.ResponseWriter, r *http.Request) {
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostFormValue("client_id"), r.PostFormValue("client_secret")
	}
	fail := func(desc string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": "invalid_grant", "error_description": desc})
	}
	if id != f.clientID || secret != f.secret {
		fail("client")
		return
	}
	f.mu.Lock()
	a, found := f.pending[r.PostFormValue("code")]
	delete(f.pending, r.PostFormValue("code"))
	mutate, signWith, subject := f.mutate, f.signWith, f.subject
	f.mu.Unlock()
	if !found {
		fail("unknown or used code")
		return
	}
	if a.challenge == "" || oauth2.S256ChallengeFromVerifier(r.PostFormValue("code_verifier")) != a.challenge {
		fail("PKCE verification failed")
		return
	}
	now := time.Now()
	claims := map[string]any{
		"iss": f.srv.URL, "sub": subject, "aud": f.clientID, "nonce": a.nonce,
		"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(), "name": "Test Officer",
	}
	if mutate != nil {
		mutate(claims)
	}
	key := f.key
	if signWith != nil {
		key = signWith
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: "k1"}}, nil)
	if err != nil {
		fail(err.Error())
		return
	}
	payload, _ := json.Marshal(claims)
	jws, err := signer.Sign(payload)
	if err != nil {
		fail(err.Error())
		return
	}
	raw, _ := jws.CompactSerialize()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"access_token": "at-" + randomCode(), "token_type": "Bearer", "expires_in": 300, "id_token": raw})
}

func (f *fakeOP) keys(w http.ResponseWriter, _ *http.Request) {
	_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &f.key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
}

func randomCode() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

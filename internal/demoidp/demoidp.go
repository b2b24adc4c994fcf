// Package demoidp is demo mode's built-in OpenID Connect provider, built on zitadel/oidc's op
// package and served by the portal's own process, so that demo sign-in uses the real relying-party
// code path: authorization code flow with state, nonce and PKCE, signed ID tokens, discovery, JWKS.
package demoidp

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/zitadel/oidc/v3/pkg/op"
)

// Options configure the provider.
type Options struct {
	Issuer       string // absolute URL, e.g. http://localhost:8080/demo-idp
	MountPath    string // path prefix the handler is mounted under, e.g. /demo-idp
	ClientID     string
	ClientSecret string
	RedirectURI  string
	LogoutURI    string
	// People returns the name and e-mail of a subject, and whether the subject exists.
	People func(subject string) (name, email string, ok bool)
	Logger *slog.Logger
	Now    func() time.Time
}

// Provider is the running identity provider.
type Provider struct {
	opts    Options
	storage *storage
	handler http.Handler
}

// New builds the provider with a fresh signing key.
func New(o Options) (*Provider, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("demo idp key: %w", err)
	}
	u, err := url.Parse(o.Issuer)
	if err != nil {
		return nil, fmt.Errorf("demo idp issuer: %w", err)
	}
	s := &storage{
		requests: map[string]*authRequest{},
		codes:    map[string]string{},
		key:      &signingKey{id: newID(), key: key},
		people:   o.People,
		now:      o.Now,
		client: &client{
			id: o.ClientID, secret: o.ClientSecret,
			redirectURIs: []string{o.RedirectURI}, logoutURIs: []string{o.LogoutURI},
			loginURL:      func(id string) string { return o.MountPath + "/login?authRequestID=" + url.QueryEscape(id) },
			devMode:       u.Scheme == "http",
			idTokenExpiry: 5 * time.Minute,
		},
	}
	cfg := &op.Config{
		CryptoKey:                sha256.Sum256([]byte("demoidp:" + o.ClientSecret)),
		DefaultLogoutRedirectURI: o.LogoutURI,
		CodeMethodS256:           true,
		AuthMethodPost:           false,
		SupportedScopes:          []string{"openid", "profile", "email"},
	}
	opts := []op.Option{op.WithLogger(o.Logger)}
	if u.Scheme == "http" {
		opts = append(opts, op.WithAllowInsecure())
	}
	p, err := op.NewProvider(cfg, s, op.StaticIssuer(o.Issuer), opts...)
	if err != nil {
		return nil, fmt.Errorf("demo idp: %w", err)
	}
	return &Provider{opts: o, storage: s, handler: http.StripPrefix(o.MountPath, p)}, nil
}

// Handler serves the provider's protocol endpoints (discovery, authorize, token, keys, ...).
func (p *Provider) Handler() http.Handler { return p.handler }

// LoginHint returns the login_hint of a pending authorization request, and whether it is pending.
func (p *Provider) LoginHint(requestID string) (hint string, ok bool) {
	p.storage.mu.Lock()
	defer p.storage.mu.Unlock()
	a, found := p.storage.requests[requestID]
	if !found || a.done {
		return "", false
	}
	return strings.TrimSpace(a.loginHint), true
}

// Complete signs subject in for the pending request and returns where to send the browser next.
func (p *Provider) Complete(requestID, subject string) (string, error) {
	if _, _, ok := p.opts.People(subject); !ok {
		return "", fmt.Errorf("unknown persona %q", subject)
	}
	if err := p.storage.complete(requestID, subject); err != nil {
		return "", fmt.Errorf("authorization request %q is not pending", requestID)
	}
	return p.opts.MountPath + "/authorize/callback?id=" + url.QueryEscape(requestID), nil
}

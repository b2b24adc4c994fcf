// Package auth signs users in as an OpenID Connect relying party (authorization code flow with
// state, nonce and PKCE, bound to the browser session), keeps the server-side session with its
// idle and absolute limits, and loads the Principal of every request.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"tearline/internal/apperr"
	"tearline/internal/audit"
	"tearline/internal/config"
	"tearline/internal/user"
)

// Store is what sign-in needs from persistence.
type Store interface {
	FindUserByIdentity(ctx context.Context, issuer, subject string) (user.User, error)
	FindPrincipal(ctx context.Context, userID int64) (*user.Principal, error)
	RecordEvent(ctx context.Context, ev audit.Event) error
}

// pending is the sign-in in progress, kept in the browser's session between login and callback.
type pending struct {
	Provider string
	State    string
	Nonce    string
	Verifier string
	Started  time.Time
}

// Options configure the Service.
type Options struct {
	Providers   []config.Provider
	BaseURL     string
	IdleTimeout time.Duration
	Lifetime    time.Duration
	HTTPClient  *http.Client
	Now         func() time.Time
	Logger      *slog.Logger
}

// Service is the relying party and session guard.
type Service struct {
	opts     Options
	store    Store
	sessions *scs.SessionManager

	mu     sync.Mutex
	remote map[string]*remote
}

type remote struct {
	oauth    oauth2.Config
	verifier *oidc.IDTokenVerifier
}

// New returns a Service.
func New(o Options, store Store, sessions *scs.SessionManager) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	return &Service{opts: o, store: store, sessions: sessions, remote: map[string]*remote{}}
}

// Providers returns the configured identity providers.
func (s *Service) Providers() []config.Provider { return s.opts.Providers }

// Sessions returns the session manager.
func (s *Service) Sessions() *scs.SessionManager { return s.sessions }

func (s *Service) provider(name string) (config.Provider, bool) {
	for _, p := range s.opts.Providers {
		if p.Name == name {
			return p, true
		}
	}
	return config.Provider{}, false
}

func (s *Service) clientContext(ctx context.Context) context.Context {
	ctx = oidc.ClientContext(ctx, s.opts.HTTPClient)
	return context.WithValue(ctx, oauth2.HTTPClient, s.opts.HTTPClient)
}

// discover returns the provider's endpoints and verifier, fetching discovery once it succeeds.
func (s *Service) discover(ctx context.Context, p config.Provider) (*remote, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.remote[p.Name]; ok {
		return r, nil
	}
	op, err := oidc.NewProvider(s.clientContext(ctx), p.Issuer)
	if err != nil {
		return nil, fmt.Errorf("discover %s: %w", p.Issuer, err)
	}
	r := &remote{
		oauth: oauth2.Config{
			ClientID: p.ClientID, ClientSecret: p.ClientSecret, Endpoint: op.Endpoint(),
			RedirectURL: s.callbackURL(p.Name), Scopes: []string{oidc.ScopeOpenID, "profile", "email"},
		},
		verifier: op.Verifier(&oidc.Config{ClientID: p.ClientID, Now: s.opts.Now}),
	}
	s.remote[p.Name] = r
	return r, nil
}

func (s *Service) callbackURL(provider string) string {
	return strings.TrimSuffix(s.opts.BaseURL, "/") + "/auth/callback/" + provider
}

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// BeginLogin starts the authorization code flow with the named provider and returns the
// authorization URL to redirect the browser to. loginHint is passed on to the provider.
func (s *Service) BeginLogin(ctx context.Context, providerName, loginHint string) (string, error) {
	p, ok := s.provider(providerName)
	if !ok {
		return "", apperr.Errorf(apperr.ENOTFOUND, "There is no identity provider called %q.", providerName)
	}
	r, err := s.discover(ctx, p)
	if err != nil {
		return "", &apperr.Error{Code: apperr.EINTERNAL, Message: "The identity provider cannot be reached.", Err: err}
	}
	pd := pending{Provider: p.Name, State: randomToken(), Nonce: randomToken(), Verifier: oauth2.GenerateVerifier(), Started: s.opts.Now()}
	b, err := json.Marshal(pd)
	if err != nil {
		return "", fmt.Errorf("encode pending sign-in: %w", err)
	}
	s.sessions.Put(ctx, keyPending, string(b))
	opts := []oauth2.AuthCodeOption{oidc.Nonce(pd.Nonce), oauth2.S256ChallengeOption(pd.Verifier)}
	if loginHint != "" {
		opts = append(opts, oauth2.SetAuthURLParam("login_hint", loginHint))
	}
	return r.oauth.AuthCodeURL(pd.State, opts...), nil
}

// ErrSignIn is the refusal every failed sign-in returns; the reason goes to the log and audit trail only.
var ErrSignIn = &apperr.Error{Code: apperr.EUNAUTHENTICATED,
	Message: "Sign-in was refused. Your identity provider account is not registered for this portal, or the sign-in request was not valid. Start again, or contact your agency administrator."}

// FinishLogin completes the flow at the callback: it checks state, exchanges the code with the
// PKCE verifier, verifies the ID token and nonce, maps (issuer, subject) to an active user whose
// agency the issuer may sign in for, and renews the session token.
func (s *Service) FinishLogin(ctx context.Context, providerName string, q map[string][]string) (*user.Principal, error) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	var pd pending // popped: one use only, so a replayed state finds nothing
	_ = json.Unmarshal([]byte(s.sessions.PopString(ctx, keyPending)), &pd)
	fail := func(reason string, details map[string]any) error {
		if details == nil {
			details = map[string]any{}
		}
		details["reason"] = reason
		details["provider"] = providerName
		s.opts.Logger.WarnContext(ctx, "sign-in refused", "reason", reason, "provider", providerName)
		if err := s.store.RecordEvent(ctx, audit.New(ctx, "auth.login", "session", "", audit.Failure, details)); err != nil {
			return err
		}
		return ErrSignIn
	}
	if e := get("error"); e != "" {
		return nil, fail("provider returned an error", map[string]any{"error": e})
	}
	if pd.State == "" {
		return nil, fail("no sign-in in progress in this session", nil)
	}
	if subtle.ConstantTimeCompare([]byte(pd.State), []byte(get("state"))) != 1 {
		return nil, fail("state mismatch", nil)
	}
	if pd.Provider != providerName {
		return nil, fail("callback for a different provider", nil)
	}
	if s.opts.Now().Sub(pd.Started) > 10*time.Minute {
		return nil, fail("sign-in took longer than 10 minutes", nil)
	}
	p, _ := s.provider(providerName)
	r, err := s.discover(ctx, p)
	if err != nil {
		return nil, fail("discovery failed", map[string]any{"error": err.Error()})
	}
	tok, err := r.oauth.Exchange(s.clientContext(ctx), get("code"), oauth2.VerifierOption(pd.Verifier))
	if err != nil {
		return nil, fail("code exchange failed", map[string]any{"error": err.Error()})
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return nil, fail("no id_token in token response", nil)
	}
	idt, err := r.verifier.Verify(s.clientContext(ctx), raw)
	if err != nil {
		return nil, fail("id_token verification failed", map[string]any{"error": err.Error()})
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(pd.Nonce)) != 1 {
		return nil, fail("nonce mismatch", nil)
	}
	u, err := s.store.FindUserByIdentity(ctx, idt.Issuer, idt.Subject)
	if apperr.Code(err) == apperr.ENOTFOUND {
		return nil, fail("unknown subject", map[string]any{"issuer": idt.Issuer, "subject": idt.Subject})
	} else if err != nil {
		return nil, err
	}
	// From here the refused user is known: the audit row names them, so their agency's administrators
	// see attempts against their users.
	m := audit.MetaFrom(ctx)
	m.ActorUserID, m.ActorAgencyID = u.ID, u.AgencyID
	ctx = audit.WithMeta(ctx, m)
	if !u.Active {
		return nil, fail("user is deactivated", map[string]any{"user_id": u.ID})
	}
	if !p.MayAuthenticate(u.AgencyCode) {
		return nil, fail("issuer may not sign in users of this agency", map[string]any{"user_id": u.ID, "agency": u.AgencyCode})
	}
	pr, err := s.store.FindPrincipal(ctx, u.ID)
	if err != nil {
		return nil, fail("user could not be loaded", map[string]any{"user_id": u.ID})
	}
	// Nothing from before sign-in (another user's notice acknowledgement, say) carries over.
	s.sessions.Remove(ctx, keyNoticeAck)
	s.sessions.Remove(ctx, keyFlash)
	if err := s.sessions.RenewToken(ctx); err != nil {
		return nil, fmt.Errorf("renew session token: %w", err)
	}
	now := s.opts.Now()
	s.sessions.Put(ctx, keyUserID, u.ID)
	s.sessions.Put(ctx, keyIdentity, idt.Issuer+" "+idt.Subject)
	s.sessions.Put(ctx, keyAuthAt, now.Unix())
	s.sessions.Put(ctx, keyLastSeen, now.Unix())
	ctx = audit.WithMeta(ctx, withActor(audit.MetaFrom(ctx), pr))
	if err := s.store.RecordEvent(ctx, audit.New(ctx, "auth.login", "session", "", audit.Success,
		map[string]any{"provider": providerName, "issuer": idt.Issuer})); err != nil {
		return nil, err
	}
	return pr, nil
}

func withActor(m audit.Meta, p *user.Principal) audit.Meta {
	m.ActorUserID, m.ActorAgencyID = p.UserID, p.AgencyID
	return m
}

// Logout ends the server-side session.
func (s *Service) Logout(ctx context.Context) error {
	if err := s.store.RecordEvent(ctx, audit.New(ctx, "auth.logout", "session", "", audit.Success, nil)); err != nil {
		return err
	}
	return s.sessions.Destroy(ctx)
}

// ErrExpired says the session passed its idle or absolute limit.
var ErrExpired = errors.New("session expired")

// Principal returns the signed-in principal of the session in ctx, or nil when nobody is signed in.
// It enforces the idle and absolute limits with the injected clock and drops the session of a
// user who was deactivated, returning ErrExpired when it ends a session.
func (s *Service) Principal(ctx context.Context) (*user.Principal, error) {
	id := s.sessions.GetInt64(ctx, keyUserID)
	if id == 0 {
		return nil, nil
	}
	now := s.opts.Now()
	authAt := time.Unix(s.sessions.GetInt64(ctx, keyAuthAt), 0)
	lastSeen := time.Unix(s.sessions.GetInt64(ctx, keyLastSeen), 0)
	reason := ""
	switch {
	case now.Sub(authAt) >= s.opts.Lifetime:
		reason = "absolute lifetime reached"
	case now.Sub(lastSeen) >= s.opts.IdleTimeout:
		reason = "idle timeout"
	}
	var p *user.Principal
	if reason == "" {
		var err error
		p, err = s.store.FindPrincipal(ctx, id)
		switch {
		case apperr.Code(err) == apperr.ENOTFOUND:
			reason = "user deactivated"
		case err != nil:
			return nil, err
		case s.sessions.GetString(ctx, keyIdentity) != p.Issuer+" "+p.Subject:
			reason = "sign-in identity changed"
		}
	}
	if reason != "" {
		ev := audit.New(ctx, "auth.session_end", "session", "", audit.Success, map[string]any{"reason": reason, "user_id": id})
		ev.ActorUserID = id
		if err := s.store.RecordEvent(ctx, ev); err != nil {
			return nil, err
		}
		if err := s.sessions.Destroy(ctx); err != nil {
			return nil, err
		}
		return nil, ErrExpired
	}
	if now.Sub(lastSeen) >= time.Minute {
		s.sessions.Put(ctx, keyLastSeen, now.Unix())
	}
	return p, nil
}

// NoticeAcknowledged reports whether the system-use notice was acknowledged in this session.
func (s *Service) NoticeAcknowledged(ctx context.Context) bool {
	return s.sessions.GetBool(ctx, keyNoticeAck)
}

// AcknowledgeNotice records the acknowledgement of the system-use notice in the session and audit trail.
func (s *Service) AcknowledgeNotice(ctx context.Context) error {
	s.sessions.Put(ctx, keyNoticeAck, true)
	return s.store.RecordEvent(ctx, audit.New(ctx, "auth.notice_ack", "session", "", audit.Success, nil))
}

// Flash stores a one-time message shown on the next page.
func (s *Service) Flash(ctx context.Context, msg string) { s.sessions.Put(ctx, keyFlash, msg) }

// PopFlash returns and clears the one-time message.
func (s *Service) PopFlash(ctx context.Context) string { return s.sessions.PopString(ctx, keyFlash) }

// Package config reads the portal's configuration from the environment. The Config is built once
// in main and passed down; nothing reads the environment anywhere else.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"tearline/internal/audit"
	"tearline/internal/workflow"
)

// DemoProviderName names the built-in identity provider of demo mode.
const DemoProviderName = "demo"

// DemoIssuerPath is where the built-in identity provider is mounted.
const DemoIssuerPath = "/demo-idp"

// AppRole is the database role the server runs as: it owns nothing and cannot bypass RLS.
const AppRole = "tearline_app"

// Provider is one OpenID Connect issuer the portal trusts, and the agencies it may sign users in for.
type Provider struct {
	Name         string
	Label        string
	Issuer       string
	ClientID     string
	ClientSecret string
	Agencies     []string // agency codes; "*" means any agency
}

// MayAuthenticate reports whether the provider may sign in a user of the agency with this code.
func (p Provider) MayAuthenticate(agencyCode string) bool {
	for _, a := range p.Agencies {
		if a == "*" || a == agencyCode {
			return true
		}
	}
	return false
}

// Config is the whole configuration.
type Config struct {
	DatabaseURL        string // owner role: migrations, seeding, database creation
	AppDatabaseURL     string // application role used by the server
	ListenAddr         string
	MetricsAddr        string // separate listener for /metrics; "off" disables it
	BaseURL            *url.URL
	Demo               bool
	Providers          []Provider
	SessionSecret      string
	SessionIdleTimeout time.Duration
	SessionLifetime    time.Duration
	LogLevel           slog.Level
	MaxAttachmentBytes int64
	SteeringQuorum     workflow.QuorumRule
	// AuditRetention is how long audit events are kept (at least a year); serve expires older ones.
	AuditRetention audit.Retention
	// AuditAnchorFile, when set, receives a JSON line with every chain's head hash each AuditAnchorInterval.
	AuditAnchorFile     string
	AuditAnchorInterval time.Duration
	// SMTP delivers notification e-mail; without an address, demo mode keeps e-mail in an outbox
	// page and production sends none (notifications stay in the portal).
	SMTP SMTP
	// RateLimits are the abuse budgets of sign-in, search and export.
	RateLimits RateLimits
	// StatementTimeout cancels any one SQL statement of the server that runs longer (0: none).
	StatementTimeout time.Duration
}

// Rate is a request budget: at most Requests per Window and key (user, or client address before
// sign-in). The zero Rate means no limit.
type Rate struct {
	Requests int
	Window   time.Duration
}

// Off reports whether the rate sets no limit.
func (r Rate) Off() bool { return r.Requests == 0 }

// RateLimits are the per-key budgets of the routes attackers automate.
type RateLimits struct {
	SignIn Rate // /auth/login and the provider callbacks, per client address
	Search Rate // /search, per user
	Export Rate // the audit CSV export and attachment downloads, per user
}

// SMTP is the relay notification e-mail goes through.
type SMTP struct {
	Addr, From, Username, Password string
}

// Secure reports whether the portal is served over https.
func (c *Config) Secure() bool { return c.BaseURL.Scheme == "https" }

// DemoIssuer returns the issuer URL of the built-in identity provider.
func (c *Config) DemoIssuer() string {
	return strings.TrimSuffix(c.BaseURL.String(), "/") + DemoIssuerPath
}

// Error names the variable that is wrong and why.
type Error struct {
	Var    string
	Reason string
}

func (e *Error) Error() string { return fmt.Sprintf("configuration: %s %s", e.Var, e.Reason) }

var providerNameRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

// Load reads and validates the configuration from getenv.
func Load(getenv func(string) string) (*Config, error) {
	env := func(k, def string) string {
		if v := strings.TrimSpace(getenv(k)); v != "" {
			return v
		}
		return def
	}
	c := &Config{
		DatabaseURL: env("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tearline?sslmode=disable"),
		ListenAddr:  env("TEARLINE_LISTEN_ADDR", ":8080"),
		MetricsAddr: env("TEARLINE_METRICS_ADDR", "127.0.0.1:9464"),
	}
	if _, err := pgx.ParseConfig(c.DatabaseURL); err != nil {
		return nil, &Error{"DATABASE_URL", "is not a valid PostgreSQL URL"}
	}
	app, err := appDatabaseURL(c.DatabaseURL, getenv("TEARLINE_APP_DATABASE_URL"), getenv("TEARLINE_APP_DB_PASSWORD"))
	if err != nil {
		return nil, err
	}
	c.AppDatabaseURL = app

	base, err := url.Parse(env("TEARLINE_BASE_URL", "http://localhost:8080"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" || (base.Path != "" && base.Path != "/") ||
		base.RawQuery != "" || base.ForceQuery || base.Fragment != "" || base.User != nil {
		return nil, &Error{"TEARLINE_BASE_URL", "must be an absolute http(s) URL without a path, query or credentials, e.g. https://tearline.example.gov"}
	}
	base.Path = ""
	c.BaseURL = base

	if c.SessionIdleTimeout, err = duration(env("TEARLINE_SESSION_IDLE_TIMEOUT", "30m"), "TEARLINE_SESSION_IDLE_TIMEOUT"); err != nil {
		return nil, err
	}
	if c.SessionLifetime, err = duration(env("TEARLINE_SESSION_LIFETIME", "12h"), "TEARLINE_SESSION_LIFETIME"); err != nil {
		return nil, err
	}
	if c.SessionIdleTimeout > 30*time.Minute {
		return nil, &Error{"TEARLINE_SESSION_IDLE_TIMEOUT", "must not exceed 30m (CJIS 5.5.5 session lock)"}
	}
	if c.SessionLifetime < c.SessionIdleTimeout {
		return nil, &Error{"TEARLINE_SESSION_LIFETIME", "must be at least the idle timeout"}
	}
	mb, err := strconv.Atoi(env("TEARLINE_MAX_ATTACHMENT_MB", "25"))
	if err != nil || mb < 1 || mb > 1024 {
		return nil, &Error{"TEARLINE_MAX_ATTACHMENT_MB", "must be a whole number of megabytes between 1 and 1024"}
	}
	c.MaxAttachmentBytes = int64(mb) << 20
	if c.SteeringQuorum, err = workflow.ParseQuorum(env("TEARLINE_STEERING_QUORUM", "majority")); err != nil {
		return nil, &Error{"TEARLINE_STEERING_QUORUM", "must be majority, two-thirds or all"}
	}
	if c.AuditRetention, err = audit.ParseRetention(env("TEARLINE_AUDIT_RETENTION", "1y")); err != nil {
		return nil, &Error{"TEARLINE_AUDIT_RETENTION", err.Error()}
	}
	c.AuditAnchorFile = strings.TrimSpace(getenv("TEARLINE_AUDIT_ANCHOR_FILE"))
	if c.AuditAnchorInterval, err = duration(env("TEARLINE_AUDIT_ANCHOR_INTERVAL", "1h"), "TEARLINE_AUDIT_ANCHOR_INTERVAL"); err != nil {
		return nil, err
	}
	c.SMTP = SMTP{Addr: strings.TrimSpace(getenv("TEARLINE_SMTP_ADDR")), From: strings.TrimSpace(getenv("TEARLINE_SMTP_FROM")),
		Username: getenv("TEARLINE_SMTP_USERNAME"), Password: getenv("TEARLINE_SMTP_PASSWORD")}
	if c.SMTP.Addr != "" {
		if _, port, err := net.SplitHostPort(c.SMTP.Addr); err != nil || port == "" {
			return nil, &Error{"TEARLINE_SMTP_ADDR", "must be host:port, e.g. smtp.example.gov:587"}
		}
		if !strings.Contains(c.SMTP.From, "@") || strings.ContainsAny(c.SMTP.From, "\r\n") {
			return nil, &Error{"TEARLINE_SMTP_FROM", "must be the sender address, e.g. tearline@example.gov, when TEARLINE_SMTP_ADDR is set"}
		}
	}
	if err := c.abuseLimits(env); err != nil {
		return nil, err
	}
	if err := c.LogLevel.UnmarshalText([]byte(env("TEARLINE_LOG_LEVEL", "info"))); err != nil {
		return nil, &Error{"TEARLINE_LOG_LEVEL", "must be debug, info, warn or error"}
	}

	if c.Providers, err = providers(getenv); err != nil {
		return nil, err
	}
	switch strings.ToLower(env("TEARLINE_DEMO", "auto")) {
	case "auto":
		c.Demo = len(c.Providers) == 0
		if c.Demo && c.Secure() {
			return nil, &Error{"TEARLINE_OIDC_PROVIDERS", "must name an OpenID Connect provider for an https deployment (or set TEARLINE_DEMO=true to run the demo there on purpose)"}
		}
	case "true", "1", "yes":
		c.Demo = true
		if len(c.Providers) > 0 {
			return nil, &Error{"TEARLINE_DEMO", "cannot be true while real OpenID Connect providers are configured: the demo provider signs in anyone for every agency"}
		}
	case "false", "0", "no":
		if len(c.Providers) == 0 {
			return nil, &Error{"TEARLINE_OIDC_PROVIDERS", "must name at least one OpenID Connect provider when TEARLINE_DEMO=false"}
		}
	default:
		return nil, &Error{"TEARLINE_DEMO", "must be true, false or auto"}
	}

	c.SessionSecret = getenv("TEARLINE_SESSION_SECRET")
	if c.SessionSecret == "" && c.Demo && !c.Secure() {
		c.SessionSecret = "demo-mode-session-secret-not-for-production-use"
	}
	if len(c.SessionSecret) < 32 {
		return nil, &Error{"TEARLINE_SESSION_SECRET", "must be set to at least 32 random characters"}
	}
	if !c.Demo && !c.Secure() && !loopback(c.BaseURL.Hostname()) {
		return nil, &Error{"TEARLINE_BASE_URL", "must use https outside demo mode (http is accepted only on localhost)"}
	}
	if c.Demo {
		c.Providers = append(c.Providers, Provider{
			Name: DemoProviderName, Label: "Demo identity provider", Issuer: c.DemoIssuer(),
			ClientID: "tearline-portal", ClientSecret: c.SessionSecret, Agencies: []string{"*"},
		})
	}
	return c, nil
}

// abuseLimits reads the rate limits and the statement timeout.
func (c *Config) abuseLimits(env func(k, def string) string) error {
	var err error
	for _, l := range []struct {
		name, def string
		r         *Rate
	}{
		{"TEARLINE_RATE_LIMIT_SIGNIN", "300/1m", &c.RateLimits.SignIn},
		{"TEARLINE_RATE_LIMIT_SEARCH", "120/1m", &c.RateLimits.Search},
		{"TEARLINE_RATE_LIMIT_EXPORT", "120/1m", &c.RateLimits.Export},
	} {
		if *l.r, err = ParseRate(env(l.name, l.def)); err != nil {
			return &Error{l.name, err.Error()}
		}
	}
	v := env("TEARLINE_DB_STATEMENT_TIMEOUT", "5s")
	if strings.EqualFold(v, "off") {
		return nil
	}
	if c.StatementTimeout, err = time.ParseDuration(v); err != nil || c.StatementTimeout < 100*time.Millisecond || c.StatementTimeout > time.Hour {
		return &Error{"TEARLINE_DB_STATEMENT_TIMEOUT", "must be a duration between 100ms and 1h, such as 5s, or off"}
	}
	return nil
}

// ParseRate reads a budget written "<requests>/<window>", e.g. "60/1m", or "off" for no limit.
func ParseRate(v string) (Rate, error) {
	if strings.EqualFold(strings.TrimSpace(v), "off") {
		return Rate{}, nil
	}
	n, w, ok := strings.Cut(strings.TrimSpace(v), "/")
	req, err := strconv.Atoi(n)
	if !ok || err != nil || req < 1 || req > 1_000_000 {
		return Rate{}, errors.New(`must be "<requests>/<window>" with at least one request, such as 60/1m, or off`)
	}
	win, err := time.ParseDuration(w)
	if err != nil || win < time.Second || win > 24*time.Hour {
		return Rate{}, errors.New(`must be "<requests>/<window>" with a window between 1s and 24h, such as 60/1m, or off`)
	}
	return Rate{Requests: req, Window: win}, nil
}

func duration(v, name string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err != nil || d < time.Minute {
		return 0, &Error{name, "must be a duration of at least 1m, such as 30m or 12h"}
	}
	return d, nil
}

func appDatabaseURL(owner, explicit, password string) (string, error) {
	if explicit != "" {
		if _, err := pgx.ParseConfig(explicit); err != nil {
			return "", &Error{"TEARLINE_APP_DATABASE_URL", "is not a valid PostgreSQL URL"}
		}
		return explicit, nil
	}
	u, err := url.Parse(owner)
	if err != nil || u.Scheme == "" {
		return "", &Error{"DATABASE_URL", "must be a postgres:// URL so the application role's URL can be derived (or set TEARLINE_APP_DATABASE_URL)"}
	}
	if password != "" {
		u.User = url.UserPassword(AppRole, password)
	} else {
		u.User = url.User(AppRole)
	}
	return u.String(), nil
}

func providers(getenv func(string) string) ([]Provider, error) {
	list := strings.TrimSpace(getenv("TEARLINE_OIDC_PROVIDERS"))
	if list == "" {
		return nil, nil
	}
	var out []Provider
	seen := map[string]bool{}
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if !providerNameRE.MatchString(name) || name == DemoProviderName {
			return nil, &Error{"TEARLINE_OIDC_PROVIDERS", fmt.Sprintf("has an invalid provider name %q (lower-case letters, digits, _; not %q)", name, DemoProviderName)}
		}
		if seen[name] {
			return nil, &Error{"TEARLINE_OIDC_PROVIDERS", fmt.Sprintf("names provider %q twice", name)}
		}
		seen[name] = true
		prefix := "TEARLINE_OIDC_" + strings.ToUpper(name) + "_"
		p := Provider{
			Name:         name,
			Label:        strings.TrimSpace(getenv(prefix + "LABEL")),
			Issuer:       strings.TrimSpace(getenv(prefix + "ISSUER")),
			ClientID:     strings.TrimSpace(getenv(prefix + "CLIENT_ID")),
			ClientSecret: getenv(prefix + "CLIENT_SECRET"),
		}
		if p.Label == "" {
			p.Label = name
		}
		if u, err := url.Parse(p.Issuer); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, &Error{prefix + "ISSUER", "must be the issuer's absolute URL"}
		}
		if p.ClientID == "" {
			return nil, &Error{prefix + "CLIENT_ID", "must be set"}
		}
		if p.ClientSecret == "" {
			return nil, &Error{prefix + "CLIENT_SECRET", "must be set"}
		}
		for _, a := range strings.Split(getenv(prefix+"AGENCIES"), ",") {
			if a = strings.ToUpper(strings.TrimSpace(a)); a != "" {
				p.Agencies = append(p.Agencies, a)
			}
		}
		if len(p.Agencies) == 0 {
			return nil, &Error{prefix + "AGENCIES", "must list the agency codes this issuer may sign users in for (or *)"}
		}
		out = append(out, p)
	}
	return out, nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

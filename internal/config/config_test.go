package config_test

import (
	"errors"
	"log/slog"
	"slices"
	"testing"
	"time"

	"tearline/internal/config"
)

const goodSecret = "0123456789abcdef0123456789abcdef" // exactly 32 characters

// envOf returns a getenv over m.
func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// production returns a valid non-demo environment with one provider, ice.
func production() map[string]string {
	return map[string]string{
		"TEARLINE_BASE_URL":               "https://tearline.example.gov",
		"TEARLINE_SESSION_SECRET":         goodSecret,
		"TEARLINE_OIDC_PROVIDERS":         "ice",
		"TEARLINE_OIDC_ICE_ISSUER":        "https://login.ice.example.gov",
		"TEARLINE_OIDC_ICE_CLIENT_ID":     "tearline",
		"TEARLINE_OIDC_ICE_CLIENT_SECRET": "s3cret",
		"TEARLINE_OIDC_ICE_AGENCIES":      "ice",
	}
}

func with(base map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range base {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

func TestLoadDefaults(t *testing.T) {
	c, err := config.Load(envOf(nil))
	if err != nil {
		t.Fatalf("Load with an empty environment: %v", err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"Demo", c.Demo, true},
		{"ListenAddr", c.ListenAddr, ":8080"},
		{"SessionIdleTimeout", c.SessionIdleTimeout, 30 * time.Minute},
		{"SessionLifetime", c.SessionLifetime, 12 * time.Hour},
		{"DatabaseURL", c.DatabaseURL, "postgres://postgres@127.0.0.1:5432/tearline?sslmode=disable"},
		{"AppDatabaseURL", c.AppDatabaseURL, "postgres://tearline_app@127.0.0.1:5432/tearline?sslmode=disable"},
		{"BaseURL", c.BaseURL.String(), "http://localhost:8080"},
		{"LogLevel", c.LogLevel, slog.LevelInfo},
		{"Secure", c.Secure(), false},
		{"providers", len(c.Providers), 1},
	}
	for _, ch := range checks {
		t.Run(ch.name, func(t *testing.T) {
			if ch.got != ch.want {
				t.Errorf("%s = %v, want %v", ch.name, ch.got, ch.want)
			}
		})
	}
	if len(c.SessionSecret) < 32 {
		t.Errorf("demo session secret has %d characters, want at least 32", len(c.SessionSecret))
	}
}

func TestLoadAppDatabaseURL(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"derived with password", map[string]string{
			"DATABASE_URL":             "postgres://owner:pw@db.example:5433/tl?sslmode=require",
			"TEARLINE_APP_DB_PASSWORD": "apppw",
		}, "postgres://tearline_app:apppw@db.example:5433/tl?sslmode=require"},
		{"derived without password", map[string]string{
			"DATABASE_URL": "postgres://owner:pw@db.example/tl",
		}, "postgres://tearline_app@db.example/tl"},
		{"explicit", map[string]string{
			"TEARLINE_APP_DATABASE_URL": "postgres://someone@elsewhere/x",
		}, "postgres://someone@elsewhere/x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := config.Load(envOf(tt.env))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if c.AppDatabaseURL != tt.want {
				t.Errorf("AppDatabaseURL = %q, want %q", c.AppDatabaseURL, tt.want)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		wantVar string
	}{
		{"relative base URL", map[string]string{"TEARLINE_BASE_URL": "tearline.example.gov"}, "TEARLINE_BASE_URL"},
		{"base URL with a path", map[string]string{"TEARLINE_BASE_URL": "https://tearline.example.gov/portal"}, "TEARLINE_BASE_URL"},
		{"ftp base URL", map[string]string{"TEARLINE_BASE_URL": "ftp://tearline.example.gov"}, "TEARLINE_BASE_URL"},
		{"base URL with a query", map[string]string{"TEARLINE_BASE_URL": "https://tearline.example.gov?x=1"}, "TEARLINE_BASE_URL"},
		{"base URL with an empty query", map[string]string{"TEARLINE_BASE_URL": "https://tearline.example.gov?"}, "TEARLINE_BASE_URL"},
		{"base URL with a fragment", map[string]string{"TEARLINE_BASE_URL": "https://tearline.example.gov#top"}, "TEARLINE_BASE_URL"},
		{"base URL with user info", map[string]string{"TEARLINE_BASE_URL": "https://me:pw@tearline.example.gov"}, "TEARLINE_BASE_URL"},
		{"idle timeout over 30m", map[string]string{"TEARLINE_SESSION_IDLE_TIMEOUT": "31m"}, "TEARLINE_SESSION_IDLE_TIMEOUT"},
		{"idle timeout under 1m", map[string]string{"TEARLINE_SESSION_IDLE_TIMEOUT": "30s"}, "TEARLINE_SESSION_IDLE_TIMEOUT"},
		{"lifetime under idle", map[string]string{"TEARLINE_SESSION_IDLE_TIMEOUT": "20m", "TEARLINE_SESSION_LIFETIME": "10m"}, "TEARLINE_SESSION_LIFETIME"},
		{"bad idle duration", map[string]string{"TEARLINE_SESSION_IDLE_TIMEOUT": "half an hour"}, "TEARLINE_SESSION_IDLE_TIMEOUT"},
		{"bad lifetime duration", map[string]string{"TEARLINE_SESSION_LIFETIME": "12"}, "TEARLINE_SESSION_LIFETIME"},
		{"bad log level", map[string]string{"TEARLINE_LOG_LEVEL": "loud"}, "TEARLINE_LOG_LEVEL"},
		{"bad demo flag", map[string]string{"TEARLINE_DEMO": "maybe"}, "TEARLINE_DEMO"},
		{"bad database URL", map[string]string{"DATABASE_URL": "postgres://%zz"}, "DATABASE_URL"},
		{"keyword database URL cannot derive app URL", map[string]string{"DATABASE_URL": "host=localhost dbname=tl"}, "DATABASE_URL"},
		{"bad app database URL", map[string]string{"TEARLINE_APP_DATABASE_URL": "postgres://%zz"}, "TEARLINE_APP_DATABASE_URL"},
		{"demo off without providers", map[string]string{"TEARLINE_DEMO": "false"}, "TEARLINE_OIDC_PROVIDERS"},
		{"non-demo without session secret", with(production(), "TEARLINE_SESSION_SECRET", ""), "TEARLINE_SESSION_SECRET"},
		{"non-demo with short session secret", with(production(), "TEARLINE_SESSION_SECRET", goodSecret[:31]), "TEARLINE_SESSION_SECRET"},
		{"demo with short session secret", map[string]string{"TEARLINE_SESSION_SECRET": "short"}, "TEARLINE_SESSION_SECRET"},
		{"non-demo over http", with(production(), "TEARLINE_BASE_URL", "http://tearline.example.gov"), "TEARLINE_BASE_URL"},
		{"unknown steering quorum", map[string]string{"TEARLINE_STEERING_QUORUM": "most"}, "TEARLINE_STEERING_QUORUM"},
		{"demo forced on beside a real provider", with(production(), "TEARLINE_DEMO", "true"), "TEARLINE_DEMO"},
		{"demo by default on an https URL", map[string]string{"TEARLINE_BASE_URL": "https://tearline.example.gov"}, "TEARLINE_OIDC_PROVIDERS"},
		{"demo over https without a real secret", map[string]string{"TEARLINE_BASE_URL": "https://demo.example.gov", "TEARLINE_DEMO": "true"}, "TEARLINE_SESSION_SECRET"},
		{"provider without issuer", with(production(), "TEARLINE_OIDC_ICE_ISSUER", ""), "TEARLINE_OIDC_ICE_ISSUER"},
		{"provider with relative issuer", with(production(), "TEARLINE_OIDC_ICE_ISSUER", "login.ice.example.gov"), "TEARLINE_OIDC_ICE_ISSUER"},
		{"provider without client id", with(production(), "TEARLINE_OIDC_ICE_CLIENT_ID", ""), "TEARLINE_OIDC_ICE_CLIENT_ID"},
		{"provider without client secret", with(production(), "TEARLINE_OIDC_ICE_CLIENT_SECRET", ""), "TEARLINE_OIDC_ICE_CLIENT_SECRET"},
		{"provider without agencies", with(production(), "TEARLINE_OIDC_ICE_AGENCIES", " , "), "TEARLINE_OIDC_ICE_AGENCIES"},
		{"upper-case provider name", with(production(), "TEARLINE_OIDC_PROVIDERS", "ICE"), "TEARLINE_OIDC_PROVIDERS"},
		{"provider name with a dash", with(production(), "TEARLINE_OIDC_PROVIDERS", "ice-hsi"), "TEARLINE_OIDC_PROVIDERS"},
		{"provider name starting with a digit", with(production(), "TEARLINE_OIDC_PROVIDERS", "1ice"), "TEARLINE_OIDC_PROVIDERS"},
		{"empty provider name in list", with(production(), "TEARLINE_OIDC_PROVIDERS", "ice,"), "TEARLINE_OIDC_PROVIDERS"},
		{"reserved provider name demo", with(production(), "TEARLINE_OIDC_PROVIDERS", "demo"), "TEARLINE_OIDC_PROVIDERS"},
		{"provider named twice", with(production(), "TEARLINE_OIDC_PROVIDERS", "ice,ice"), "TEARLINE_OIDC_PROVIDERS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := config.Load(envOf(tt.env))
			if err == nil {
				t.Fatalf("Load succeeded (%+v), want an error naming %s", c, tt.wantVar)
			}
			var ce *config.Error
			if !errors.As(err, &ce) {
				t.Fatalf("error %v (%T) is not a *config.Error", err, err)
			}
			if ce.Var != tt.wantVar {
				t.Errorf("error names %s (%v), want %s", ce.Var, err, tt.wantVar)
			}
			if ce.Reason == "" {
				t.Errorf("error for %s has no reason", ce.Var)
			}
		})
	}
}

func TestLoadProduction(t *testing.T) {
	env := with(production(),
		"TEARLINE_OIDC_PROVIDERS", " ice , europol_sso ",
		"TEARLINE_OIDC_ICE_AGENCIES", " ice, cbp ,,uscg",
		"TEARLINE_OIDC_EUROPOL_SSO_LABEL", "Europol SSO",
		"TEARLINE_OIDC_EUROPOL_SSO_ISSUER", "https://sso.europol.example.eu/realms/x",
		"TEARLINE_OIDC_EUROPOL_SSO_CLIENT_ID", "tl",
		"TEARLINE_OIDC_EUROPOL_SSO_CLIENT_SECRET", "x",
		"TEARLINE_OIDC_EUROPOL_SSO_AGENCIES", "*",
		"TEARLINE_BASE_URL", "https://tearline.example.gov/",
		"TEARLINE_LOG_LEVEL", "debug",
		"TEARLINE_LISTEN_ADDR", "127.0.0.1:9000",
	)
	c, err := config.Load(envOf(env))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if c.Demo {
		t.Error("Demo = true with providers configured and TEARLINE_DEMO unset")
	}
	if !c.Secure() {
		t.Error("Secure() = false for an https base URL")
	}
	if got := c.BaseURL.String(); got != "https://tearline.example.gov" {
		t.Errorf("BaseURL = %q, want the trailing slash dropped", got)
	}
	if c.LogLevel != slog.LevelDebug {
		t.Errorf("LogLevel = %v, want debug", c.LogLevel)
	}
	if c.ListenAddr != "127.0.0.1:9000" {
		t.Errorf("ListenAddr = %q", c.ListenAddr)
	}
	if c.SessionSecret != goodSecret {
		t.Errorf("SessionSecret = %q, want the configured one", c.SessionSecret)
	}
	if len(c.Providers) != 2 {
		t.Fatalf("got %d providers (%+v), want 2 and no demo provider", len(c.Providers), c.Providers)
	}
	want := []config.Provider{
		{Name: "ice", Label: "ice", Issuer: "https://login.ice.example.gov", ClientID: "tearline", ClientSecret: "s3cret", Agencies: []string{"ICE", "CBP", "USCG"}},
		{Name: "europol_sso", Label: "Europol SSO", Issuer: "https://sso.europol.example.eu/realms/x", ClientID: "tl", ClientSecret: "x", Agencies: []string{"*"}},
	}
	for i, w := range want {
		t.Run(w.Name, func(t *testing.T) {
			g := c.Providers[i]
			if g.Name != w.Name || g.Label != w.Label || g.Issuer != w.Issuer || g.ClientID != w.ClientID ||
				g.ClientSecret != w.ClientSecret || !slices.Equal(g.Agencies, w.Agencies) {
				t.Errorf("provider %d = %+v, want %+v", i, g, w)
			}
		})
	}
}

func TestLoadDemoProvider(t *testing.T) {
	tests := []struct {
		name       string
		env        map[string]string
		wantIssuer string
		wantCount  int
	}{
		{"default", nil, "http://localhost:8080/demo-idp", 1},
		{"trailing slash", map[string]string{"TEARLINE_BASE_URL": "http://127.0.0.1:9999/"}, "http://127.0.0.1:9999/demo-idp", 1},
		{"forced on over https with a real secret", map[string]string{"TEARLINE_DEMO": "true", "TEARLINE_BASE_URL": "https://demo.portal.test",
			"TEARLINE_SESSION_SECRET": "0123456789abcdef0123456789abcdef"}, "https://demo.portal.test/demo-idp", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := config.Load(envOf(tt.env))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if !c.Demo {
				t.Fatal("Demo = false")
			}
			if len(c.Providers) != tt.wantCount {
				t.Fatalf("got %d providers, want %d", len(c.Providers), tt.wantCount)
			}
			d := c.Providers[len(c.Providers)-1]
			if d.Name != config.DemoProviderName || d.Issuer != tt.wantIssuer || d.Issuer != c.DemoIssuer() {
				t.Errorf("last provider = %+v, want demo with issuer %s (DemoIssuer %s)", d, tt.wantIssuer, c.DemoIssuer())
			}
			if !slices.Equal(d.Agencies, []string{"*"}) {
				t.Errorf("demo provider agencies = %v, want [*]", d.Agencies)
			}
			if d.ClientID == "" || d.ClientSecret == "" {
				t.Errorf("demo provider has no client credentials: %+v", d)
			}
		})
	}
}

func TestProviderMayAuthenticate(t *testing.T) {
	wildcard := config.Provider{Agencies: []string{"*"}}
	some := config.Provider{Agencies: []string{"ICE", "CBP"}}
	none := config.Provider{}
	tests := []struct {
		name string
		p    config.Provider
		code string
		want bool
	}{
		{"wildcard ICE", wildcard, "ICE", true},
		{"wildcard EUROPOL", wildcard, "EUROPOL", true},
		{"explicit first", some, "ICE", true},
		{"explicit second", some, "CBP", true},
		{"explicit other", some, "FBI", false},
		{"explicit is case-sensitive", some, "ice", false},
		{"explicit empty code", some, "", false},
		{"no agencies", none, "ICE", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.p.MayAuthenticate(tt.code); got != tt.want {
				t.Errorf("MayAuthenticate(%q) with %v = %v, want %v", tt.code, tt.p.Agencies, got, tt.want)
			}
		})
	}
}

func TestSecure(t *testing.T) {
	tests := []struct {
		base string
		want bool
	}{
		{"https://tearline.example.gov", true},
		{"http://tearline.example.gov", false},
		{"http://localhost:8080", false},
	}
	for _, tt := range tests {
		t.Run(tt.base, func(t *testing.T) {
			c, err := config.Load(envOf(map[string]string{"TEARLINE_BASE_URL": tt.base, "TEARLINE_DEMO": "true",
				"TEARLINE_SESSION_SECRET": "0123456789abcdef0123456789abcdef"}))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if got := c.Secure(); got != tt.want {
				t.Errorf("Secure() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestErrorMessage(t *testing.T) {
	err := &config.Error{Var: "TEARLINE_X", Reason: "must be set"}
	if got, want := err.Error(), "configuration: TEARLINE_X must be set"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

package config_test

import (
	"errors"
	"testing"
	"time"

	"tearline/internal/config"
)

func TestRateLimitsAndStatementTimeout(t *testing.T) {
	c, err := config.Load(envOf(map[string]string{}))
	if err != nil {
		t.Fatal(err)
	}
	want := config.RateLimits{SignIn: config.Rate{Requests: 300, Window: time.Minute},
		Search: config.Rate{Requests: 120, Window: time.Minute}, Export: config.Rate{Requests: 120, Window: time.Minute}}
	if c.RateLimits != want || c.StatementTimeout != 5*time.Second {
		t.Errorf("defaults: %+v, %v", c.RateLimits, c.StatementTimeout)
	}
	c, err = config.Load(envOf(map[string]string{"TEARLINE_RATE_LIMIT_SEARCH": "off", "TEARLINE_RATE_LIMIT_EXPORT": "10/30s",
		"TEARLINE_RATE_LIMIT_SIGNIN": "5/1h", "TEARLINE_DB_STATEMENT_TIMEOUT": "off"}))
	if err != nil {
		t.Fatal(err)
	}
	if !c.RateLimits.Search.Off() || c.RateLimits.Export != (config.Rate{Requests: 10, Window: 30 * time.Second}) ||
		c.RateLimits.SignIn != (config.Rate{Requests: 5, Window: time.Hour}) || c.StatementTimeout != 0 {
		t.Errorf("set: %+v, %v", c.RateLimits, c.StatementTimeout)
	}
	for k, v := range map[string]string{
		"TEARLINE_RATE_LIMIT_SEARCH":    "60",
		"TEARLINE_RATE_LIMIT_EXPORT":    "0/1m",
		"TEARLINE_RATE_LIMIT_SIGNIN":    "10/10ms",
		"TEARLINE_DB_STATEMENT_TIMEOUT": "5",
	} {
		_, err := config.Load(envOf(map[string]string{k: v}))
		var ce *config.Error
		if !errors.As(err, &ce) || ce.Var != k {
			t.Errorf("%s=%s: %v, want an error naming the variable", k, v, err)
		}
	}
}

package config_test

import (
	"errors"
	"testing"
	"time"

	"tearline/internal/audit"
	"tearline/internal/config"
)

func TestLoadAuditSettings(t *testing.T) {
	c, err := config.Load(envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.AuditRetention != audit.DefaultRetention || c.AuditAnchorFile != "" || c.AuditAnchorInterval != time.Hour {
		t.Errorf("defaults: retention %v, anchor file %q every %v; want 1y, none, 1h", c.AuditRetention, c.AuditAnchorFile, c.AuditAnchorInterval)
	}
	c, err = config.Load(envOf(map[string]string{"TEARLINE_AUDIT_RETENTION": "7y", "TEARLINE_AUDIT_ANCHOR_FILE": "/var/lib/tearline/anchors.jsonl",
		"TEARLINE_AUDIT_ANCHOR_INTERVAL": "15m"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.AuditRetention != (audit.Retention{Years: 7}) || c.AuditAnchorFile != "/var/lib/tearline/anchors.jsonl" || c.AuditAnchorInterval != 15*time.Minute {
		t.Errorf("set: %+v %q %v", c.AuditRetention, c.AuditAnchorFile, c.AuditAnchorInterval)
	}
	for _, bad := range []string{"365d", "0y", "11m", "8760h", "forever", "-1y"} {
		_, err := config.Load(envOf(map[string]string{"TEARLINE_AUDIT_RETENTION": bad}))
		var ce *config.Error
		if !errors.As(err, &ce) || ce.Var != "TEARLINE_AUDIT_RETENTION" {
			t.Errorf("retention %q: err = %v, want a TEARLINE_AUDIT_RETENTION error", bad, err)
		}
	}
	if _, err := config.Load(envOf(map[string]string{"TEARLINE_AUDIT_ANCHOR_INTERVAL": "5s"})); err == nil {
		t.Errorf("an anchor interval under a minute was accepted")
	}
}

func TestRetentionCutoff(t *testing.T) {
	now := time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"1y":   time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
		"366d": time.Date(2026, 2, 28, 12, 0, 0, 0, time.UTC), // a day past the calendar year
		"7y":   time.Date(2020, 3, 1, 12, 0, 0, 0, time.UTC),
	} {
		r, err := audit.ParseRetention(in)
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		if got := r.Cutoff(now); !got.Equal(want) || r.String() != in {
			t.Errorf("%s: cutoff %v (%s), want %v", in, got, r, want)
		}
	}
}

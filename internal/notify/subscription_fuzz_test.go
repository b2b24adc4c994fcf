package notify_test

import (
	"strings"
	"testing"

	"tearline/internal/notify"
)

// FuzzSubscriptionNormalize: an accepted subscription is trimmed, of a known kind, and stays the
// same when normalised again.
func FuzzSubscriptionNormalize(f *testing.F) {
	for _, s := range [][2]string{{"type", " IB "}, {"region", "hnd"}, {"search", "smuggling  OR\ttrafficking"}, {"topic", "x\u00a0"}, {" region ", "Central\u2028America"}} {
		f.Add(s[0], s[1])
	}
	validType := func(v string) bool { return v == "IB" || v == "IR" }
	validTopic := func(v string) bool { return v == "human-smuggling" }
	f.Fuzz(func(t *testing.T, kind, value string) {
		s := notify.Subscription{Kind: kind, Value: value}
		if problems := s.Normalize(validType, validTopic); problems != nil {
			return
		}
		if s.Value != strings.TrimSpace(s.Value) || s.Value == "" {
			t.Fatalf("accepted value %q is not trimmed or is empty", s.Value)
		}
		switch s.Kind {
		case notify.SubscribeType, notify.SubscribeTopic, notify.SubscribeRegion, notify.SubscribeSearch:
		default:
			t.Fatalf("accepted kind %q", s.Kind)
		}
		again := s
		if problems := again.Normalize(validType, validTopic); problems != nil || again != s {
			t.Fatalf("normalising %+v again gave %+v, %v", s, again, problems)
		}
	})
}

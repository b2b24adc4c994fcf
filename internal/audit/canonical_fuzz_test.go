package audit_test

import (
	"encoding/binary"
	"testing"
	"time"

	"tearline/internal/audit"
)

// FuzzCanonical: the canonical encoding the hash chain covers is unambiguous — it decodes back into
// exactly the fields it was made from, whatever bytes user-controlled fields (user agent, object id,
// details) carry.
func FuzzCanonical(f *testing.F) {
	f.Add(int64(1), "product.view", "edition", "42", "Mozilla/5.0\r\nX-Injected: 1", `{"q":"a\u0000b"}`)
	f.Add(int64(0), "", "", "", "", "")
	f.Fuzz(func(t *testing.T, actor int64, action, objType, objID, ua, details string) {
		r := audit.Record{ID: 7, Chain: 3, Seq: 9, At: time.UnixMicro(1_700_000_000_000_000), ActorUserID: actor,
			Action: action, ObjectType: objType, ObjectID: objID, Outcome: "allowed", UserAgent: ua, Details: details}
		b := audit.Canonical(r)
		const domain = "tearline-audit-v1"
		if len(b) < len(domain) || string(b[:len(domain)]) != domain {
			t.Fatalf("no domain prefix")
		}
		b = b[len(domain):]
		var fields []string
		for len(b) > 0 {
			if len(b) < 4 {
				t.Fatalf("truncated length")
			}
			n := int(binary.BigEndian.Uint32(b))
			if len(b)-4 < n {
				t.Fatalf("field longer than the encoding")
			}
			fields = append(fields, string(b[4:4+n]))
			b = b[4+n:]
		}
		want := []string{action, objType, objID, "allowed", "", "", ua, details}
		if len(fields) != 6+len(want) {
			t.Fatalf("%d fields, want %d", len(fields), 6+len(want))
		}
		for i, w := range want {
			if fields[6+i] != w {
				t.Fatalf("field %d = %q, want %q", 6+i, fields[6+i], w)
			}
		}
	})
}

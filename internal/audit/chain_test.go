package audit_test

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"tearline/internal/audit"
)

func TestCanonicalEncoding(t *testing.T) {
	r := audit.Record{ID: 42, Chain: 3, Seq: 7, At: time.UnixMicro(1700000000123456), ActorUserID: 5, Action: "edition.view",
		ObjectType: "edition", ObjectID: "9", Outcome: audit.Success, Details: `{"é": 1}`}
	got := audit.Canonical(r)
	var want bytes.Buffer
	want.WriteString("tearline-audit-v1")
	for _, f := range []string{"3", "7", "42", "1700000000123456", "5", "", "edition.view", "edition", "9", "success", "", "", "", `{"é": 1}`} {
		want.Write([]byte{0, 0, 0, byte(len(f))})
		want.WriteString(f)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Errorf("canonical = %q\nwant        %q", got, want.Bytes())
	}
	// Field boundaries are unambiguous: moving a character between fields changes the hash.
	a := audit.Record{Action: "ab", ObjectType: "c"}
	b := audit.Record{Action: "a", ObjectType: "bc"}
	if bytes.Equal(audit.Digest(nil, a), audit.Digest(nil, b)) {
		t.Error("two different rows hash alike")
	}
}

// chain builds n hashed rows of one chain starting at seq first, after prev.
func chain(c int, first int64, n int, prev []byte) []audit.Record {
	var out []audit.Record
	for i := range n {
		r := audit.Record{ID: int64(100*c + i + 1), Chain: c, Seq: first + int64(i), At: time.UnixMicro(int64(i)), Action: "x", Outcome: audit.Success, Details: "{}"}
		r.Hash = audit.Digest(prev, r)
		prev = r.Hash
		out = append(out, r)
	}
	return out
}

func head(r audit.Record) audit.Head {
	return audit.Head{Chain: r.Chain, Seq: r.Seq, Hash: hex.EncodeToString(r.Hash)}
}

func TestVerifier(t *testing.T) {
	zero := make([]byte, 32)
	c0, c1 := chain(0, 1, 5, zero), chain(1, 1, 3, zero)
	run := func(rows []audit.Record, bases, heads, anchors []audit.Head) audit.Report {
		v := audit.NewVerifier(bases, heads, anchors)
		for _, r := range rows {
			v.Add(r)
		}
		return v.Report()
	}
	heads := []audit.Head{head(c0[4]), head(c1[2]), {Chain: 2}}
	all := append(append([]audit.Record{}, c0...), c1...)
	if rep := run(all, nil, heads, []audit.Head{head(c0[2])}); !rep.OK() || rep.Rows != 8 {
		t.Fatalf("intact: %+v", rep)
	}
	// After retention cut c0 up to seq 2, the rest verifies from the recorded base.
	if rep := run(append(append([]audit.Record{}, c0[2:]...), c1...), []audit.Head{head(c0[1])}, heads, []audit.Head{head(c0[0])}); !rep.OK() {
		t.Errorf("after expiry: %v", rep.Breaks)
	}
	tampered := append([]audit.Record{}, all...)
	tampered[2].Outcome = audit.Denied
	tampered[6].Seq = 9
	rep := run(tampered, nil, heads, nil)
	if len(rep.Breaks) != 2 || rep.Breaks[0].ID != c0[2].ID || rep.Breaks[1].Chain != 1 || !strings.Contains(rep.Breaks[1].Reason, "expected seq 2") {
		t.Errorf("tampered: %v", rep.Breaks)
	}
	if rep := run(all[:4], nil, heads, nil); rep.OK() || !strings.Contains(rep.Breaks[0].Reason, "head is at seq 5") {
		t.Errorf("missing tail: %+v", rep)
	}
	if rep := run(c1, nil, heads, nil); rep.OK() || rep.Breaks[0].Chain != 0 {
		t.Errorf("missing chain: %+v", rep)
	}
}

package audit

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// Chains is the number of hash chains audit rows are spread over (the database picks one per
// transaction), so concurrent writers do not wait for one another.
const Chains = 16

// Record is one stored audit row as the trail reads it back.
type Record struct {
	ID            int64
	Chain         int
	Seq           int64
	At            time.Time
	ActorUserID   int64 // 0: no actor
	ActorAgencyID int64 // 0: no agency
	Action        string
	ObjectType    string
	ObjectID      string
	Outcome       string
	RequestID     string
	ClientAddr    string
	UserAgent     string
	Details       string // the JSON text exactly as PostgreSQL renders jsonb
	Hash          []byte

	// Display fields joined in by the reader (not part of the hash).
	ActorName       string
	ActorAgencyCode string
}

// genesis is the previous hash of every chain's first row.
var genesis = make([]byte, sha256.Size)

const domain = "tearline-audit-v1"

// Canonical is the byte encoding a row's hash covers: the domain string, then each field as a
// 4-byte big-endian length and its UTF-8 bytes, in a fixed order. Integers are decimal, the time is
// microseconds since the Unix epoch, absent actors are empty. The database computes the same bytes
// (tearline_audit_digest in migrations/00010_audit_chain.sql).
func Canonical(r Record) []byte {
	var b bytes.Buffer
	b.WriteString(domain)
	field := func(s string) {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(s))) // #nosec G115 -- fields are PostgreSQL text values, at most 1 GB
		b.Write(n[:])
		b.WriteString(s)
	}
	id := func(n int64) string {
		if n == 0 {
			return ""
		}
		return strconv.FormatInt(n, 10)
	}
	field(strconv.Itoa(r.Chain))
	field(strconv.FormatInt(r.Seq, 10))
	field(strconv.FormatInt(r.ID, 10))
	field(strconv.FormatInt(r.At.UnixMicro(), 10))
	field(id(r.ActorUserID))
	field(id(r.ActorAgencyID))
	for _, s := range []string{r.Action, r.ObjectType, r.ObjectID, r.Outcome, r.RequestID, r.ClientAddr, r.UserAgent, r.Details} {
		field(s)
	}
	return b.Bytes()
}

// Digest returns the hash of r chained to prev, the hash of the previous row of its chain.
func Digest(prev []byte, r Record) []byte {
	h := sha256.New()
	h.Write(prev)
	h.Write(Canonical(r))
	return h.Sum(nil)
}

// Head is the latest (or, for a base, the last expired) row of a chain.
type Head struct {
	Chain int    `json:"chain"`
	Seq   int64  `json:"seq"`
	Hash  string `json:"hash"` // hex
}

// Break is the first row of a chain that does not verify.
type Break struct {
	Chain  int
	Seq    int64
	ID     int64 // 0 when the break is not a stored row (a missing tail, say)
	Reason string
}

func (b Break) String() string {
	return fmt.Sprintf("chain %d seq %d (id %d): %s", b.Chain, b.Seq, b.ID, b.Reason)
}

// Report is the outcome of verifying every chain.
type Report struct {
	Rows   int64
	Chains int
	Breaks []Break // the first break of each broken chain, in chain order
}

// OK reports whether every chain verified.
func (r Report) OK() bool { return len(r.Breaks) == 0 }

// Verifier recomputes the chains from rows fed in (chain, seq) order.
type Verifier struct {
	bases   map[int]map[int64][]byte // chain → seq → hash cut by retention (from audit.expire events)
	heads   map[int]Head             // the head table, to detect a missing tail
	anchors []Head                   // heads written out earlier, to detect rewritten history

	report  Report
	broken  map[int]bool
	seen    map[int]bool
	chain   int
	lastSeq int64
	prev    []byte
	started bool
	stored  map[int]map[int64][]byte // anchored seqs found while streaming
}

// NewVerifier returns a verifier that trusts bases (recorded by audit.expire events) as the start of
// a chain after retention, compares each chain's end with heads, and each anchor with the stored row.
func NewVerifier(bases []Head, heads []Head, anchors []Head) *Verifier {
	v := &Verifier{bases: map[int]map[int64][]byte{}, heads: map[int]Head{}, anchors: anchors,
		broken: map[int]bool{}, seen: map[int]bool{}, stored: map[int]map[int64][]byte{}}
	for _, b := range bases {
		h, err := hex.DecodeString(b.Hash)
		if err != nil {
			continue
		}
		if v.bases[b.Chain] == nil {
			v.bases[b.Chain] = map[int64][]byte{}
		}
		v.bases[b.Chain][b.Seq] = h
	}
	for _, h := range heads {
		v.heads[h.Chain] = h
	}
	for _, a := range anchors {
		if a.Seq == 0 {
			continue
		}
		if v.stored[a.Chain] == nil {
			v.stored[a.Chain] = map[int64][]byte{}
		}
		v.stored[a.Chain][a.Seq] = nil
	}
	return v
}

func (v *Verifier) fail(b Break) {
	if !v.broken[b.Chain] {
		v.broken[b.Chain] = true
		v.report.Breaks = append(v.report.Breaks, b)
	}
}

// Add checks the next row. Rows must come in (chain, seq) order.
func (v *Verifier) Add(r Record) {
	v.report.Rows++
	if !v.started || r.Chain != v.chain {
		v.finishChain()
		v.started, v.chain, v.seen[r.Chain] = true, r.Chain, true
		switch {
		case r.Seq == 1:
			v.prev, v.lastSeq = genesis, 0
		case v.bases[r.Chain][r.Seq-1] != nil:
			v.prev, v.lastSeq = v.bases[r.Chain][r.Seq-1], r.Seq-1
		default:
			v.fail(Break{r.Chain, r.Seq, r.ID, fmt.Sprintf("rows before seq %d are missing and no retention expiry accounts for them", r.Seq)})
			v.prev, v.lastSeq = r.Hash, r.Seq
			return
		}
	}
	if m := v.stored[r.Chain]; m != nil {
		if _, ok := m[r.Seq]; ok {
			m[r.Seq] = r.Hash
		}
	}
	switch {
	case r.Seq != v.lastSeq+1:
		v.fail(Break{r.Chain, r.Seq, r.ID, fmt.Sprintf("expected seq %d: rows are missing or renumbered", v.lastSeq+1)})
	case !bytes.Equal(Digest(v.prev, r), r.Hash):
		v.fail(Break{r.Chain, r.Seq, r.ID, "hash does not match the row's content and the previous hash"})
	}
	// Continue from the stored hash, so only the altered row itself is reported.
	v.prev, v.lastSeq = r.Hash, r.Seq
}

// finishChain compares the end of the current chain with its head.
func (v *Verifier) finishChain() {
	if !v.started {
		return
	}
	if h, ok := v.heads[v.chain]; ok && h.Seq != v.lastSeq {
		v.fail(Break{v.chain, v.lastSeq + 1, 0, fmt.Sprintf("the chain ends at seq %d but its head is at seq %d: rows are missing", v.lastSeq, h.Seq)})
	}
}

// Report finishes verification and returns the report.
func (v *Verifier) Report() Report {
	v.finishChain()
	v.started = false
	for c, h := range v.heads {
		if v.seen[c] || h.Seq == 0 {
			continue
		}
		// An empty chain is fine only when retention cut it up to its head.
		if v.bases[c][h.Seq] == nil || hex.EncodeToString(v.bases[c][h.Seq]) != h.Hash {
			v.fail(Break{c, h.Seq, 0, fmt.Sprintf("the head is at seq %d but the chain has no rows", h.Seq)})
		}
	}
	for _, a := range v.anchors {
		if a.Seq == 0 {
			continue
		}
		got, ok := v.stored[a.Chain][a.Seq]
		if base := v.bases[a.Chain][a.Seq]; got == nil && base != nil {
			got, ok = base, true
		}
		if v.broken[a.Chain] {
			continue
		}
		switch {
		case got == nil && !v.expiredBefore(a.Chain, a.Seq):
			v.fail(Break{a.Chain, a.Seq, 0, "an anchored row is missing"})
		case got != nil && ok && hex.EncodeToString(got) != a.Hash:
			v.fail(Break{a.Chain, a.Seq, 0, "the row differs from the anchored head hash"})
		}
	}
	slices.SortFunc(v.report.Breaks, func(a, b Break) int { return cmp.Compare(a.Chain, b.Chain) })
	v.report.Chains = Chains
	return v.report
}

// expiredBefore reports whether retention cut the chain past seq.
func (v *Verifier) expiredBefore(chain int, seq int64) bool {
	for s := range v.bases[chain] {
		if s >= seq {
			return true
		}
	}
	return false
}

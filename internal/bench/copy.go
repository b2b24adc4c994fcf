package bench

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"tearline/internal/audit"
)

const justification = "Synthetic benchmark audience."

// copyEditions writes a chunk's products, attachments, editions and rescissions in one transaction,
// without triggers and foreign-key checks (see fill.go for the triggers' work).
func (w *world) copyEditions(ctx context.Context, conn *pgx.Conn, c *chunk, st *loadStats) error {
	if !st.super {
		return fmt.Errorf("bench: the owner role must be a superuser to copy with session_replication_role = replica")
	}
	var products, editions, attachments, rescissions [][]any
	for k := range c.eds {
		e := &c.eds[k]
		pid, eid := w.base.product+int64(e.index), w.base.edition+int64(e.index)
		products = append(products, []any{pid, w.center, string(e.typ), "released", e.title, e.summary, e.topics, e.regions, e.office,
			[]byte("{}"), 3, w.releaser, e.releasedAt, w.releaser, e.releasedAt})
		if a := e.attachment; a != nil {
			attachments = append(attachments, []any{a.id, pid, "bench-" + strconv.FormatInt(a.id, 10), a.filename, "text/csv", a.size, a.sha,
				a.marking, w.releaser, e.releasedAt})
		}
		editions = append(editions, []any{eid, pid, w.center, e.number, 1, string(e.typ), e.title, e.banner, e.content, e.sha, w.releaser, e.releasedAt})
		if e.rescinded {
			at := e.releasedAt.Add(24 * time.Hour)
			if at.After(time.Now()) {
				at = e.releasedAt
			}
			rescissions = append(rescissions, []any{eid, "Disseminated in error (synthetic).", w.releaser, at})
		}
	}
	err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SET LOCAL session_replication_role = replica`); err != nil {
			return err
		}
		return copyAll(ctx, tx, st, []copySpec{
			{"product", []string{"id", "owner_agency_id", "type", "state", "title", "summary", "topics", "regions", "originating_office",
				"designation", "rev", "created_by", "created_at", "updated_by", "updated_at"}, products},
			{"attachment", []string{"id", "product_id", "stored_name", "filename", "content_type", "size", "sha256", "marking", "created_by", "created_at"}, attachments},
			{"edition", []string{"id", "product_id", "owner_agency_id", "number", "rev", "type", "title", "banner", "content", "sha256", "released_by", "released_at"}, editions},
			{"edition_rescission", []string{"edition_id", "reason", "rescinded_by", "rescinded_at"}, rescissions},
		})
	})
	if err == nil {
		st.add(func(s *Summary) {
			s.Editions += len(editions)
			s.Attachments += len(attachments)
			s.Rescinded += len(rescissions)
		})
	}
	return err
}

// copyLedger writes a chunk's ledger rows, receipts and audit rows in one transaction. They
// reference rows built consistently here, so as a superuser they are copied with
// session_replication_role = replica: no foreign-key checks (the editions may still be in flight on
// the other connection) and no audit chain trigger, whose work (chain, seq, hash) is done here with
// audit.Digest, the function the verifier uses.
func (w *world) copyLedger(ctx context.Context, conn *pgx.Conn, c *chunk, st *loadStats) error {
	var ledger, receipts, audits [][]any
	for k := range c.eds {
		e := &c.eds[k]
		eid := w.base.edition + int64(e.index)
		audits = append(audits, w.auditRow(e.releasedAt, w.releaser, w.center, "edition.release", eid, `{"number": "`+e.number+`"}`))
		for _, j := range e.audience {
			w.ledgerID++
			ledger = append(ledger, []any{w.ledgerID, eid, w.agencies[j].ID, w.releaser, e.releasedAt, justification, e.banner})
		}
		for _, rc := range e.receipts {
			uid, aid := w.liaisons[rc.agency], w.agencies[rc.agency].ID
			receipts = append(receipts, []any{eid, uid, aid, rc.at})
			audits = append(audits, w.auditRow(rc.at, uid, aid, "edition.view", eid, `{"rev": 1}`))
		}
	}
	err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SET LOCAL session_replication_role = replica`); err != nil {
			return err
		}
		if err := copyAll(ctx, tx, st, []copySpec{
			{"release_ledger", []string{"id", "edition_id", "agency_id", "released_by", "released_at", "justification", "caveats"}, ledger},
			{"receipt", []string{"edition_id", "user_id", "agency_id", "first_viewed_at"}, receipts},
			{"audit_event", []string{"id", "at", "actor_user_id", "actor_agency_id", "action", "object_type", "object_id", "outcome",
				"details", "chain", "seq", "hash"}, audits},
		}); err != nil {
			return err
		}
		b := &pgx.Batch{}
		for chain, h := range w.heads {
			b.Queue(`UPDATE audit_chain_head SET seq = $2, hash = $3 WHERE chain = $1`, chain, h.seq, h.hash)
		}
		return tx.SendBatch(ctx, b).Close()
	})
	if err == nil {
		st.add(func(s *Summary) {
			s.Ledger += int64(len(ledger))
			s.Receipts += int64(len(receipts))
			s.Audit += int64(len(audits))
		})
	}
	return err
}

type copySpec struct {
	table string
	cols  []string
	rows  [][]any
}

func copyAll(ctx context.Context, tx pgx.Tx, st *loadStats, specs []copySpec) error {
	for _, cp := range specs {
		if len(cp.rows) == 0 {
			continue
		}
		t := time.Now()
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{cp.table}, cp.cols, pgx.CopyFromRows(cp.rows)); err != nil {
			return fmt.Errorf("copy %s: %w", cp.table, err)
		}
		d := time.Since(t)
		st.add(func(s *Summary) { s.Copy[cp.table] += d })
	}
	return nil
}

// loadStats guards the summary the two copying connections update.
type loadStats struct {
	super bool
	mu    sync.Mutex
	s     *Summary
}

func (l *loadStats) add(f func(*Summary)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f(l.s)
}

// auditRow is one audit row with its place in a chain and its hash.
func (w *world) auditRow(at time.Time, userID, agencyID int64, action string, editionID int64, details string) []any {
	w.auditID++
	chain := int(w.auditID % audit.Chains)
	h := &w.heads[chain]
	r := audit.Record{ID: w.auditID, Chain: chain, Seq: h.seq + 1, At: at, ActorUserID: userID, ActorAgencyID: agencyID, Action: action,
		ObjectType: "edition", ObjectID: strconv.FormatInt(editionID, 10), Outcome: audit.Success, Details: details}
	h.seq, h.hash = r.Seq, audit.Digest(h.hash, r)
	return []any{r.ID, at, userID, agencyID, action, r.ObjectType, r.ObjectID, r.Outcome, []byte(details), chain, r.Seq, h.hash}
}

// finish moves the identity sequences and edition counters past the generated rows, records the
// corpus in the database comment and analyses the tables.
func finish(ctx context.Context, conn *pgx.Conn, w *world, o Options) error {
	n := int64(o.Editions)
	for _, q := range []struct {
		table string
		last  int64
	}{{"product", w.base.product + n - 1}, {"edition", w.base.edition + n - 1}, {"attachment", w.base.attachment + n - 1},
		{"release_ledger", w.ledgerID}, {"audit_event", w.auditID}} {
		if _, err := conn.Exec(ctx, `SELECT setval(pg_get_serial_sequence($1, 'id'), greatest($2::bigint, (SELECT last_value FROM pg_sequences
			WHERE schemaname = 'public' AND sequencename = pg_get_serial_sequence($1, 'id')::regclass::text)), true)`, q.table, q.last); err != nil {
			return fmt.Errorf("advance %s ids: %w", q.table, err)
		}
	}
	b := &pgx.Batch{}
	for k, last := range w.numbers {
		b.Queue(`INSERT INTO edition_counter (type, year, last) VALUES ($1, $2, $3)
			ON CONFLICT (type, year) DO UPDATE SET last = greatest(edition_counter.last, EXCLUDED.last)`, k.typ, k.year, last)
	}
	if err := conn.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("edition counters: %w", err)
	}
	m := fmt.Sprintf(`{"editions":%d,"agencies":%d,"idle":%d,"seed":%d}`, o.Editions, o.Agencies, o.Idle, o.Seed)
	var db string
	if err := conn.QueryRow(ctx, `SELECT current_database()`).Scan(&db); err != nil {
		return err
	}
	// COMMENT takes no parameters; the marker is built from integers only and quoted as a literal.
	if _, err := conn.Exec(ctx, `COMMENT ON DATABASE `+pgx.Identifier{db}.Sanitize()+` IS '`+MarkerPrefix+m+`'`); err != nil {
		return fmt.Errorf("record the corpus: %w", err)
	}
	_, err := conn.Exec(ctx, `VACUUM (ANALYZE)`)
	return err
}

package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"tearline/internal/apperr"
	"tearline/internal/audit"
)

// The database chains, numbers, stamps and hashes every row (trigger audit_event_chain,
// migrations/00010_audit_chain.sql); the store only inserts.
const auditInsertSQL = `INSERT INTO audit_event
	(actor_user_id, actor_agency_id, action, object_type, object_id, outcome, request_id, client_addr, user_agent, details)
	VALUES (NULLIF($1, 0), NULLIF($2, 0), $3, $4, $5, $6, $7, $8, $9, $10)`

// auditStatement returns the statement and arguments that write ev, for callers that queue the
// audit row in a pgx.Batch with the change it records (batch.Queue(sql, args...)).
func auditStatement(ev audit.Event) (string, []any, error) {
	details := ev.Details
	if details == nil {
		details = map[string]any{}
	}
	// json.Marshal escapes control characters, so user text cannot forge log lines.
	b, err := json.Marshal(details)
	if err != nil {
		return "", nil, fmt.Errorf("audit details: %w", err)
	}
	b = replaceNUL(b)
	return auditInsertSQL, []any{ev.ActorUserID, ev.ActorAgencyID, sanitize(ev.Action, 100), sanitize(ev.ObjectType, 100),
		sanitize(ev.ObjectID, 200), ev.Outcome, sanitize(ev.RequestID, 100), sanitize(ev.ClientAddr, 100), sanitize(ev.UserAgent, 512), b}, nil
}

// insertAudit writes ev inside tx, so the event commits or rolls back with the change it records.
func insertAudit(ctx context.Context, tx pgx.Tx, ev audit.Event) error {
	sql, args, err := auditStatement(ev)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, sql, args...); err != nil {
		return fmt.Errorf("write audit event: %w", err)
	}
	return nil
}

// RecordEvent writes one audit event on its own (sign-in, denials, views and other events without a
// change), committed before it returns, so a page is sent only after its view is recorded.
func (db *DB) RecordEvent(ctx context.Context, ev audit.Event) error {
	return db.inTx(ctx, func(tx pgx.Tx) error { return insertAudit(ctx, tx, ev) })
}

// PreviousSignIn returns the time of the user's sign-in before the latest one (zero if none).
func (db *DB) PreviousSignIn(ctx context.Context, userID int64) (time.Time, error) {
	var t time.Time
	err := db.Pool.QueryRow(ctx, `SELECT coalesce((SELECT at FROM audit_event
		WHERE actor_user_id = $1 AND action = 'auth.login' AND outcome = 'success'
		ORDER BY at DESC OFFSET 1 LIMIT 1), 'epoch'::timestamptz)`, userID).Scan(&t)
	if t.Unix() == 0 {
		t = time.Time{}
	}
	return t, formatError(err)
}

// replaceNUL turns the JSON escape \u0000, which jsonb refuses, into U+FFFD, so a NUL in user text
// cannot make the audit insert (and with it the action) fail.
func replaceNUL(b []byte) []byte {
	for i := 0; i < len(b)-1; i++ {
		if b[i] != '\\' {
			continue
		}
		if i+6 <= len(b) && string(b[i+1:i+6]) == "u0000" {
			copy(b[i+1:i+6], "ufffd")
		}
		i++ // skip the escaped character
	}
	return b
}

func sanitize(s string, max int) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if len(s) > max {
		s = strings.ToValidUTF8(s[:max], "")
	}
	return s
}

const auditSelect = `SELECT e.id, e.chain, e.seq, e.at, coalesce(e.actor_user_id, 0), coalesce(e.actor_agency_id, 0),
	e.action, e.object_type, e.object_id, e.outcome, e.request_id, e.client_addr, e.user_agent, e.details::text, e.hash,
	coalesce(u.display_name, ''), coalesce(a.code, '')
	FROM audit_event e LEFT JOIN app_user u ON u.id = e.actor_user_id LEFT JOIN agency a ON a.id = e.actor_agency_id`

func scanRecord(row pgx.CollectableRow) (audit.Record, error) {
	var r audit.Record
	err := row.Scan(&r.ID, &r.Chain, &r.Seq, &r.At, &r.ActorUserID, &r.ActorAgencyID, &r.Action, &r.ObjectType, &r.ObjectID,
		&r.Outcome, &r.RequestID, &r.ClientAddr, &r.UserAgent, &r.Details, &r.Hash, &r.ActorName, &r.ActorAgencyCode)
	return r, err
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// auditWhere turns a filter into a WHERE clause over auditSelect's aliases and its arguments.
func auditWhere(f audit.Filter) (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, strings.ReplaceAll(cond, "$?", "$"+strconv.Itoa(len(args))))
	}
	if f.ScopeAgencyID != 0 {
		add("e.actor_agency_id = $?", f.ScopeAgencyID)
	}
	if f.UserID != 0 {
		add("e.actor_user_id = $?", f.UserID)
	}
	if f.User != "" {
		add("(u.display_name ILIKE $? OR u.email ILIKE $?)", "%"+likeEscape(f.User)+"%")
	}
	if f.AgencyID != 0 {
		add("e.actor_agency_id = $?", f.AgencyID)
	}
	if f.ObjectType != "" {
		add("e.object_type = $?", f.ObjectType)
	}
	if f.ObjectID != "" {
		add("e.object_id = $?", f.ObjectID)
	}
	if strings.HasSuffix(f.Action, ".") {
		add("e.action LIKE $?", likeEscape(f.Action)+"%")
	} else if f.Action != "" {
		add("e.action = $?", f.Action)
	}
	if f.Outcome != "" {
		add("e.outcome = $?", f.Outcome)
	}
	if f.From != nil {
		add("e.at >= $?", *f.From)
	}
	if f.To != nil {
		add("e.at < $?", *f.To)
	}
	if f.Before != 0 {
		add("e.id < $?", f.Before)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// FindAuditEvents returns up to f.Limit rows matching f, newest first, and whether older rows
// match too. The search is itself audited (audit.read) in the same transaction.
func (db *DB) FindAuditEvents(ctx context.Context, f audit.Filter) ([]audit.Record, bool, error) {
	limit := min(max(f.Limit, 1), 500)
	var out []audit.Record
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		where, args := auditWhere(f)
		args = append(args, limit+1)
		rows, _ := tx.Query(ctx, auditSelect+where+" ORDER BY e.id DESC LIMIT $"+strconv.Itoa(len(args)), args...)
		var err error
		if out, err = pgx.CollectRows(rows, scanRecord); err != nil {
			return err
		}
		return insertAudit(ctx, tx, audit.New(ctx, "audit.read", "audit", "", audit.Success, f.Details()))
	})
	if err != nil {
		return nil, false, formatError(err)
	}
	more := len(out) > limit
	if more {
		out = out[:limit]
	}
	return out, more, nil
}

// MaxAuditExport caps one CSV export; narrower filters export the rest.
const MaxAuditExport = 100000

// ExportAuditEvents records the export (audit.export, committed first), then calls fn for each
// row matching f, newest first, up to MaxAuditExport rows.
func (db *DB) ExportAuditEvents(ctx context.Context, f audit.Filter, fn func(audit.Record) error) error {
	if err := db.RecordEvent(ctx, audit.New(ctx, "audit.export", "audit", "", audit.Success, f.Details())); err != nil {
		return err
	}
	where, args := auditWhere(f)
	args = append(args, MaxAuditExport)
	rows, err := db.Pool.Query(ctx, auditSelect+where+" ORDER BY e.id DESC LIMIT $"+strconv.Itoa(len(args)), args...)
	if err != nil {
		return formatError(err)
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return err
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return formatError(rows.Err())
}

// FindEditionAccess returns the access accounting of an edition the agency owns (ENOTFOUND
// otherwise): every user who viewed it, with their agency, first and last view. The read is audited.
func (db *DB) FindEditionAccess(ctx context.Context, agencyID, editionID int64) (audit.EditionAccess, error) {
	acc := audit.EditionAccess{EditionID: editionID}
	id := strconv.FormatInt(editionID, 10)
	err := db.inAgencyTx(ctx, agencyID, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT number, rev FROM edition WHERE id = $1 AND owner_agency_id = $2`, editionID, agencyID).
			Scan(&acc.Number, &acc.Rev); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `SELECT coalesce(e.actor_user_id, 0), coalesce(u.display_name, ''), coalesce(a.code, ''),
			coalesce(a.name, ''), min(e.at), max(e.at), count(*)
			FROM audit_event e LEFT JOIN app_user u ON u.id = e.actor_user_id LEFT JOIN agency a ON a.id = e.actor_agency_id
			WHERE e.object_type = 'edition' AND e.object_id = $1 AND e.action = 'edition.view' AND e.outcome = 'success'
			GROUP BY 1, 2, 3, 4 ORDER BY max(e.at) DESC, 1`, id)
		var err error
		acc.Readers, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (audit.EditionView, error) {
			var v audit.EditionView
			return v, r.Scan(&v.UserID, &v.UserName, &v.AgencyCode, &v.AgencyName, &v.First, &v.Last, &v.Views)
		})
		if err != nil {
			return err
		}
		rows, _ = tx.Query(ctx, auditSelect+` WHERE e.object_type = 'edition' AND e.object_id = $1 AND e.action = 'edition.view'
			ORDER BY e.id DESC LIMIT 50`, id)
		if acc.Recent, err = pgx.CollectRows(rows, scanRecord); err != nil {
			return err
		}
		return insertAudit(ctx, tx, audit.New(ctx, "audit.read", "edition", id, audit.Success, map[string]any{"page": "edition access"}))
	})
	return acc, err
}

// FindAuditHeads returns the head (latest seq and hash) of every chain.
func (db *DB) FindAuditHeads(ctx context.Context) ([]audit.Head, error) {
	return findHeads(ctx, db.Pool, `SELECT chain, seq, encode(hash, 'hex') FROM audit_chain_head ORDER BY chain`)
}

type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func findHeads(ctx context.Context, q querier, sql string) ([]audit.Head, error) {
	rows, _ := q.Query(ctx, sql)
	hs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (audit.Head, error) {
		var h audit.Head
		return h, r.Scan(&h.Chain, &h.Seq, &h.Hash)
	})
	return hs, formatError(err)
}

// ExpireAudit deletes the audit rows older than cutoff (which must be at least a year ago) and records
// the expiry as an audit.expire event with the hash each chain was cut at. It returns how many rows went.
func (db *DB) ExpireAudit(ctx context.Context, cutoff time.Time, requestID string) (int64, error) {
	var n int64
	err := db.Pool.QueryRow(ctx, `SELECT tearline_audit_expire($1, $2)`, cutoff, requestID).Scan(&n)
	if sqlState(err) == "23514" {
		return 0, apperr.Errorf(apperr.EINVALID, "Audit events are kept for at least one year.")
	}
	return n, formatError(err)
}

// VerifyAudit recomputes every chain from one consistent snapshot and compares each chain's end
// with its head and with the anchored heads given.
func (db *DB) VerifyAudit(ctx context.Context, anchors []audit.Head) (audit.Report, error) {
	var rep audit.Report
	err := pgx.BeginTxFunc(ctx, db.Pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		heads, err := findHeads(ctx, tx, `SELECT chain, seq, encode(hash, 'hex') FROM audit_chain_head ORDER BY chain`)
		if err != nil {
			return err
		}
		bases, err := findHeads(ctx, tx, `SELECT (b->>'chain')::int, (b->>'seq')::bigint, b->>'hash'
			FROM audit_event e, jsonb_array_elements(e.details->'bases') b WHERE e.action = 'audit.expire' AND e.actor_user_id IS NULL`)
		if err != nil {
			return err
		}
		v := audit.NewVerifier(bases, heads, anchors)
		rows, err := tx.Query(ctx, auditSelect+` ORDER BY e.chain, e.seq`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanRecord(rows)
			if err != nil {
				return err
			}
			v.Add(r)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rep = v.Report()
		return nil
	})
	return rep, formatError(err)
}

func sqlState(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// queueAudit queues the event's insert on a batch, so it commits with the batch's other statements.
func queueAudit(b *pgx.Batch, ev audit.Event) error {
	sql, args, err := auditStatement(ev)
	if err != nil {
		return err
	}
	b.Queue(sql, args...)
	return nil
}

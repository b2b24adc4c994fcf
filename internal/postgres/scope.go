package postgres

import (
	"context"
	"strconv"

	"github.com/jackc/pgx/v5"
)

// Row-level security keys every agency-scoped table on two transaction-local settings:
// tearline.agency_id (whose rows are visible) and tearline.user_id (the acting user, for steering
// members reading assessments assigned to them; empty names nobody). An empty or missing setting sees
// no rows. The settings always travel in the same round trip as the statements they cover, so no
// statement of the transaction can run without them and a pooled connection never carries them on.

// setActorSQL names the agency and the user for the current transaction only (is_local = true).
const setActorSQL = `SELECT set_config('tearline.agency_id', $1, true), set_config('tearline.user_id', $2, true)`

func actorArgs(agencyID, userID int64) (string, string) {
	uid := ""
	if userID != 0 {
		uid = strconv.FormatInt(userID, 10)
	}
	return strconv.FormatInt(agencyID, 10), uid
}

// inAgencyTx runs fn in a transaction whose row-level-security setting names the agency; rows of
// other agencies are invisible to every statement in it. No user is named.
func (db *DB) inAgencyTx(ctx context.Context, agencyID int64, fn func(pgx.Tx) error) error {
	return db.inActorTx(ctx, agencyID, 0, fn)
}

// inActorTx is inAgencyTx that also names the user (0 names nobody). The settings are sent with
// BEGIN, in one simple-protocol message, so the transaction costs no extra round trip for them.
//
// This is the one statement built from values rather than parameters: BEGIN cannot share an
// extended-protocol message with a parameterised statement. The ids are int64 formatted by strconv,
// so they can only ever be digits, and the job name is one of this package's constants.
func (db *DB) inActorTx(ctx context.Context, agencyID, userID int64, fn func(pgx.Tx) error) error {
	return db.inScopeTx(ctx, agencyID, userID, "", fn)
}

// Background jobs name themselves in tearline.job, which a few policies admit (the notification
// fan-out reads back the rows it writes for the users of one agency).
const jobNotify = "notify"

// inScopeTx is inActorTx that also names a background job ("" names none; the values are constants).
func (db *DB) inScopeTx(ctx context.Context, agencyID, userID int64, job string, fn func(pgx.Tx) error) error {
	agency, uid := actorArgs(agencyID, userID)
	begin := `BEGIN; SELECT set_config('tearline.agency_id', '` + agency + `', true), set_config('tearline.user_id', '` + uid + `', true)`
	if job != "" {
		begin += `, set_config('tearline.job', '` + job + `', true)`
	}
	return formatError(pgx.BeginTxFunc(ctx, db.Pool, pgx.TxOptions{BeginQuery: begin}, fn))
}

// batchAs runs the statements queued on b as the agency and user (0 names nobody) in one round trip:
// the settings are queued first, and PostgreSQL runs the whole batch in one implicit transaction, so
// they cover exactly these statements and vanish with them. Queue statements with callbacks
// (QueuedQuery.Query, QueryRow or Exec); the first error of any of them is returned. Writes in the
// batch commit together when it ends, before the caller goes on.
func (db *DB) batchAs(ctx context.Context, agencyID, userID int64, b *pgx.Batch) error {
	agency, uid := actorArgs(agencyID, userID)
	all := &pgx.Batch{QueuedQueries: make([]*pgx.QueuedQuery, 0, len(b.QueuedQueries)+1)}
	all.Queue(setActorSQL, agency, uid)
	all.QueuedQueries = append(all.QueuedQueries, b.QueuedQueries...)
	return formatError(db.Pool.SendBatch(ctx, all).Close())
}

// collect returns a batch callback that collects every row into dst.
func collect[T any](dst *[]T, scan pgx.RowToFunc[T]) func(pgx.Rows) error {
	return func(rows pgx.Rows) error {
		var err error
		*dst, err = pgx.CollectRows(rows, scan)
		return err
	}
}

// exactlyOne returns a batch callback that scans the one row into dst (pgx.ErrNoRows when there is none).
func exactlyOne[T any](dst *T, scan pgx.RowToFunc[T]) func(pgx.Rows) error {
	return func(rows pgx.Rows) error {
		var err error
		*dst, err = pgx.CollectExactlyOneRow(rows, scan)
		return err
	}
}

package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"tearline/internal/audit"
)

// insertAudit writes ev inside tx, so the event commits or rolls back with the change it records.
func insertAudit(ctx context.Context, tx pgx.Tx, ev audit.Event) error {
	details := ev.Details
	if details == nil {
		details = map[string]any{}
	}
	// json.Marshal escapes control characters, so user text cannot forge log lines.
	b, err := json.Marshal(details)
	if err != nil {
		return fmt.Errorf("audit details: %w", err)
	}
	_, err = tx.Exec(ctx, `INSERT INTO audit_event
		(actor_user_id, actor_agency_id, action, object_type, object_id, outcome, request_id, client_addr, user_agent, details)
		VALUES (NULLIF($1, 0), NULLIF($2, 0), $3, $4, $5, $6, $7, $8, $9, $10)`,
		ev.ActorUserID, ev.ActorAgencyID, ev.Action, ev.ObjectType, ev.ObjectID, ev.Outcome,
		ev.RequestID, ev.ClientAddr, sanitize(ev.UserAgent, 512), b)
	if err != nil {
		return fmt.Errorf("write audit event: %w", err)
	}
	return nil
}

// RecordEvent writes one audit event on its own (sign-in, denials and other events without a change).
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

func sanitize(s string, max int) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if len(s) > max {
		s = s[:max]
	}
	return s
}

package postgres

import (
	"context"
	"strconv"

	"github.com/jackc/pgx/v5"

	"tearline/internal/agency"
	"tearline/internal/audit"
)

// FindDistributionLists returns every distribution list with its member agencies, by name.
func (db *DB) FindDistributionLists(ctx context.Context) ([]agency.List, error) {
	rows, _ := db.Pool.Query(ctx, `SELECT l.id, l.name, l.description,
		coalesce(array_agg(a.id ORDER BY a.code) FILTER (WHERE a.id IS NOT NULL), '{}'),
		coalesce(array_agg(a.code ORDER BY a.code) FILTER (WHERE a.id IS NOT NULL), '{}')
		FROM distribution_list l LEFT JOIN distribution_list_member m ON m.list_id = l.id LEFT JOIN agency a ON a.id = m.agency_id
		GROUP BY l.id ORDER BY l.name`)
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (agency.List, error) {
		var l agency.List
		return l, r.Scan(&l.ID, &l.Name, &l.Description, &l.Members, &l.MemberCodes)
	})
	return out, formatError(err)
}

// SaveDistributionList creates (ID 0) or updates a list with its members, audited in one transaction.
func (db *DB) SaveDistributionList(ctx context.Context, userID int64, l *agency.List) error {
	return formatError(db.inTx(ctx, func(tx pgx.Tx) error {
		action := "list.update"
		if l.ID == 0 {
			action = "list.create"
			if err := tx.QueryRow(ctx, `INSERT INTO distribution_list (name, description, created_by) VALUES ($1, $2, $3) RETURNING id`,
				l.Name, l.Description, userID).Scan(&l.ID); err != nil {
				return err
			}
		} else {
			tag, err := tx.Exec(ctx, `UPDATE distribution_list SET name = $2, description = $3, updated_at = now() WHERE id = $1`, l.ID, l.Name, l.Description)
			if err != nil {
				return err
			}
			if tag.RowsAffected() == 0 {
				return pgx.ErrNoRows
			}
			if _, err := tx.Exec(ctx, `DELETE FROM distribution_list_member WHERE list_id = $1`, l.ID); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO distribution_list_member (list_id, agency_id) SELECT $1, unnest($2::bigint[])`, l.ID, l.Members); err != nil {
			return err
		}
		return insertAudit(ctx, tx, audit.New(ctx, action, "distribution_list", strconv.FormatInt(l.ID, 10), audit.Success,
			map[string]any{"name": l.Name, "members": l.Members}))
	}))
}

package postgres

import (
	"context"
	"strconv"

	"github.com/jackc/pgx/v5"

	"tearline/internal/agency"
	"tearline/internal/audit"
)

const agencyColumns = `id, code, name, kind, coalesce(country, ''), federal, state_local, foreign_gov, intl_org, created_at, updated_at`

const agencyColumnsQualified = `a.id, a.code, a.name, a.kind, coalesce(a.country, ''), a.federal, a.state_local, a.foreign_gov,
	a.intl_org, a.created_at, a.updated_at`

func scanAgency(row pgx.CollectableRow) (agency.Agency, error) {
	var a agency.Agency
	err := row.Scan(&a.ID, &a.Code, &a.Name, &a.Kind, &a.Country, &a.Federal, &a.StateLocal, &a.Foreign, &a.IntlOrg, &a.CreatedAt, &a.UpdatedAt)
	return a, err
}

// FindAgencies returns every agency, the center first, then by code.
func (db *DB) FindAgencies(ctx context.Context) ([]agency.Agency, error) {
	rows, _ := db.Pool.Query(ctx, `SELECT `+agencyColumns+` FROM agency ORDER BY kind <> 'center', code`)
	out, err := pgx.CollectRows(rows, scanAgency)
	return out, formatError(err)
}

// FindAgencyByID returns one agency.
func (db *DB) FindAgencyByID(ctx context.Context, id int64) (agency.Agency, error) {
	rows, _ := db.Pool.Query(ctx, `SELECT `+agencyColumns+` FROM agency WHERE id = $1`, id)
	a, err := pgx.CollectExactlyOneRow(rows, scanAgency)
	return a, formatError(err)
}

// FindAgencyByCode returns one agency by its code.
func (db *DB) FindAgencyByCode(ctx context.Context, code string) (agency.Agency, error) {
	rows, _ := db.Pool.Query(ctx, `SELECT `+agencyColumns+` FROM agency WHERE code = $1`, code)
	a, err := pgx.CollectExactlyOneRow(rows, scanAgency)
	return a, formatError(err)
}

// CreateAgency inserts a and its audit event in one transaction, setting a.ID.
func (db *DB) CreateAgency(ctx context.Context, a *agency.Agency) error {
	return formatError(db.inTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO agency (code, name, kind, country, federal, state_local, foreign_gov, intl_org)
			VALUES ($1, $2, $3, NULLIF($4, ''), $5, $6, $7, $8) RETURNING id, created_at, updated_at`,
			a.Code, a.Name, a.Kind, a.Country, a.Federal, a.StateLocal, a.Foreign, a.IntlOrg).Scan(&a.ID, &a.CreatedAt, &a.UpdatedAt)
		if err != nil {
			return err
		}
		return insertAudit(ctx, tx, audit.New(ctx, "agency.create", "agency", strconv.FormatInt(a.ID, 10), audit.Success, agencyDetails(a)))
	}))
}

// UpdateAgency saves a and its audit event in one transaction.
func (db *DB) UpdateAgency(ctx context.Context, a *agency.Agency) error {
	return formatError(db.inTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `UPDATE agency SET code = $2, name = $3, kind = $4, country = NULLIF($5, ''), federal = $6,
			state_local = $7, foreign_gov = $8, intl_org = $9, updated_at = now() WHERE id = $1 RETURNING updated_at`,
			a.ID, a.Code, a.Name, a.Kind, a.Country, a.Federal, a.StateLocal, a.Foreign, a.IntlOrg).Scan(&a.UpdatedAt)
		if err != nil {
			return err
		}
		return insertAudit(ctx, tx, audit.New(ctx, "agency.update", "agency", strconv.FormatInt(a.ID, 10), audit.Success, agencyDetails(a)))
	}))
}

// UpsertAgency creates or updates an agency by code without auditing; seeding uses it.
func (db *DB) UpsertAgency(ctx context.Context, a *agency.Agency) error {
	err := db.Pool.QueryRow(ctx, `INSERT INTO agency (code, name, kind, country, federal, state_local, foreign_gov, intl_org)
		VALUES ($1, $2, $3, NULLIF($4, ''), $5, $6, $7, $8)
		ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind, country = EXCLUDED.country,
			federal = EXCLUDED.federal, state_local = EXCLUDED.state_local, foreign_gov = EXCLUDED.foreign_gov,
			intl_org = EXCLUDED.intl_org
		RETURNING id`, a.Code, a.Name, a.Kind, a.Country, a.Federal, a.StateLocal, a.Foreign, a.IntlOrg).Scan(&a.ID)
	return formatError(err)
}

func agencyDetails(a *agency.Agency) map[string]any {
	return map[string]any{"code": a.Code, "name": a.Name, "kind": a.Kind, "country": a.Country,
		"federal": a.Federal, "state_local": a.StateLocal, "foreign": a.Foreign, "intl_org": a.IntlOrg}
}

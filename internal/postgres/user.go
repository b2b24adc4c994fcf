package postgres

import (
	"context"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"tearline/internal/audit"
	"tearline/internal/user"
)

const userSelect = `SELECT u.id, u.agency_id, a.code, u.issuer, u.subject, u.display_name, u.email, u.active,
	u.deactivated_at, u.created_at, u.updated_at,
	coalesce((SELECT array_agg(m.role ORDER BY m.role) FROM membership m WHERE m.user_id = u.id), '{}')
	FROM app_user u JOIN agency a ON a.id = u.agency_id`

func scanUser(row pgx.CollectableRow) (user.User, error) {
	var u user.User
	var roles []string
	err := row.Scan(&u.ID, &u.AgencyID, &u.AgencyCode, &u.Issuer, &u.Subject, &u.DisplayName, &u.Email, &u.Active,
		&u.DeactivatedAt, &u.CreatedAt, &u.UpdatedAt, &roles)
	for _, r := range roles {
		u.Roles = append(u.Roles, user.Role(r))
	}
	return u, err
}

// FindUsers returns the users the filter selects, by agency then name.
func (db *DB) FindUsers(ctx context.Context, f user.Filter) ([]user.User, error) {
	rows, _ := db.Pool.Query(ctx, userSelect+` WHERE ($1 = 0 OR u.agency_id = $1) ORDER BY a.code, u.display_name, u.id`, f.AgencyID)
	out, err := pgx.CollectRows(rows, scanUser)
	return out, formatError(err)
}

// FindUserByID returns one user.
func (db *DB) FindUserByID(ctx context.Context, id int64) (user.User, error) {
	rows, _ := db.Pool.Query(ctx, userSelect+` WHERE u.id = $1`, id)
	u, err := pgx.CollectExactlyOneRow(rows, scanUser)
	return u, formatError(err)
}

// FindUserByIdentity returns the user an issuer knows by subject.
func (db *DB) FindUserByIdentity(ctx context.Context, issuer, subject string) (user.User, error) {
	rows, _ := db.Pool.Query(ctx, userSelect+` WHERE u.issuer = $1 AND u.subject = $2`, issuer, subject)
	u, err := pgx.CollectExactlyOneRow(rows, scanUser)
	return u, formatError(err)
}

// FindPrincipal loads an active user with agency, roles and the number of unread notifications in
// their agency (the bell) in one round trip; inactive or missing users are ENOTFOUND. Only the user is
// named to row-level security (notifications are the user's own); no agency is.
func (db *DB) FindPrincipal(ctx context.Context, userID int64) (*user.Principal, error) {
	var p user.Principal
	var roles []string
	b := &pgx.Batch{}
	b.Queue(`SELECT u.id, u.display_name, u.email, u.issuer, u.subject, a.id, a.code, a.name, a.kind,
		coalesce((SELECT array_agg(m.role ORDER BY m.role) FROM membership m WHERE m.user_id = u.id), '{}'),
		(SELECT count(*) FROM notification n WHERE n.user_id = u.id AND n.agency_id = u.agency_id AND n.read_at IS NULL)
		FROM app_user u JOIN agency a ON a.id = u.agency_id WHERE u.id = $1 AND u.active`, userID).
		QueryRow(func(row pgx.Row) error {
			return row.Scan(&p.UserID, &p.Name, &p.Email, &p.Issuer, &p.Subject, &p.AgencyID, &p.AgencyCode, &p.AgencyName, &p.AgencyKind,
				&roles, &p.Unread)
		})
	if err := db.batchAs(ctx, 0, userID, b); err != nil {
		return nil, err
	}
	for _, r := range roles {
		p.Roles = append(p.Roles, user.Role(r))
	}
	return &p, nil
}

// CreateUser inserts u with its memberships and audit event in one transaction, setting u.ID.
func (db *DB) CreateUser(ctx context.Context, u *user.User) error {
	return formatError(db.inTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO app_user (agency_id, issuer, subject, display_name, email)
			VALUES ($1, $2, $3, $4, $5) RETURNING id, active, created_at, updated_at`,
			u.AgencyID, u.Issuer, u.Subject, u.DisplayName, u.Email).Scan(&u.ID, &u.Active, &u.CreatedAt, &u.UpdatedAt)
		if err != nil {
			return err
		}
		if err := setRoles(ctx, tx, u); err != nil {
			return err
		}
		return insertAudit(ctx, tx, audit.New(ctx, "user.create", "user", strconv.FormatInt(u.ID, 10), audit.Success, userDetails(u)))
	}))
}

// UpdateUser saves u's identity, name, agency and roles with an audit event in one transaction,
// provided the user is unchanged since loadedAt; otherwise it returns user.ErrStale.
func (db *DB) UpdateUser(ctx context.Context, u *user.User, loadedAt time.Time) error {
	return formatError(db.inTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `UPDATE app_user SET agency_id = $2, issuer = $3, subject = $4, display_name = $5, email = $6,
			updated_at = clock_timestamp() WHERE id = $1 AND updated_at = $7 RETURNING updated_at`,
			u.ID, u.AgencyID, u.Issuer, u.Subject, u.DisplayName, u.Email, loadedAt).Scan(&u.UpdatedAt)
		if err == pgx.ErrNoRows {
			return user.ErrStale
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM membership WHERE user_id = $1`, u.ID); err != nil {
			return err
		}
		if err := setRoles(ctx, tx, u); err != nil {
			return err
		}
		return insertAudit(ctx, tx, audit.New(ctx, "user.update", "user", strconv.FormatInt(u.ID, 10), audit.Success, userDetails(u)))
	}))
}

// SetUserActive activates or deactivates a user with an audit event. A deactivated user's
// sessions stop working on their next request because every request reloads the principal.
func (db *DB) SetUserActive(ctx context.Context, id int64, active bool) error {
	return formatError(db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE app_user SET active = $2,
			deactivated_at = CASE WHEN $2 THEN NULL ELSE now() END, updated_at = clock_timestamp() WHERE id = $1`, id, active)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return pgx.ErrNoRows
		}
		action := "user.deactivate"
		if active {
			action = "user.reactivate"
		}
		return insertAudit(ctx, tx, audit.New(ctx, action, "user", strconv.FormatInt(id, 10), audit.Success, nil))
	}))
}

// UpsertUser creates or updates a user by (issuer, subject) with its roles, without auditing;
// seeding uses it.
func (db *DB) UpsertUser(ctx context.Context, u *user.User) error {
	return formatError(db.inTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO app_user (agency_id, issuer, subject, display_name, email)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (issuer, subject) DO UPDATE SET agency_id = EXCLUDED.agency_id,
				display_name = EXCLUDED.display_name, email = EXCLUDED.email
			RETURNING id`, u.AgencyID, u.Issuer, u.Subject, u.DisplayName, u.Email).Scan(&u.ID)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM membership WHERE user_id = $1`, u.ID); err != nil {
			return err
		}
		return setRoles(ctx, tx, u)
	}))
}

func setRoles(ctx context.Context, tx pgx.Tx, u *user.User) error {
	for _, r := range u.Roles {
		if _, err := tx.Exec(ctx, `INSERT INTO membership (user_id, agency_id, role) VALUES ($1, $2, $3)`, u.ID, u.AgencyID, string(r)); err != nil {
			return err
		}
	}
	return nil
}

func userDetails(u *user.User) map[string]any {
	roles := make([]string, 0, len(u.Roles))
	for _, r := range u.Roles {
		roles = append(roles, string(r))
	}
	return map[string]any{"agency_id": u.AgencyID, "issuer": u.Issuer, "subject": u.Subject,
		"display_name": u.DisplayName, "roles": roles}
}

// CountActiveUsers counts the active users of an agency.
func (db *DB) CountActiveUsers(ctx context.Context, agencyID int64) (int, error) {
	var n int
	err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM app_user WHERE agency_id = $1 AND active`, agencyID).Scan(&n)
	return n, formatError(err)
}

package postgres_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"tearline/internal/postgres"
	"tearline/internal/postgres/pgtest"
	"tearline/internal/product"
	"tearline/migrations"
)

// Rows written before the audit chain existed are chained by the migration, in id order, and verify.
func TestAuditChainMigrationChainsExistingRows(t *testing.T) {
	ctx := context.Background()
	d := pgtest.New(t)
	server := pgtest.OpenOwner(t, d)
	name := d.Name + "_upgrade"
	if _, err := server.Pool.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = server.Pool.Exec(context.Background(), "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
	})
	url := strings.Replace(d.OwnerURL, "/"+d.Name, "/"+name, 1)
	p, sqlDB := migrationsAt(t, url)
	if _, err := p.UpTo(ctx, 9); err != nil {
		t.Fatalf("migrate to 9: %v", err)
	}
	if _, err := sqlDB.ExecContext(ctx, `INSERT INTO audit_event (action, outcome, actor_user_id, details)
		SELECT 'legacy.event', 'success', g, jsonb_build_object('n', g) FROM generate_series(1, 40) g`); err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 10); err != nil {
		t.Fatalf("migrate to 10: %v", err)
	}
	db, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Pool.Exec(ctx, `INSERT INTO audit_event (action, outcome) VALUES ('after.upgrade', 'success')`); err != nil {
		t.Fatal(err)
	}
	rep, err := db.VerifyAudit(ctx, nil)
	if err != nil || !rep.OK() || rep.Rows != 41 {
		t.Fatalf("verify after the upgrade: %+v, %v", rep, err)
	}
	if n := count(t, db, `SELECT count(DISTINCT chain) FROM audit_event WHERE action = 'legacy.event'`); n != 16 {
		t.Errorf("legacy rows spread over %d chains, want 16", n)
	}
}

// Migration 00020 writes the recall notices of editions rescinded before it, and its Down restores the
// function the notices were read through before.
func TestRecallNoticeMigrationBackfills(t *testing.T) {
	ctx := context.Background()
	d := pgtest.New(t)
	app, owner := pgtest.Open(t, d), pgtest.OpenOwner(t, d)
	hstc, reviewer := seedHSTC(t, owner)
	actx := actorCtx(reviewer, hstc)
	ice, nca := agencyByCode(t, owner, "ICE"), agencyByCode(t, owner, "NCA")
	for i, title := range []string{"Rescinded before the upgrade", "Rescinded too", "Still standing"} {
		e, err := app.ReleaseProduct(actx, hstc, reviewer, approvedProduct(t, app, hstc, reviewer, product.TypeNote, title), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := app.DisseminateEdition(actx, hstc, reviewer, e.ID, []int64{ice, nca}, "Need to know: upgrade test", "CUI//LEI"); err != nil {
			t.Fatal(err)
		}
		if i < 2 {
			if err := app.RescindEdition(actx, hstc, reviewer, e.ID, "Disseminated in error"); err != nil {
				t.Fatal(err)
			}
		}
	}
	const rows = `SELECT string_agg(agency_id || ':' || edition_id || ':' || number || ':' || rev || ':' || reason, ',' ORDER BY agency_id, edition_id) FROM recall_notice`
	var before string
	if err := owner.Pool.QueryRow(ctx, rows).Scan(&before); err != nil || strings.Count(before, ",") != 3 {
		t.Fatalf("recall notices written by the trigger: %q, %v; want 4", before, err)
	}
	p, _ := migrationsAt(t, d.OwnerURL)
	if _, err := p.DownTo(ctx, 19); err != nil {
		t.Fatalf("migrate down to 19: %v", err)
	}
	var old int
	if err := owner.Pool.QueryRow(ctx, `SELECT count(*) FROM tearline_recall_notices()`).Scan(&old); err != nil {
		t.Fatalf("the function of migration 00008 is not back: %v", err)
	}
	if _, err := p.UpTo(ctx, 20); err != nil {
		t.Fatalf("migrate up to 20: %v", err)
	}
	var after string
	if err := owner.Pool.QueryRow(ctx, rows).Scan(&after); err != nil || after != before {
		t.Errorf("recall notices after the upgrade: %q, %v; want %q", after, err, before)
	}
}

// migrationsAt returns a goose provider of the project's migrations on the database at url, and its
// connection (closed when the test ends).
func migrationsAt(t *testing.T, url string) (*goose.Provider, *sql.DB) {
	t.Helper()
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	sqlDB := stdlib.OpenDB(*cfg)
	t.Cleanup(func() { _ = sqlDB.Close() })
	p, err := goose.NewProvider(goose.DialectPostgres, sqlDB, migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	return p, sqlDB
}

package postgres_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"tearline/internal/postgres"
	"tearline/internal/postgres/pgtest"
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
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	sqlDB := stdlib.OpenDB(*cfg)
	defer sqlDB.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, sqlDB, migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
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

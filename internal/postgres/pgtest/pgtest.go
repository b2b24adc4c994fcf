// Package pgtest gives each test its own PostgreSQL database, cloned from a template that the
// embedded migrations built once. Tests fail, never skip, when PostgreSQL is not reachable.
package pgtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"tearline/internal/config"
	"tearline/internal/postgres"
	"tearline/migrations"
)

// Database is one test's database.
type Database struct {
	Name     string
	OwnerURL string // the migration/owner role
	AppURL   string // the application role the server uses
}

// New creates a fresh, migrated database for t and drops it when t ends.
func New(t testing.TB) Database {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	server := serverURL()
	conn, err := pgx.Connect(ctx, withDB(server, "postgres"))
	if err != nil {
		t.Fatalf("PostgreSQL is required for this test and is not reachable at %s: %v", server, err)
	}
	defer conn.Close(ctx)

	tmpl := templateName()
	// One advisory lock serialises template building and cloning across test processes.
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock(727172)"); err != nil {
		t.Fatalf("advisory lock: %v", err)
	}
	defer func() { _, _ = conn.Exec(context.Background(), "SELECT pg_advisory_unlock(727172)") }()

	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)", tmpl).Scan(&exists); err != nil {
		t.Fatalf("look up template: %v", err)
	}
	if !exists {
		if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{tmpl}.Sanitize()); err != nil {
			t.Fatalf("create template: %v", err)
		}
		if err := postgres.Migrate(ctx, withDB(server, tmpl)); err != nil {
			_, _ = conn.Exec(ctx, "DROP DATABASE "+pgx.Identifier{tmpl}.Sanitize())
			t.Fatalf("migrate template: %v", err)
		}
	}
	name := "tearline_test_" + randomHex(6)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+" TEMPLATE "+pgx.Identifier{tmpl}.Sanitize()); err != nil {
		t.Fatalf("clone template: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, withDB(server, "postgres"))
		if err != nil {
			t.Errorf("drop test database: %v", err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Errorf("drop test database: %v", err)
		}
	})
	owner := withDB(server, name)
	u, _ := url.Parse(owner)
	u.User = url.User(config.AppRole)
	return Database{Name: name, OwnerURL: owner, AppURL: u.String()}
}

// Open returns a store connected as the application role, closed when t ends.
func Open(t testing.TB, d Database) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), d.AppURL)
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(db.Close)
	return db
}

// OpenOwner returns a store connected as the owner role, closed when t ends.
func OpenOwner(t testing.TB, d Database) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), d.OwnerURL)
	if err != nil {
		t.Fatalf("open test database as owner: %v", err)
	}
	t.Cleanup(db.Close)
	return db
}

func serverURL() string {
	if v := os.Getenv("TEARLINE_TEST_DATABASE_URL"); v != "" {
		return v
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

func withDB(server, name string) string {
	u, err := url.Parse(server)
	if err != nil {
		panic(fmt.Sprintf("TEARLINE_TEST_DATABASE_URL: %v", err))
	}
	u.Path = "/" + name
	return u.String()
}

// templateName changes whenever a migration file changes, so a stale template is never used.
func templateName() string {
	h := sha256.New()
	_ = fs.WalkDir(migrations.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := fs.ReadFile(migrations.FS, path)
		h.Write([]byte(path))
		h.Write(b)
		return nil
	})
	h.Write([]byte(postgres.JobsSchema))
	return "tearline_tmpl_" + hex.EncodeToString(h.Sum(nil))[:16]
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

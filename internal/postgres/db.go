// Package postgres holds all SQL: the pool, migrations, transactions and one file per aggregate.
// Driver errors are turned into apperr codes here and nowhere else.
package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"tearline/internal/apperr"
	"tearline/internal/workflow"
)

// DB is the portal's store over a pgx pool.
type DB struct {
	Pool *pgxpool.Pool
	// SteeringQuorum decides steering reviews; the zero value is workflow.DefaultQuorum.
	SteeringQuorum workflow.QuorumRule
	// jobs inserts background jobs (notifications) in the transaction of the change they report;
	// it only inserts: serve runs the workers on a client of its own.
	jobs *river.Client[pgx.Tx]
}

// Open connects to databaseURL and checks the connection.
func Open(ctx context.Context, databaseURL string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("parse database url: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open pool: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to database as %q: %w", cfg.ConnConfig.User, err)
	}
	jobs, err := river.NewClient(riverpgxv5.New(pool), &river.Config{})
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("job client: %w", err)
	}
	return &DB{Pool: pool, jobs: jobs}, nil
}

// Close closes the pool.
func (db *DB) Close() { db.Pool.Close() }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.Pool.Ping(ctx) }

// inTx runs fn in a transaction, committing when fn returns nil.
func (db *DB) inTx(ctx context.Context, fn func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, db.Pool, fn)
}

// formatError maps driver errors to application errors.
func formatError(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return apperr.NotFound()
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return &apperr.Error{Code: apperr.ECONFLICT, Message: "An object with the same identity already exists.", Err: err}
		case "23503", "23514", "22001", "22P02":
			return &apperr.Error{Code: apperr.EINVALID, Message: "The data was refused by a database rule.", Err: err}
		}
	}
	return err
}

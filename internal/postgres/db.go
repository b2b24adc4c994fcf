// Package postgres holds all SQL: the pool, migrations, transactions and one file per aggregate.
// Driver errors are turned into apperr codes here and nowhere else.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"syscall"
	"time"

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

// Options tune the connections of OpenWith.
type Options struct {
	// StatementTimeout is sent as statement_timeout when each connection starts, so no statement of
	// the server (lock waits included) runs longer; 0 keeps the role's default.
	StatementTimeout time.Duration
}

// Open connects to databaseURL and checks the connection.
func Open(ctx context.Context, databaseURL string) (*DB, error) {
	return OpenWith(ctx, databaseURL, Options{})
}

// OpenWith connects to databaseURL with the options and checks the connection.
func OpenWith(ctx context.Context, databaseURL string, o Options) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("parse database url: %w", err)
	}
	if o.StatementTimeout > 0 {
		cfg.ConnConfig.RuntimeParams["statement_timeout"] = strconv.FormatInt(o.StatementTimeout.Milliseconds(), 10)
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

// Unavailable reports whether err says the database could not serve the request for now: it
// cannot be reached, the connection broke, the server is shutting down or starting, or it cancelled
// the statement (statement_timeout). The web layer answers such errors with 503.
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		// 08: connection exception; 53: insufficient resources; 57: operator intervention
		// (57014 query_canceled, 57P01 admin_shutdown, 57P03 cannot_connect_now).
		return strings.HasPrefix(pe.Code, "08") || strings.HasPrefix(pe.Code, "53") || strings.HasPrefix(pe.Code, "57")
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	return errors.As(err, &ce) || errors.As(err, &ne) || pgconn.Timeout(err) || pgconn.SafeToRetry(err) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, context.DeadlineExceeded)
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

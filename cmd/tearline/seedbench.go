package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/jackc/pgx/v5"

	"tearline/internal/bench"
	"tearline/internal/config"
	"tearline/internal/demo"
	"tearline/internal/postgres"
)

// runSeedBench creates and migrates the bench database named in DATABASE_URL and fills it with a
// synthetic corpus (internal/bench). The database name must contain "bench", so the corpus never
// lands in a database that holds real or demo work.
func runSeedBench(ctx context.Context, fs *flag.FlagSet, args []string, getenv func(string) string, stdout io.Writer) error {
	o := bench.DefaultOptions()
	fs.IntVar(&o.Editions, "editions", o.Editions, "released editions to generate")
	fs.IntVar(&o.Agencies, "agencies", o.Agencies, "recipient agencies (each receives 1–10 % of the editions)")
	fs.IntVar(&o.Idle, "idle-agencies", o.Idle, "further agencies that receive nothing (recipients for the release measurement)")
	fs.Uint64Var(&o.Seed, "seed", o.Seed, "random seed: the same seed and sizes give the same corpus")
	fs.Float64Var(&o.Everyone, "everyone", o.Everyone, "share of editions released to every agency their caveats admit")
	fs.Float64Var(&o.Receipts, "receipts", o.Receipts, "share of received editions each liaison has opened")
	fs.IntVar(&o.Chunk, "chunk", o.Chunk, "editions per COPY transaction")
	ifPresent := fs.Bool("if-missing", false, "do nothing when the database already holds a corpus of the same sizes and seed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	pc, err := pgx.ParseConfig(cfg.DatabaseURL)
	if err != nil {
		return fmt.Errorf("DATABASE_URL: %w", err)
	}
	if !strings.Contains(pc.Database, "bench") {
		return fmt.Errorf("seed-bench writes only into a database whose name contains \"bench\" (DATABASE_URL names %q)", pc.Database)
	}
	if _, err := postgres.EnsureDatabase(ctx, cfg.DatabaseURL); err != nil {
		return err
	}
	if err := postgres.Migrate(ctx, cfg.DatabaseURL); err != nil {
		return err
	}
	db, err := postgres.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	have, ok, err := bench.Existing(ctx, db.Pool)
	if err != nil {
		return err
	}
	if ok {
		if *ifPresent && have.Editions == o.Editions && have.Agencies == o.Agencies && have.Idle == o.Idle && have.Seed == o.Seed {
			fmt.Fprintf(stdout, "bench corpus already present: %d editions, %d agencies, seed %d\n", have.Editions, have.Agencies, have.Seed)
			return nil
		}
		return errors.New("the bench database already holds a different corpus; drop it first (make bench-clean)")
	}
	if err := demo.Seed(ctx, db, cfg.DemoIssuer()); err != nil {
		return err
	}
	o.Log = stdout
	_, err = bench.Generate(ctx, db.Pool, o)
	return err
}

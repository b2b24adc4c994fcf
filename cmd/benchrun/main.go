// Command benchrun measures the portal on the bench database (see docs/benchmarks.md): it starts the
// portal binary and the floor (a bare chi + pgx + templ server running the same SQL), loads both
// with vegeta as low-privilege liaisons of random agencies, and prints the figures of DESIGN.md §7
// as a table, also written as JSON under the output folder.
//
//	benchrun [flags]          measure (DATABASE_URL names the bench database, as the owner role)
//	benchrun floor --addr A --db URL   serve the floor (started by benchrun itself)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"tearline/internal/bench"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "benchrun:", err)
		}
		stop()
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) > 0 && args[0] == "floor" {
		return runFloor(ctx, args[1:], stdout)
	}
	o := bench.DefaultRunOptions()
	fs := flag.NewFlagSet("benchrun", flag.ContinueOnError)
	fs.SetOutput(stdout)
	fs.StringVar(&o.Binary, "binary", "bin/tearline", "the portal binary to measure")
	out := fs.String("out", "bench-results", "folder for the table, the JSON report and the portal's log")
	fs.IntVar(&o.Rate, "rate", o.Rate, "fixed rate of the inbox and product-page attacks (req/s)")
	fs.IntVar(&o.SearchRate, "search-rate", o.SearchRate, "fixed rate of the search attacks (req/s)")
	fs.DurationVar(&o.Duration, "duration", o.Duration, "length of each attack")
	fs.DurationVar(&o.Warmup, "warmup", o.Warmup, "discarded load before measuring")
	fs.DurationVar(&o.Pause, "pause", o.Pause, "idle time between attacks")
	fs.Uint64Var(&o.Workers, "workers", o.Workers, "concurrent requests of the maximum-throughput attack")
	fs.IntVar(&o.Personas, "personas", o.Personas, "random agencies whose liaison and administrator take part")
	fs.IntVar(&o.Releases, "releases", o.Releases, "releases to time")
	fs.IntVar(&o.Fanout, "fanout", o.Fanout, "recipient agencies per release")
	fs.StringVar(&o.Pages, "pages", "", "measure only the pages whose names contain this (e.g. search); no throughput, statement or release figures")
	fs.Uint64Var(&o.Seed, "seed", o.Seed, "seed of the random choices")
	if err := fs.Parse(args); err != nil {
		return err
	}
	o.OwnerURL = getenv("DATABASE_URL")
	if o.OwnerURL == "" {
		return errors.New("DATABASE_URL must name the bench database (as the owner role)")
	}
	o.AppURL = getenv("TEARLINE_APP_DATABASE_URL")
	if o.AppURL == "" {
		u, err := url.Parse(o.OwnerURL)
		if err != nil {
			return fmt.Errorf("DATABASE_URL: %w", err)
		}
		u.User = url.UserPassword("tearline_app", getenv("TEARLINE_APP_DB_PASSWORD"))
		if getenv("TEARLINE_APP_DB_PASSWORD") == "" {
			u.User = url.User("tearline_app")
		}
		o.AppURL = u.String()
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	o.FloorCmd = []string{self, "floor"}
	if err := os.MkdirAll(*out, 0o750); err != nil {
		return err
	}
	o.OutDir, o.Log = *out, stdout
	rep, err := bench.Run(ctx, o)
	if err != nil {
		return err
	}
	stamp := rep.At.Format("20060102T150405Z")
	txt, err := os.Create(filepath.Join(*out, "bench-"+stamp+".txt")) // #nosec G304 -- our own output folder
	if err != nil {
		return err
	}
	defer txt.Close()
	js, err := os.Create(filepath.Join(*out, "bench-"+stamp+".json")) // #nosec G304 -- our own output folder
	if err != nil {
		return err
	}
	defer js.Close()
	fmt.Fprintln(stdout)
	if err := rep.WriteTable(io.MultiWriter(stdout, txt)); err != nil {
		return err
	}
	if err := rep.WriteJSON(js); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nwritten: %s, %s\n", txt.Name(), js.Name())
	return nil
}

// runFloor serves the floor until ctx ends.
func runFloor(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("benchrun floor", flag.ContinueOnError)
	fs.SetOutput(stdout)
	addr := fs.String("addr", "127.0.0.1:0", "listen address")
	db := fs.String("db", "", "database URL as the application role")
	if err := fs.Parse(args); err != nil {
		return err
	}
	f, err := bench.OpenFloor(ctx, *db)
	if err != nil {
		return err
	}
	defer f.Close()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	sctx, cancel := context.WithTimeout(ctx, 24*time.Hour)
	defer cancel()
	return f.Serve(sctx, ln)
}

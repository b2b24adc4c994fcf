// Command tearline runs the Tearline portal and its maintenance tasks.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "tearline:", err)
		}
		stop()
		os.Exit(1)
	}
}

const usage = `Usage: tearline <command> [flags]

Commands:
  serve       serve the portal (demo mode when no OpenID Connect provider is configured)
  migrate     create the database if missing and apply pending migrations (owner role)
  seed-demo   write the demo agencies and personas (idempotent)
  seed-bench  generate the synthetic benchmark corpus into a bench database (see docs/benchmarks.md)
  routes      print every route with the permission it requires
  audit       audit verify: recompute the audit trail's hash chains and report the first broken row

Configuration comes from environment variables; see README.md. Run "tearline <command> --help" for flags.
`

type command struct {
	help string
	run  func(ctx context.Context, fs *flag.FlagSet, args []string, getenv func(string) string, stdout io.Writer) error
}

func commands() map[string]command {
	return map[string]command{
		"serve":     {"Serve the portal on TEARLINE_LISTEN_ADDR until SIGTERM or SIGINT.", runServe},
		"migrate":   {"Create the database named in DATABASE_URL if missing and apply every pending migration.", runMigrate},
		"seed-demo": {"Write the demo agencies and personas; running it again changes nothing.", runSeedDemo},
		"routes":    {"Print the route table: method, pattern and the permission each route requires.", runRoutes},
		"audit": {"audit verify [--anchors FILE]: recompute every hash chain of the audit trail (as DATABASE_URL) and report\n" +
			"the first broken row of each broken chain; exits non-zero when one is broken.", runAudit},
		"seed-bench": {"Create, migrate and fill the bench database named in DATABASE_URL with a synthetic corpus (COPY).", runSeedBench},
	}
}

// run is the whole program, with its environment passed in so tests can call it.
func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stdout, usage)
		if len(args) == 0 {
			return errors.New("no command given")
		}
		return nil
	}
	cmd, ok := commands()[args[0]]
	if !ok {
		fmt.Fprint(stdout, usage)
		return fmt.Errorf("unknown command %q", args[0])
	}
	fs := flag.NewFlagSet("tearline "+args[0], flag.ContinueOnError)
	fs.SetOutput(stdout)
	fs.Usage = func() {
		fmt.Fprintf(stdout, "Usage: tearline %s [flags]\n\n%s\n", args[0], cmd.help)
		fs.PrintDefaults()
	}
	return cmd.run(ctx, fs, args[1:], getenv, stdout)
}

func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
}

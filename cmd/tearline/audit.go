package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"tearline/internal/audit"
	"tearline/internal/config"
	"tearline/internal/postgres"
)

// runAudit is "tearline audit verify [--anchors FILE]": it recomputes every hash chain of the audit
// trail and reports the first broken row of each broken chain, failing when there is one.
func runAudit(ctx context.Context, fs *flag.FlagSet, args []string, getenv func(string) string, stdout io.Writer) error {
	anchorFile := fs.String("anchors", "", "also check the head hashes recorded in this anchor file (TEARLINE_AUDIT_ANCHOR_FILE)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 || fs.Arg(0) != "verify" {
		fs.Usage()
		return errors.New(`audit: the subcommand is "verify"`)
	}
	if err := fs.Parse(fs.Args()[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("audit verify: unexpected argument %q", fs.Arg(0))
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	var anchors []audit.Head
	if *anchorFile != "" {
		if anchors, err = readAnchors(*anchorFile); err != nil {
			return err
		}
	}
	db, err := postgres.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	rep, err := db.VerifyAudit(ctx, anchors)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "audit verify: %d rows in %d chains", rep.Rows, rep.Chains)
	if len(anchors) > 0 {
		fmt.Fprintf(stdout, ", %d anchored heads", len(anchors))
	}
	if rep.OK() {
		fmt.Fprintln(stdout, ": every chain verifies")
		return nil
	}
	fmt.Fprintf(stdout, ": %d broken chain(s)\n", len(rep.Breaks))
	for _, b := range rep.Breaks {
		fmt.Fprintf(stdout, "BROKEN %s\n", b)
	}
	return fmt.Errorf("audit trail broken: first at %s", rep.Breaks[0])
}

// readAnchors reads every head of an anchor file (one JSON audit.Anchor per line).
func readAnchors(path string) ([]audit.Head, error) {
	f, err := os.Open(path) // #nosec G304 G703 -- the operator names the anchor file on the command line
	if err != nil {
		return nil, fmt.Errorf("anchor file: %w", err)
	}
	defer f.Close()
	var out []audit.Head
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var a audit.Anchor
		if err := json.Unmarshal([]byte(line), &a); err != nil {
			return nil, fmt.Errorf("anchor file %s line %d: %w", path, n, err)
		}
		out = append(out, a.Heads...)
	}
	return out, sc.Err()
}

// auditJobs are serve's background audit work: anchoring the chain heads every interval (a log
// line, and a line appended to the anchor file when one is configured) and expiring events older
// than the retention period once a day. Both run once at start. The returned channel closes when
// ctx ends and the jobs have stopped (after a last anchor).
type auditJobs struct {
	db        *postgres.DB
	logger    *slog.Logger
	retention audit.Retention
	file      string
	interval  time.Duration
	now       func() time.Time
}

func (j auditJobs) start(ctx context.Context) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		j.expire(ctx)
		j.anchor(ctx)
		anchorTick := time.NewTicker(j.interval)
		defer anchorTick.Stop()
		expireTick := time.NewTicker(24 * time.Hour)
		defer expireTick.Stop()
		for {
			select {
			case <-ctx.Done():
				final, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
				j.anchor(final)
				cancel()
				return
			case <-anchorTick.C:
				j.anchor(ctx)
			case <-expireTick.C:
				j.expire(ctx)
			}
		}
	}()
	return done
}

// anchor writes every chain's head out of the database.
func (j auditJobs) anchor(ctx context.Context) {
	heads, err := j.db.FindAuditHeads(ctx)
	if err != nil {
		j.logger.ErrorContext(ctx, "audit anchor", "error", err)
		return
	}
	a := audit.Anchor{At: j.now().UTC(), Heads: heads}
	j.logger.InfoContext(ctx, "audit heads", "heads", a.Heads)
	if j.file == "" {
		return
	}
	if err := appendAnchor(j.file, a); err != nil {
		j.logger.ErrorContext(ctx, "audit anchor file", "file", j.file, "error", err)
	}
}

// appendAnchor appends one JSON line to the anchor file and syncs it.
func appendAnchor(path string, a audit.Anchor) error {
	b, err := json.Marshal(a)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600) // #nosec G304 -- the operator's configured anchor file
	if err != nil {
		return err
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// expire deletes the events older than the retention period; the database records the expiry.
func (j auditJobs) expire(ctx context.Context) {
	now := j.now().UTC()
	cutoff := j.retention.Cutoff(now)
	n, err := j.db.ExpireAudit(ctx, cutoff, "audit-expiry-"+now.Format("20060102T150405Z"))
	if err != nil {
		j.logger.ErrorContext(ctx, "audit expiry", "cutoff", cutoff, "error", err)
		return
	}
	j.logger.InfoContext(ctx, "audit expiry", "cutoff", cutoff, "retention", j.retention.String(), "deleted", n)
}

func newAuditJobs(db *postgres.DB, cfg *config.Config, logger *slog.Logger) auditJobs {
	return auditJobs{db: db, logger: logger, retention: cfg.AuditRetention, file: cfg.AuditAnchorFile,
		interval: cfg.AuditAnchorInterval, now: time.Now}
}

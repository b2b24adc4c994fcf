package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"tearline/internal/agency"
)

// Options size a synthetic corpus. Every random choice derives from Seed and the row's index, so
// the same options always produce the same rows.
type Options struct {
	Editions int    // released editions (one product each)
	Agencies int    // recipient agencies with audiences (each sees 1–10 % of editions)
	Idle     int    // further member agencies that receive nothing (recipients for the release measurement)
	Seed     uint64 // random seed
	// Everyone is the share of editions released to every agency their caveats admit.
	Everyone float64
	// Receipts is the share of received editions each liaison has already opened.
	Receipts float64
	// Rescinded is the share of editions rescinded (recalled) after release.
	Rescinded float64
	// Attachments is the share of editions with one attachment (metadata; the bytes are not stored).
	Attachments float64
	Vocabulary  int       // distinct words
	Chunk       int       // editions per COPY transaction
	Log         io.Writer // progress lines; nil for none
}

// DefaultOptions is the corpus of DESIGN.md §7: a million editions over 300 agencies.
func DefaultOptions() Options {
	return Options{Editions: 1_000_000, Agencies: 300, Idle: 201, Seed: 1, Everyone: 0.02, Receipts: 0.03,
		Rescinded: 0.005, Attachments: 0.02, Vocabulary: 20_000, Chunk: 20_000}
}

// Validate checks the sizes.
func (o Options) Validate() error {
	switch {
	case o.Editions < 1:
		return errors.New("editions must be at least 1")
	case o.Agencies < 2 || o.Agencies > 9999:
		return errors.New("agencies must be between 2 and 9999")
	case o.Idle < 0 || o.Agencies+o.Idle > 9999:
		return errors.New("idle agencies must be between 0 and 9999 minus the recipient agencies")
	case o.Everyone < 0 || o.Everyone > 1 || o.Receipts < 0 || o.Receipts > 1 || o.Rescinded < 0 || o.Rescinded > 1 ||
		o.Attachments < 0 || o.Attachments > 1:
		return errors.New("shares must be between 0 and 1")
	case o.Vocabulary < len(domainWords)+100:
		return fmt.Errorf("vocabulary must be at least %d words", len(domainWords)+100)
	case o.Chunk < 1:
		return errors.New("chunk must be at least 1")
	}
	return nil
}

// Summary counts what Generate wrote.
type Summary struct {
	Options     Options       `json:"-"`
	Agencies    int           `json:"agencies"`
	Users       int           `json:"users"`
	Editions    int           `json:"editions"`
	Ledger      int64         `json:"ledger_rows"`
	Receipts    int64         `json:"receipts"`
	Rescinded   int           `json:"rescinded"`
	Attachments int           `json:"attachments"`
	Audit       int64         `json:"audit_rows"`
	Load        time.Duration `json:"load_ns"`
	Analyze     time.Duration `json:"analyze_ns"`
	// Copy is the time spent copying each table.
	Copy map[string]time.Duration `json:"copy_ns"`
}

// MarkerPrefix starts the database comment that records a generated corpus and its options.
const MarkerPrefix = "tearline-bench "

// marker is stored as the database comment, so a second seed-bench can tell what is there.
type marker struct {
	Editions int    `json:"editions"`
	Agencies int    `json:"agencies"`
	Idle     int    `json:"idle"`
	Seed     uint64 `json:"seed"`
}

// Existing returns the options of the corpus already in the database (ok false when there is none).
func Existing(ctx context.Context, pool *pgxpool.Pool) (Options, bool, error) {
	var c *string
	if err := pool.QueryRow(ctx, `SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = current_database()`).Scan(&c); err != nil {
		return Options{}, false, err
	}
	if c == nil || len(*c) < len(MarkerPrefix) || (*c)[:len(MarkerPrefix)] != MarkerPrefix {
		return Options{}, false, nil
	}
	var m marker
	if err := json.Unmarshal([]byte((*c)[len(MarkerPrefix):]), &m); err != nil {
		return Options{}, false, fmt.Errorf("read corpus marker: %w", err)
	}
	o := DefaultOptions()
	o.Editions, o.Agencies, o.Idle, o.Seed = m.Editions, m.Agencies, m.Idle, m.Seed
	return o, true, nil
}

// Generate writes the corpus into an empty, migrated database as the owner role, with COPY, then
// analyses it. It refuses a database that already holds bench agencies.
func Generate(ctx context.Context, pool *pgxpool.Pool, o Options) (Summary, error) {
	if err := o.Validate(); err != nil {
		return Summary{}, err
	}
	s := Summary{Options: o}
	start := time.Now()
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return s, err
	}
	defer conn.Release()
	var super bool
	if err := conn.QueryRow(ctx, `SELECT rolsuper FROM pg_roles WHERE rolname = current_user`).Scan(&super); err != nil {
		return s, err
	}
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM agency WHERE code LIKE 'BX-%'`).Scan(&n); err != nil {
		return s, err
	}
	if n > 0 {
		return s, errors.New("the database already holds a bench corpus; drop it first (make bench-clean)")
	}
	w, err := newWorld(ctx, conn.Conn(), o)
	if err != nil {
		return s, err
	}
	s.Agencies, s.Users = len(w.agencies), len(w.agencies)*2+1
	logf(o.Log, "bench: %d agencies (%d with audiences), %d users; loading %d editions in chunks of %d", s.Agencies, o.Agencies, s.Users, o.Editions, o.Chunk)
	if err := w.load(ctx, pool, super, &s); err != nil {
		return s, err
	}
	s.Load = time.Since(start)
	logf(o.Log, "bench: loaded in %s (copy time by table: %v); analysing", s.Load.Round(time.Second), s.Copy)
	t := time.Now()
	if err := finish(ctx, conn.Conn(), w, o); err != nil {
		return s, err
	}
	s.Analyze = time.Since(t)
	logf(o.Log, "bench: %d editions, %d ledger rows, %d receipts, %d audit rows in %s (analyse %s)",
		s.Editions, s.Ledger, s.Receipts, s.Audit, time.Since(start).Round(time.Second), s.Analyze.Round(time.Second))
	return s, nil
}

func logf(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, format+"\n", args...)
	}
}

// load generates chunks on every core but one while two connections copy the previous ones: one
// the editions (whose triggers build the search index), one the ledger, receipts and audit rows.
// The GIN indexes of the search table are dropped during the load and built again at the end
// (from their own definitions, read from the catalogue), which is much faster than maintaining them
// row by row.
func (w *world) load(ctx context.Context, pool *pgxpool.Pool, super bool, s *Summary) error {
	start := time.Now()
	if err := checkTriggers(ctx, pool); err != nil {
		return err
	}
	indexes, err := dropSecondary(ctx, pool)
	if err != nil {
		return err
	}
	st := &loadStats{s: s, super: super}
	s.Copy = map[string]time.Duration{}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	toEditions, toLedger := make(chan *chunk, 1), make(chan *chunk, 1)
	g := newGroup(cancel)
	g.go_(func() error {
		defer close(toEditions)
		defer close(toLedger)
		workers := max(1, runtime.NumCPU()-1)
		for from := 0; from < w.o.Editions; from += w.o.Chunk {
			c := w.generate(from, min(from+w.o.Chunk, w.o.Editions), workers)
			for _, ch := range []chan *chunk{toEditions, toLedger} {
				select {
				case ch <- c:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
		}
		return nil
	})
	consume := func(ch chan *chunk, copy func(*pgx.Conn, *chunk) error) func() error {
		return func() error {
			conn, err := pool.Acquire(ctx)
			if err != nil {
				return err
			}
			defer conn.Release()
			if _, err := conn.Exec(ctx, `SET synchronous_commit = off`); err != nil {
				return err
			}
			for c := range ch {
				if err := copy(conn.Conn(), c); err != nil {
					return err
				}
			}
			return nil
		}
	}
	g.go_(consume(toEditions, func(conn *pgx.Conn, c *chunk) error {
		if err := w.copyEditions(ctx, conn, c, st); err != nil {
			return err
		}
		st.add(func(s *Summary) { logf(w.o.Log, "bench: %d/%d editions", s.Editions, w.o.Editions) })
		return nil
	}))
	g.go_(consume(toLedger, func(conn *pgx.Conn, c *chunk) error { return w.copyLedger(ctx, conn, c, st) }))
	if err := g.wait(); err != nil {
		return err
	}
	logf(w.o.Log, "bench: copied in %s; indexing the editions for search", time.Since(start).Round(time.Second))
	if err := fillDerived(ctx, pool, w.base.edition, w.base.edition+int64(w.o.Editions)-1, 2); err != nil {
		return err
	}
	logf(w.o.Log, "bench: search rows in %s; building %d indexes", time.Since(start).Round(time.Second), len(indexes))
	return createIndexes(ctx, pool, indexes)
}

// group runs functions concurrently and returns the first error; the first failure cancels the rest.
type group struct {
	wg     sync.WaitGroup
	once   sync.Once
	err    error
	cancel func()
}

func newGroup(cancel func()) *group { return &group{cancel: cancel} }

func (g *group) go_(f func() error) {
	g.wg.Go(func() {
		if err := f(); err != nil {
			g.once.Do(func() { g.err = err; g.cancel() })
		}
	})
}

func (g *group) wait() error {
	g.wg.Wait()
	return g.err
}

// loadTables are the tables whose secondary indexes are dropped during the load and built again at
// the end: a sorted build is much faster than maintaining them row by row.
var loadTables = []string{"product", "edition", "search_doc", "release_ledger", "receipt", "audit_event"}

// dropSecondary drops the indexes of loadTables that back no constraint and returns their definitions.
func dropSecondary(ctx context.Context, pool *pgxpool.Pool) ([]string, error) {
	rows, _ := pool.Query(ctx, `SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i
		JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
		WHERE n.nspname = 'public' AND t.relname = ANY($1) AND NOT i.indisunique AND NOT i.indisprimary
		  AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)`, loadTables)
	type ix struct{ name, def string }
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ix, error) {
		var x ix
		return x, r.Scan(&x.name, &x.def)
	})
	if err != nil {
		return nil, err
	}
	var defs []string
	for _, x := range list {
		if _, err := pool.Exec(ctx, `DROP INDEX `+pgx.Identifier{x.name}.Sanitize()); err != nil {
			return nil, err
		}
		defs = append(defs, x.def)
	}
	return defs, nil
}

// createIndexes runs index definitions read from the catalogue on two connections, with memory
// enough to sort in one pass.
func createIndexes(ctx context.Context, pool *pgxpool.Pool, defs []string) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	todo := make(chan string, len(defs))
	for _, d := range defs {
		todo <- d
	}
	close(todo)
	g := newGroup(cancel)
	for range 2 {
		g.go_(func() error {
			conn, err := pool.Acquire(ctx)
			if err != nil {
				return err
			}
			defer conn.Release()
			if _, err := conn.Exec(ctx, `SET maintenance_work_mem = '256MB'`); err != nil {
				return err
			}
			for d := range todo {
				if _, err := conn.Exec(ctx, d); err != nil {
					return fmt.Errorf("%s: %w", d, err)
				}
			}
			return nil
		})
	}
	return g.wait()
}

// world is what every chunk needs: ids, agencies, users, caveat templates and counters.
type world struct {
	o        Options
	vocab    *Vocabulary
	center   int64
	releaser int64
	agencies []agency.Agency // bench agencies; the first o.Agencies have audiences
	liaisons []int64         // user id of each agency's liaison (same index)
	share    []float64       // share of editions each audience agency receives
	tmpl     []template
	base     ids
	start    time.Time // released_at of the first edition
	step     time.Duration
	numbers  map[numberKey]int
	ledgerID int64
	auditID  int64
	heads    [16]chainHead
}

type ids struct{ product, edition, attachment int64 }

type numberKey struct {
	typ  string
	year int
}

type chainHead struct {
	seq  int64
	hash []byte
}

func newRand(seed uint64, stream uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, stream)) } // #nosec G404 -- seeded on purpose: a reproducible corpus

package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Page names in the report.
const (
	PageInbox        = "inbox (liaison)"
	PageInboxAdmin   = "inbox (agency admin)"
	PageProduct      = "product page (liaison)"
	PageSearchCommon = "search top 20, common terms"
	PageSearchRare   = "search top 20, rare terms"
)

// Report is everything a run measured.
type Report struct {
	At         time.Time        `json:"at"`
	Host       map[string]any   `json:"host"`
	Corpus     map[string]any   `json:"corpus"`
	Options    map[string]any   `json:"options"`
	Ready      time.Duration    `json:"ready_ns"`
	Partial    bool             `json:"partial,omitempty"` // only the pages of RunOptions.Pages were measured
	Pages      []PageResult     `json:"pages"`
	Throughput PageResult       `json:"throughput"`
	Release    []time.Duration  `json:"release_ns"`
	Statements []StatementCount `json:"statements"`
	RSSPeak    int64            `json:"rss_peak_bytes"`
	RSSEnd     int64            `json:"rss_end_bytes"`
	Checks     []Check          `json:"checks"`
	// FloorRSS reads the floor's RSS when it runs as its own process.
	FloorRSS func() int64 `json:"-"`
}

// PageResult is one page under load, on the portal and on the floor.
type PageResult struct {
	Name   string `json:"name"`
	Portal Load   `json:"portal"`
	Floor  Load   `json:"floor"`
}

// StatementCount is the SQL sent for one request of a page.
type StatementCount struct {
	Page             string `json:"page"`
	Portal           int64  `json:"portal_statements"`
	PortalRoundTrips int64  `json:"portal_round_trips"`
	Floor            int64  `json:"floor_statements"`
	// PortalSQL lists what the portal sent (the start of each statement), for the reader.
	PortalSQL []string `json:"portal_sql"`
}

// Check is one line of the table: a figure against its DESIGN.md §7 target.
type Check struct {
	Measure string `json:"measure"`
	Portal  string `json:"portal"`
	Floor   string `json:"floor"`
	Ratio   string `json:"ratio"`
	Target  string `json:"target"`
	OK      bool   `json:"ok"`
}

func newReport(ctx context.Context, owner *pgxpool.Pool, o RunOptions) *Report {
	r := &Report{At: time.Now().UTC(), Host: map[string]any{"nproc": runtime.NumCPU(), "go": runtime.Version(), "cpu": cpuModel(),
		"loadavg_start": loadAvg()},
		Corpus: map[string]any{}, Options: map[string]any{"rate": o.Rate, "search_rate": o.SearchRate, "duration": o.Duration.String(),
			"warmup": o.Warmup.String(), "workers": o.Workers, "personas": o.Personas, "fanout": o.Fanout, "seed": o.Seed}}
	var version, buffers string
	if owner.QueryRow(ctx, `SELECT current_setting('server_version'), current_setting('shared_buffers')`).Scan(&version, &buffers) == nil {
		r.Host["postgresql"], r.Host["shared_buffers"] = version, buffers
	}
	if c, ok, err := Existing(ctx, owner); err == nil && ok {
		r.Corpus["editions"], r.Corpus["agencies"], r.Corpus["idle_agencies"], r.Corpus["seed"] = c.Editions, c.Agencies, c.Idle, c.Seed
	}
	rows, err := owner.Query(ctx, `SELECT relname, reltuples::bigint FROM pg_class WHERE relname = ANY($1) AND relkind = 'r'`,
		[]string{"edition", "release_ledger", "receipt", "audit_event", "search_doc", "agency"})
	if err == nil {
		for rows.Next() {
			var name string
			var n int64
			if rows.Scan(&name, &n) == nil {
				r.Corpus[name+"_rows"] = n
			}
		}
		rows.Close()
	}
	return r
}

// loadAvg is the 1, 5 and 15 minute load average: other work on the machine skews every figure.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:min(3, len(f))], " ")
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "model name"); ok {
			return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
		}
	}
	return ""
}

func (r *Report) page(name string) PageResult {
	for _, p := range r.Pages {
		if p.Name == name {
			return p
		}
	}
	return PageResult{Name: name}
}

func lat(l Load, p99 bool) string {
	tail := "p95 " + ms(l.P95)
	if p99 {
		tail = "p99 " + ms(l.P99)
	}
	s := fmt.Sprintf("p50 %s %s", ms(l.P50), tail)
	if l.Offered > 0 && l.Achieved < 0.99*l.Offered {
		s += fmt.Sprintf(" (only %.0f/s)", l.Achieved)
	}
	if l.Errors > 0 {
		s += fmt.Sprintf(" %d errors", l.Errors)
	}
	return s
}

func ratio(a, b float64) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", a/b)
}

// healthy reports whether an attack kept its rate without errors.
func healthy(l Load) bool { return l.Errors == 0 && (l.Offered == 0 || l.Achieved >= 0.99*l.Offered) }

// finish computes the checks against DESIGN.md §7.
func (r *Report) finish() {
	r.Host["loadavg_end"] = loadAvg()
	add := func(c Check) { r.Checks = append(r.Checks, c) }
	for _, p := range []struct {
		name  string
		p99   bool
		limit time.Duration
	}{{PageInbox, true, 25 * time.Millisecond}, {PageProduct, true, 25 * time.Millisecond},
		{PageSearchCommon, false, 100 * time.Millisecond}, {PageSearchRare, false, 100 * time.Millisecond}} {
		pr := r.page(p.name)
		if r.Partial && pr.Portal.Offered == 0 {
			continue // not measured in this run
		}
		v, fv, target := pr.Portal.P95, pr.Floor.P95, "p95 ≤ "+ms(p.limit)
		if p.p99 {
			v, fv, target = pr.Portal.P99, pr.Floor.P99, "p99 ≤ "+ms(p.limit)
		}
		add(Check{Measure: fmt.Sprintf("%s @%.0f/s", p.name, pr.Portal.Offered), Portal: lat(pr.Portal, p.p99), Floor: lat(pr.Floor, p.p99),
			Ratio: ratio(float64(v), float64(fv)), Target: target, OK: v <= p.limit && healthy(pr.Portal)})
	}
	if r.Partial {
		return // one page re-measured: none of the run-wide figures
	}
	t := r.Throughput
	add(Check{Measure: fmt.Sprintf("%s max throughput (%d workers)", PageInbox, r.Options["workers"].(uint64)),
		Portal: fmt.Sprintf("%.0f/s", t.Portal.Achieved), Floor: fmt.Sprintf("%.0f/s", t.Floor.Achieved),
		Ratio: ratio(t.Portal.Achieved, t.Floor.Achieved), Target: "≥ 0.60 of floor",
		OK: t.Floor.Achieved >= 1 && t.Portal.Achieved >= 0.6*t.Floor.Achieved && t.Portal.Errors == 0})
	li, ad := r.page(PageInbox), r.page(PageInboxAdmin)
	add(Check{Measure: "inbox liaison/admin p95", Portal: fmt.Sprintf("%s / %s", ms(li.Portal.P95), ms(ad.Portal.P95)),
		Floor: fmt.Sprintf("%s / %s", ms(li.Floor.P95), ms(ad.Floor.P95)), Ratio: ratio(float64(li.Portal.P95), float64(ad.Portal.P95)),
		Target: "≤ 1.5", OK: healthy(li.Portal) && healthy(ad.Portal) && float64(li.Portal.P95) <= 1.5*float64(ad.Portal.P95)})
	for _, s := range r.Statements {
		add(Check{Measure: "SQL statements: " + s.Page, Portal: fmt.Sprintf("%d (%d round trips)", s.Portal, s.PortalRoundTrips),
			Floor: fmt.Sprint(s.Floor), Ratio: ratio(float64(s.Portal), float64(s.Floor)), Target: "≤ 6", OK: s.Portal <= 6})
	}
	if len(r.Release) > 0 {
		rel := slices.Clone(r.Release)
		slices.Sort(rel)
		med := rel[len(rel)/2]
		add(Check{Measure: fmt.Sprintf("release to %v agencies (%d runs)", r.Options["fanout"], len(rel)),
			Portal: fmt.Sprintf("median %s, max %s", ms(med), ms(rel[len(rel)-1])), Floor: "-", Ratio: "-", Target: "≤ 100.0ms",
			OK: med <= 100*time.Millisecond})
	}
	floor := "-"
	if r.FloorRSS != nil {
		floor = fmt.Sprintf("%.0f MB", float64(r.FloorRSS())/(1<<20))
	}
	add(Check{Measure: "portal RSS under load (peak)", Portal: fmt.Sprintf("%.0f MB (end %.0f MB)", float64(r.RSSPeak)/(1<<20), float64(r.RSSEnd)/(1<<20)),
		Floor: floor, Ratio: "-", Target: "≤ 128 MB", OK: r.RSSPeak > 0 && r.RSSPeak <= 128<<20})
	add(Check{Measure: "portal start to ready (/readyz)", Portal: ms(r.Ready), Floor: "-", Ratio: "-", Target: "≤ 1000.0ms",
		OK: r.Ready <= time.Second})
}

// WriteTable prints the report as a plain table.
func (r *Report) WriteTable(w io.Writer) error {
	fmt.Fprintf(w, "Tearline benchmark %s — %v CPU (%v), %v, PostgreSQL %v (shared_buffers %v)\n", r.At.Format(time.RFC3339),
		r.Host["nproc"], r.Host["cpu"], r.Host["go"], r.Host["postgresql"], r.Host["shared_buffers"])
	fmt.Fprintf(w, "corpus: %v editions, %v recipient agencies (+%v idle), seed %v; ledger %v rows, audit %v rows, receipts %v\n",
		r.Corpus["editions"], r.Corpus["agencies"], r.Corpus["idle_agencies"], r.Corpus["seed"], r.Corpus["release_ledger_rows"],
		r.Corpus["audit_event_rows"], r.Corpus["receipt_rows"])
	fmt.Fprintf(w, "load: vegeta, open model, %v per fixed-rate attack after %v warm-up; generator on the same machine; "+
		"load average at start %v, at end %v\n\n", r.Options["duration"], r.Options["warmup"], r.Host["loadavg_start"], r.Host["loadavg_end"])
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MEASURE\tPORTAL\tFLOOR\tPORTAL/FLOOR\tTARGET\tMET")
	for _, c := range r.Checks {
		ok := "yes"
		if !c.OK {
			ok = "NO"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", c.Measure, c.Portal, c.Floor, c.Ratio, c.Target, ok)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, s := range r.Statements {
		fmt.Fprintf(w, "\nSQL the portal sent for one %s request:\n", s.Page)
		for i, q := range s.PortalSQL {
			fmt.Fprintf(w, "  %2d. %s\n", i+1, q)
		}
	}
	return nil
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

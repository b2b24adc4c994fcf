package bench

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// RunOptions configure a measurement run.
type RunOptions struct {
	Binary   string   // the portal binary (go build ./cmd/tearline)
	OwnerURL string   // the bench database as the owner role
	AppURL   string   // the same database as the application role
	FloorCmd []string // command that serves the floor (gets --addr and --db); nil runs it in this process
	OutDir   string   // where the portal's log goes

	Rate       int           // fixed rate for inbox and product pages (req/s)
	SearchRate int           // fixed rate for search (req/s)
	Duration   time.Duration // per fixed-rate attack
	Warmup     time.Duration // discarded load before measuring
	// Pause separates attacks, so statements an overloaded attack left running (the portal cancels
	// them after its 5 s statement timeout) do not weigh on the next one.
	Pause    time.Duration
	Workers  uint64 // concurrent requests for the maximum-throughput attack
	Personas int    // random agencies whose liaison and administrator take part
	Releases int    // releases to Fanout agencies to time
	Fanout   int    // recipients per release
	Seed     uint64
	Log      io.Writer
	// Pages, when set, measures only the pages whose names contain it (e.g. "search"), and skips the
	// throughput, statement and release measures: a quick re-measure of one page, not a full report.
	Pages string
}

// DefaultRunOptions are the figures of DESIGN.md §7.
func DefaultRunOptions() RunOptions {
	return RunOptions{Rate: 200, SearchRate: 20, Duration: 30 * time.Second, Warmup: 10 * time.Second, Pause: 6 * time.Second, Workers: 16,
		Personas: 60, Releases: 7, Fanout: 500, Seed: 1}
}

// runner holds a run's servers and fixtures.
type runner struct {
	o      RunOptions
	fx     *fixtures
	portal *process
	floor  string // base URL of the floor
	common []string
	rare   []string
	rep    *Report
}

// Run measures the portal and the floor on the bench database and returns the report.
func Run(ctx context.Context, o RunOptions) (*Report, error) {
	owner, err := pgxpool.New(ctx, o.OwnerURL)
	if err != nil {
		return nil, err
	}
	defer owner.Close()
	rn := &runner{o: o, rep: newReport(ctx, owner, o)}
	rn.common, rn.rare = NewVocabulary(DefaultOptions().Vocabulary).SearchTerms()
	if rn.fx, err = loadFixtures(ctx, owner, o.Personas, o.Seed); err != nil {
		return nil, err
	}
	rn.logf("bench: %d liaisons and %d administrators signed in (sessions minted in the session table)", len(rn.fx.liaisons), len(rn.fx.admins))
	stopFloor, err := rn.startFloor(ctx)
	if err != nil {
		return nil, err
	}
	defer stopFloor()
	plog, err := os.Create(filepath.Join(o.OutDir, "portal.log"))
	if err != nil {
		return nil, err
	}
	defer plog.Close()
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	if rn.portal, err = startProcess(ctx, []string{o.Binary, "serve"}, portalEnv(o, addr, o.AppURL), addr, plog); err != nil {
		return nil, err
	}
	defer rn.portal.stop()
	rn.rep.Ready = rn.portal.ready
	rn.logf("bench: portal ready in %s", rn.portal.ready.Round(time.Millisecond))
	if err := rn.check(); err != nil {
		return nil, err
	}
	rss := sampleRSS(rn.portal.cmd.Process.Pid)
	defer rss.close()
	if err := rn.measure(); err != nil {
		return nil, err
	}
	rn.rep.RSSPeak, rn.rep.RSSEnd = rss.peak()
	if o.Pages != "" {
		rn.rep.Partial = true
		rn.rep.finish()
		return rn.rep, nil
	}
	// Statements before releases: a release queues notification jobs whose queries would be counted.
	if err := rn.statements(ctx, plog); err != nil {
		return nil, err
	}
	if err := rn.release(ctx, owner); err != nil {
		return nil, err
	}
	rn.rep.finish()
	return rn.rep, nil
}

func (rn *runner) logf(format string, args ...any) { logf(rn.o.Log, format, args...) }

// portalEnv is the portal's environment: the bench database, a loopback address, no metrics listener,
// and no per-user rate limits on search and export (the load generator is a few users asking hard on
// purpose; the limits would measure themselves).
func portalEnv(o RunOptions, addr, appURL string) []string {
	return []string{"DATABASE_URL=" + o.OwnerURL, "TEARLINE_APP_DATABASE_URL=" + appURL, "TEARLINE_LISTEN_ADDR=" + addr,
		"TEARLINE_BASE_URL=http://" + addr, "TEARLINE_METRICS_ADDR=off", "TEARLINE_DEMO=auto", "TEARLINE_OIDC_PROVIDERS=",
		"TEARLINE_RATE_LIMIT_SEARCH=off", "TEARLINE_RATE_LIMIT_EXPORT=off"}
}

func (rn *runner) startFloor(ctx context.Context) (func(), error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	rn.floor = "http://" + addr
	if rn.o.FloorCmd != nil {
		argv := append(append([]string{}, rn.o.FloorCmd...), "--addr", addr, "--db", rn.o.AppURL)
		p, err := startProcess(ctx, argv, nil, addr, io.Discard)
		if err != nil {
			return nil, err
		}
		rn.rep.FloorRSS = func() int64 { kb, _ := readRSS(p.cmd.Process.Pid); return kb * 1024 }
		return p.stop, nil
	}
	f, err := OpenFloor(ctx, rn.o.AppURL)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		f.Close()
		return nil, err
	}
	fctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { _ = f.Serve(fctx, ln); close(done) }()
	return func() { cancel(); <-done; f.Close() }, nil
}

// Page generators: each returns the next request for the portal or the floor.
func (rn *runner) inbox(admins, floor bool) func(*rand.Rand) request {
	ps := rn.fx.liaisons
	if admins {
		ps = rn.fx.admins
	}
	return func(r *rand.Rand) request {
		p := ps[r.IntN(len(ps))]
		if floor {
			return request{url: fmt.Sprintf("%s/inbox?agency=%d&user=%d", rn.floor, p.AgencyID, p.UserID)}
		}
		return request{url: rn.portal.url + "/inbox", cookie: p.Token}
	}
}

func (rn *runner) edition(floor bool) func(*rand.Rand) request {
	return func(r *rand.Rand) request {
		p := rn.fx.liaisons[r.IntN(len(rn.fx.liaisons))]
		id := p.Editions[r.IntN(len(p.Editions))]
		if floor {
			return request{url: fmt.Sprintf("%s/editions/%d?agency=%d&user=%d", rn.floor, id, p.AgencyID, p.UserID)}
		}
		return request{url: rn.portal.url + "/editions/" + strconv.FormatInt(id, 10), cookie: p.Token}
	}
}

func (rn *runner) search(terms []string, floor bool) func(*rand.Rand) request {
	return func(r *rand.Rand) request {
		p := rn.fx.liaisons[r.IntN(len(rn.fx.liaisons))]
		q := url.QueryEscape(terms[r.IntN(len(terms))])
		if floor {
			return request{url: fmt.Sprintf("%s/search?q=%s&agency=%d&user=%d", rn.floor, q, p.AgencyID, p.UserID)}
		}
		return request{url: rn.portal.url + "/search?q=" + q, cookie: p.Token}
	}
}

// check fetches each page once from both servers and refuses to measure pages that do not work.
func (rn *runner) check() error {
	r := rand.New(rand.NewPCG(rn.o.Seed, 5)) // #nosec G404 -- seeded on purpose: reproducible benchmark requests
	for _, c := range []struct {
		name string
		gen  func(*rand.Rand) request
		want string
	}{
		{"portal inbox", rn.inbox(false, false), `data-testid="inbox"`},
		{"portal inbox (admin)", rn.inbox(true, false), `data-testid="inbox"`},
		{"portal product page", rn.edition(false), `HSTC-`},
		{"portal search", rn.search(rn.rare, false), `Search`},
		{"floor inbox", rn.inbox(false, true), `/editions/`},
		{"floor product page", rn.edition(true), `HSTC-`},
		{"floor search", rn.search(rn.rare, true), `results for`},
	} {
		body, code, err := get(c.gen(r))
		if err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
		if code != http.StatusOK || !strings.Contains(body, c.want) {
			return fmt.Errorf("%s answered %d without %q; the bench sessions or pages do not work:\n%.600s", c.name, code, c.want, body)
		}
	}
	return nil
}

func get(q request) (string, int, error) {
	req, err := http.NewRequest(http.MethodGet, q.url, nil)
	if err != nil {
		return "", 0, err
	}
	if q.cookie != "" {
		req.AddCookie(&http.Cookie{Name: SessionCookie, Value: q.cookie}) // #nosec G124 -- a request cookie; the attributes belong to Set-Cookie
	}
	c := &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		return "", 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), resp.StatusCode, err
}

// measure runs every fixed-rate and maximum-throughput attack, the portal then the floor.
func (rn *runner) measure() error {
	o := rn.o
	seed := o.Seed
	run := func(name string, gen func(*rand.Rand) request, rate int, d time.Duration) Load {
		time.Sleep(o.Pause)
		seed++
		l := attack(gen, rate, d, max(o.Workers, 10), seed)
		rn.logf("bench: %-34s offered %4.0f/s achieved %7.1f/s p50 %7s p95 %7s p99 %7s errors %d %s", name, l.Offered, l.Achieved,
			ms(l.P50), ms(l.P95), ms(l.P99), l.Errors, l.FirstError)
		return l
	}
	if o.Warmup > 0 {
		run("warm-up portal (discarded)", rn.inbox(false, false), o.Rate, o.Warmup/2)
		run("warm-up floor (discarded)", rn.inbox(false, true), o.Rate, o.Warmup/2)
		run("warm-up portal pages (discarded)", rn.edition(false), o.Rate, o.Warmup/2)
		// Search warms the pages of both kinds of query (the floor shares the database, so it is warm too).
		run("warm-up portal search, rare terms (discarded)", rn.search(rn.rare, false), o.SearchRate, o.Warmup/2)
		run("warm-up portal search, common terms (discarded)", rn.search(rn.common, false), o.SearchRate, o.Warmup/2)
	}
	pages := []struct {
		name          string
		portal, floor func(*rand.Rand) request
		rate          int
	}{
		{PageInbox, rn.inbox(false, false), rn.inbox(false, true), o.Rate},
		{PageInboxAdmin, rn.inbox(true, false), rn.inbox(true, true), o.Rate},
		{PageProduct, rn.edition(false), rn.edition(true), o.Rate},
		{PageSearchCommon, rn.search(rn.common, false), rn.search(rn.common, true), o.SearchRate},
		{PageSearchRare, rn.search(rn.rare, false), rn.search(rn.rare, true), o.SearchRate},
	}
	for _, p := range pages {
		if o.Pages != "" && !strings.Contains(p.name, o.Pages) {
			continue
		}
		pr := run(p.name+" portal", p.portal, p.rate, o.Duration)
		fl := run(p.name+" floor", p.floor, p.rate, o.Duration)
		rn.rep.Pages = append(rn.rep.Pages, PageResult{Name: p.name, Portal: pr, Floor: fl})
	}
	if o.Pages != "" {
		return nil
	}
	pr := run(PageInbox+" portal max", rn.inbox(false, false), 0, o.Duration)
	fl := run(PageInbox+" floor max", rn.inbox(false, true), 0, o.Duration)
	rn.rep.Throughput = PageResult{Name: PageInbox, Portal: pr, Floor: fl}
	return nil
}

func ms(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e6, 'f', 1, 64) + "ms" }

// copyEditionSQL creates a fresh, uncontrolled edition to release, as the next revision of an
// existing one (the owner inserts it; every trigger runs, as at a real release).
const copyEditionSQL = `INSERT INTO edition (product_id, owner_agency_id, number, rev, type, title, banner, content, sha256, released_by)
SELECT e.product_id, e.owner_agency_id, e.number, (SELECT max(x.rev) + 1 FROM edition x WHERE x.number = e.number), e.type, e.title,
	e.banner, e.content, e.sha256, e.released_by
FROM edition e WHERE e.id = (SELECT min(id) FROM edition WHERE banner = $1 AND owner_agency_id = $2)
RETURNING id`

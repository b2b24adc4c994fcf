package bench

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"tearline/internal/dissem"
	"tearline/internal/marking"
	"tearline/internal/postgres"
)

// release times DisseminateEdition, the store call behind the release form, writing Fanout ledger
// rows (and their audit rows) as the application role, for fresh editions.
func (rn *runner) release(ctx context.Context, owner *pgxpool.Pool) error {
	app, err := postgres.Open(ctx, rn.o.AppURL)
	if err != nil {
		return err
	}
	defer app.Close()
	ownerDB := &postgres.DB{Pool: owner}
	agencies, err := ownerDB.FindAgencies(ctx)
	if err != nil {
		return err
	}
	banner := marking.DeriveBanner(releaseMarking())
	var recipients []int64
	for _, v := range dissem.CheckAll(banner, agencies, dissem.Options{}) {
		if v.Allowed && v.AgencyID != rn.fx.center && len(recipients) < rn.o.Fanout {
			recipients = append(recipients, v.AgencyID)
		}
	}
	if len(recipients) < rn.o.Fanout {
		return fmt.Errorf("only %d agencies may receive an edition marked %s; the release needs %d (seed more agencies)", len(recipients), banner, rn.o.Fanout)
	}
	for range rn.o.Releases {
		var id int64
		if err := owner.QueryRow(ctx, copyEditionSQL, banner.String(), rn.fx.center).Scan(&id); err != nil {
			return fmt.Errorf("create an edition to release: %w", err)
		}
		start := time.Now()
		n, err := app.DisseminateEdition(ctx, rn.fx.center, rn.fx.releaser, id, recipients, "Benchmark: release to many agencies.", banner.String())
		d := time.Since(start)
		if err != nil {
			return fmt.Errorf("release: %w", err)
		}
		if n != len(recipients) {
			return fmt.Errorf("release wrote %d ledger rows, want %d", n, len(recipients))
		}
		rn.rep.Release = append(rn.rep.Release, d)
		rn.logf("bench: release of edition %d to %d agencies: %s", id, n, ms(d))
	}
	return nil
}

// statements starts a second portal whose database connections pass through a counting proxy, and
// counts what one request of each page sends (after one warm-up request, so caches are filled).
func (rn *runner) statements(ctx context.Context, log io.Writer) error {
	u, err := url.Parse(rn.o.AppURL)
	if err != nil {
		return err
	}
	port := u.Port()
	if port == "" {
		port = "5432"
	}
	proxy, err := newStmtProxy(u.Hostname() + ":" + port)
	if err != nil {
		return err
	}
	defer proxy.close()
	u.Host = proxy.addr()
	q := u.Query()
	q.Set("sslmode", "disable")
	u.RawQuery = q.Encode()
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	p, err := startProcess(ctx, []string{rn.o.Binary, "serve"}, portalEnv(rn.o, addr, u.String()), addr, log)
	if err != nil {
		return err
	}
	defer p.stop()
	time.Sleep(2 * time.Second) // start-up jobs (audit anchor and expiry, job queue) settle
	main := rn.portal.url
	rn.portal.url = p.url
	defer func() { rn.portal.url = main }()
	for _, pg := range []struct {
		name          string
		portal, floor func() request
	}{
		{PageInbox, fixed(rn.inbox(false, false)), fixed(rn.inbox(false, true))},
		{PageInboxAdmin, fixed(rn.inbox(true, false)), fixed(rn.inbox(true, true))},
		{PageProduct, fixed(rn.edition(false)), fixed(rn.edition(true))},
		{PageSearchRare, fixed(rn.search(rn.rare, false)), fixed(rn.search(rn.rare, true))},
	} {
		sc := StatementCount{Page: pg.name, Portal: -1}
		// The first request fills caches; of the next three the smallest count is kept, since the
		// portal's background jobs (job queue polling) may send statements at the same moment.
		for i := range 4 {
			proxy.take()
			s0, r0 := proxy.counts()
			if _, code, err := get(pg.portal()); err != nil || code != 200 {
				return fmt.Errorf("statement count of %s: %d %v", pg.name, code, err)
			}
			s1, r1 := proxy.counts()
			sent := proxy.take()
			if i > 0 && (sc.Portal < 0 || s1-s0 < sc.Portal) {
				sc.Portal, sc.PortalRoundTrips, sc.PortalSQL = s1-s0, r1-r0, sent
			}
		}
		n, err := floorStatements(pg.floor())
		if err != nil {
			return fmt.Errorf("floor statement count of %s: %w", pg.name, err)
		}
		sc.Floor = n
		rn.rep.Statements = append(rn.rep.Statements, sc)
	}
	return nil
}

// fixed returns a generator that always yields the same request, so both requests of a count take
// the same path.
func fixed(gen func(*rand.Rand) request) func() request {
	q := gen(newRand(7, 7))
	return func() request { return q }
}

func floorStatements(q request) (int64, error) {
	resp, err := http.Get(q.url)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("floor answered %d", resp.StatusCode)
	}
	return strconv.ParseInt(resp.Header.Get(StatementHeader), 10, 64)
}

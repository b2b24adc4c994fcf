package bench

import (
	"context"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/a-h/templ"
	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"tearline/internal/postgres"
	"tearline/internal/product"
	"tearline/internal/search"
)

// The floor is what the portal is measured against: a bare chi router, a pgx pool as the same
// application role and a templ page, running the same SQL as the portal's page (the same store
// methods, so it cannot drift) without sessions, principal loading, casbin, CSRF, logging, metrics
// or the layout. The user and agency come from the query string. Each response carries the number
// of SQL statements it sent, counted by a pgx tracer, in the X-Statements header.

// StatementHeader carries the floor's statement count per response.
const StatementHeader = "X-Statements"

// Floor is the floor server.
type Floor struct {
	db *postgres.DB
}

// OpenFloor connects to the application URL with a statement-counting tracer.
func OpenFloor(ctx context.Context, appURL string) (*Floor, error) {
	cfg, err := pgxpool.ParseConfig(appURL)
	if err != nil {
		return nil, err
	}
	cfg.ConnConfig.Tracer = counter{}
	// The portal cancels any statement after TEARLINE_DB_STATEMENT_TIMEOUT (5 s by default); so does the floor.
	cfg.ConnConfig.RuntimeParams["statement_timeout"] = "5000"
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return &Floor{db: &postgres.DB{Pool: pool}}, nil
}

// Close closes the pool.
func (f *Floor) Close() { f.db.Close() }

// Handler returns the floor's routes.
func (f *Floor) Handler() http.Handler {
	r := chi.NewRouter()
	r.Get("/inbox", f.inbox)
	r.Get("/editions/{id}", f.edition)
	r.Get("/search", f.search)
	r.Get("/readyz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	return r
}

// Serve serves the floor on ln until ctx ends.
func (f *Floor) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: f.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); err != http.ErrServerClosed {
		return err
	}
	return nil
}

func identity(r *http.Request) (agencyID, userID int64, ok bool) {
	a, err1 := strconv.ParseInt(r.URL.Query().Get("agency"), 10, 64)
	u, err2 := strconv.ParseInt(r.URL.Query().Get("user"), 10, 64)
	return a, u, err1 == nil && err2 == nil
}

func (f *Floor) inbox(w http.ResponseWriter, r *http.Request) {
	ctx, n := withCount(r.Context())
	a, u, ok := identity(r)
	if !ok {
		http.Error(w, "agency and user required", http.StatusBadRequest)
		return
	}
	box, err := f.db.FindInbox(ctx, a, u, floorInboxFilter())
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	f.render(w, r, n, floorInbox(box))
}

func (f *Floor) edition(w http.ResponseWriter, r *http.Request) {
	ctx, n := withCount(r.Context())
	a, u, ok := identity(r)
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if !ok || err != nil {
		http.Error(w, "agency, user and id required", http.StatusBadRequest)
		return
	}
	e, _, err := f.db.FindVisibleEdition(ctx, a, id)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	if _, err := f.db.ViewEdition(ctx, a, u, e); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	f.render(w, r, n, floorEdition(e))
}

func (f *Floor) search(w http.ResponseWriter, r *http.Request) {
	ctx, n := withCount(r.Context())
	a, u, ok := identity(r)
	if !ok {
		http.Error(w, "agency and user required", http.StatusBadRequest)
		return
	}
	q := search.Parse(r.URL.Query().Get)
	res, err := f.db.Search(ctx, search.Scope{AgencyID: a, UserID: u, Received: true}, q)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	f.render(w, r, n, floorSearch(q.Text, res))
}

func (f *Floor) render(w http.ResponseWriter, r *http.Request, n *atomic.Int64, c templ.Component) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set(StatementHeader, strconv.FormatInt(n.Load(), 10))
	if err := c.Render(r.Context(), w); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}

// counter is a pgx tracer that counts the statements sent for the request in the context: each
// query, exec and batched statement counts once.
type counter struct{}

type countKey struct{}

func withCount(ctx context.Context) (context.Context, *atomic.Int64) {
	n := &atomic.Int64{}
	return context.WithValue(ctx, countKey{}, n), n
}

func count(ctx context.Context) {
	if n, ok := ctx.Value(countKey{}).(*atomic.Int64); ok {
		n.Add(1)
	}
}

func (counter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	count(ctx)
	return ctx
}

func (counter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (counter) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	return ctx
}

func (counter) TraceBatchQuery(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchQueryData) {
	count(ctx)
}

func (counter) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

// floorInboxFilter is the portal's first inbox page: no filters, the newest 50.
func floorInboxFilter() product.InboxFilter { return product.InboxFilter{Limit: 50} }

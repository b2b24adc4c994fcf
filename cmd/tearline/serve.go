package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"tearline/internal/auth"
	"tearline/internal/authz"
	"tearline/internal/config"
	"tearline/internal/demo"
	"tearline/internal/demoidp"
	"tearline/internal/markdown"
	"tearline/internal/notify"
	"tearline/internal/postgres"
	"tearline/internal/web"
	assets "tearline/web"
)

// app is the assembled portal: every concrete type is chosen here and nowhere else.
type app struct {
	db     *postgres.DB
	server *web.Server
	jobs   *river.Client[pgx.Tx] // the notification workers; serve starts them
}

func (a *app) Close() { a.db.Close() }

// startJobs runs the background-job workers until ctx ends; the returned channel closes when they
// have stopped (jobs in flight finish or are retried later).
func (a *app) startJobs(ctx context.Context, logger *slog.Logger) (<-chan struct{}, error) {
	if err := a.jobs.Start(ctx); err != nil {
		return nil, fmt.Errorf("start background jobs: %w", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		<-ctx.Done()
		stop, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if err := a.jobs.Stop(stop); err != nil {
			logger.Warn("stop background jobs", "error", err)
		}
	}()
	return done, nil
}

// mailer chooses how notification e-mail leaves: SMTP when configured, the outbox page in demo mode,
// otherwise not at all.
func mailer(cfg *config.Config, db *postgres.DB) notify.Mailer {
	switch {
	case cfg.SMTP.Addr != "":
		return notify.SMTP{Addr: cfg.SMTP.Addr, From: cfg.SMTP.From, Username: cfg.SMTP.Username, Password: cfg.SMTP.Password}
	case cfg.Demo:
		return notify.Outbox{Save: db.SaveOutbox}
	}
	return nil
}

// hooks let tests replace the clock and the HTTP client the relying party uses.
type hooks struct {
	now        func() time.Time
	httpClient *http.Client
}

func assemble(ctx context.Context, cfg *config.Config, logger *slog.Logger, hk hooks) (*app, error) {
	db, err := postgres.OpenWith(ctx, cfg.AppDatabaseURL, postgres.Options{StatementTimeout: cfg.StatementTimeout})
	if err != nil {
		return nil, fmt.Errorf("%w (run \"tearline migrate\" first; the server connects as %s)", err, config.AppRole)
	}
	db.SteeringQuorum = cfg.SteeringQuorum
	az, err := authz.New()
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("the authorization policy (policies/model.conf and policies/policy.csv, built into the binary) is invalid, so nothing can be authorized; refusing to start: %w", err)
	}
	st, err := assets.NewAssets()
	if err != nil {
		db.Close()
		return nil, err
	}
	base := cfg.BaseURL.String()
	d := web.Deps{Logger: logger, Store: db, Authz: az, Assets: st, Secure: cfg.Secure(), Registry: prometheus.NewRegistry(),
		Markdown: markdown.New(), MaxAttachmentBytes: cfg.MaxAttachmentBytes, SteeringQuorum: cfg.SteeringQuorum,
		Limits:      web.Limits{SignIn: web.Limit(cfg.RateLimits.SignIn), Search: web.Limit(cfg.RateLimits.Search), Export: web.Limit(cfg.RateLimits.Export)},
		Unavailable: postgres.Unavailable}
	d.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if cfg.Demo {
		d.Personas = demo.Personas()
		d.DemoIDP, err = demoidp.New(demoidp.Options{
			Issuer: cfg.DemoIssuer(), MountPath: config.DemoIssuerPath,
			ClientID: "tearline-portal", ClientSecret: cfg.SessionSecret,
			RedirectURI: base + "/auth/callback/" + config.DemoProviderName, LogoutURI: base + "/",
			People: func(sub string) (string, string, bool) {
				p, ok := demo.FindPersona(sub)
				return p.Name, p.Email(), ok
			},
			Logger: logger, Now: hk.now,
		})
		if err != nil {
			db.Close()
			return nil, err
		}
	}
	sessions := auth.NewSessions(db.Pool, auth.SessionOptions{Secure: cfg.Secure(), Lifetime: cfg.SessionLifetime})
	d.Auth = auth.New(auth.Options{
		Providers: cfg.Providers, BaseURL: base, IdleTimeout: cfg.SessionIdleTimeout, Lifetime: cfg.SessionLifetime, Logger: logger,
		Now: hk.now, HTTPClient: hk.httpClient,
	}, db, sessions)
	jobs, err := river.NewClient(riverpgxv5.New(db.Pool), &river.Config{
		Queues:  map[string]river.QueueConfig{notify.Queue: {MaxWorkers: 4}},
		Workers: notify.Workers(db, mailer(cfg, db), base, logger),
		Logger:  logger,
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("background jobs: %w", err)
	}
	return &app{db: db, server: web.New(d), jobs: jobs}, nil
}

func runServe(ctx context.Context, fs *flag.FlagSet, args []string, getenv func(string) string, stdout io.Writer) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	logger := newLogger(stdout, cfg.LogLevel)
	ln, err := net.Listen("tcp", cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("listen on %s (TEARLINE_LISTEN_ADDR): %w", cfg.ListenAddr, err)
	}
	return serve(ctx, cfg, ln, logger)
}

// serve runs the portal on ln until ctx ends, then shuts down gracefully.
func serve(ctx context.Context, cfg *config.Config, ln net.Listener, logger *slog.Logger) error {
	start := time.Now()
	a, err := assemble(ctx, cfg, logger, hooks{})
	if err != nil {
		ln.Close()
		return err
	}
	defer a.Close()
	jobsCtx, stopJobs := context.WithCancel(ctx)
	jobsDone := newAuditJobs(a.db, cfg, logger).start(jobsCtx)
	notifyDone, err := a.startJobs(jobsCtx, logger)
	if err != nil {
		stopJobs()
		<-jobsDone
		ln.Close()
		return err
	}
	defer func() {
		stopJobs()
		<-jobsDone
		<-notifyDone
	}()
	srv := &http.Server{
		Handler:           a.server.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(ln) }()
	var metricsSrv *http.Server
	if cfg.MetricsAddr != "off" {
		mln, err := net.Listen("tcp", cfg.MetricsAddr)
		if err != nil {
			_ = srv.Close()
			return fmt.Errorf("listen on %s (TEARLINE_METRICS_ADDR): %w", cfg.MetricsAddr, err)
		}
		metricsSrv = &http.Server{Handler: a.server.MetricsHandler(), ReadHeaderTimeout: 5 * time.Second}
		go func() {
			if err := metricsSrv.Serve(mln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				logger.Error("metrics listener", "error", err)
			}
		}()
		logger.Info("metrics", "addr", mln.Addr().String())
	}
	logger.Info("serving", "addr", ln.Addr().String(), "base_url", cfg.BaseURL.String(), "demo", cfg.Demo,
		"ready_ms", time.Since(start).Milliseconds())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if metricsSrv != nil {
		_ = metricsSrv.Shutdown(shutdownCtx)
	}
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func runMigrate(ctx context.Context, fs *flag.FlagSet, args []string, getenv func(string) string, stdout io.Writer) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	created, err := postgres.EnsureDatabase(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	if created {
		fmt.Fprintln(stdout, "created database")
	}
	if err := postgres.Migrate(ctx, cfg.DatabaseURL); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "migrations applied")
	return nil
}

func runSeedDemo(ctx context.Context, fs *flag.FlagSet, args []string, getenv func(string) string, stdout io.Writer) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	db, err := postgres.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := demo.Seed(ctx, db, cfg.DemoIssuer()); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "demo data seeded: %d agencies, %d personas (issuer %s)\n", len(demo.Agencies()), len(demo.Personas()), cfg.DemoIssuer())
	n, err := demo.SeedDrafts(ctx, db, cfg.DemoIssuer())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "demo drafts: %d created\n", n)
	if n, err = demo.SeedEditions(ctx, db, cfg.DemoIssuer()); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "demo editions: %d released\n", n)
	released, waiting, err := demo.SeedSteering(ctx, db, cfg.DemoIssuer())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "demo assessments: %d released through the steering group, %d waiting for it\n", released, waiting)
	if n, err = demo.SeedDissemination(ctx, db, cfg.DemoIssuer()); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "demo dissemination: %d editions released to agencies\n", n)
	return nil
}

func runRoutes(_ context.Context, fs *flag.FlagSet, args []string, getenv func(string) string, stdout io.Writer) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	az, err := authz.New()
	if err != nil {
		return err
	}
	st, err := assets.NewAssets()
	if err != nil {
		return err
	}
	d := web.Deps{Authz: az, Assets: st}
	if cfg.Demo {
		d.DemoIDP = &demoidp.Provider{}
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "METHOD\tPATTERN\tACCESS")
	for _, r := range web.New(d).Routes() {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", r.Method, r.Pattern, r.Access)
	}
	return tw.Flush()
}

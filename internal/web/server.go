// Package web is the HTTP layer: one routes.go, middleware, handlers per resource and form decoding.
// It talks to the domain through the stores and services main passes in.
package web

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"tearline/internal/agency"
	"tearline/internal/audit"
	"tearline/internal/auth"
	"tearline/internal/authz"
	"tearline/internal/demo"
	"tearline/internal/demoidp"
	"tearline/internal/user"
	"tearline/web"
)

// Store is the persistence the handlers use.
type Store interface {
	Ping(ctx context.Context) error
	FindAgencies(ctx context.Context) ([]agency.Agency, error)
	FindAgencyByID(ctx context.Context, id int64) (agency.Agency, error)
	CreateAgency(ctx context.Context, a *agency.Agency) error
	UpdateAgency(ctx context.Context, a *agency.Agency) error
	FindUsers(ctx context.Context, f user.Filter) ([]user.User, error)
	FindUserByID(ctx context.Context, id int64) (user.User, error)
	CreateUser(ctx context.Context, u *user.User) error
	UpdateUser(ctx context.Context, u *user.User, loadedAt time.Time) error
	SetUserActive(ctx context.Context, id int64, active bool) error
	PreviousSignIn(ctx context.Context, userID int64) (time.Time, error)
	CountActiveUsers(ctx context.Context, agencyID int64) (int, error)
	RecordEvent(ctx context.Context, ev audit.Event) error
}

// Deps are the server's explicit dependencies.
type Deps struct {
	Logger   *slog.Logger
	Store    Store
	Auth     *auth.Service
	Authz    *authz.Authorizer
	Assets   *web.Assets
	DemoIDP  *demoidp.Provider // nil outside demo mode
	Personas []demo.Persona    // demo personas for the picker
	Secure   bool
	Registry *prometheus.Registry
}

// Server holds the dependencies every handler uses.
type Server struct {
	Deps
	metrics      *metrics
	demoAgencies []agency.Agency
}

// New returns a Server.
func New(d Deps) *Server {
	return &Server{Deps: d, metrics: newMetrics(d.Registry), demoAgencies: demo.Agencies()}
}

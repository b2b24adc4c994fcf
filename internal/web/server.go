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
	"tearline/internal/markdown"
	"tearline/internal/marking"
	"tearline/internal/notify"
	"tearline/internal/product"
	"tearline/internal/user"
	"tearline/internal/workflow"
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
	FindDistributionLists(ctx context.Context) ([]agency.List, error)
	SaveDistributionList(ctx context.Context, userID int64, l *agency.List) error
	ProductStore
	CommentStore
	SteeringStore
	ReachStore
	SearchStore
	AuditStore
	NotificationStore
}

// NotificationStore is the persistence of a user's notifications, subscriptions and demo outbox;
// every method is keyed on the principal's user and agency.
type NotificationStore interface {
	FindNotifications(ctx context.Context, agencyID, userID int64, limit int) ([]notify.Notification, int, error)
	MarkNotificationsRead(ctx context.Context, agencyID, userID, id int64) error
	OpenNotification(ctx context.Context, agencyID, userID, id int64) (notify.Notification, error)
	FindSubscriptions(ctx context.Context, agencyID, userID int64) ([]notify.Subscription, error)
	AddSubscription(ctx context.Context, agencyID, userID int64, s notify.Subscription) error
	DeleteSubscription(ctx context.Context, agencyID, userID, id int64) error
	FindOutbox(ctx context.Context, agencyID, userID int64) ([]notify.Message, error)
}

// ProductStore is the persistence of drafts. Every method takes the principal's agency explicitly:
// it filters the SQL and sets the row-level-security agency of the transaction.
type ProductStore interface {
	CreateProduct(ctx context.Context, agencyID, userID int64, p *product.Product, initial marking.Marking) error
	FindProductByID(ctx context.Context, agencyID, id int64) (product.Product, error)
	FindDrafts(ctx context.Context, agencyID int64, f product.DraftFilter) ([]product.DraftSummary, int, error)
	UpdateProductMetadata(ctx context.Context, agencyID, userID int64, p *product.Product, rev int) (product.Product, error)
	SavePortion(ctx context.Context, agencyID, userID, productID int64, x *product.Portion, rev int) (product.Product, error)
	AddPortion(ctx context.Context, agencyID, userID, productID int64, after int, x *product.Portion) error
	MovePortion(ctx context.Context, agencyID, userID, productID, portionID int64, delta int) error
	DeletePortion(ctx context.Context, agencyID, userID, productID, portionID int64) error
	FindVersions(ctx context.Context, agencyID, productID int64) ([]product.Version, error)
	RestoreVersion(ctx context.Context, agencyID, userID, productID int64, number int) error
	AddSource(ctx context.Context, agencyID, userID, productID int64, s *product.Source) error
	DeleteSource(ctx context.Context, agencyID, userID, productID, sourceID int64) error
	AddAuthor(ctx context.Context, agencyID, userID, productID, authorID int64) error
	FindAnalysts(ctx context.Context, agencyID int64) ([]product.Author, error)
	CreateAttachment(ctx context.Context, agencyID, userID, productID int64, a *product.Attachment, data []byte) error
	FindAttachment(ctx context.Context, agencyID, productID, attachmentID int64) (product.Attachment, []byte, error)
	FindEditionAttachment(ctx context.Context, agencyID, userID, editionID, attachmentID int64) (product.Attachment, []byte, error)
	DeleteAttachment(ctx context.Context, agencyID, userID, productID, attachmentID int64) error
	KeepConflictCopy(ctx context.Context, agencyID, userID, productID int64, x product.Portion, note string) error
	TransitionProduct(ctx context.Context, agencyID, userID, productID int64, from, to product.State, action, comment string) error
	FindTransitions(ctx context.Context, agencyID, productID int64) ([]product.Transition, error)
	ReleaseProduct(ctx context.Context, agencyID, userID, productID int64, now time.Time) (product.Edition, error)
	FindEditions(ctx context.Context, agencyID, productID int64) ([]product.Edition, error)
	FindEditionByID(ctx context.Context, agencyID, id int64) (product.Edition, error)
	RescindEdition(ctx context.Context, agencyID, userID, editionID int64, reason string) error
	DisseminateEdition(ctx context.Context, agencyID, userID, editionID int64, recipients []int64, justification, caveats string) (int, error)
	FindLedger(ctx context.Context, agencyID, editionID int64) ([]product.LedgerEntry, error)
	FindInbox(ctx context.Context, agencyID, userID int64, f product.InboxFilter) (product.Inbox, error)
	FindVisibleEdition(ctx context.Context, agencyID, editionID int64) (product.Edition, bool, error)
	ViewEdition(ctx context.Context, agencyID, userID int64, e product.Edition) (product.EditionSurroundings, error)
	FindRecallNotice(ctx context.Context, agencyID, editionID int64) (product.RecallNotice, error)
	FindReviewQueue(ctx context.Context, agencyID, userID int64, states []product.State) ([]product.DraftSummary, error)
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
	Markdown *markdown.Renderer
	// MaxAttachmentBytes limits one attachment upload; larger bodies are refused before being read.
	MaxAttachmentBytes int64
	// SteeringQuorum is the configured steering quorum (shown on the steering panel).
	SteeringQuorum workflow.QuorumRule
	// Limits are the rate limits of sign-in, search and export; zero limits none.
	Limits Limits
	// Unavailable reports whether an error means the database cannot serve for now (answered 503).
	Unavailable func(error) bool
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

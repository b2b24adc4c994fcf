package web

import (
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"tearline/internal/authz"
)

type accessKind int

const (
	accessInfra      accessKind = iota + 1 // no session: assets, probes, metrics, identity-provider protocol
	accessPublic                           // session loaded, no sign-in required
	accessSignedIn                         // any signed-in user, before the system-use notice too
	accessPermission                       // signed in, notice acknowledged, and authz grants action on object
)

// access is what a route declares about who may call it.
type access struct {
	kind   accessKind
	action string
	object authz.Object
}

var (
	infra    = access{kind: accessInfra}
	public   = access{kind: accessPublic}
	signedIn = access{kind: accessSignedIn}
)

func can(action, objectType string) access {
	return access{kind: accessPermission, action: action, object: authz.Type(objectType)}
}

// route is one entry of the route table. Every route the server serves is declared here, with its
// access; a test walks the router and fails on any route missing from this table.
type route struct {
	method  string
	pattern string
	access  access
	handler http.Handler
}

func (s *Server) routes() []route {
	h := func(f http.HandlerFunc) http.Handler { return f }
	rs := []route{
		{"GET", "/healthz", infra, h(s.handleHealthz)},
		{"GET", "/readyz", infra, h(s.handleReadyz)},
		{"GET", "/static/*", infra, s.Assets.Handler()},
		{"POST", cspReportPath, infra, h(s.handleCSPReport)},

		{"GET", "/", public, h(s.handleHome)},
		{"GET", "/auth/login", public, h(s.handleLogin)},
		{"GET", "/auth/callback/{provider}", public, h(s.handleCallback)},
		{"POST", "/auth/logout", public, h(s.handleLogout)},
		{"GET", "/notice", signedIn, h(s.handleNotice)},
		{"POST", "/notice", signedIn, h(s.handleNoticeAck)},

		{"GET", "/admin/agencies", can(authz.ActList, authz.TypeAgency), h(s.handleAgencyList)},
		{"GET", "/admin/agencies/new", can(authz.ActCreate, authz.TypeAgency), h(s.handleAgencyNew)},
		{"POST", "/admin/agencies", can(authz.ActCreate, authz.TypeAgency), h(s.handleAgencyCreate)},
		{"GET", "/admin/agencies/{id}/edit", can(authz.ActUpdate, authz.TypeAgency), h(s.handleAgencyEdit)},
		{"POST", "/admin/agencies/{id}", can(authz.ActUpdate, authz.TypeAgency), h(s.handleAgencyUpdate)},

		{"GET", "/admin/users", can(authz.ActList, authz.TypeUser), h(s.handleUserList)},
		{"GET", "/admin/users/new", can(authz.ActCreate, authz.TypeUser), h(s.handleUserNew)},
		{"POST", "/admin/users", can(authz.ActCreate, authz.TypeUser), h(s.handleUserCreate)},
		{"GET", "/admin/users/{id}/edit", can(authz.ActRead, authz.TypeUser), h(s.handleUserEdit)},
		{"POST", "/admin/users/{id}", can(authz.ActUpdate, authz.TypeUser), h(s.handleUserUpdate)},
		{"POST", "/admin/users/{id}/deactivate", can(authz.ActDeactivate, authz.TypeUser), h(s.handleUserSetActive(false))},
		{"POST", "/admin/users/{id}/reactivate", can(authz.ActDeactivate, authz.TypeUser), h(s.handleUserSetActive(true))},

		{"GET", "/products", can(authz.ActList, authz.TypeDraft), h(s.handleProductList)},
		{"GET", "/products/new", can(authz.ActCreate, authz.TypeDraft), h(s.handleProductNew)},
		{"POST", "/products", can(authz.ActCreate, authz.TypeDraft), h(s.handleProductCreate)},
		{"GET", "/products/{id}", can(authz.ActRead, authz.TypeDraft), h(s.handleProductShow)},
		{"GET", "/products/{id}/edit", can(authz.ActUpdate, authz.TypeDraft), h(s.handleProductEdit)},
		{"POST", "/products/{id}/details", can(authz.ActUpdate, authz.TypeDraft), h(s.handleProductDetails)},
		{"POST", "/products/{id}/portions", can(authz.ActUpdate, authz.TypeDraft), h(s.handlePortionAdd)},
		{"POST", "/products/{id}/portions/{pid}", can(authz.ActUpdate, authz.TypeDraft), h(s.handlePortionSave)},
		{"POST", "/products/{id}/portions/{pid}/move", can(authz.ActUpdate, authz.TypeDraft), h(s.handlePortionMove)},
		{"POST", "/products/{id}/portions/{pid}/delete", can(authz.ActUpdate, authz.TypeDraft), h(s.handlePortionDelete)},
		{"POST", "/products/{id}/authors", can(authz.ActUpdate, authz.TypeDraft), h(s.handleAuthorAdd)},
		{"POST", "/products/{id}/sources", can(authz.ActUpdate, authz.TypeDraft), h(s.handleSourceAdd)},
		{"POST", "/products/{id}/sources/{sid}/delete", can(authz.ActUpdate, authz.TypeDraft), h(s.handleSourceDelete)},
		{"GET", "/products/{id}/versions", can(authz.ActRead, authz.TypeDraft), h(s.handleVersionList)},
		{"GET", "/products/{id}/versions/compare", can(authz.ActRead, authz.TypeDraft), h(s.handleVersionCompare)},
		{"POST", "/products/{id}/versions/{n}/restore", can(authz.ActUpdate, authz.TypeDraft), h(s.handleVersionRestore)},
		{"POST", "/products/{id}/attachments", can(authz.ActUpdate, authz.TypeDraft), h(s.handleAttachmentUpload)},
		{"GET", "/products/{id}/attachments/{aid}", can(authz.ActRead, authz.TypeDraft), h(s.handleAttachmentDownload)},
		{"POST", "/products/{id}/attachments/{aid}/delete", can(authz.ActUpdate, authz.TypeDraft), h(s.handleAttachmentDelete)},
		{"POST", "/products/{id}/transitions", can(authz.ActTransition, authz.TypeReview), h(s.handleProductTransition)},
		{"GET", "/reviews", can(authz.ActList, authz.TypeReview), h(s.handleReviewQueue)},
		{"POST", "/products/{id}/steering", can(authz.ActAssign, authz.TypeSteering), h(s.handleSteeringAssign)},
		{"GET", "/steering", can(authz.ActList, authz.TypeSteering), h(s.handleSteeringQueue)},
		{"GET", "/steering/{id}", can(authz.ActRead, authz.TypeSteering), h(s.handleSteeringShow)},
		{"POST", "/steering/{id}/decision", can(authz.ActDecide, authz.TypeSteering), h(s.handleSteeringDecide)},
		{"POST", "/steering/{id}/comments", can(authz.ActDecide, authz.TypeSteering), h(s.handleSteeringComment)},
		{"POST", "/products/{id}/comments", can(authz.ActCreate, authz.TypeComment), h(s.handleCommentCreate)},
		{"POST", "/products/{id}/comments/{cid}/answers", can(authz.ActAnswer, authz.TypeComment), h(s.handleCommentAnswer)},
		{"POST", "/products/{id}/comments/{cid}/resolve", can(authz.ActResolve, authz.TypeComment), h(s.handleCommentResolve)},
		{"POST", "/products/{id}/comments/{cid}/reopen", can(authz.ActResolve, authz.TypeComment), h(s.handleCommentReopen)},
		{"GET", "/editions/{id}", can(authz.ActRead, authz.TypeEdition), h(s.handleEditionShow)},
		{"GET", "/editions/{id}/attachments/{aid}", can(authz.ActRead, authz.TypeEdition), h(s.handleEditionAttachment)},
		{"POST", "/editions/{id}/rescind", can(authz.ActRescind, authz.TypeEdition), h(s.handleEditionRescind)},
		{"GET", "/editions/{id}/disseminate", can(authz.ActDisseminate, authz.TypeEdition), h(s.handleDisseminateForm)},
		{"POST", "/editions/{id}/disseminate", can(authz.ActDisseminate, authz.TypeEdition), h(s.handleDisseminate)},
		{"POST", "/editions/{id}/acknowledge", can(authz.ActAcknowledge, authz.TypeEdition), h(s.handleEditionAcknowledge)},
		{"POST", "/editions/{id}/feedback", can(authz.ActFeedback, authz.TypeEdition), h(s.handleEditionFeedback)},
		{"GET", "/inbox", can(authz.ActRead, authz.TypeInbox), h(s.handleInbox)},
		{"GET", "/notifications", can(authz.ActRead, authz.TypeNotification), h(s.handleNotifications)},
		{"POST", "/notifications/read", can(authz.ActUpdate, authz.TypeNotification), h(s.handleNotificationsReadAll)},
		{"POST", "/notifications/{id}/open", can(authz.ActUpdate, authz.TypeNotification), h(s.handleNotificationOpen)},
		{"POST", "/subscriptions", can(authz.ActUpdate, authz.TypeNotification), h(s.handleSubscriptionAdd)},
		{"POST", "/subscriptions/{id}/delete", can(authz.ActUpdate, authz.TypeNotification), h(s.handleSubscriptionDelete)},
		{"GET", "/search", can(authz.ActRead, authz.TypeSearch), h(s.handleSearch)},
		{"GET", "/admin/lists", can(authz.ActList, authz.TypeList), h(s.handleListIndex)},
		{"GET", "/admin/lists/new", can(authz.ActCreate, authz.TypeList), h(s.handleListNew)},
		{"POST", "/admin/lists", can(authz.ActCreate, authz.TypeList), h(s.handleListCreate)},
		{"GET", "/admin/lists/{id}/edit", can(authz.ActUpdate, authz.TypeList), h(s.handleListEdit)},
		{"POST", "/admin/lists/{id}", can(authz.ActUpdate, authz.TypeList), h(s.handleListUpdate)},
		{"GET", "/audit", can(authz.ActList, authz.TypeAudit), h(s.handleAuditList)},
		{"GET", "/audit.csv", can(authz.ActExport, authz.TypeAudit), h(s.handleAuditExport)},
		{"GET", "/editions/{id}/access", can(authz.ActAudit, authz.TypeEdition), h(s.handleEditionAccess)},
	}
	if s.DemoIDP != nil {
		rs = append(rs,
			route{"GET", "/outbox", can(authz.ActRead, authz.TypeNotification), h(s.handleOutbox)},
			route{"GET", "/demo-idp/login", public, h(s.handleDemoLogin)},
			route{"POST", "/demo-idp/login", public, h(s.handleDemoLoginSubmit)},
			route{"GET", "/demo-idp/*", infra, s.DemoIDP.Handler()},
			route{"POST", "/demo-idp/*", infra, s.DemoIDP.Handler()},
		)
	}
	return rs
}

// Handler returns the portal's HTTP handler.
func (s *Server) Handler() http.Handler {
	r := chi.NewRouter()
	r.Use(s.observe, s.secureHeaders, s.refuseTrace, s.refuseUnstorableQuery, s.csrfExceptReports, middleware.GetHead)
	r.NotFound(s.handleNotFound)
	r.MethodNotAllowed(s.handleMethodNotAllowed)
	sessions := s.Auth.Sessions()
	sessions.ErrorFunc = s.sessionError
	limiters := s.rateLimiters()
	for _, rt := range s.routes() {
		hh := rt.handler
		if rt.access.kind != accessInfra {
			hh = s.withSessions(sessions, s.principal(s.rateLimit(limiters, rt.method, rt.pattern, s.gate(rt.access, hh))))
		}
		r.Method(rt.method, rt.pattern, hh)
	}
	return r
}

func (s *Server) handleNotFound(w http.ResponseWriter, r *http.Request) {
	s.withSession(w, r, func(w http.ResponseWriter, r *http.Request) {
		s.renderError(w, r, errNotFound)
	})
}

func (s *Server) handleMethodNotAllowed(w http.ResponseWriter, r *http.Request) {
	s.withSession(w, r, func(w http.ResponseWriter, r *http.Request) {
		s.renderError(w, r, errMethod)
	})
}

// withSession runs h with the session and principal loaded, for pages outside the route table.
func (s *Server) withSession(w http.ResponseWriter, r *http.Request, h http.HandlerFunc) {
	s.withSessions(s.Auth.Sessions(), s.principal(h)).ServeHTTP(w, r)
}

// MetricsHandler serves Prometheus metrics; main serves it on its own listener, never on the portal's.
func (s *Server) MetricsHandler() http.Handler { return s.metrics.handler() }

// RouteInfo describes one declared route for inventories and tests.
type RouteInfo struct {
	Method, Pattern string
	Access          string // "infra", "public", "signed-in" or "<action> <object type>"
	StateChanging   bool
}

// Routes lists every declared route with its access.
func (s *Server) Routes() []RouteInfo {
	var out []RouteInfo
	for _, rt := range s.routes() {
		ri := RouteInfo{Method: rt.method, Pattern: rt.pattern, StateChanging: rt.method != http.MethodGet && rt.method != http.MethodHead}
		switch rt.access.kind {
		case accessInfra:
			ri.Access = "infra"
		case accessPublic:
			ri.Access = "public"
		case accessSignedIn:
			ri.Access = "signed-in"
		case accessPermission:
			ri.Access = rt.access.action + " " + rt.access.object.Type
		}
		out = append(out, ri)
	}
	return out
}

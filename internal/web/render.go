package web

import (
	"net/http"
	"strings"

	"github.com/a-h/templ"

	"tearline/internal/apperr"
	"tearline/internal/authz"
	"tearline/internal/user"
	"tearline/internal/web/views"
)

var (
	errNotFound = apperr.NotFound()
	errMethod   = apperr.Errorf(apperr.EINVALID, "This page cannot be used that way.")
)

// page builds the layout model of a page for the request's principal.
func (s *Server) page(r *http.Request, title, current string) views.Page {
	p := user.PrincipalFrom(r.Context())
	pg := views.Page{Title: title, Principal: p, Demo: s.DemoIDP != nil, Asset: s.Assets.Path, Current: current}
	if p != nil {
		pg.Flash = s.Auth.PopFlash(r.Context())
		pg.Nav = views.Nav{
			Home:          true,
			Drafts:        s.Authz.Can(r.Context(), p, authz.ActList, authz.Type(authz.TypeDraft)),
			Inbox:         s.Authz.Can(r.Context(), p, authz.ActRead, authz.Type(authz.TypeInbox)),
			Reviews:       s.Authz.Can(r.Context(), p, authz.ActList, authz.Type(authz.TypeReview)),
			Steering:      s.Authz.Can(r.Context(), p, authz.ActList, authz.Type(authz.TypeSteering)),
			Agencies:      s.Authz.Can(r.Context(), p, authz.ActList, authz.Type(authz.TypeAgency)),
			Users:         s.Authz.Can(r.Context(), p, authz.ActList, authz.Type(authz.TypeUser)),
			Lists:         s.Authz.Can(r.Context(), p, authz.ActCreate, authz.Type(authz.TypeList)),
			Audit:         s.Authz.Can(r.Context(), p, authz.ActList, authz.Type(authz.TypeAudit)),
			Notifications: s.Authz.Can(r.Context(), p, authz.ActRead, authz.Type(authz.TypeNotification)),
		}
		if !s.Auth.NoticeAcknowledged(r.Context()) {
			pg.Nav = views.Nav{}
		}
		if pg.Nav.Notifications {
			pg.Unread = p.Unread
		}
	}
	return pg
}

// render writes a component with a status.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := c.Render(r.Context(), w); err != nil {
		s.Logger.ErrorContext(r.Context(), "render", "request_id", requestID(r.Context()), "error", err)
	}
}

// renderError maps an error to a status and a friendly page with no internal detail.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, err error) {
	code := apperr.Code(err)
	status, heading := http.StatusInternalServerError, "Something went wrong"
	switch code {
	case apperr.EINVALID:
		status, heading = http.StatusUnprocessableEntity, "That request could not be used"
		if err == errMethod {
			status = http.StatusMethodNotAllowed
		}
	case apperr.ENOTFOUND:
		status, heading = http.StatusNotFound, "Page not found"
	case apperr.ECONFLICT:
		status, heading = http.StatusConflict, "That conflicts with what is already saved"
	case apperr.EFORBIDDEN:
		status, heading = http.StatusForbidden, "Not allowed"
	case apperr.EUNAUTHENTICATED:
		status, heading = http.StatusUnauthorized, "Sign-in needed"
	default:
		s.Logger.ErrorContext(r.Context(), "internal error", "request_id", requestID(r.Context()), "error", err)
	}
	msg := apperr.Message(err)
	if code == apperr.EINTERNAL && s.Unavailable != nil && s.Unavailable(err) {
		status, heading = http.StatusServiceUnavailable, "Temporarily unavailable"
		msg = "The portal cannot serve this request just now. Try again in a moment."
		w.Header().Set("Retry-After", "5")
	}
	if code == apperr.EINTERNAL {
		msg += " Reference: " + requestID(r.Context())
	}
	// An htmx save that fails answers with the save status it targeted, not a whole page.
	if target := r.Header.Get("HX-Target"); isHTMX(r) && (strings.HasPrefix(target, "status-") || target == "details-status") {
		state := "error"
		if code == apperr.ECONFLICT || code == apperr.ENOTFOUND {
			state = "conflict"
		}
		s.render(w, r, status, views.SaveStatus(target, state, msg))
		return
	}
	s.render(w, r, status, views.ErrorPage(s.page(r, heading, ""), status, heading, msg))
}

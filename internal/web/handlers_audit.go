package web

import (
	"context"
	"encoding/csv"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"

	"tearline/internal/apperr"
	"tearline/internal/audit"
	"tearline/internal/authz"
	"tearline/internal/product"
	"tearline/internal/user"
	"tearline/internal/web/views"
)

// AuditStore reads the audit trail. Every read is itself audited by the store.
type AuditStore interface {
	FindAuditEvents(ctx context.Context, f audit.Filter) ([]audit.Record, bool, error)
	ExportAuditEvents(ctx context.Context, f audit.Filter, fn func(audit.Record) error) error
	FindEditionAccess(ctx context.Context, agencyID, editionID int64) (audit.EditionAccess, error)
}

const auditPerPage = 50

// The audit trail. Who reads what (policies/policy.csv, type "audit"):
//
//   - center auditors: every agency's events (scope "any");
//   - agency administrators: the events whose actor belongs to their agency (scope "own"), which the
//     handler enforces by setting Filter.ScopeAgencyID from the principal, never from the request;
//   - the center that owns an edition: its access accounting (action "audit" on the edition).

// auditFilter reads the filters of the auditor page and the export from the query string.
func (s *Server) auditFilter(r *http.Request) (audit.Filter, views.AuditForm, []string, map[string]string, error) {
	ctx := r.Context()
	p := user.PrincipalFrom(ctx)
	q := r.URL.Query()
	form := views.AuditForm{UserID: q.Get("user_id"), User: strings.TrimSpace(q.Get("user")), Agency: strings.ToUpper(strings.TrimSpace(q.Get("agency"))),
		ObjectType: strings.TrimSpace(q.Get("object_type")), ObjectID: strings.TrimSpace(q.Get("object_id")),
		Action: strings.TrimSpace(q.Get("action")), Outcome: q.Get("outcome"), From: q.Get("from"), To: q.Get("to")}
	f := audit.Filter{User: form.User, ObjectType: form.ObjectType, ObjectID: form.ObjectID, Action: form.Action}
	errs := map[string]string{}
	if form.UserID != "" {
		if f.UserID, _ = strconv.ParseInt(form.UserID, 10, 64); f.UserID <= 0 {
			form.UserID, f.UserID = "", 0
		}
	}
	switch form.Outcome {
	case audit.Success, audit.Failure, audit.Denied:
		f.Outcome = form.Outcome
	default:
		form.Outcome = ""
	}
	if form.From != "" {
		if d, err := time.Parse(time.DateOnly, form.From); err == nil {
			f.From = &d
		} else {
			errs["from"] = "Enter a date as YYYY-MM-DD."
		}
	}
	if form.To != "" {
		if d, err := time.Parse(time.DateOnly, form.To); err == nil {
			end := d.AddDate(0, 0, 1) // the "to" day is included
			f.To = &end
		} else {
			errs["to"] = "Enter a date as YYYY-MM-DD."
		}
	}
	f.Before, _ = strconv.ParseInt(q.Get("before"), 10, 64)
	var scopeNote []string
	if s.Authz.Can(ctx, p, authz.ActList, authz.AnyAgency(authz.TypeAudit)) {
		if form.Agency != "" {
			as, err := s.Store.FindAgencies(ctx)
			if err != nil {
				return f, form, nil, nil, err
			}
			f.AgencyID = -1 // an unknown code matches nothing
			for _, a := range as {
				if a.Code == form.Agency {
					f.AgencyID = a.ID
				}
			}
		}
		scopeNote = []string{"Events of every agency."}
	} else {
		f.ScopeAgencyID, form.Agency = p.AgencyID, ""
		scopeNote = []string{"Events of " + p.AgencyName + " users only."}
	}
	return f, form, scopeNote, errs, nil
}

func (s *Server) handleAuditList(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := user.PrincipalFrom(ctx)
	f, form, scope, errs, err := s.auditFilter(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v := views.AuditView{Form: form, Errors: errs, Scope: strings.Join(scope, " "), Paged: f.Before != 0,
		EditionAccess: s.Authz.Can(ctx, p, authz.ActAudit, authz.Owned(authz.TypeEdition, p.AgencyID))}
	if f.ScopeAgencyID == 0 {
		if v.Agencies, err = s.Store.FindAgencies(ctx); err != nil {
			s.renderError(w, r, err)
			return
		}
	}
	if len(errs) > 0 {
		v.Errors["form"] = "Correct the filters marked below."
		s.render(w, r, http.StatusUnprocessableEntity, views.AuditPage(s.page(r, "Audit trail", "audit"), v))
		return
	}
	f.Limit = auditPerPage
	if v.Records, v.More, err = s.Store.FindAuditEvents(ctx, f); err != nil {
		s.renderError(w, r, err)
		return
	}
	if len(v.Records) > 0 {
		v.Older = v.Records[len(v.Records)-1].ID
	}
	s.render(w, r, http.StatusOK, views.AuditPage(s.page(r, "Audit trail", "audit"), v))
}

// csvCell defuses spreadsheet formulas: a cell starting with = + - @ (or a tab or carriage return)
// is prefixed with an apostrophe.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func (s *Server) handleAuditExport(w http.ResponseWriter, r *http.Request) {
	f, _, _, errs, err := s.auditFilter(r)
	if err == nil && len(errs) > 0 {
		err = apperr.Errorf(apperr.EINVALID, "The dates of the export must be written as YYYY-MM-DD.")
	}
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	started := false
	var cw *csv.Writer
	err = s.Store.ExportAuditEvents(r.Context(), f, func(rec audit.Record) error {
		if !started {
			started = true
			w.Header().Set("Content-Type", "text/csv; charset=utf-8")
			w.Header().Set("Content-Disposition", `attachment; filename="tearline-audit-`+time.Now().UTC().Format("20060102T150405Z")+`.csv"`)
			cw = csv.NewWriter(w)
			_ = cw.Write([]string{"id", "at", "chain", "seq", "actor_user_id", "actor_name", "actor_agency", "action", "object_type",
				"object_id", "outcome", "request_id", "client_addr", "user_agent", "details", "hash"})
		}
		id := func(n int64) string {
			if n == 0 {
				return ""
			}
			return strconv.FormatInt(n, 10)
		}
		return cw.Write([]string{strconv.FormatInt(rec.ID, 10), rec.At.UTC().Format(time.RFC3339Nano), strconv.Itoa(rec.Chain),
			strconv.FormatInt(rec.Seq, 10), id(rec.ActorUserID), csvCell(rec.ActorName), rec.ActorAgencyCode, csvCell(rec.Action),
			csvCell(rec.ObjectType), csvCell(rec.ObjectID), rec.Outcome, csvCell(rec.RequestID), csvCell(rec.ClientAddr),
			csvCell(rec.UserAgent), csvCell(rec.Details), hex.EncodeToString(rec.Hash)})
	})
	if err != nil && !started {
		s.renderError(w, r, err)
		return
	}
	if err != nil {
		s.Logger.ErrorContext(r.Context(), "audit export", "request_id", requestID(r.Context()), "error", err)
		return
	}
	if !started {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="tearline-audit-empty.csv"`)
		cw = csv.NewWriter(w)
		_ = cw.Write([]string{"id", "at", "chain", "seq", "actor_user_id", "actor_name", "actor_agency", "action", "object_type",
			"object_id", "outcome", "request_id", "client_addr", "user_agent", "details", "hash"})
	}
	cw.Flush()
}

func (s *Server) handleEditionAccess(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := user.PrincipalFrom(ctx)
	id, err := idParam(r, "id")
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if !s.Authz.Can(ctx, p, authz.ActAudit, authz.Owned(authz.TypeEdition, p.AgencyID)) {
		s.deny(w, r, authz.ActAudit, authz.TypeEdition)
		return
	}
	acc, err := s.Store.FindEditionAccess(ctx, p.AgencyID, id)
	if apperr.Code(err) == apperr.ENOTFOUND {
		s.recordNotFound(r, authz.TypeEdition, strconv.FormatInt(id, 10))
	}
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	label := product.Edition{Number: acc.Number, Rev: acc.Rev}.Label()
	v := views.EditionAccessView{Access: acc, Label: label, Audit: s.Authz.Can(ctx, p, authz.ActList, authz.Type(authz.TypeAudit)),
		Read: s.Authz.Can(ctx, p, authz.ActRead, authz.Owned(authz.TypeEdition, p.AgencyID))}
	s.render(w, r, http.StatusOK, views.EditionAccessPage(s.page(r, "Access accounting: "+label, "audit"), v))
}

// recordView records that the principal is shown an object (a draft, say), committed before the
// page is written; when the event cannot be written the page is not shown.
func (s *Server) recordView(w http.ResponseWriter, r *http.Request, objectType string, id int64, details map[string]any) bool {
	ctx := r.Context()
	if err := s.Store.RecordEvent(ctx, audit.New(ctx, objectType+".view", objectType, strconv.FormatInt(id, 10), audit.Success, details)); err != nil {
		s.renderError(w, r, err)
		return false
	}
	return true
}

// recordNotFound records an unsuccessful attempt to reach an object that is missing or hidden from
// the principal (the two are indistinguishable by design). A failure to record is logged: the
// answer is a 404 either way and shows nothing.
func (s *Server) recordNotFound(r *http.Request, objectType, id string) {
	ctx := r.Context()
	ev := audit.New(ctx, "access.not_found", objectType, id, audit.Failure, map[string]any{"path": r.URL.Path})
	if err := s.Store.RecordEvent(ctx, ev); err != nil {
		s.Logger.ErrorContext(ctx, "audit not-found", "request_id", requestID(ctx), "error", err)
	}
}

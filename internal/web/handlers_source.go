package web

import (
	"fmt"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"

	"tearline/internal/apperr"
	"tearline/internal/authz"
	"tearline/internal/grading"
	"tearline/internal/product"
	"tearline/internal/user"
)

// Limits on a cited source.
const (
	maxSourceDescription = 2000
	maxSourceAgency      = 200
)

// sourceFromForm reads a cited source; the date stays nil when it is empty or unreadable, and
// sourceErrors says which.
func sourceFromForm(r *http.Request) product.Source {
	s := product.Source{
		Description:       formString(r, "description"),
		OriginatingAgency: formString(r, "originating_agency"),
		Grade: grading.Grade{Scheme: grading.Scheme(formString(r, "scheme")), Source: formString(r, "source_grade"),
			Information: formString(r, "information_grade"), Handling: formString(r, "handling"),
			HandlingText: formString(r, "handling_text")}.Normalize(),
	}
	if d, err := time.Parse(time.DateOnly, formString(r, "date")); err == nil {
		s.Date = &d
	}
	return s
}

// sourceErrors checks a source: description 1–2000 characters, a readable date that is not in the
// future anywhere on Earth yet, and a grade whose every value is in its scheme (requirement C23).
func sourceErrors(r *http.Request, s product.Source, now time.Time) map[string]string {
	errs := map[string]string{}
	if n := utf8.RuneCountInString(s.Description); n == 0 || n > maxSourceDescription {
		errs["description"] = fmt.Sprintf("Describe the source in 1–%d characters.", maxSourceDescription)
	}
	if raw := formString(r, "date"); raw != "" && s.Date == nil {
		errs["date"] = "Give the date as year-month-day, e.g. 2026-03-14."
	} else if s.Date != nil {
		latest, _ := time.Parse(time.DateOnly, now.UTC().Add(14*time.Hour).Format(time.DateOnly))
		if s.Date.After(latest) {
			errs["date"] = "The date of a source cannot be in the future."
		} else if s.Date.Year() < 1900 {
			errs["date"] = "Give a date after 1900."
		}
	}
	if utf8.RuneCountInString(s.OriginatingAgency) > maxSourceAgency {
		errs["originating_agency"] = fmt.Sprintf("Keep the agency name under %d characters.", maxSourceAgency)
	}
	for k, msg := range apperr.FieldErrors(s.Grade.Validate()) {
		errs[k] = msg
	}
	return errs
}

func (s *Server) handleSourceAdd(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := user.PrincipalFrom(ctx)
	d, ok := s.loadDraft(w, r, authz.ActUpdate)
	if !ok {
		return
	}
	if err := parseForm(w, r); err != nil {
		s.renderError(w, r, err)
		return
	}
	src := sourceFromForm(r)
	if errs := sourceErrors(r, src, time.Now()); len(errs) > 0 {
		s.renderEditor(w, r, d, http.StatusUnprocessableEntity,
			editorState{Alert: "The source was not added: see the highlighted fields under Sources.", SourceForm: src, SourceErrors: errs})
		return
	}
	err := s.Store.AddSource(ctx, p.AgencyID, p.UserID, d.ID, &src)
	switch apperr.Code(err) {
	case "":
		s.Auth.Flash(ctx, "Source added: "+src.Grade.String()+".")
		http.Redirect(w, r, "/products/"+strconv.FormatInt(d.ID, 10)+"/edit#sources", http.StatusSeeOther)
	case apperr.EINVALID:
		s.renderEditor(w, r, d, http.StatusUnprocessableEntity, editorState{Alert: apperr.Message(err), SourceForm: src,
			SourceErrors: apperr.FieldErrors(err)})
	default:
		s.renderError(w, r, err)
	}
}

func (s *Server) handleSourceDelete(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := user.PrincipalFrom(ctx)
	d, ok := s.loadDraft(w, r, authz.ActUpdate)
	if !ok {
		return
	}
	sid, err := idParam(r, "sid")
	if err == nil {
		if err = parseForm(w, r); err == nil {
			err = s.Store.DeleteSource(ctx, p.AgencyID, p.UserID, d.ID, sid)
		}
	}
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.Auth.Flash(ctx, "Source removed.")
	http.Redirect(w, r, "/products/"+strconv.FormatInt(d.ID, 10)+"/edit#sources", http.StatusSeeOther)
}

// handleAuthorAdd makes another analyst of the agency a co-author; the store refuses anyone else.
func (s *Server) handleAuthorAdd(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := user.PrincipalFrom(ctx)
	d, ok := s.loadDraft(w, r, authz.ActUpdate)
	if !ok {
		return
	}
	if err := parseForm(w, r); err != nil {
		s.renderError(w, r, err)
		return
	}
	authorID, perr := strconv.ParseInt(formString(r, "author_id"), 10, 64)
	var err error
	if perr != nil || authorID <= 0 {
		err = apperr.Invalid(map[string]string{"author": "Choose an analyst to add."})
	} else {
		err = s.Store.AddAuthor(ctx, p.AgencyID, p.UserID, d.ID, authorID)
	}
	switch apperr.Code(err) {
	case "":
		s.Auth.Flash(ctx, "Co-author added.")
		http.Redirect(w, r, "/products/"+strconv.FormatInt(d.ID, 10)+"/edit#authors", http.StatusSeeOther)
	case apperr.EINVALID:
		msg := apperr.FieldErrors(err)["author"]
		if msg == "" {
			msg = apperr.Message(err)
		}
		s.renderEditor(w, r, d, http.StatusUnprocessableEntity, editorState{Alert: "The co-author was not added: see Authors.", AuthorError: msg})
	default:
		s.renderError(w, r, err)
	}
}

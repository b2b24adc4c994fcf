package web

import (
	"context"
	"net/http"

	"tearline/internal/agency"
	"tearline/internal/apperr"
	"tearline/internal/authz"
	"tearline/internal/user"
	"tearline/internal/web/views"
)

func (s *Server) handleAgencyList(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := user.PrincipalFrom(ctx)
	list, err := s.Store.FindAgencies(ctx)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v := views.AgencyListView{
		Agencies:  list,
		CanCreate: s.Authz.Can(ctx, p, authz.ActCreate, authz.AnyAgency(authz.TypeAgency)),
		CanEdit:   s.Authz.Can(ctx, p, authz.ActUpdate, authz.AnyAgency(authz.TypeAgency)),
	}
	s.render(w, r, http.StatusOK, views.AgencyList(s.page(r, "Agencies", "agencies"), v))
}

func (s *Server) handleAgencyNew(w http.ResponseWriter, r *http.Request) {
	v := views.AgencyFormView{Agency: agency.Agency{Kind: agency.KindMember, Federal: true, Country: "USA"}}
	s.render(w, r, http.StatusOK, views.AgencyForm(s.page(r, "New agency", "agencies"), v))
}

func agencyFromForm(r *http.Request) agency.Agency {
	a := agency.Agency{
		Code: formString(r, "code"), Name: formString(r, "name"), Kind: agency.Kind(formString(r, "kind")),
		Country: formString(r, "country"), Federal: formBool(r, "federal"), StateLocal: formBool(r, "state_local"),
		Foreign: formBool(r, "foreign"), IntlOrg: formBool(r, "intl_org"),
	}
	a.Normalize()
	return a
}

func (s *Server) handleAgencyCreate(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		s.renderError(w, r, err)
		return
	}
	a := agencyFromForm(r)
	s.saveAgency(w, r, &a, s.Store.CreateAgency)
}

func (s *Server) handleAgencyEdit(w http.ResponseWriter, r *http.Request) {
	a, ok := s.editableAgency(w, r)
	if !ok {
		return
	}
	s.render(w, r, http.StatusOK, views.AgencyForm(s.page(r, "Edit "+a.Code, "agencies"), views.AgencyFormView{Agency: a}))
}

func (s *Server) handleAgencyUpdate(w http.ResponseWriter, r *http.Request) {
	old, ok := s.editableAgency(w, r)
	if !ok {
		return
	}
	if err := parseForm(w, r); err != nil {
		s.renderError(w, r, err)
		return
	}
	a := agencyFromForm(r)
	a.ID = old.ID
	s.saveAgency(w, r, &a, s.Store.UpdateAgency)
}

// editableAgency loads the agency named in the URL if the principal may update it; otherwise 404.
func (s *Server) editableAgency(w http.ResponseWriter, r *http.Request) (agency.Agency, bool) {
	id, err := idParam(r, "id")
	if err != nil {
		s.renderError(w, r, err)
		return agency.Agency{}, false
	}
	if !s.Authz.Can(r.Context(), user.PrincipalFrom(r.Context()), authz.ActUpdate, authz.Owned(authz.TypeAgency, id)) {
		s.deny(w, r, authz.ActUpdate, authz.TypeAgency)
		return agency.Agency{}, false
	}
	a, err := s.Store.FindAgencyByID(r.Context(), id)
	if err != nil {
		s.renderError(w, r, err)
		return agency.Agency{}, false
	}
	return a, true
}

// saveAgency validates and saves; a bad form comes back with its values and messages (422).
func (s *Server) saveAgency(w http.ResponseWriter, r *http.Request, a *agency.Agency, save func(context.Context, *agency.Agency) error) {
	err := a.Validate()
	if err == nil {
		err = save(r.Context(), a)
	}
	switch apperr.Code(err) {
	case "":
		s.Auth.Flash(r.Context(), "Agency "+a.Code+" saved.")
		http.Redirect(w, r, "/admin/agencies", http.StatusSeeOther)
	case apperr.EINVALID, apperr.ECONFLICT:
		v := views.AgencyFormView{Agency: *a, Errors: apperr.FieldErrors(err), Alert: apperr.Message(err)}
		if apperr.Code(err) == apperr.ECONFLICT {
			v.Errors = map[string]string{"code": "Another agency already uses this code."}
			v.Alert = "Please correct the highlighted fields."
		}
		s.render(w, r, http.StatusUnprocessableEntity, views.AgencyForm(s.page(r, "Agency", "agencies"), v))
	default:
		s.renderError(w, r, err)
	}
}

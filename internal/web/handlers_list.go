package web

import (
	"net/http"
	"strconv"

	"tearline/internal/agency"
	"tearline/internal/apperr"
	"tearline/internal/authz"
	"tearline/internal/user"
	"tearline/internal/web/views"
)

func (s *Server) handleListIndex(w http.ResponseWriter, r *http.Request) {
	lists, err := s.Store.FindDistributionLists(r.Context())
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	canEdit := s.Authz.Can(r.Context(), user.PrincipalFrom(r.Context()), authz.ActUpdate, authz.Type(authz.TypeList))
	s.render(w, r, http.StatusOK, views.ListIndex(s.page(r, "Distribution lists", "lists"), lists, canEdit))
}

func (s *Server) listForm(w http.ResponseWriter, r *http.Request, status int, l agency.List, errs map[string]string) {
	agencies, err := s.Store.FindAgencies(r.Context())
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v := views.ListFormView{List: l, Agencies: agencies, Errors: errs}
	if len(errs) > 0 {
		v.Alert = "Please correct the highlighted fields."
	}
	s.render(w, r, status, views.ListForm(s.page(r, "Distribution list", "lists"), v))
}

func (s *Server) handleListNew(w http.ResponseWriter, r *http.Request) {
	s.listForm(w, r, http.StatusOK, agency.List{}, nil)
}

// findList returns the list named in the URL, or ENOTFOUND.
func (s *Server) findList(r *http.Request) (agency.List, error) {
	id, err := idParam(r, "id")
	if err != nil {
		return agency.List{}, err
	}
	lists, err := s.Store.FindDistributionLists(r.Context())
	if err != nil {
		return agency.List{}, err
	}
	for _, l := range lists {
		if l.ID == id {
			return l, nil
		}
	}
	return agency.List{}, apperr.NotFound()
}

func (s *Server) handleListEdit(w http.ResponseWriter, r *http.Request) {
	l, err := s.findList(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.listForm(w, r, http.StatusOK, l, nil)
}

func (s *Server) handleListCreate(w http.ResponseWriter, r *http.Request) {
	s.saveList(w, r, agency.List{})
}

func (s *Server) handleListUpdate(w http.ResponseWriter, r *http.Request) {
	l, err := s.findList(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.saveList(w, r, l)
}

// saveList creates (ID 0) or updates a list; a bad form comes back with its values (422).
func (s *Server) saveList(w http.ResponseWriter, r *http.Request, l agency.List) {
	ctx := r.Context()
	if err := parseForm(w, r); err != nil {
		s.renderError(w, r, err)
		return
	}
	l.Name, l.Description, l.Members = formString(r, "name"), formString(r, "description"), nil
	for _, raw := range r.PostForm["members"] {
		if id, err := strconv.ParseInt(raw, 10, 64); err == nil {
			l.Members = append(l.Members, id)
		}
	}
	l.Normalize()
	err := l.Validate()
	if err == nil {
		err = s.Store.SaveDistributionList(ctx, user.PrincipalFrom(ctx).UserID, &l)
	}
	switch apperr.Code(err) {
	case "":
		s.Auth.Flash(ctx, "Distribution list “"+l.Name+"” saved.")
		http.Redirect(w, r, "/admin/lists", http.StatusSeeOther)
	case apperr.EINVALID:
		s.listForm(w, r, http.StatusUnprocessableEntity, l, apperr.FieldErrors(err))
	case apperr.ECONFLICT:
		s.listForm(w, r, http.StatusUnprocessableEntity, l, map[string]string{"name": "Another list already has this name."})
	default:
		s.renderError(w, r, err)
	}
}

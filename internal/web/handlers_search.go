package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"tearline/internal/apperr"
	"tearline/internal/authz"
	"tearline/internal/search"
	"tearline/internal/user"
	"tearline/internal/web/views"
)

// SearchStore is the persistence of full-text search.
type SearchStore interface {
	Search(ctx context.Context, s search.Scope, q search.Query) (search.Results, error)
}

// searchScope asks authz what the principal may search: its agency's own editions, those released
// to it, and which unreleased products. The store applies the answer in SQL next to the
// dissemination rule, so counts and facets are computed over exactly what may be seen.
func (s *Server) searchScope(ctx context.Context, p *user.Principal) search.Scope {
	can := func(obj authz.Object) bool { return s.Authz.Can(ctx, p, authz.ActRead, obj) }
	return search.Scope{
		AgencyID: p.AgencyID,
		UserID:   p.UserID,
		Owned:    can(authz.Owned(authz.TypeEdition, p.AgencyID)),
		Received: can(authz.Received(authz.TypeEdition, 0, true)),
		Drafts: search.DraftScope{
			All:      can(authz.Authored(authz.TypeDraft, p.AgencyID, false)),
			Authored: can(authz.Authored(authz.TypeDraft, p.AgencyID, true)),
			InReview: can(authz.Authored(authz.TypeReview, p.AgencyID, false)),
		},
	}
}

func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := user.PrincipalFrom(ctx)
	q := search.Parse(r.URL.Query().Get)
	v := views.SearchView{Query: q}
	if q.Text == "" {
		s.render(w, r, http.StatusOK, views.SearchPage(s.page(r, "Search", "search"), v))
		return
	}
	res, err := s.Store.Search(ctx, s.searchScope(ctx, p), q)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if res.JumpTo != 0 {
		http.Redirect(w, r, "/editions/"+strconv.FormatInt(res.JumpTo, 10), http.StatusSeeOther)
		return
	}
	// The second lock, per hit: a hit authz refuses means the scope and the store disagree, and the
	// counts beside it cannot be trusted either, so nothing is shown.
	for _, h := range res.Hits {
		if !s.Authz.Can(ctx, p, authz.ActRead, authz.Received(authz.TypeEdition, h.OwnerAgencyID, h.OwnerAgencyID != p.AgencyID)) {
			s.renderError(w, r, &apperr.Error{Code: apperr.EINTERNAL, Message: "Search is unavailable.",
				Err: fmt.Errorf("search returned edition %d, which authz refuses to user %d", h.EditionID, p.UserID)})
			return
		}
	}
	v.Searched, v.Results = true, res
	s.render(w, r, http.StatusOK, views.SearchPage(s.page(r, q.Text+" · Search", "search"), v))
}

package web

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"time"

	"tearline/internal/apperr"
	"tearline/internal/authz"
	"tearline/internal/user"
	"tearline/internal/web/views"
)

// userScope says which agencies' users the principal administers: every agency, or only its own.
func (s *Server) userScope(ctx context.Context, p *user.Principal, action string) (all bool) {
	return s.Authz.Can(ctx, p, action, authz.AnyAgency(authz.TypeUser))
}

func (s *Server) handleUserList(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := user.PrincipalFrom(ctx)
	v := views.UserListView{CanCreate: s.Authz.Can(ctx, p, authz.ActCreate, authz.Type(authz.TypeUser))}
	f := user.Filter{AgencyID: p.AgencyID}
	if s.userScope(ctx, p, authz.ActList) {
		f.AgencyID, _ = strconv.ParseInt(r.URL.Query().Get("agency"), 10, 64)
		var err error
		if v.Agencies, err = s.Store.FindAgencies(ctx); err != nil {
			s.renderError(w, r, err)
			return
		}
		v.Scope = "Users of every agency."
	} else {
		v.Scope = "Users of " + p.AgencyName + "."
	}
	v.AgencyFilter = f.AgencyID
	users, err := s.Store.FindUsers(ctx, f)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v.Users = users
	s.render(w, r, http.StatusOK, views.UserList(s.page(r, "Users", "users"), v))
}

// userForm fills the choices of the user form for the principal.
func (s *Server) userForm(ctx context.Context, p *user.Principal, u user.User) (views.UserFormView, error) {
	v := views.UserFormView{User: u, IsSelf: u.ID == p.UserID}
	v.CanDeactivate = s.Authz.Can(ctx, p, authz.ActDeactivate, authz.Owned(authz.TypeUser, u.AgencyID))
	all, err := s.Store.FindAgencies(ctx)
	if err != nil {
		return v, err
	}
	scopeAll := s.userScope(ctx, p, authz.ActCreate) || s.userScope(ctx, p, authz.ActUpdate)
	for _, a := range all {
		if scopeAll || a.ID == p.AgencyID {
			v.Agencies = append(v.Agencies, a)
		}
	}
	v.Roles = user.Roles
	v.Grantable = map[user.Role]bool{}
	for _, r := range user.Roles {
		v.Grantable[r] = s.canGrant(ctx, p, r, u.AgencyID)
	}
	return v, nil
}

// canGrant reports whether p may grant or withdraw role r for users of the agency.
func (s *Server) canGrant(ctx context.Context, p *user.Principal, r user.Role, agencyID int64) bool {
	return s.Authz.Can(ctx, p, authz.ActGrant, authz.Owned(authz.RoleType(string(r)), agencyID))
}

// mergeRoles applies the requested roles the principal may grant and keeps every other role as it was.
func (s *Server) mergeRoles(ctx context.Context, p *user.Principal, agencyID int64, held, requested []user.Role) []user.Role {
	var out []user.Role
	for _, r := range user.Roles {
		if s.canGrant(ctx, p, r, agencyID) {
			if slices.Contains(requested, r) {
				out = append(out, r)
			}
		} else if slices.Contains(held, r) {
			out = append(out, r)
		}
	}
	return out
}

func (s *Server) handleUserNew(w http.ResponseWriter, r *http.Request) {
	p := user.PrincipalFrom(r.Context())
	v, err := s.userForm(r.Context(), p, user.User{AgencyID: p.AgencyID, Issuer: p.Issuer, Active: true})
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, views.UserForm(s.page(r, "New user", "users"), v))
}

func userFromForm(r *http.Request) user.User {
	u := user.User{
		DisplayName: formString(r, "display_name"), Email: formString(r, "email"),
		Issuer: formString(r, "issuer"), Subject: formString(r, "subject"), Active: true,
	}
	u.AgencyID, _ = strconv.ParseInt(formString(r, "agency_id"), 10, 64)
	for _, role := range r.PostForm["roles"] {
		u.Roles = append(u.Roles, user.Role(role))
	}
	u.Normalize()
	return u
}

func (s *Server) handleUserCreate(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		s.renderError(w, r, err)
		return
	}
	u := userFromForm(r)
	u.Roles = s.mergeRoles(r.Context(), user.PrincipalFrom(r.Context()), u.AgencyID, nil, u.Roles)
	s.saveUser(w, r, &u, authz.ActCreate, s.Store.CreateUser)
}

// loadUser loads the user named in the URL if the principal may perform action on it; otherwise 404.
func (s *Server) loadUser(w http.ResponseWriter, r *http.Request, action string) (user.User, bool) {
	id, err := idParam(r, "id")
	if err != nil {
		s.renderError(w, r, err)
		return user.User{}, false
	}
	u, err := s.Store.FindUserByID(r.Context(), id)
	if err != nil {
		s.renderError(w, r, err)
		return user.User{}, false
	}
	if !s.Authz.Can(r.Context(), user.PrincipalFrom(r.Context()), action, authz.Owned(authz.TypeUser, u.AgencyID)) {
		s.deny(w, r, action, authz.TypeUser)
		return user.User{}, false
	}
	return u, true
}

func (s *Server) handleUserEdit(w http.ResponseWriter, r *http.Request) {
	u, ok := s.loadUser(w, r, authz.ActRead)
	if !ok {
		return
	}
	v, err := s.userForm(r.Context(), user.PrincipalFrom(r.Context()), u)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, views.UserForm(s.page(r, "Edit user", "users"), v))
}

func (s *Server) handleUserUpdate(w http.ResponseWriter, r *http.Request) {
	old, ok := s.loadUser(w, r, authz.ActUpdate)
	if !ok {
		return
	}
	if err := parseForm(w, r); err != nil {
		s.renderError(w, r, err)
		return
	}
	ctx := r.Context()
	p := user.PrincipalFrom(ctx)
	u := userFromForm(r)
	u.ID, u.Active, u.DeactivatedAt, u.UpdatedAt = old.ID, old.Active, old.DeactivatedAt, old.UpdatedAt
	u.Roles = s.mergeRoles(ctx, p, u.AgencyID, old.Roles, u.Roles)
	if formString(r, "updated") != old.UpdatedAt.UTC().Format(time.RFC3339Nano) {
		s.renderUserForm(w, r, u, user.ErrStale, &old)
		return
	}
	if (u.Issuer != old.Issuer || u.Subject != old.Subject) && !s.mayGrantAll(ctx, p, old) {
		// Rebinding the sign-in identity hands the account, with all its roles, to someone else.
		s.renderUserForm(w, r, u, apperr.Invalid(map[string]string{"subject": "Only an administrator who may grant every role this user holds can change how they sign in."}), nil)
		return
	}
	s.saveUser(w, r, &u, authz.ActUpdate, func(ctx context.Context, u *user.User) error {
		return s.Store.UpdateUser(ctx, u, old.UpdatedAt)
	})
}

// mayGrantAll reports whether p may grant every role u holds.
func (s *Server) mayGrantAll(ctx context.Context, p *user.Principal, u user.User) bool {
	for _, r := range u.Roles {
		if !s.canGrant(ctx, p, r, u.AgencyID) {
			return false
		}
	}
	return true
}

// renderUserForm re-renders the user form (422, or 409 for a conflict) with err's messages;
// with current set, the form shows the current saved values instead of the refused ones.
func (s *Server) renderUserForm(w http.ResponseWriter, r *http.Request, u user.User, err error, current *user.User) {
	ctx := r.Context()
	if current != nil {
		u = *current
	}
	v, ferr := s.userForm(ctx, user.PrincipalFrom(ctx), u)
	if ferr != nil {
		s.renderError(w, r, ferr)
		return
	}
	v.Errors, v.Alert = apperr.FieldErrors(err), apperr.Message(err)
	status := http.StatusUnprocessableEntity
	if apperr.Code(err) == apperr.ECONFLICT {
		status = http.StatusConflict
	}
	s.render(w, r, status, views.UserForm(s.page(r, "User", "users"), v))
}

// saveUser checks the target agency against the principal's scope, validates and saves;
// a bad form comes back with its values and messages (422).
func (s *Server) saveUser(w http.ResponseWriter, r *http.Request, u *user.User, action string, save func(context.Context, *user.User) error) {
	ctx := r.Context()
	p := user.PrincipalFrom(ctx)
	var err error
	a, aerr := s.Store.FindAgencyByID(ctx, u.AgencyID)
	switch {
	case apperr.Code(aerr) == apperr.ENOTFOUND || (aerr == nil && !s.Authz.Can(ctx, p, action, authz.Owned(authz.TypeUser, a.ID))):
		err = apperr.Invalid(map[string]string{"agency_id": "Choose an agency whose users you administer."})
	case aerr != nil:
		s.renderError(w, r, aerr)
		return
	default:
		err = u.Validate(a.Kind)
	}
	if err == nil {
		err = save(ctx, u)
	}
	switch apperr.Code(err) {
	case "":
		s.Auth.Flash(ctx, u.DisplayName+" saved.")
		http.Redirect(w, r, "/admin/users", http.StatusSeeOther)
	case apperr.EINVALID, apperr.ECONFLICT:
		if errors.Is(err, user.ErrStale) {
			cur, cerr := s.Store.FindUserByID(ctx, u.ID)
			if cerr != nil {
				s.renderError(w, r, cerr)
				return
			}
			s.renderUserForm(w, r, *u, err, &cur)
			return
		}
		if apperr.Code(err) == apperr.ECONFLICT {
			msg := "Another user already signs in with this issuer and subject."
			if !s.userScope(ctx, p, action) {
				msg = "This sign-in identity cannot be used. Check the issuer and subject with your identity provider."
			}
			err = apperr.Invalid(map[string]string{"subject": msg})
		}
		s.renderUserForm(w, r, *u, err, nil)
	default:
		s.renderError(w, r, err)
	}
}

func (s *Server) handleUserSetActive(active bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u, ok := s.loadUser(w, r, authz.ActDeactivate)
		if !ok {
			return
		}
		if u.ID == user.PrincipalFrom(r.Context()).UserID {
			s.renderError(w, r, apperr.Errorf(apperr.ECONFLICT, "You cannot deactivate your own account."))
			return
		}
		if err := s.Store.SetUserActive(r.Context(), u.ID, active); err != nil {
			s.renderError(w, r, err)
			return
		}
		msg := u.DisplayName + " was deactivated and can no longer sign in."
		if active {
			msg = u.DisplayName + " was reactivated."
		}
		s.Auth.Flash(r.Context(), msg)
		http.Redirect(w, r, "/admin/users/"+strconv.FormatInt(u.ID, 10)+"/edit", http.StatusSeeOther)
	}
}

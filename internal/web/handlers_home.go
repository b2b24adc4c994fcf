package web

import (
	"net/http"
	"strconv"

	"tearline/internal/authz"
	"tearline/internal/user"
	"tearline/internal/web/views"
)

var roleWork = map[user.Role]string{
	user.RoleAnalyst:     "Draft bulletins, reports, notes, analyses, strategic assessments and target packages; cite raw reporting; answer requests for information.",
	user.RoleReviewer:    "Peer-review, approve, release and recall products. You never approve or release your own work.",
	user.RoleCenterAdmin: "Manage agencies, users and role memberships, distribution lists and policy.",
	user.RoleAuditor:     "Review the audit trail of every view, search, export and decision, and the retention of criminal intelligence.",
	user.RoleSteering:    "Review the strategic assessments routed to you, comment per section, record decisions and follow the metrics.",
	user.RoleLiaison:     "Read what your agency received, acknowledge it, rate it, ask for information and submit deconfliction entries.",
	user.RoleAgencyAdmin: "Manage your agency's users and their roles, and see your agency's audit trail.",
}

// handleHome shows the landing page to visitors and the role's home page to signed-in users.
func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := user.PrincipalFrom(ctx)
	if p == nil {
		s.landing(w, r, http.StatusOK, "")
		return
	}
	if !s.Auth.NoticeAcknowledged(ctx) {
		http.Redirect(w, r, "/notice", http.StatusSeeOther)
		return
	}
	if !s.Authz.Can(ctx, p, authz.ActRead, authz.Owned(authz.TypeHome, p.AgencyID)) {
		s.deny(w, r, authz.ActRead, authz.TypeHome)
		return
	}
	a, err := s.Store.FindAgencyByID(ctx, p.AgencyID)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v := views.HomeView{Agency: a}
	if v.ActiveUsers, err = s.Store.CountActiveUsers(ctx, p.AgencyID); err != nil {
		s.renderError(w, r, err)
		return
	}
	if v.LastSignIn, err = s.Store.PreviousSignIn(ctx, p.UserID); err != nil {
		s.renderError(w, r, err)
		return
	}
	for _, role := range p.Roles {
		v.Roles = append(v.Roles, views.RoleCard{Label: role.Label(), Work: roleWork[role]})
	}
	if s.Authz.Can(ctx, p, authz.ActList, authz.Type(authz.TypeDraft)) {
		note := "The products you are drafting: bulletins, reports, notes, analyses, assessments and target packages."
		if s.Authz.Can(ctx, p, authz.ActRead, authz.Authored(authz.TypeDraft, p.AgencyID, false)) {
			note = "Every draft of the center, as its supervisor."
		}
		v.Reach = append(v.Reach, views.ReachItem{Label: "Drafts", Href: "/products", Note: note})
	}
	if s.Authz.Can(ctx, p, authz.ActList, authz.Type(authz.TypeSteering)) {
		queue, err := s.Store.FindSteeringQueue(ctx, p.UserID, p.AgencyID)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		note := "Strategic assessments routed to you for the steering group's decision: " + strconv.Itoa(len(queue)) + " waiting."
		v.Reach = append(v.Reach, views.ReachItem{Label: "Steering review", Href: "/steering", Note: note})
	}
	if s.Authz.Can(ctx, p, authz.ActList, authz.Type(authz.TypeUser)) {
		note := "People of your agency, their roles and status."
		if s.Authz.Can(ctx, p, authz.ActList, authz.AnyAgency(authz.TypeUser)) {
			note = "Everyone who can sign in, in every agency, with their roles and status."
		}
		v.Reach = append(v.Reach, views.ReachItem{Label: "Users", Href: "/admin/users", Note: note})
	}
	if s.Authz.Can(ctx, p, authz.ActList, authz.Type(authz.TypeAgency)) {
		v.Reach = append(v.Reach, views.ReachItem{Label: "Agencies", Href: "/admin/agencies",
			Note: "The center, member agencies and foreign partners, with the attributes caveat checks use."})
	}
	s.render(w, r, http.StatusOK, views.Home(s.page(r, "Home", "home"), v))
}

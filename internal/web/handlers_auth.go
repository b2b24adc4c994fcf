package web

import (
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"tearline/internal/agency"
	"tearline/internal/apperr"
	"tearline/internal/user"
	"tearline/internal/web/views"
)

func (s *Server) landing(w http.ResponseWriter, r *http.Request, status int, msg string) {
	if msg == "" {
		msg = s.Auth.PopFlash(r.Context())
	}
	v := views.LandingView{Providers: s.Auth.Providers(), Demo: s.DemoIDP != nil, Message: msg}
	s.render(w, r, status, views.Landing(s.page(r, "Sign in", ""), v))
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("provider")
	providers := s.Auth.Providers()
	if name == "" && len(providers) == 1 {
		name = providers[0].Name
	}
	if name == "" {
		s.landing(w, r, http.StatusOK, "")
		return
	}
	url, err := s.Auth.BeginLogin(r.Context(), name, r.URL.Query().Get("login_hint"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	http.Redirect(w, r, url, http.StatusFound) // #nosec G710 -- the authorization endpoint of a configured identity provider
}

func (s *Server) handleCallback(w http.ResponseWriter, r *http.Request) {
	_, err := s.Auth.FinishLogin(r.Context(), chi.URLParam(r, "provider"), r.URL.Query())
	if err != nil {
		if apperr.Code(err) == apperr.EUNAUTHENTICATED {
			s.landing(w, r, http.StatusUnauthorized, apperr.Message(err))
			return
		}
		s.renderError(w, r, err)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	if user.PrincipalFrom(r.Context()) != nil {
		if err := s.Auth.Logout(r.Context()); err != nil {
			s.renderError(w, r, err)
			return
		}
		s.Auth.Flash(r.Context(), "You have signed out.")
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (s *Server) handleNotice(w http.ResponseWriter, r *http.Request) {
	if s.Auth.NoticeAcknowledged(r.Context()) {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, views.Notice(s.page(r, "System use notification", "")))
}

func (s *Server) handleNoticeAck(w http.ResponseWriter, r *http.Request) {
	if err := s.Auth.AcknowledgeNotice(r.Context()); err != nil {
		s.renderError(w, r, err)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// handleDemoLogin is the built-in provider's login step: login_hint signs the persona in at once,
// otherwise the persona picker is shown.
func (s *Server) handleDemoLogin(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("authRequestID")
	hint, ok := s.DemoIDP.LoginHint(id)
	if !ok {
		s.renderError(w, r, apperr.Errorf(apperr.EINVALID, "This sign-in request has expired or was already used. Start again from the home page."))
		return
	}
	if hint != "" {
		s.completeDemoLogin(w, r, id, hint)
		return
	}
	s.render(w, r, http.StatusOK, views.DemoPicker(s.page(r, "Demo sign-in", ""), s.pickerView(id)))
}

func (s *Server) handleDemoLoginSubmit(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		s.renderError(w, r, err)
		return
	}
	s.completeDemoLogin(w, r, r.PostForm.Get("authRequestID"), r.PostForm.Get("persona"))
}

func (s *Server) completeDemoLogin(w http.ResponseWriter, r *http.Request, id, persona string) {
	next, err := s.DemoIDP.Complete(id, persona)
	if err != nil {
		s.Logger.WarnContext(r.Context(), "demo sign-in refused", "request_id", requestID(r.Context()), "persona", persona, "error", err)
		s.renderError(w, r, apperr.Errorf(apperr.EINVALID, "There is no demo persona %q, or the sign-in request has expired. Demo personas are listed in the README.", persona))
		return
	}
	http.Redirect(w, r, next, http.StatusSeeOther) // #nosec G710 -- the demo provider's own mount path plus the escaped id of a pending request
}

func (s *Server) pickerView(id string) views.PickerView {
	v := views.PickerView{RequestID: id}
	kinds := map[string]agency.Kind{}
	names := map[string]string{}
	for _, a := range s.demoAgencies {
		kinds[a.Code], names[a.Code] = a.Kind, a.Name
	}
	headings := map[agency.Kind]string{agency.KindCenter: "Fusion center", agency.KindMember: "Member agencies", agency.KindPartner: "Foreign partners"}
	for _, k := range agency.Kinds {
		g := views.PersonaGroup{Heading: headings[k]}
		for _, p := range s.Personas {
			if kinds[p.Agency] != k {
				continue
			}
			roles := make([]string, 0, len(p.Roles))
			for _, r := range p.Roles {
				roles = append(roles, r.Label())
			}
			g.Personas = append(g.Personas, views.PersonaView{
				Hint: p.Hint, Name: p.Name, Agency: p.Agency, AgencyName: names[p.Agency], Roles: strings.Join(roles, ", "), Title: p.Title,
			})
		}
		if len(g.Personas) > 0 {
			v.Groups = append(v.Groups, g)
		}
	}
	return v
}

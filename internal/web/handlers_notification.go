package web

import (
	"net/http"

	"tearline/internal/notify"
	"tearline/internal/product"
	"tearline/internal/user"
	"tearline/internal/web/views"
)

const notificationsShown = 100

func (s *Server) handleNotifications(w http.ResponseWriter, r *http.Request) {
	s.renderNotifications(w, r, http.StatusOK, notify.Subscription{}, nil)
}

// renderNotifications shows the principal's notifications and subscriptions, with the subscription
// form as submitted and its problems (if any).
func (s *Server) renderNotifications(w http.ResponseWriter, r *http.Request, status int, form notify.Subscription, errs map[string]string) {
	ctx := r.Context()
	p := user.PrincipalFrom(ctx)
	items, unread, err := s.Store.FindNotifications(ctx, p.AgencyID, p.UserID, notificationsShown)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	subs, err := s.Store.FindSubscriptions(ctx, p.AgencyID, p.UserID)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v := views.NotificationsView{Items: items, Unread: unread, Subscriptions: subs, Form: form, Errors: errs, Outbox: s.DemoIDP != nil}
	pg := s.page(r, "Notifications", "notifications")
	pg.Unread = unread
	s.render(w, r, status, views.Notifications(pg, v))
}

// handleNotificationsReadAll marks every notification of the principal read.
func (s *Server) handleNotificationsReadAll(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := user.PrincipalFrom(ctx)
	if err := parseForm(w, r); err != nil {
		s.renderError(w, r, err)
		return
	}
	if err := s.Store.MarkNotificationsRead(ctx, p.AgencyID, p.UserID, 0); err != nil {
		s.renderError(w, r, err)
		return
	}
	http.Redirect(w, r, "/notifications", http.StatusSeeOther)
}

// handleNotificationOpen marks the notification read and goes to what it names.
func (s *Server) handleNotificationOpen(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := user.PrincipalFrom(ctx)
	id, err := idParam(r, "id")
	if err == nil {
		err = parseForm(w, r)
	}
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	n, err := s.Store.OpenNotification(ctx, p.AgencyID, p.UserID, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	http.Redirect(w, r, n.Link(), http.StatusSeeOther) // #nosec G710 -- Link is a fixed local path plus a numeric id
}

func (s *Server) handleSubscriptionAdd(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := user.PrincipalFrom(ctx)
	if err := parseForm(w, r); err != nil {
		s.renderError(w, r, err)
		return
	}
	sub := notify.Subscription{Kind: r.PostFormValue("kind"), Value: r.PostFormValue("value")}
	if sub.Kind == notify.SubscribeTopic {
		sub.Value = r.PostFormValue("topic")
	} else if sub.Kind == notify.SubscribeType {
		sub.Value = r.PostFormValue("type")
	}
	if errs := sub.Normalize(func(t string) bool { return product.Type(t).Valid() },
		func(k string) bool { return product.TopicLabel(k) != k }); errs != nil {
		s.renderNotifications(w, r, http.StatusUnprocessableEntity, sub, errs)
		return
	}
	if err := s.Store.AddSubscription(ctx, p.AgencyID, p.UserID, sub); err != nil {
		s.renderError(w, r, err)
		return
	}
	http.Redirect(w, r, "/notifications#subscriptions", http.StatusSeeOther)
}

func (s *Server) handleSubscriptionDelete(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := user.PrincipalFrom(ctx)
	id, err := idParam(r, "id")
	if err == nil {
		err = parseForm(w, r)
	}
	if err == nil {
		err = s.Store.DeleteSubscription(ctx, p.AgencyID, p.UserID, id)
	}
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	http.Redirect(w, r, "/notifications#subscriptions", http.StatusSeeOther)
}

// handleOutbox shows the demo e-mails sent to the principal (demo mode only: the route exists only there).
func (s *Server) handleOutbox(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := user.PrincipalFrom(ctx)
	msgs, err := s.Store.FindOutbox(ctx, p.AgencyID, p.UserID)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, views.Outbox(s.page(r, "Demo e-mail outbox", "notifications"), msgs))
}

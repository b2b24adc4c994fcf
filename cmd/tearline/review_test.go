package main

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"tearline/internal/user"
)

// Review finding: an agency administrator may rewrite the issuer and subject of any user of their
// agency, and roles they cannot grant "survive" the edit. Re-pointing a more privileged account at
// an identity the administrator controls hands them that account's roles. Here the center's own
// agency administrator (a configuration TestAgencyAdminCannotGrantCenterRoles uses) becomes a
// center administrator.
func TestReviewAgencyAdminTakesOverCenterAdminByRebindingIdentity(t *testing.T) {
	op := newFakeOP(t)
	op.subject = "hstc-it-admin"
	a := newTestApp(t, op.env("HSTC"))
	ctx := context.Background()
	hstc := a.agencyID(t, "HSTC")
	self := user.User{AgencyID: hstc, Issuer: op.srv.URL, Subject: "hstc-it-admin", DisplayName: "Center IT admin", Roles: []user.Role{user.RoleAgencyAdmin}}
	if err := a.Owner.UpsertUser(ctx, &self); err != nil {
		t.Fatal(err)
	}
	b := a.browser(t)
	if p := b.get(b.fakeCallback()); p.URL.Path != "/notice" {
		t.Fatalf("sign-in: %s", p.URL)
	}
	b.post("/notice", nil)

	// 1. Park the administrator's own identity on a throw-away subject (the session lives on).
	park := url.Values{"display_name": {"Center IT admin"}, "agency_id": {itoa(hstc)}, "issuer": {op.srv.URL},
		"subject": {"parked"}, "roles": {"agency_admin"}}
	b.editUser(self.ID, park)
	// 2. Point the center administrator's account at the administrator's real identity.
	priya := a.userID(t, "admin@hstc")
	steal := url.Values{"display_name": {"Priya Raman"}, "agency_id": {itoa(hstc)}, "issuer": {op.srv.URL}, "subject": {"hstc-it-admin"}}
	b.editUser(priya, steal)

	// 3. Sign in again with the same IdP account.
	c := a.browser(t)
	c.get(c.fakeCallback())
	c.post("/notice", nil)
	if p := c.get("/admin/agencies/new"); p.Status == http.StatusOK && p.URL.Path == "/admin/agencies/new" {
		t.Error("an agency administrator of the center signed in as a center administrator by rebinding the account's issuer/subject")
	}
	if n := a.countRows(t, `SELECT count(*) FROM app_user WHERE id = $1 AND subject = 'admin@hstc'`, priya); n != 1 {
		t.Error("an agency administrator changed the identity of a user holding roles they cannot grant")
	}
}

// Same flaw in a member agency: ICE's agency administrator obtains the steering role, which agency
// administrators may not grant, by re-pointing a steering member's account at their own identity.
func TestReviewAgencyAdminGainsUngrantableRoleByRebindingIdentity(t *testing.T) {
	a := newTestApp(t)
	ctx := context.Background()
	ice := a.agencyID(t, "ICE")
	issuer := a.URL + "/demo-idp"
	st := user.User{AgencyID: ice, Issuer: issuer, Subject: "steering@ice", DisplayName: "ICE steering member", Roles: []user.Role{user.RoleSteering}}
	if err := a.Owner.UpsertUser(ctx, &st); err != nil {
		t.Fatal(err)
	}
	b := a.browser(t)
	b.signIn("admin@ice")
	me := a.userID(t, "admin@ice")
	b.editUser(me, url.Values{"display_name": {"Victor Reyes"}, "agency_id": {itoa(ice)}, "issuer": {issuer},
		"subject": {"admin@ice-parked"}, "roles": {"agency_admin"}})
	b.editUser(st.ID, url.Values{"display_name": {"ICE steering member"}, "agency_id": {itoa(ice)}, "issuer": {issuer},
		"subject": {"admin@ice"}})
	c := a.browser(t)
	c.get("/auth/login?login_hint=admin@ice")
	if n := a.countRows(t, `SELECT count(*) FROM app_user u JOIN membership m ON m.user_id = u.id
		WHERE u.subject = 'admin@ice' AND m.role = 'steering'`); n != 0 {
		t.Error("the agency administrator's identity now signs in with the steering role they cannot grant")
	}
}

// Review finding: the system-use notice acknowledgement is kept in the session across a change of
// user, so a second person signing in on the same browser never sees the notice.
func TestReviewNoticeAcknowledgementDoesNotCarryOverToAnotherUser(t *testing.T) {
	a := newTestApp(t)
	b := a.browser(t)
	b.signIn("liaison@ice")
	if p := b.get("/auth/login?login_hint=" + url.QueryEscape("admin@hstc")); p.URL.Path != "/notice" {
		t.Errorf("second user signed in on the same browser landed on %s, want /notice", p.URL.Path)
	}
}

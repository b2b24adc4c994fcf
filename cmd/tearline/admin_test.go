package main

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"tearline/internal/user"
)

func (a *testApp) userID(t *testing.T, subject string) int64 {
	t.Helper()
	var id int64
	if err := a.Owner.Pool.QueryRow(context.Background(), `SELECT id FROM app_user WHERE subject = $1`, subject).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func (a *testApp) agencyID(t *testing.T, code string) int64 {
	t.Helper()
	ag, err := a.Owner.FindAgencyByCode(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	return ag.ID
}

var updatedRE = regexp.MustCompile(`name="updated" value="([^"]+)"`)

// editUser submits the user form as a browser would: with the change token of the form it loaded.
func (b *browser) editUser(id int64, form url.Values) page {
	b.t.Helper()
	f := url.Values{}
	for k, v := range form {
		f[k] = v
	}
	if m := updatedRE.FindStringSubmatch(b.get("/admin/users/" + itoa(id) + "/edit").Body); m != nil {
		f.Set("updated", html.UnescapeString(m[1]))
	}
	return b.post("/admin/users/"+itoa(id), f)
}

func TestCenterAdminManagesAgencies(t *testing.T) {
	a := newTestApp(t)
	b := a.browser(t)
	b.signIn("admin@hstc")
	form := url.Values{"code": {"cbp-amo"}, "name": {"CBP Air and Marine Operations"}, "kind": {"member"}, "country": {"usa"}, "federal": {"on"}}
	p := b.post("/admin/agencies", form)
	if p.URL.Path != "/admin/agencies" || !strings.Contains(p.Body, "CBP-AMO") {
		t.Fatalf("create: %d at %s", p.Status, p.URL)
	}
	// A bad form comes back 422 with the messages and the values typed.
	bad := url.Values{"code": {"x"}, "name": {"Guardia Costiera del Sud"}, "kind": {"partner"}, "country": {"ITALY"}}
	p = b.post("/admin/agencies", bad)
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("bad form: status %d, want 422", p.Status)
	}
	for _, want := range []string{"Guardia Costiera del Sud", `value="ITALY"`, "Use 2–16 capital letters", "three-letter country code", "usa-form-group--error"} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("re-rendered form lacks %q", want)
		}
	}
	// A duplicate code is a field error too.
	dup := url.Values{"code": {"ICE"}, "name": {"Duplicate"}, "kind": {"member"}, "country": {"USA"}, "federal": {"on"}}
	if p := b.post("/admin/agencies", dup); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "already uses this code") {
		t.Errorf("duplicate code: %d", p.Status)
	}
	// Edit keeps the id and audits the change.
	id := a.agencyID(t, "CBP-AMO")
	edit := url.Values{"code": {"CBP-AMO"}, "name": {"Air and Marine Operations"}, "kind": {"member"}, "country": {"USA"}, "federal": {"on"}}
	if p := b.post("/admin/agencies/"+itoa(id), edit); !strings.Contains(p.Body, "Air and Marine Operations") {
		t.Errorf("edit not shown: %d", p.Status)
	}
	if n := a.countRows(t, `SELECT count(*) FROM audit_event WHERE action IN ('agency.create', 'agency.update') AND object_id = $1`, itoa(id)); n != 2 {
		t.Errorf("agency changes audited = %d, want 2", n)
	}
	if p := b.get("/admin/agencies/999999/edit"); p.Status != http.StatusNotFound {
		t.Errorf("missing agency: %d, want 404", p.Status)
	}
}

func TestCenterAdminManagesUsers(t *testing.T) {
	a := newTestApp(t)
	b := a.browser(t)
	b.signIn("admin@hstc")
	issuer := a.URL + "/demo-idp"
	form := url.Values{"display_name": {"Nadia Ferreira"}, "email": {"nadia@example.invalid"}, "agency_id": {itoa(a.agencyID(t, "FGR"))},
		"issuer": {issuer}, "subject": {"fgr-liaison-2"}, "roles": {"liaison"}}
	p := b.post("/admin/users", form)
	if p.URL.Path != "/admin/users" || !strings.Contains(p.Body, "Nadia Ferreira") {
		t.Fatalf("create user: %d at %s", p.Status, p.URL)
	}
	// An analyst role in a foreign partner is refused, values kept.
	bad := url.Values{"display_name": {"Jonas Berg"}, "agency_id": {itoa(a.agencyID(t, "EUROPOL"))}, "issuer": {issuer},
		"subject": {"europol-2"}, "roles": {"analyst"}, "email": {"not-an-address"}}
	p = b.post("/admin/users", bad)
	if p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("bad user: %d, want 422", p.Status)
	}
	for _, want := range []string{"Jonas Berg", "europol-2", "cannot be held by a user of a Foreign partner", "valid e-mail"} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("re-rendered user form lacks %q", want)
		}
	}
	// Same issuer and subject twice is refused.
	if p := b.post("/admin/users", form); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "already signs in with this issuer") {
		t.Errorf("duplicate identity: %d", p.Status)
	}
	// Editing replaces the roles.
	id := a.userID(t, "fgr-liaison-2")
	form.Set("roles", "agency_admin")
	b.editUser(id, form)
	if n := a.countRows(t, `SELECT count(*) FROM membership WHERE user_id = $1 AND role = 'agency_admin'`, id); n != 1 {
		t.Error("role change not saved")
	}
	if n := a.countRows(t, `SELECT count(*) FROM membership WHERE user_id = $1`, id); n != 1 {
		t.Error("old role not removed")
	}
	// An admin cannot deactivate themself.
	if p := b.post("/admin/users/"+itoa(a.userID(t, "admin@hstc"))+"/deactivate", nil); p.Status != http.StatusConflict {
		t.Errorf("self-deactivation: %d, want 409", p.Status)
	}
}

func TestAgencyAdminSeesOnlyOwnAgency(t *testing.T) {
	a := newTestApp(t)
	b := a.browser(t)
	b.signIn("admin@ice")
	p := b.get("/admin/users")
	if p.Status != 200 || !strings.Contains(p.Body, "Rosa Delgado") {
		t.Fatalf("own users: %d", p.Status)
	}
	for _, other := range []string{"Aaron Fitzgerald", "Priya Raman", "Katrin Vogel"} {
		if strings.Contains(p.Body, other) {
			t.Errorf("agency admin of ICE sees %s", other)
		}
	}
	// Filtering by another agency is ignored for an agency admin.
	if p := b.get("/admin/users?agency=" + itoa(a.agencyID(t, "CBP"))); strings.Contains(p.Body, "Aaron Fitzgerald") {
		t.Error("agency filter leaks another agency's users")
	}
	cbp := a.userID(t, "liaison@cbp")
	for _, path := range []string{"/admin/users/" + itoa(cbp) + "/edit", "/admin/agencies", "/admin/agencies/new"} {
		if p := b.get(path); p.Status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, p.Status)
		}
	}
	issuer := a.URL + "/demo-idp"
	upd := url.Values{"display_name": {"Hijacked"}, "agency_id": {itoa(a.agencyID(t, "CBP"))}, "issuer": {issuer}, "subject": {"liaison@cbp"}, "roles": {"liaison"}}
	if p := b.editUser(cbp, upd); p.Status != http.StatusNotFound {
		t.Errorf("update another agency's user: %d, want 404", p.Status)
	}
	if p := b.post("/admin/users/"+itoa(cbp)+"/deactivate", nil); p.Status != http.StatusNotFound {
		t.Errorf("deactivate another agency's user: %d, want 404", p.Status)
	}
	// Creating a user in another agency is refused; in ICE it works.
	newUser := url.Values{"display_name": {"Omar Haddad"}, "agency_id": {itoa(a.agencyID(t, "CBP"))}, "issuer": {issuer}, "subject": {"ice-analyst-9"}, "roles": {"liaison"}}
	if p := b.post("/admin/users", newUser); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "whose users you administer") {
		t.Errorf("create in another agency: %d", p.Status)
	}
	// Moving an own user to another agency is refused.
	rosa := a.userID(t, "liaison@ice")
	move := url.Values{"display_name": {"Rosa Delgado"}, "agency_id": {itoa(a.agencyID(t, "CBP"))}, "issuer": {issuer}, "subject": {"liaison@ice"}, "roles": {"liaison"}}
	if p := b.editUser(rosa, move); p.Status != http.StatusUnprocessableEntity {
		t.Errorf("move own user to another agency: %d, want 422", p.Status)
	}
	newUser.Set("agency_id", itoa(a.agencyID(t, "ICE")))
	if p := b.post("/admin/users", newUser); !strings.Contains(p.Body, "Omar Haddad") {
		t.Errorf("create in own agency: %d", p.Status)
	}
	if n := a.countRows(t, `SELECT count(*) FROM app_user WHERE display_name = 'Hijacked'`); n != 0 {
		t.Error("another agency's user was changed")
	}
	if n := a.countRows(t, `SELECT count(*) FROM audit_event WHERE action = 'authz.deny' AND outcome = 'denied'`); n < 4 {
		t.Errorf("denials audited = %d, want at least 4", n)
	}
}

func TestNonAdminsCannotReachAdministration(t *testing.T) {
	a := newTestApp(t)
	for _, hint := range []string{"liaison@ice", "analyst@hstc", "steering@dos", "reviewer@hstc"} {
		t.Run(hint, func(t *testing.T) {
			b := a.browser(t)
			home := b.signIn(hint)
			if strings.Contains(home.Body, `href="/admin/users"`) {
				t.Error("home links to user administration")
			}
			for _, path := range []string{"/admin/users", "/admin/users/new", "/admin/users/1/edit", "/admin/agencies/new"} {
				if p := b.get(path); p.Status != http.StatusNotFound {
					t.Errorf("GET %s: %d, want 404", path, p.Status)
				}
			}
			form := url.Values{"code": {"ROGUE"}, "name": {"Rogue agency"}, "kind": {"member"}, "country": {"USA"}}
			if p := b.post("/admin/agencies", form); p.Status != http.StatusNotFound {
				t.Errorf("POST /admin/agencies: %d, want 404", p.Status)
			}
		})
	}
	if n := a.countRows(t, `SELECT count(*) FROM agency WHERE code = 'ROGUE'`); n != 0 {
		t.Error("a non-admin created an agency")
	}
}

func TestAnonymousIsSentToSignIn(t *testing.T) {
	a := newTestApp(t)
	b := a.browser(t)
	p := b.get("/admin/users")
	if p.URL.Path != "/" || !strings.Contains(p.Body, "Sign in to Tearline") || !strings.Contains(p.Body, "System use notification") {
		t.Errorf("anonymous admin page: %d at %s", p.Status, p.URL)
	}
	if p := b.post("/admin/agencies", url.Values{"code": {"ANON"}}); p.Status != http.StatusUnauthorized {
		t.Errorf("anonymous POST: %d, want 401", p.Status)
	}
	if p := b.get("/no/such/page"); p.Status != http.StatusNotFound || !strings.Contains(p.Body, "Page not found") {
		t.Errorf("unknown page: %d", p.Status)
	}
}

// An agency administrator of the center itself must not be able to hand out center roles,
// neither to a new user nor to themself; roles they may not grant survive their edits.
func TestAgencyAdminCannotGrantCenterRoles(t *testing.T) {
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
	issuer := a.URL + "/demo-idp"
	create := url.Values{"display_name": {"New Hire"}, "agency_id": {itoa(hstc)}, "issuer": {issuer}, "subject": {"new-hire"},
		"roles": {"center_admin", "auditor", "analyst", "agency_admin"}}
	b.post("/admin/users", create)
	id := a.userID(t, "new-hire")
	if n := a.countRows(t, `SELECT count(*) FROM membership WHERE user_id = $1 AND role IN ('center_admin', 'auditor', 'analyst', 'reviewer')`, id); n != 0 {
		t.Errorf("agency admin granted %d center roles", n)
	}
	if n := a.countRows(t, `SELECT count(*) FROM membership WHERE user_id = $1 AND role = 'agency_admin'`, id); n != 1 {
		t.Error("agency admin could not grant agency_admin in own agency")
	}
	escalate := url.Values{"display_name": {"Center IT admin"}, "agency_id": {itoa(hstc)}, "issuer": {op.srv.URL}, "subject": {"hstc-it-admin"},
		"roles": {"agency_admin", "center_admin"}}
	b.editUser(self.ID, escalate)
	if n := a.countRows(t, `SELECT count(*) FROM membership WHERE user_id = $1 AND role = 'center_admin'`, self.ID); n != 0 {
		t.Error("agency admin raised themself to center administrator")
	}
	// Editing an analyst of the agency keeps the analyst role the agency admin cannot grant.
	analyst := a.userID(t, "analyst@hstc")
	keep := url.Values{"display_name": {"Dana Whitfield"}, "agency_id": {itoa(hstc)}, "issuer": {issuer}, "subject": {"analyst@hstc"}}
	keep.Set("issuer", a.URL+"/demo-idp")
	b.editUser(analyst, keep)
	if n := a.countRows(t, `SELECT count(*) FROM membership WHERE user_id = $1 AND role = 'analyst'`, analyst); n != 1 {
		t.Error("an edit by an agency admin removed a role they cannot grant")
	}
	form := b.get("/admin/users/" + itoa(analyst) + "/edit")
	if !strings.Contains(form.Body, `value="center_admin" disabled`) {
		t.Error("center roles are not disabled on the agency admin's form")
	}
}

// Changing how a user signs in hands over every role they hold, so only an administrator who may
// grant all of those roles may do it; and a session opened under the old identity ends.
func TestIdentityRebindingIsGuarded(t *testing.T) {
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
	p := b.editUser(st.ID, url.Values{"display_name": {"ICE steering member"}, "agency_id": {itoa(ice)}, "issuer": {issuer}, "subject": {"someone-else"}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "may grant every role this user holds") {
		t.Errorf("rebinding a steering member: %d", p.Status)
	}
	if n := a.countRows(t, `SELECT count(*) FROM app_user WHERE id = $1 AND subject = 'steering@ice'`, st.ID); n != 1 {
		t.Error("the identity was changed")
	}
	// A liaison's identity (a role the agency admin grants) may be corrected...
	rosa := a.userID(t, "liaison@ice")
	victim := a.browser(t)
	victim.signIn("liaison@ice")
	p = b.editUser(rosa, url.Values{"display_name": {"Rosa Delgado"}, "agency_id": {itoa(ice)}, "issuer": {issuer}, "subject": {"rosa.delgado"}, "roles": {"liaison"}})
	if p.URL.Path != "/admin/users" {
		t.Fatalf("correcting a liaison's subject: %d at %s", p.Status, p.URL)
	}
	// ...and the session opened under the old identity ends at once.
	if p := victim.get("/"); strings.Contains(p.Body, "Welcome,") {
		t.Error("a session survived the change of its sign-in identity")
	}
	if n := a.countRows(t, `SELECT count(*) FROM audit_event WHERE action = 'auth.session_end' AND details->>'reason' = 'sign-in identity changed'`); n != 1 {
		t.Errorf("identity-change session ends audited = %d, want 1", n)
	}
}

func TestStaleUserFormIsRefused(t *testing.T) {
	a := newTestApp(t)
	one, two := a.browser(t), a.browser(t)
	one.signIn("admin@hstc")
	two.signIn("admin@hstc")
	rosa := a.userID(t, "liaison@ice")
	m := updatedRE.FindStringSubmatch(one.get("/admin/users/" + itoa(rosa) + "/edit").Body)
	if m == nil {
		t.Fatal("no change token on the form")
	}
	issuer := a.URL + "/demo-idp"
	form := url.Values{"display_name": {"Rosa Delgado"}, "agency_id": {itoa(a.agencyID(t, "ICE"))}, "issuer": {issuer}, "subject": {"liaison@ice"}}
	two.editUser(rosa, form) // withdraws the liaison role
	stale := url.Values{"display_name": {"Rosa D."}, "agency_id": {itoa(a.agencyID(t, "ICE"))}, "issuer": {issuer}, "subject": {"liaison@ice"},
		"roles": {"liaison"}, "updated": {html.UnescapeString(m[1])}}
	p := one.post("/admin/users/"+itoa(rosa), stale)
	if p.Status != http.StatusConflict || !strings.Contains(p.Body, "Someone else changed this user") {
		t.Errorf("stale save: %d", p.Status)
	}
	if n := a.countRows(t, `SELECT count(*) FROM membership WHERE user_id = $1`, rosa); n != 0 {
		t.Error("a stale save brought a withdrawn role back")
	}
}

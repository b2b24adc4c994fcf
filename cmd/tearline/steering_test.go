package main

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"tearline/internal/demo"
)

// steeringMembers returns the form that assigns the given steering personas.
func (a *testApp) steeringMembers(t *testing.T, hints ...string) url.Values {
	t.Helper()
	v := url.Values{}
	for _, h := range hints {
		v.Add("member", itoa(a.userID(t, h)))
	}
	return v
}

func (b *browser) decide(id, decision, comment string) page {
	b.t.Helper()
	return b.post("/steering/"+id+"/decision", url.Values{"decision": {decision}, "comment": {comment}})
}

// toSupervisory creates a ready assessment (or other type) as Dana and takes it through peer review.
func toSupervisory(t *testing.T, dana, marcus *browser, typ, title string) string {
	t.Helper()
	id := dana.readyDraft(typ, title)
	if p := dana.act(id, "submit", ""); p.Status != http.StatusOK {
		t.Fatalf("submit %s: %d", title, p.Status)
	}
	if p := marcus.act(id, "peer_approve", ""); p.Status != http.StatusOK {
		t.Fatalf("peer-approve %s: %d", title, p.Status)
	}
	return id
}

func (a *testApp) state(t *testing.T, id string) string {
	t.Helper()
	var s string
	if err := a.Owner.Pool.QueryRow(t.Context(), `SELECT state FROM product WHERE id = $1`, id).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

func signedIn(t *testing.T, a *testApp, hints ...string) []*browser {
	t.Helper()
	out := make([]*browser, len(hints))
	for i, h := range hints {
		out[i] = a.browser(t)
		out[i].signIn(h)
	}
	return out
}

func TestAssessmentThroughSteeringGroup(t *testing.T) {
	a := newTestApp(t)
	b := signedIn(t, a, "analyst@hstc", "analyst2@hstc", "reviewer@hstc", "steering@dos", "steering@doj", "steering@dhs-ia")
	dana, marcus, elena, dos, doj, dhs := b[0], b[1], b[2], b[3], b[4], b[5]
	const title = "Smuggling corridors through the Darién will widen in 2027"
	id := toSupervisory(t, dana, marcus, "SA", title)

	// Without steering members the assessment cannot leave supervisory review.
	if p := elena.act(id, "supervise_approve", ""); p.Status != http.StatusConflict || !strings.Contains(p.Body, "Assign steering group members") {
		t.Fatalf("supervisory approval without members: %d", p.Status)
	}
	pg := elena.get("/products/" + id)
	for _, want := range []string{`data-testid="steering-assign"`, "Thomas Achebe", "Laura Jiménez", "Kevin Marsh", `data-testid="steering-unassigned"`} {
		if !strings.Contains(pg.Body, want) {
			t.Errorf("the reviewer's product page lacks %q", want)
		}
	}
	if strings.Contains(pg.Body, `data-action="supervise_approve"`) {
		t.Error("supervisory approval offered before steering members are assigned")
	}
	// Neither the author nor a peer may choose the steering group; steering members may not either.
	all := a.steeringMembers(t, "steering@dos", "steering@doj", "steering@dhs-ia")
	for name, br := range map[string]*browser{"author": dana, "peer": marcus, "steering member": dos} {
		if p := br.post("/products/"+id+"/steering", all); p.Status != http.StatusNotFound {
			t.Errorf("the %s assigned steering members: %d", name, p.Status)
		}
	}
	if p := elena.post("/products/"+id+"/steering", url.Values{"member": {itoa(a.userID(t, "analyst2@hstc"))}}); p.Status != http.StatusUnprocessableEntity {
		t.Errorf("assigning an analyst as steering member: %d", p.Status)
	}
	p := elena.post("/products/"+id+"/steering", all)
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "Steering group members assigned: 3.") {
		t.Fatalf("assign: %d %s", p.Status, p.URL)
	}
	// Assigned, but not yet routed: members see nothing until it enters steering review.
	if p := dos.get("/steering/" + id); p.Status != http.StatusNotFound {
		t.Errorf("a member opened the assessment in supervisory review: %d", p.Status)
	}
	if p := elena.act(id, "supervise_approve", ""); p.Status != http.StatusOK || a.state(t, id) != "steering_review" {
		t.Fatalf("supervisory approval: %d, state %s", p.Status, a.state(t, id))
	}

	// State's member finds it in the steering queue and on the home page, reads it, comments on a
	// section and concurs.
	if p := dos.get("/"); !strings.Contains(p.Body, `href="/steering"`) || !strings.Contains(p.Body, "1 waiting") {
		t.Error("the steering member's home page lacks the steering queue")
	}
	if q := dos.get("/steering"); q.Status != http.StatusOK || !strings.Contains(q.Body, title) || !strings.Contains(q.Body, "HSTC") {
		t.Fatalf("the steering queue lacks the assessment: %d", q.Status)
	}
	sp := dos.get("/steering/" + id)
	for _, want := range []string{"Key judgments", "Discussion", `id="section-key-judgments"`, `data-action="steering-decide"`, "CUI//LEI", "Portion text"} {
		if !strings.Contains(sp.Body, want) {
			t.Errorf("the member's page lacks %q", want)
		}
	}
	p = dos.post("/steering/"+id+"/comments", url.Values{"section": {"key-judgments"}, "body": {"Judgment 2 rests on a single source."}})
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "Judgment 2 rests on a single source.") {
		t.Errorf("section comment: %d", p.Status)
	}
	if p := dos.post("/steering/"+id+"/comments", url.Values{"section": {"discussion"}, "body": {"  "}}); p.Status != http.StatusUnprocessableEntity {
		t.Errorf("empty section comment: %d", p.Status)
	}
	if p := dos.decide(id, "non_concur", ""); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "Give the reason for your non-concurrence.") {
		t.Errorf("non-concur without a reason: %d", p.Status)
	}
	if p := dos.decide(id, "concur", ""); p.Status != http.StatusOK || !strings.Contains(p.Body, "Your decision is recorded: Concur.") {
		t.Errorf("concur: %d", p.Status)
	}
	if s := a.state(t, id); s != "steering_review" {
		t.Fatalf("one concurrence of three moved the assessment to %s", s)
	}
	// Center staff follow the steering review on the product page.
	pg = elena.get("/products/" + id)
	tally := regexp.MustCompile(`(?s)data-testid="steering-tally">.*?</p>`).FindString(pg.Body)
	if !strings.Contains(tally, "1 of 3 concur") || !strings.Contains(tally, "2 pending") || !strings.Contains(pg.Body, "Judgment 2 rests on a single source.") {
		t.Errorf("steering progress on the product page: %q", tally)
	}
	if p := dana.get("/products/" + id); !strings.Contains(p.Body, `data-testid="steering-members"`) || strings.Contains(p.Body, `data-testid="steering-assign"`) {
		t.Error("the author does not follow the steering review, or may assign members")
	}

	// Justice concurs: a majority of three, so the assessment is approved.
	if p := doj.decide(id, "concur_with_comments", "Cite the 2025 prosecutions."); p.Status != http.StatusOK || !strings.Contains(p.Body, "quorum is met") {
		t.Errorf("second concurrence: %d", p.Status)
	}
	if s := a.state(t, id); s != "approved" {
		t.Fatalf("two concurrences of three left the assessment %s", s)
	}
	if q := dhs.get("/steering"); strings.Contains(q.Body, title) {
		t.Error("an approved assessment is still in the steering queue")
	}
	if p := dhs.decide(id, "non_concur", "Too late"); p.Status != http.StatusConflict {
		t.Errorf("a decision after approval: %d", p.Status)
	}
	p = elena.act(id, "release", "")
	number := regexp.MustCompile(`HSTC-SA-\d{4}-00001`).FindString(p.Body)
	if p.Status != http.StatusOK || number == "" || !strings.HasPrefix(p.URL.Path, "/editions/") {
		t.Fatalf("release: %d at %s", p.Status, p.URL)
	}
	tl := dana.get("/products/" + id)
	for _, want := range []string{"completed the steering group&#39;s concurrence", "2 of 3 members concur", number, "Concur with comments", "Cite the 2025 prosecutions."} {
		if !strings.Contains(tl.Body, want) {
			t.Errorf("the product page lacks %q", want)
		}
	}
	if n := a.countRows(t, `SELECT count(*) FROM audit_event WHERE action = 'product.steering_decide' AND object_id = $1`, id); n != 2 {
		t.Errorf("audited decisions = %d", n)
	}
	if n := a.countRows(t, `SELECT count(*) FROM audit_event WHERE action IN ('product.steering_assign', 'product.steering_comment', 'product.steering_approve') AND object_id = $1`, id); n != 3 {
		t.Errorf("audited assignment, comment and approval = %d", n)
	}
}

func TestSteeringNonConcurrenceAndVisibility(t *testing.T) {
	a := newTestApp(t)
	b := signedIn(t, a, "analyst@hstc", "analyst2@hstc", "reviewer@hstc", "steering@dos", "steering@doj", "steering@dhs-ia", "liaison@ice")
	dana, marcus, elena, dos, doj, dhs, liaison := b[0], b[1], b[2], b[3], b[4], b[5], b[6]
	const title = "Visa-overstay networks will shift to Central American hubs"
	id := toSupervisory(t, dana, marcus, "SA", title)
	elena.post("/products/"+id+"/steering", a.steeringMembers(t, "steering@dos", "steering@doj"))
	elena.act(id, "supervise_approve", "")
	if s := a.state(t, id); s != "steering_review" {
		t.Fatalf("state %s", s)
	}

	// Only the members routed to it see it: not DHS I&A, not a liaison, not the center's analysts.
	if q := dhs.get("/steering"); q.Status != http.StatusOK || strings.Contains(q.Body, title) {
		t.Errorf("the unassigned member's queue: %d, lists it %v", q.Status, strings.Contains(q.Body, title))
	}
	for name, br := range map[string]*browser{"unassigned member": dhs, "liaison": liaison, "author": dana, "reviewer": elena} {
		if p := br.get("/steering/" + id); p.Status != http.StatusNotFound || strings.Contains(p.Body, title) {
			t.Errorf("%s opening the steering page: %d", name, p.Status)
		}
	}
	for name, br := range map[string]*browser{"unassigned member": dhs, "liaison": liaison, "author": dana} {
		if p := br.decide(id, "concur", ""); p.Status != http.StatusNotFound {
			t.Errorf("%s deciding: %d", name, p.Status)
		}
	}
	for name, br := range map[string]*browser{"assigned member": dos, "unassigned member": dhs, "liaison": liaison} {
		if p := br.get("/products/" + id); p.Status != http.StatusNotFound || strings.Contains(p.Body, title) {
			t.Errorf("%s opening the center's product page: %d", name, p.Status)
		}
		if p := br.act(id, "return", "no"); p.Status != http.StatusNotFound {
			t.Errorf("%s using the center's workflow: %d", name, p.Status)
		}
	}
	if p := liaison.get("/steering"); p.Status != http.StatusNotFound {
		t.Errorf("liaison's steering queue: %d", p.Status)
	}
	if p := liaison.get("/"); strings.Contains(p.Body, `href="/steering"`) {
		t.Error("the liaison's navigation offers steering review")
	}

	// Justice non-concurs with a reason: back to the author with that reason, in a new round.
	const reason = "The outlook ignores the 2025 prosecutions in the Southern District of Texas."
	dos.post("/steering/"+id+"/comments", url.Values{"section": {"outlook"}, "body": {"Add the DOS visa data."}})
	p := doj.decide(id, "non_concur", reason)
	if p.Status != http.StatusOK || p.URL.Path != "/steering" || !strings.Contains(p.Body, "goes back to its authors") {
		t.Errorf("non-concur: %d at %s", p.Status, p.URL)
	}
	if s := a.state(t, id); s != "draft" {
		t.Fatalf("a non-concurrence left the assessment %s", s)
	}
	if n := a.countRows(t, `SELECT steering_round FROM product WHERE id = $1`, id); n != 2 {
		t.Errorf("steering round after the return = %d", n)
	}
	pg := dana.get("/products/" + id)
	for _, want := range []string{reason, "non-concurred for the steering group", "Laura Jiménez (DOJ) non-concurs", "Add the DOS visa data.", "Round 1: Laura Jiménez (DOJ) — Non-concur"} {
		if !strings.Contains(pg.Body, want) {
			t.Errorf("the author's page lacks %q", want)
		}
	}
	for name, br := range map[string]*browser{"DOS": dos, "DOJ": doj} {
		if p := br.get("/steering/" + id); p.Status != http.StatusNotFound {
			t.Errorf("%s still opens the returned draft: %d", name, p.Status)
		}
	}

	// Round 2 needs its own assignment; the form proposes the previous round's members.
	dana.act(id, "submit", "")
	marcus.act(id, "peer_approve", "")
	if p := elena.act(id, "supervise_approve", ""); p.Status != http.StatusConflict {
		t.Errorf("round 2 entered steering review without an assignment: %d", p.Status)
	}
	pg = elena.get("/products/" + id)
	dosID := itoa(a.userID(t, "steering@dos"))
	if !regexp.MustCompile(`value="` + dosID + `" checked`).MatchString(pg.Body) {
		t.Error("the round-2 form does not propose the round-1 members")
	}
	elena.post("/products/"+id+"/steering", a.steeringMembers(t, "steering@dos", "steering@dhs-ia"))
	elena.act(id, "supervise_approve", "")
	dos.decide(id, "concur", "")
	if p := dhs.decide(id, "concur", ""); p.Status != http.StatusOK || a.state(t, id) != "approved" {
		t.Errorf("round 2 approval: %d, %s", p.Status, a.state(t, id))
	}
	if p := doj.get("/steering/" + id); p.Status != http.StatusNotFound {
		t.Errorf("a round-1 member not assigned to round 2 opens it: %d", p.Status)
	}
}

func TestBulletinNeverEntersSteeringReview(t *testing.T) {
	a := newTestApp(t)
	b := signedIn(t, a, "analyst@hstc", "analyst2@hstc", "reviewer@hstc", "steering@dos")
	dana, marcus, elena, dos := b[0], b[1], b[2], b[3]
	id := toSupervisory(t, dana, marcus, "IB", "Go-fast departures from La Ceiba")
	pg := elena.get("/products/" + id)
	if strings.Contains(pg.Body, `data-testid="steering-panel"`) {
		t.Error("a bulletin shows a steering panel")
	}
	if p := elena.post("/products/"+id+"/steering", a.steeringMembers(t, "steering@dos")); p.Status != http.StatusUnprocessableEntity {
		t.Errorf("assigning steering members to a bulletin: %d", p.Status)
	}
	if p := elena.act(id, "supervise_approve", ""); p.Status != http.StatusOK || a.state(t, id) != "approved" {
		t.Errorf("bulletin after supervisory approval: %d, %s", p.Status, a.state(t, id))
	}
	if p := dos.get("/steering/" + id); p.Status != http.StatusNotFound {
		t.Errorf("a steering member opened a bulletin: %d", p.Status)
	}
	if n := a.countRows(t, `SELECT count(*) FROM product_transition WHERE product_id = $1 AND to_state = 'steering_review'`, id); n != 0 {
		t.Error("the bulletin passed through steering review")
	}
}

func TestSeededSteering(t *testing.T) {
	a := newTestApp(t)
	ctx := t.Context()
	issuer := a.URL + "/demo-idp"
	if _, err := demo.SeedDrafts(ctx, a.Owner, issuer); err != nil {
		t.Fatal(err)
	}
	if _, err := demo.SeedEditions(ctx, a.Owner, issuer); err != nil {
		t.Fatal(err)
	}
	released, waiting, err := demo.SeedSteering(ctx, a.Owner, issuer)
	if err != nil || released != 1 || waiting != 1 {
		t.Fatalf("seed steering: %d released, %d waiting, %v", released, waiting, err)
	}
	if r, w, err := demo.SeedSteering(ctx, a.Owner, issuer); err != nil || r != 0 || w != 0 {
		t.Errorf("second seed: %d, %d, %v", r, w, err)
	}
	if n := a.countRows(t, `SELECT count(*) FROM edition WHERE number LIKE 'HSTC-SA-%-00001'`); n != 1 {
		t.Errorf("released assessments = %d", n)
	}
	b := signedIn(t, a, "steering@doj", "steering@dos")
	if q := b[0].get("/steering"); !strings.Contains(q.Body, `data-testid="steering-queue"`) || !strings.Contains(q.Body, "Pending") {
		t.Error("Justice's steering queue lacks the waiting assessment")
	}
	if q := b[1].get("/steering"); !strings.Contains(q.Body, "Concur with comments") {
		t.Error("State's queue does not show its recorded decision")
	}
}

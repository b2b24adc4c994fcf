package main

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// checked reports whether the page shows the input with the id checked.
func checked(body, id string) bool {
	return regexp.MustCompile(`id="` + regexp.QuoteMeta(id) + `"[^>]*\schecked`).MatchString(body)
}

// section returns the part of the body from the element with the data-testid to the end of its section.
func section(body, testid string) string {
	i := strings.Index(body, `data-testid="`+testid+`"`)
	if i < 0 {
		return ""
	}
	rest := body[i:]
	if j := strings.Index(rest, "</section>"); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

func TestAcknowledgementAndFeedback(t *testing.T) {
	a := newTestApp(t)
	const title = "NOFORN bulletin on Cayo Verde payments"
	ed := releaseMarked(t, a, "IB", title, url.Values{"m_control": {"CUI"}, "m_categories": {"SP-INV"}, "m_noforn": {"on"}})
	elena := a.browser(t)
	elena.signIn("reviewer@hstc")
	rel := agencyIDs(t, a, "ICE", "CBP")
	rel.Set("justification", "Maritime interdiction partners need this.")
	if p := elena.post(ed+"/disseminate", rel); p.Status != http.StatusOK {
		t.Fatalf("release to ICE and CBP: %d", p.Status)
	}
	rosa, aaron, fiona, iceAdmin := a.browser(t), a.browser(t), a.browser(t), a.browser(t)
	rosa.signIn("liaison@ice")
	aaron.signIn("liaison@cbp")
	fiona.signIn("liaison@nca")
	iceAdmin.signIn("admin@ice")

	// Before: the inbox says the acknowledgement is due; the page offers the liaison the button.
	if p := rosa.get("/inbox"); !strings.Contains(p.Body, `data-testid="inbox-ack-due"`) || strings.Contains(p.Body, `data-testid="inbox-acknowledged"`) {
		t.Error("ICE's inbox does not say the acknowledgement is due")
	}
	p := rosa.get(ed)
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "Acknowledge receipt for ICE") || !strings.Contains(p.Body, `data-testid="feedback-form"`) {
		t.Fatalf("ICE liaison's edition page: %d, no acknowledge button or feedback form", p.Status)
	}
	// An agency administrator may send feedback but not acknowledge: that is the liaison's.
	if p := iceAdmin.get(ed); strings.Contains(p.Body, `data-testid="acknowledge"`) || !strings.Contains(p.Body, `data-testid="feedback-form"`) {
		t.Error("ICE's agency administrator: acknowledge button shown or feedback form missing")
	}
	if p := iceAdmin.post(ed+"/acknowledge", nil); p.Status != http.StatusNotFound {
		t.Errorf("agency administrator acknowledging: %d, want 404", p.Status)
	}

	// The liaison acknowledges; a second acknowledgement is idempotent: the first one stands.
	p = rosa.post(ed+"/acknowledge", nil)
	if p.Status != http.StatusOK || p.URL.Path != ed || !strings.Contains(p.Body, "Receipt of ") ||
		!strings.Contains(section(p.Body, "acknowledged"), "Receipt acknowledged for ICE by Rosa Delgado") {
		t.Fatalf("ICE acknowledging: %d at %s", p.Status, p.URL)
	}
	if strings.Contains(p.Body, `data-testid="acknowledge"`) {
		t.Error("the acknowledge button is still offered after acknowledging")
	}
	p = rosa.post(ed+"/acknowledge", nil)
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "was already acknowledged for ICE by Rosa Delgado") {
		t.Errorf("second acknowledgement: %d", p.Status)
	}
	if n := a.countRows(t, `SELECT count(*) FROM acknowledgement`); n != 1 {
		t.Errorf("%d acknowledgements, want 1", n)
	}
	if n := a.countRows(t, `SELECT count(*) FROM audit_event WHERE action = 'edition.acknowledge'`); n != 1 {
		t.Errorf("%d acknowledgement audit rows, want 1", n)
	}
	if p := rosa.get("/inbox"); !strings.Contains(p.Body, `data-testid="inbox-acknowledged"`) || strings.Contains(p.Body, `data-testid="inbox-ack-due"`) {
		t.Error("ICE's inbox does not show the edition acknowledged")
	}

	// Feedback validation: 422 with every value kept.
	bad := url.Values{"relevance": {"9"}, "timeliness": {"4"}, "actionability": {"2"}, "action": {"shared"},
		"comment": {"Kept comment <b>text</b>"}}
	p = rosa.post(ed+"/feedback", bad)
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "Choose a score from 1 to 5.") ||
		!strings.Contains(p.Body, "Kept comment &lt;b&gt;text&lt;/b&gt;") || !checked(p.Body, "timeliness-4") ||
		!checked(p.Body, "actionability-2") || !regexp.MustCompile(`value="shared" selected`).MatchString(p.Body) {
		t.Errorf("feedback with relevance 9: %d, or the values were not kept", p.Status)
	}
	if !strings.Contains(p.Body, `id="banner-top"`) || !strings.Contains(p.Body, `id="banner-bottom"`) {
		t.Error("the refused feedback page lacks the edition's banners")
	}
	bad = url.Values{"relevance": {"5"}, "timeliness": {"4"}, "actionability": {"4"}, "action": {"bribe"}, "comment": {"Kept"}}
	p = rosa.post(ed+"/feedback", bad)
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "Choose the action taken from the list.") ||
		!checked(p.Body, "relevance-5") || !checked(p.Body, "timeliness-4") || !checked(p.Body, "actionability-4") {
		t.Errorf("feedback with an unknown action: %d, or the scores were not kept", p.Status)
	}
	if p := rosa.post(ed+"/feedback", url.Values{"relevance": {"0"}, "timeliness": {"6"}, "actionability": {"x"}, "action": {"none"}}); p.Status != http.StatusUnprocessableEntity {
		t.Errorf("feedback with scores 0, 6, x: %d", p.Status)
	}
	if n := a.countRows(t, `SELECT count(*) FROM feedback`); n != 0 {
		t.Fatalf("%d feedback rows after refused forms", n)
	}

	// Feedback is sent, and the sender sees it as their current feedback.
	p = rosa.post(ed+"/feedback", url.Values{"relevance": {"5"}, "timeliness": {"4"}, "actionability": {"4"}, "action": {"case"},
		"comment": {"Opened case HSI-2026-114 on the Cayo Verde network."}})
	if p.Status != http.StatusOK || p.URL.Path != ed || !strings.Contains(section(p.Body, "my-feedback"), "Opened case HSI-2026-114") ||
		!checked(p.Body, "relevance-5") || !strings.Contains(p.Body, "Update feedback") {
		t.Fatalf("ICE feedback: %d at %s", p.Status, p.URL)
	}
	if p := iceAdmin.post(ed+"/feedback", url.Values{"relevance": {"3"}, "timeliness": {"3"}, "actionability": {"2"}, "action": {"shared"}}); p.Status != http.StatusOK {
		t.Errorf("ICE agency administrator's feedback: %d", p.Status)
	}
	if p := iceAdmin.get(ed); strings.Contains(p.Body, "HSI-2026-114") {
		t.Error("a colleague sees the liaison's feedback: each user sees their own")
	}
	if p := aaron.post(ed+"/feedback", url.Values{"relevance": {"2"}, "timeliness": {"1"}, "actionability": {"1"}, "action": {"other"},
		"comment": {"CBP private remark for the center."}}); p.Status != http.StatusOK {
		t.Errorf("CBP feedback: %d", p.Status)
	}
	if n := a.countRows(t, `SELECT count(*) FROM audit_event WHERE action = 'edition.feedback'`); n != 3 {
		t.Errorf("%d feedback audit rows, want 3", n)
	}

	// CBP, also a recipient, sees its own acknowledgement state and feedback, never ICE's.
	p = aaron.get(ed)
	if p.Status != http.StatusOK || !strings.Contains(p.Body, `data-testid="acknowledgement-due"`) ||
		!strings.Contains(p.Body, "Acknowledge receipt for CBP") || !strings.Contains(p.Body, "CBP private remark") {
		t.Errorf("CBP's edition page: %d", p.Status)
	}
	for _, leak := range []string{"Rosa Delgado", "HSI-2026-114", `data-testid="reach"`, `data-testid="feedback-list"`, `data-testid="ledger"`} {
		if strings.Contains(p.Body, leak) {
			t.Errorf("CBP's page shows %q", leak)
		}
	}
	if p := rosa.get(ed); strings.Contains(p.Body, "CBP private remark") || strings.Contains(p.Body, `data-testid="reach"`) {
		t.Error("ICE sees CBP's feedback or the reach")
	}

	// An agency that does not hold the edition, and the owner, get 404 on both routes, with nothing of it.
	for name, b := range map[string]*browser{"liaison@nca": fiona, "reviewer@hstc": elena} {
		for _, form := range []url.Values{nil, {"relevance": {"5"}, "timeliness": {"5"}, "actionability": {"5"}, "action": {"none"}}} {
			path := ed + "/acknowledge"
			if form != nil {
				path = ed + "/feedback"
			}
			if p := b.post(path, form); p.Status != http.StatusNotFound || strings.Contains(p.Body, title) {
				t.Errorf("%s POST %s: %d, want 404 without the title", name, path, p.Status)
			}
		}
	}
	if p := fiona.post("/editions/999999/acknowledge", nil); p.Status != http.StatusNotFound {
		t.Errorf("acknowledging a missing edition: %d", p.Status)
	}

	// The center sees the reach: ICE acknowledged by Rosa Delgado, CBP due, the averages and the feedback.
	p = elena.get(ed)
	reach := section(p.Body, "reach-section")
	ice := regexp.MustCompile(`(?s)<tr data-agency="ICE">.*?</tr>`).FindString(reach)
	cbp := regexp.MustCompile(`(?s)<tr data-agency="CBP">.*?</tr>`).FindString(reach)
	if ice == "" || cbp == "" {
		t.Fatalf("the center's reach table lacks ICE or CBP")
	}
	if !strings.Contains(reach, "Released to 2 agencies: opened at 2, acknowledged by 1; feedback from 3 users.") {
		t.Error("the reach summary is wrong")
	}
	for _, want := range []string{"Acknowledged", "by Rosa Delgado", `data-testid="reach-feedback">2<`,
		`data-testid="reach-relevance">4.0<`, `data-testid="reach-timeliness">3.5<`, `data-testid="reach-actionability">3.0<`, `data-testid="reach-readers">2<`} {
		if !strings.Contains(ice, want) {
			t.Errorf("ICE's reach row lacks %q: %s", want, ice)
		}
	}
	for _, want := range []string{"Due", `data-testid="reach-feedback">1<`, `data-testid="reach-relevance">2.0<`} {
		if !strings.Contains(cbp, want) {
			t.Errorf("CBP's reach row lacks %q: %s", want, cbp)
		}
	}
	for _, want := range []string{"Opened case HSI-2026-114", "Opened or supported a case", "CBP private remark", "Rosa Delgado", "Aaron Fitzgerald"} {
		if !strings.Contains(section(p.Body, "feedback-list"), want) {
			t.Errorf("the center's feedback list lacks %q", want)
		}
	}
	if strings.Contains(p.Body, `data-testid="feedback-form"`) || strings.Contains(p.Body, `data-testid="acknowledge"`) {
		t.Error("the center is offered the recipients' forms")
	}

	// Sending feedback again keeps the history; the center sees the latest.
	if p := rosa.post(ed+"/feedback", url.Values{"relevance": {"3"}, "timeliness": {"4"}, "actionability": {"4"}, "action": {"interdiction"},
		"comment": {"Two arrests at the port."}}); p.Status != http.StatusOK || !strings.Contains(section(p.Body, "my-feedback"), "Two arrests") {
		t.Errorf("revised feedback: %d", p.Status)
	}
	if n := a.countRows(t, `SELECT count(*) FROM feedback`); n != 4 {
		t.Errorf("%d feedback rows after a revision, want 4 (history kept)", n)
	}
	p = elena.get(ed)
	list := section(p.Body, "feedback-list")
	if !strings.Contains(list, "Two arrests") || strings.Contains(list, "HSI-2026-114") || !strings.Contains(list, "2 versions kept") ||
		!strings.Contains(section(p.Body, "reach-section"), `data-testid="reach-relevance">3.0<`) {
		t.Error("the center does not see the revised feedback as current")
	}

	// Once rescinded, the edition can no longer be acknowledged or rated.
	if p := elena.post(ed+"/rescind", url.Values{"reason": {"Disseminated in error"}}); p.Status != http.StatusOK {
		t.Fatalf("rescind: %d", p.Status)
	}
	for _, path := range []string{ed + "/acknowledge", ed + "/feedback"} {
		if p := aaron.post(path, url.Values{"relevance": {"5"}, "timeliness": {"5"}, "actionability": {"5"}, "action": {"none"}}); p.Status != http.StatusNotFound {
			t.Errorf("CBP POST %s after rescission: %d, want 404", path, p.Status)
		}
	}
}

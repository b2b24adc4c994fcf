package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// stepTimeout bounds one step of the editor walk (a click, a save, a reload), so a hang fails
// within seconds instead of at the tab's deadline.
const stepTimeout = 10 * time.Second

// editorRE finds the draft id in the editor's path.
var editorRE = regexp.MustCompile(`^/products/(\d+)/edit$`)

// bannerState is what a banner block shows: its lines (banner line, supplemental marking) and the
// document TLP label.
type bannerState struct {
	Lines []string `json:"lines"`
	TLP   string   `json:"tlp"`
}

func (b bannerState) String() string {
	return fmt.Sprintf("%q %q", b.Lines, b.TLP)
}

// portionState is what one portion of the editor holds in the page: its own form fields, not
// those of a field that happens to share an id.
type portionState struct {
	Body       string   `json:"body"`
	Control    string   `json:"control"`
	Categories []string `json:"categories"`
	NoForn     bool     `json:"noforn"`
	RelTo      string   `json:"relTo"`
	TLP        string   `json:"tlp"`
	Mark       string   `json:"mark"`
	MarkTLP    string   `json:"markTLP"`
	Status     string   `json:"status"`
	StatusText string   `json:"statusText"`
	Dirty      bool     `json:"dirty"`
}

// bounded runs f with every browser action of s bounded by d.
func (s *browserSession) bounded(d time.Duration, f func()) {
	s.t.Helper()
	parent := s.ctx
	ctx, cancel := context.WithTimeout(parent, d)
	s.ctx = ctx
	defer func() {
		cancel()
		s.ctx = parent
	}()
	f()
}

// step runs actions with the step timeout.
func (s *browserSession) step(what string, steps ...chromedp.Action[chromedp.Void]) {
	s.t.Helper()
	s.bounded(stepTimeout, func() { s.run(what, steps...) })
}

// jsString quotes a Go string as a JavaScript string literal.
func jsString(v string) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// banner reads the banner block with the given id (banner-top or banner-bottom).
func (s *browserSession) banner(id string) bannerState {
	s.t.Helper()
	return browserEval[bannerState](s, `(() => {
		const b = document.getElementById(`+jsString(id)+`);
		if (!b) return {lines: [], tlp: ''};
		const tlp = b.querySelector('.tl-tlp');
		return {lines: [...b.querySelectorAll('.tl-banner__line')].map(e => e.textContent.trim()), tlp: tlp ? tlp.textContent.trim() : ''};
	})()`)
}

// portion reads the state of the portion with the given id from its own form.
func (s *browserSession) portion(id string) portionState {
	s.t.Helper()
	return browserEval[portionState](s, `(() => {
		const sec = document.getElementById('portion-' + `+jsString(id)+`);
		const f = sec.querySelector('form.tl-autosave');
		const checked = f.querySelector('input[name=m_control]:checked');
		const mark = sec.querySelector('.tl-portion__mark .tl-mark');
		const markTLP = sec.querySelector('.tl-portion__mark .tl-tlp');
		const st = sec.querySelector('.tl-save-status');
		return {
			body: f.querySelector('textarea[name=body]').value,
			control: checked ? checked.value : '',
			categories: [...f.querySelectorAll('input[name=m_categories]:checked')].map(o => o.value),
			noforn: f.querySelector('input[name=m_noforn]').checked,
			relTo: f.querySelector('input[name=m_rel_to]').value,
			tlp: f.querySelector('select[name=m_tlp]').value,
			mark: mark ? mark.textContent.trim() : '',
			markTLP: markTLP ? markTLP.textContent.trim() : '',
			status: st ? st.dataset.status : '',
			statusText: st ? st.textContent.trim() : '',
			dirty: f.dataset.dirty === '1',
		};
	})()`)
}

// waitStatus waits until the save status of a portion reads want (and, for "saved", its form has
// nothing left unsaved), failing the test after d.
func (s *browserSession) waitStatus(id, want string, d time.Duration) portionState {
	s.t.Helper()
	deadline := time.Now().Add(d)
	for {
		p := s.portion(id)
		if p.Status == want && (want != "saved" || !p.Dirty) {
			return p
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("portion %s: save status still %q (%q, unsaved changes: %v) after %s, want %q", id, p.Status, p.StatusText, p.Dirty, d, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// selectOptions selects exactly the given option values of a select element in a portion and
// dispatches input and change events, as a person choosing in the list would.
func (s *browserSession) selectOptions(portionID, name string, values ...string) {
	s.t.Helper()
	vs, _ := json.Marshal(values)
	n := browserEval[int](s, `(() => {
		const sel = document.querySelector('#portion-' + `+jsString(portionID)+` + ' select[name=' + `+jsString(name)+` + ']');
		const want = `+string(vs)+`;
		if (sel.multiple) { for (const o of sel.options) o.selected = want.includes(o.value); }
		else { sel.value = want[0]; }
		sel.dispatchEvent(new Event('input', {bubbles: true}));
		sel.dispatchEvent(new Event('change', {bubbles: true}));
		const got = [...sel.selectedOptions].map(o => o.value);
		return got.length === want.length && got.every(v => want.includes(v)) ? got.length : -1;
	})()`)
	if n != len(values) {
		s.t.Fatalf("portion %s: %s cannot select exactly %q", portionID, name, values)
	}
}

// setCategories ticks exactly the given category checkboxes of a portion by clicking their labels,
// as a person would: boxes already in the wanted state are left alone.
func (s *browserSession) setCategories(portionID, in string, values ...string) {
	s.t.Helper()
	vs, _ := json.Marshal(values)
	toggle := browserEval[[]string](s, `(() => {
		const want = `+string(vs)+`;
		return [...document.querySelectorAll('#portion-' + `+jsString(portionID)+` + ' input[name=m_categories]')]
			.filter(b => b.checked !== want.includes(b.value)).map(b => b.value);
	})()`)
	for _, v := range toggle {
		s.step("toggle category "+v, chromedp.Click(chromedp.CSS(in+`input[name=m_categories][value="`+v+`"] + label`)))
	}
}

// setOffline cuts the tab off the network (every request fails as if the cable were pulled) or
// reconnects it.
func (s *browserSession) setOffline(offline bool) {
	s.t.Helper()
	conds := []*network.Conditions{}
	if offline {
		conds = append(conds, &network.Conditions{Offline: true, DownloadThroughput: -1, UploadThroughput: -1})
	}
	s.bounded(stepTimeout, func() {
		if _, err := chromedp.Call(s.ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{MatchedNetworkConditions: conds}); err != nil {
			s.t.Fatalf("emulate offline=%v: %v", offline, err)
		}
		if _, err := chromedp.Call(s.ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: offline, DownloadThroughput: -1, UploadThroughput: -1}); err != nil {
			s.t.Fatalf("navigator.onLine=%v: %v", !offline, err)
		}
	})
}

// offlineNoise reports whether a browser problem is the expected consequence of a save attempted
// while offline: htmx logging the failed request, or the browser logging the refused load.
func offlineNoise(p string) bool {
	return strings.HasPrefix(p, `console.error: "htmx:`) ||
		(strings.HasPrefix(p, "browser log (network)") && strings.Contains(p, "ERR_INTERNET_DISCONNECTED"))
}

// noUnsavedForms fails the test when a form of the editor still has unsaved changes.
func (s *browserSession) noUnsavedForms(when string) {
	s.t.Helper()
	if dirty := browserEval[[]string](s, `[...document.querySelectorAll("form.tl-autosave[data-dirty='1']")].map(f => f.id || f.closest('section').id)`); len(dirty) > 0 {
		s.t.Fatalf("%s: forms with unsaved changes: %q", when, dirty)
	}
}

// topCheckPage scrolls to the top, so sticky elements sit where a reader first sees them, then
// checks the page and saves its screenshot (checkPage).
func (s *browserSession) topCheckPage(name string) {
	s.t.Helper()
	s.step("scroll to the top", chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`))
	s.checkPage(name)
}

// readerLayout is where the reader view puts one portion's mark, TLP label and text.
type readerLayout struct {
	MarkRight float64 `json:"markRight"`
	MarkTop   float64 `json:"markTop"`
	MarkBot   float64 `json:"markBottom"`
	TLPWidth  float64 `json:"tlpWidth"`
	TLPRight  float64 `json:"tlpRight"`
	TextLeft  float64 `json:"textLeft"`
	TextTop   float64 `json:"textTop"`
	TextWidth float64 `json:"textWidth"`
}

// TestBrowserDraftBulletin walks issue 3's browser test: analyst@hstc drafts an intelligence
// bulletin with three differently marked paragraphs, never clicking Save; the banner follows the
// markings; a reload finds everything saved; a network blip loses nothing; the reader view shows
// the banners, portion marks and designation indicator.
func TestBrowserDraftBulletin(t *testing.T) {
	start := time.Now()
	a := newTestApp(t)
	browser := newChromium(t)
	t.Cleanup(func() { t.Logf("browser test took %s", time.Since(start).Round(time.Millisecond)) })
	s := newBrowserSession(t, browser, a)

	// 1. Sign in, choose Intelligence bulletin, give it a title, create it: the editor opens.
	s.bounded(stepTimeout, func() { s.signIn("analyst@hstc", "") })
	const title = "Go-fast boats leave the Gulf of Honduras at night"
	s.step("open the new-product form", chromedp.Navigate(s.base+"/products/new"), chromedp.WaitVisible(chromedp.CSS(`label[for="type-IB"]`)))
	s.step("choose Intelligence bulletin and type the title",
		chromedp.Click(chromedp.CSS(`label[for="type-IB"]`)),
		chromedp.SendKeys(chromedp.CSS("#title"), title),
	)
	if !browserEval[bool](s, `document.getElementById('type-IB').checked`) {
		t.Fatal("clicking the Intelligence bulletin tile did not choose it")
	}
	s.bounded(stepTimeout, func() { s.click(`form[action="/products"] button[type=submit]`) })
	m := editorRE.FindStringSubmatch(s.path())
	if m == nil {
		t.Fatalf("creating the draft led to %s, want its editor", s.path())
	}
	productID := m[1]
	s.step("wait for the editor", chromedp.WaitVisible(chromedp.CSS("#banner-top")))
	if v := browserEval[string](s, `document.getElementById('title').value`); v != title {
		t.Errorf("the editor's title field holds %q, want %q", v, title)
	}
	initial := s.banner("banner-top")
	if !slices.Equal(initial.Lines, []string{"CUI//LEI", "DRAFT"}) || initial.TLP != "" {
		t.Errorf("a new bulletin's banner reads %s, want [CUI//LEI DRAFT] and no TLP", initial)
	}
	all := browserEval[[]string](s, `[...document.querySelectorAll('section.tl-portion')].map(e => e.id.replace('portion-', ''))`)
	paras := browserEval[[]string](s, `[...document.querySelectorAll('section.tl-portion--paragraph')].map(e => e.id.replace('portion-', ''))`)
	if len(paras) < 3 {
		t.Fatalf("the bulletin template has %d paragraph portions (%q), want at least 3", len(paras), all)
	}
	created := map[string]portionState{}
	for _, id := range all {
		created[id] = s.portion(id)
	}
	s.topCheckPage("editor-new")

	// 2 and 3. Three paragraphs, three markings; autosave only.
	type portionCase struct {
		name       string
		text       string
		categories []string
		noforn     bool
		relTo      string
		tlp        string
		wantMark   string
		wantBanner bannerState
	}
	cases := []portionCase{
		{"a", "Two go-fast boats left Puerto Cortés after midnight on 3 March, each carrying about 400 kg.",
			[]string{"LEI"}, false, "", "", "(CUI//LEI)",
			bannerState{[]string{"CUI//LEI", "DRAFT"}, ""}},
		{"b", "The crews are paid through an informant-run account in San Pedro Sula.",
			[]string{"SP-INV"}, true, "", "", "(CUI//SP-INV//NF)",
			bannerState{[]string{"CUI//SP-INV/LEI//NOFORN", "DRAFT"}, ""}},
		{"c", "Two women on the second boat said they were promised work in Cancún.",
			[]string{"IVIC"}, false, "GBR, MEX", "AMBER", "(CUI//IVIC//REL TO USA, GBR, MEX)",
			bannerState{[]string{"CUI//SP-INV/IVIC/LEI//NOFORN", "DRAFT"}, "TLP:AMBER"}},
	}
	ids := map[string]string{}
	banners := []bannerState{initial}
	for i, c := range cases {
		id := paras[i]
		ids[c.name] = id
		in := "#portion-" + id + " "
		s.step("type portion "+c.name, chromedp.SendKeys(chromedp.CSS(in+"textarea[name=body]"), c.text))
		if st := s.portion(id).Status; st != "unsaved" && st != "saving" {
			t.Errorf("portion %s: status %q right after typing, want unsaved or saving", c.name, st)
		}
		if !browserEval[bool](s, `document.querySelector(`+jsString(in+"details.tl-marking")+`).open`) {
			s.step("open the marking of portion "+c.name, chromedp.Click(chromedp.CSS(in+"details.tl-marking > summary")))
		}
		// Click the labels, as a person does: USWDS hides the radio and checkbox inputs themselves.
		s.step("choose CUI in portion "+c.name, chromedp.Click(chromedp.CSS(in+`label[for$="control-CUI"]`)))
		s.setCategories(id, in, c.categories...)
		if c.noforn {
			s.step("tick NOFORN in portion "+c.name, chromedp.Click(chromedp.CSS(in+`input[name=m_noforn] + label`)))
		}
		if c.relTo != "" {
			s.step("type REL TO in portion "+c.name, chromedp.SendKeys(chromedp.CSS(in+"input[name=m_rel_to]"), c.relTo))
		}
		if c.tlp != "" {
			s.selectOptions(id, "m_tlp", c.tlp)
		}
		// The marking controls the analyst used must be this portion's own.
		got := s.portion(id)
		if got.Control != "CUI" || !slices.Equal(got.Categories, c.categories) || got.NoForn != c.noforn || got.RelTo != c.relTo || got.TLP != c.tlp {
			t.Errorf("portion %s's own marking fields after editing: control %q, categories %q, NOFORN %v, REL TO %q, TLP %q; want CUI, %q, %v, %q, %q",
				c.name, got.Control, got.Categories, got.NoForn, got.RelTo, got.TLP, c.categories, c.noforn, c.relTo, c.tlp)
		}
		var saved portionState
		s.bounded(stepTimeout, func() { saved = s.waitStatus(id, "saved", 8*time.Second) })
		if !strings.Contains(saved.StatusText, "Saved") {
			t.Errorf("portion %s: saved status reads %q", c.name, saved.StatusText)
		}
		if saved.Mark != c.wantMark {
			t.Errorf("portion %s: mark %q, want %q", c.name, saved.Mark, c.wantMark)
		}
		wantTLP := ""
		if c.tlp != "" {
			wantTLP = "TLP:" + c.tlp
		}
		if saved.MarkTLP != wantTLP {
			t.Errorf("portion %s: TLP label beside the mark %q, want %q", c.name, saved.MarkTLP, wantTLP)
		}
		top := s.banner("banner-top")
		if !slices.Equal(top.Lines, c.wantBanner.Lines) || top.TLP != c.wantBanner.TLP {
			t.Errorf("after marking portion %s the top banner reads %s, want %s", c.name, top, c.wantBanner)
		}
		if bottom := s.banner("banner-bottom"); !slices.Equal(bottom.Lines, top.Lines) || bottom.TLP != top.TLP {
			t.Errorf("after marking portion %s the bottom banner reads %s, the top %s", c.name, bottom, top)
		}
		if i > 0 && slices.Equal(top.Lines, banners[len(banners)-1].Lines) && top.TLP == banners[len(banners)-1].TLP {
			t.Errorf("marking portion %s did not change the banner from %s", c.name, top)
		}
		banners = append(banners, top)
	}
	t.Logf("banner as the markings changed: %v", banners)
	// The analyst touched only the three paragraphs: every other portion keeps the marking it was
	// created with (headings (U), paragraphs CUI//LEI), and nothing is waiting to be saved.
	untouched := func(when string) {
		t.Helper()
		for _, id := range all {
			if slices.Contains(paras[:3], id) {
				continue
			}
			was, p := created[id], s.portion(id)
			if p.Mark != was.Mark || p.Control != was.Control || !slices.Equal(p.Categories, was.Categories) || p.NoForn != was.NoForn || p.Dirty {
				t.Errorf("%s, untouched portion %s shows %q (control %q, categories %q, NOFORN %v, unsaved %v); it was created %q (control %q, categories %q, NOFORN %v)",
					when, id, p.Mark, p.Control, p.Categories, p.NoForn, p.Dirty, was.Mark, was.Control, was.Categories, was.NoForn)
			}
		}
	}
	untouched("after marking")
	if n := browserEval[int](s, `document.querySelectorAll('.tl-save-status[data-status=saved]').length`); n < 3 {
		t.Errorf("%d portions say saved, want 3", n)
	}
	s.topCheckPage("editor-marked")
	s.noUnsavedForms("before reload")

	// 4. Reload: every text and marking is still there, and the banners were computed on the server.
	checkSaved := func(when string) {
		t.Helper()
		for _, c := range cases {
			id := ids[c.name]
			p := s.portion(id)
			if !strings.HasPrefix(p.Body, c.text) || p.Control != "CUI" || !slices.Equal(p.Categories, c.categories) || p.NoForn != c.noforn || p.TLP != c.tlp || p.Mark != c.wantMark {
				t.Errorf("%s, portion %s holds %+v; want text %q, CUI %q NOFORN=%v TLP %q, mark %q", when, c.name, p, c.text, c.categories, c.noforn, c.tlp, c.wantMark)
			}
			if c.relTo != "" && p.RelTo != c.relTo {
				t.Errorf("%s, portion %s's REL TO field holds %q, want %q", when, c.name, p.RelTo, c.relTo)
			}
		}
		final := cases[len(cases)-1].wantBanner
		for _, b := range []string{"banner-top", "banner-bottom"} {
			if got := s.banner(b); !slices.Equal(got.Lines, final.Lines) || got.TLP != final.TLP {
				t.Errorf("%s, #%s reads %s, want %s", when, b, got, final)
			}
		}
	}
	s.step("reload the editor", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#banner-top")))
	checkSaved("after reload")
	untouched("after reload")
	if p := s.takeProblems(); len(p) > 0 {
		t.Errorf("reloaded editor: the browser reported problems:\n\t%s", strings.Join(p, "\n\t"))
	}
	if csp := browserEval[[]string](s, `window.__csp || []`); len(csp) > 0 {
		t.Errorf("reloaded editor: Content Security Policy violations: %q", csp)
	}

	// 5. A network blip: the text typed while offline stays in the page, the status says so and
	// retries, and the save goes through once the network is back.
	blip := ids["a"]
	const offlineText = " A third boat was seen refuelling off Roatán."
	s.setOffline(true)
	s.step("move the caret to the end of portion a", chromedp.Evaluate[chromedp.Void](`(() => {
		const ta = document.querySelector('#body-' + `+jsString(blip)+`);
		ta.focus(); ta.setSelectionRange(ta.value.length, ta.value.length);
	})()`))
	s.step("type while offline", chromedp.SendKeys(chromedp.CSS("#body-"+blip), offlineText))
	var failed portionState
	s.bounded(stepTimeout, func() { failed = s.waitStatus(blip, "error", 8*time.Second) })
	if !strings.Contains(failed.StatusText, "Not saved") || !strings.Contains(failed.StatusText, "Retrying") {
		t.Errorf("offline status reads %q, want it to say Not saved … Retrying", failed.StatusText)
	}
	if !strings.HasSuffix(failed.Body, cases[0].text+offlineText) {
		t.Errorf("while offline the textarea holds %q, want the typed text kept", failed.Body)
	}
	var unexpected []string
	noise := 0
	for _, p := range s.takeProblems() {
		if !offlineNoise(p) {
			unexpected = append(unexpected, p)
		} else {
			noise++
		}
	}
	t.Logf("offline: %q after %d browser messages about the refused save", failed.StatusText, noise)
	if n := a.countRows(t, `SELECT count(*) FROM portion WHERE id = $1 AND body LIKE '%Roatán%'`, blip); n != 0 {
		t.Error("the text typed offline reached the server while offline: the network blip was not simulated")
	}
	if len(unexpected) > 0 {
		t.Errorf("offline: the browser reported problems beyond the failed save:\n\t%s", strings.Join(unexpected, "\n\t"))
	}
	s.topCheckPage("editor-offline")
	s.setOffline(false)
	var recovered portionState
	s.bounded(20*time.Second, func() { recovered = s.waitStatus(blip, "saved", 18*time.Second) })
	if !strings.HasSuffix(recovered.Body, cases[0].text+offlineText) {
		t.Errorf("after reconnecting the textarea holds %q", recovered.Body)
	}
	for _, p := range s.takeProblems() {
		if !offlineNoise(p) {
			t.Errorf("reconnecting: the browser reported %s", p)
		}
	}
	s.noUnsavedForms("after reconnecting")
	s.step("reload after the blip", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#banner-top")))
	if p := s.portion(blip); p.Body != cases[0].text+offlineText {
		t.Errorf("after the blip and a reload portion a holds %q, want %q", p.Body, cases[0].text+offlineText)
	}
	checkSaved("after the blip and a reload")
	if p := s.takeProblems(); len(p) > 0 {
		t.Errorf("editor after the blip: the browser reported problems:\n\t%s", strings.Join(p, "\n\t"))
	}

	// 6. The reader view: banners top and bottom, portion marks, designation indicator.
	s.bounded(stepTimeout, func() { s.click(`.tl-editor__links a[href="/products/` + productID + `"]`) })
	if p := s.path(); p != "/products/"+productID {
		t.Fatalf("View as reader led to %s", p)
	}
	s.step("wait for the reader view", chromedp.WaitVisible(chromedp.CSS("[data-testid=product]")))
	s.wantContains("h1", title)
	final := cases[len(cases)-1].wantBanner
	for _, b := range []string{"banner-top", "banner-bottom"} {
		if got := s.banner(b); !slices.Equal(got.Lines, final.Lines) || got.TLP != final.TLP {
			t.Errorf("reader view: #%s reads %s, want %s", b, got, final)
		}
	}
	for _, c := range cases {
		sel := `[data-portion="` + ids[c.name] + `"]`
		if got := s.text(sel + " .tl-mark"); got != c.wantMark {
			t.Errorf("reader view: portion %s is marked %q, want %q", c.name, got, c.wantMark)
		}
		s.wantContains(sel+" .tl-reader-portion__text", c.text[:40])
	}
	// Each portion's mark (and TLP label) sits in the left column, its text beside it at full width.
	for _, c := range cases {
		l := browserEval[readerLayout](s, `(() => {
			const p = document.querySelector('[data-portion="' + `+jsString(ids[c.name])+` + '"]');
			const r = e => e ? e.getBoundingClientRect() : {left: 0, right: 0, top: 0, bottom: 0, width: 0};
			const m = r(p.querySelector('.tl-mark')), tlp = r(p.querySelector('.tl-tlp')), x = r(p.querySelector('.tl-reader-portion__text'));
			return {markRight: m.right, markTop: m.top, markBottom: m.bottom, tlpWidth: tlp.width, tlpRight: tlp.right,
				textLeft: x.left, textTop: x.top, textWidth: x.width};
		})()`)
		if l.TextLeft < l.MarkRight || l.TextLeft < l.TLPRight || l.TextTop > l.MarkBot || l.TextWidth < 500 || l.TLPWidth > 120 {
			t.Errorf("reader view: portion %s is laid out %+v; want the mark and TLP label in the left column and the text beside them, at least 500 px wide", c.name, l)
		}
	}
	s.wantContains("[data-testid=designation]", "Controlled by: HSTC")
	s.topCheckPage("reader")

	if time.Since(start) > time.Minute {
		t.Errorf("the walk took %s, want under a minute", time.Since(start).Round(time.Second))
	}
	if os.Getenv("TEARLINE_UPDATE_SCREENSHOTS") == "1" && !t.Failed() {
		updateDocsScreenshots(t, "editor-marked", "reader")
	}
}

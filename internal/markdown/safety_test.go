package markdown

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// checker holds what the output may contain; it mirrors the policy in newPolicy.
type checker struct {
	tags, attrs map[string]bool
	eventAttr   *regexp.Regexp
	urlScheme   *regexp.Regexp
}

func newChecker() checker {
	set := func(names ...string) map[string]bool {
		m := map[string]bool{}
		for _, n := range names {
			m[n] = true
		}
		return m
	}
	return checker{
		tags: set("p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "ul", "ol", "li",
			"em", "strong", "del", "code", "pre", "table", "thead", "tbody", "tr", "th", "td", "a"),
		attrs:     set("href", "title", "rel", "start", "align"),
		eventAttr: regexp.MustCompile(`(?i)\son\w+\s*=`),
		urlScheme: regexp.MustCompile(`^([a-zA-Z][a-zA-Z0-9+.\-]*):`),
	}
}

// unsafeMarkup returns every problem with the markup of out: elements that could run script or load
// content, event handlers, style or class attributes, and link targets other than http, https,
// mailto or relative ones. Text is escaped by the renderer and inert, so only tags are inspected,
// except for the element openers, which must not occur anywhere.
func (c checker) unsafeMarkup(out string) []string {
	var problems []string
	lower := strings.ToLower(out)
	for _, opener := range []string{"<script", "<iframe", "<svg", "<img", "<object", "<embed", "<style", "<math", "<form", "<base", "<link", "<meta"} {
		if strings.Contains(lower, opener) {
			problems = append(problems, "contains "+opener)
		}
	}
	z := html.NewTokenizer(strings.NewReader(out))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return problems
		}
		if tt == html.CommentToken || tt == html.DoctypeToken {
			problems = append(problems, fmt.Sprintf("%v token %q", tt, z.Raw()))
			continue
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken && tt != html.EndTagToken {
			continue
		}
		raw := strings.ToLower(string(z.Raw()))
		tok := z.Token()
		if !c.tags[tok.Data] {
			problems = append(problems, "element "+tok.Data)
		}
		if tt == html.EndTagToken {
			continue
		}
		for _, bad := range []string{"javascript:", "vbscript:", "data:", "style="} {
			if strings.Contains(raw, bad) && !c.onlyInSafeHref(tok, bad) {
				problems = append(problems, fmt.Sprintf("tag %q contains %s", raw, bad))
			}
		}
		if c.eventAttr.MatchString(raw) {
			problems = append(problems, fmt.Sprintf("tag %q has an event handler", raw))
		}
		for _, a := range tok.Attr {
			if !c.attrs[a.Key] {
				problems = append(problems, fmt.Sprintf("attribute %s on %s", a.Key, tok.Data))
			}
			if a.Key == "href" {
				if s := c.browserScheme(a.Val); s != "" && s != "http" && s != "https" && s != "mailto" {
					problems = append(problems, fmt.Sprintf("href %q has scheme %s", a.Val, s))
				}
			}
			if a.Key == "rel" && a.Val != linkRel {
				problems = append(problems, fmt.Sprintf("rel %q", a.Val))
			}
		}
	}
}

// onlyInSafeHref reports whether bad ("javascript:", "data:", "style=" …) occurs in tok only inside an
// href that a browser follows as an ordinary link: relative ("notes/data:1", "#%23javascript:") or
// http, https or mailto ("https://example.org/?q=style=1"). There it is inert text of the URL. Any
// other attribute holding it, or an href with another scheme, does not count. (Tag and attribute
// names are allow-listed, so outside attribute values the raw tag cannot spell any of these.)
func (c checker) onlyInSafeHref(tok html.Token, bad string) bool {
	inHref := false
	for _, a := range tok.Attr {
		if !strings.Contains(strings.ToLower(a.Val), bad) {
			continue
		}
		if a.Key != "href" {
			return false
		}
		switch c.browserScheme(a.Val) {
		case "", "http", "https", "mailto":
			inHref = true
		default:
			return false
		}
	}
	return inHref
}

// browserScheme returns the lower-case scheme a browser would see in href: it drops tabs and
// newlines anywhere and control characters and spaces at either end, as the URL standard does.
func (c checker) browserScheme(href string) string {
	href = strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(href)
	href = strings.TrimFunc(href, func(r rune) bool { return r <= ' ' })
	if m := c.urlScheme.FindStringSubmatch(href); m != nil {
		return strings.ToLower(m[1])
	}
	if u, err := url.Parse(href); err == nil {
		return strings.ToLower(u.Scheme)
	}
	return ""
}

// xssPayloads are inputs that try to get script, frames or styles through the renderer.
func xssPayloads() []struct{ name, src string } {
	return []struct{ name, src string }{
		{"script tag", `<script>alert(1)</script>`},
		{"script tag in paragraph", `hello <script>alert(1)</script> world`},
		{"script upper case", `<SCRIPT SRC=//evil.example/x.js></SCRIPT>`},
		{"img onerror", `<img src=x onerror=alert(1)>`},
		{"img onerror in paragraph", `see <img src="x" onerror="alert(1)"> here`},
		{"markdown image onerror title", `![x](https://evil.example/x.png "\" onerror=\"alert(1)")`},
		{"markdown image javascript", `![x](javascript:alert(1))`},
		{"javascript link", `[click](javascript:alert(1))`},
		{"javascript link mixed case", `[click](JaVaScRiPt:alert(document.cookie))`},
		{"javascript link angle brackets", `[click](<javascript:alert(1)>)`},
		{"javascript link with title", `[click](javascript:alert(1) "title")`},
		{"data link", `[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)`},
		{"data image link", `[click](data:image/png;base64,iVBORw0KGgo=)`},
		{"vbscript link", `[click](vbscript:msgbox(1))`},
		{"file link", `[click](file:///etc/passwd)`},
		{"javascript autolink", `<javascript:alert(1)>`},
		{"data autolink", `<data:text/html,<script>alert(1)</script>>`},
		{"vbscript autolink", `<vbscript:msgbox(1)>`},
		{"svg onload", `<svg onload=alert(1)>`},
		{"svg with script", `<svg><script>alert(1)</script></svg>`},
		{"svg use", `<svg><use href="data:image/svg+xml;base64,PHN2Zz4="/></svg>`},
		{"iframe", `<iframe src="javascript:alert(1)"></iframe>`},
		{"iframe srcdoc", `<iframe srcdoc="<script>alert(1)</script>"></iframe>`},
		{"attribute breaker in text", `" onmouseover="alert(1)`},
		{"attribute breaker in link title", `[x](https://example.org "a\" onmouseover=\"alert(1)")`},
		{"attribute breaker in link target", `[x](https://example.org/" onmouseover="alert(1))`},
		{"attribute breaker in autolink", `<https://example.org/"onmouseover="alert(1)">`},
		{"attribute breaker in bare url", `https://example.org/"onmouseover="alert(1)"`},
		{"decimal entity javascript", `[x](&#106;avascript:alert(1))`},
		{"hex entity javascript", `[x](&#x6A;avascript:alert(1))`},
		{"named entity colon", `[x](javascript&colon;alert(1))`},
		{"entity tab inside scheme", `[x](java&#x09;script:alert(1))`},
		{"entity newline inside scheme", `[x](java&#10;script:alert(1))`},
		{"percent encoded scheme", `[x](%6Aavascript:alert(1))`},
		{"leading space scheme", `[x](< javascript:alert(1)>)`},
		{"reference link javascript", "[x][evil]\n\n[evil]: javascript:alert(1)"},
		{"reference link entity", "[x][evil]\n\n[evil]: &#106;avascript:alert(1)"},
		{"reference image javascript", "![x][evil]\n\n[evil]: javascript:alert(1)"},
		{"raw anchor", `<a href="javascript:alert(1)">x</a>`},
		{"raw anchor event", `<a href="https://example.org" onclick="alert(1)">x</a>`},
		{"style attribute", `<p style="background:url(javascript:alert(1))">x</p>`},
		{"style element", `<style>body{background:url("javascript:alert(1)")}</style>`},
		{"object", `<object data="javascript:alert(1)"></object>`},
		{"embed", `<embed src="javascript:alert(1)">`},
		{"form action", `<form action="javascript:alert(1)"><button>x</button></form>`},
		{"meta refresh", `<meta http-equiv="refresh" content="0;url=javascript:alert(1)">`},
		{"base href", `<base href="javascript:alert(1)//">`},
		{"math", `<math><mtext><script>alert(1)</script></mtext></math>`},
		{"details ontoggle", `<details open ontoggle=alert(1)>`},
		{"html block", "<div>\n<script>alert(1)</script>\n</div>"},
		{"html comment breakout", `<!--><script>alert(1)</script>-->`},
		{"cdata", `<![CDATA[<script>alert(1)</script>]]>`},
		{"script in table cell", "| a |\n|---|\n| <script>alert(1)</script> |"},
		{"script in code span", "`<script>alert(1)</script>`"},
		{"script in fenced code", "```html\n<script>alert(1)</script>\n```"},
		{"polyglot", "jaVasCript:/*-/*`/*\\`/*'/*\"/**/(/* */oNcliCk=alert() )//%0D%0A%0d%0a//</stYle/</titLe/</teXtarEa/</scRipt/--!>\\x3csVg/<sVg/oNloAd=alert()//>\\x3e"},
		{"polyglot in link", "[x](jaVasCript:/*-/*`/*\\`/*'/*\"/**/(/* */oNcliCk=alert() )//)"},
		{"nested link image", "[![x](javascript:alert(1))](javascript:alert(2))"},
		{"heading attributes syntax", "# Title {onclick=alert(1) style=color:red #id .cls}"},
		{"null byte", "[x](java\x00script:alert(1))"},
	}
}

func TestRenderXSS(t *testing.T) {
	r, c := New(), newChecker()
	for _, tt := range xssPayloads() {
		t.Run(tt.name, func(t *testing.T) {
			out, err := r.Render(tt.src)
			if err != nil {
				t.Fatalf("Render() error = %v", err)
			}
			for _, p := range c.unsafeMarkup(out) {
				t.Errorf("%s in %q", p, out)
			}
		})
	}
}

func FuzzRenderIsSafe(f *testing.F) {
	for _, tt := range xssPayloads() {
		f.Add(tt.src)
	}
	for _, tt := range renderCases() {
		f.Add(tt.src)
	}
	r, c := New(), newChecker()
	f.Fuzz(func(t *testing.T, src string) {
		out, err := r.Render(src)
		if err != nil {
			t.Fatalf("Render(%q) error = %v", src, err)
		}
		for _, p := range c.unsafeMarkup(out) {
			t.Errorf("Render(%q): %s in %q", src, p, out)
		}
		_ = r.Plain(src)
	})
}

// TestCheckerCatchesUnsafeMarkup keeps the safety checks honest: each input must be reported.
func TestCheckerCatchesUnsafeMarkup(t *testing.T) {
	c := newChecker()
	tests := []string{
		`<script>alert(1)</script>`,
		`<p onclick="alert(1)">x</p>`,
		`<a href="javascript:alert(1)">x</a>`,
		`<a href=" java	script:alert(1)">x</a>`,
		`<a href="&#106;avascript:alert(1)">x</a>`,
		`<a href="data:text/html,x">x</a>`,
		`<a href="vbscript:x">x</a>`,
		`<a href="#x" title="javascript:alert(1)">x</a>`,
		`<p style="color:red">x</p>`,
		`<p class="x">x</p>`,
		`<iframe src="https://example.org"></iframe>`,
		`<svg></svg>`,
		`<img src="https://example.org/x.png">`,
		`<a href="https://example.org" rel="opener">x</a>`,
		`<!-- comment -->`,
		`<div>x</div>`,
	}
	for _, out := range tests {
		t.Run(out, func(t *testing.T) {
			if got := c.unsafeMarkup(out); len(got) == 0 {
				t.Errorf("unsafeMarkup(%q) found nothing", out)
			}
		})
	}
	for _, safe := range []string{
		`<p><a href="notes/data:1" rel="nofollow noopener noreferrer">x</a> javascript: onclick= &lt;script&gt;</p>`,
		// Found by FuzzRenderIsSafe in CI: a fragment that merely spells a scheme runs nothing; nor
		// does a relative or https URL that spells one, or "style=", in its path or query.
		`<p><a href="#%23jAvAsCript:" rel="nofollow noopener noreferrer"></a></p>`,
		`<p><a href="style=1" rel="nofollow noopener noreferrer">x</a></p>`,
		`<p><a href="https://example.org/?q=javascript:1&amp;s=data:x&amp;style=1" rel="nofollow noopener noreferrer">x</a></p>`,
	} {
		if got := c.unsafeMarkup(safe); len(got) != 0 {
			t.Errorf("unsafeMarkup(%q) = %v, want nothing", safe, got)
		}
	}
}

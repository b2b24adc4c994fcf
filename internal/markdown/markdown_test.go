package markdown

import (
	"strings"
	"sync"
	"testing"
)

// renderCases are ordinary portions and the exact HTML they render to.
func renderCases() []struct{ name, src, want string } {
	return []struct{ name, src, want string }{
		{"empty", "", ""},
		{"paragraph", "Seizures rose in Q3.", "<p>Seizures rose in Q3.</p>\n"},
		{"headings", "# Key judgments\n\n## Outlook\n\n###### Notes",
			"<h1>Key judgments</h1>\n<h2>Outlook</h2>\n<h6>Notes</h6>\n"},
		{"emphasis and strikethrough", "*likely* **very likely** ~~possible~~",
			"<p><em>likely</em> <strong>very likely</strong> <del>possible</del></p>\n"},
		{"bullet list", "- Antwerp\n- Rotterdam", "<ul>\n<li>Antwerp</li>\n<li>Rotterdam</li>\n</ul>\n"},
		{"ordered list keeps start", "3. third\n4. fourth", "<ol start=\"3\">\n<li>third</li>\n<li>fourth</li>\n</ol>\n"},
		{"table with alignment", "| Port | Kg |\n|:-----|---:|\n| Algeciras | 1200 |",
			"<table>\n<thead>\n<tr>\n<th align=\"left\">Port</th>\n<th align=\"right\">Kg</th>\n</tr>\n</thead>\n" +
				"<tbody>\n<tr>\n<td align=\"left\">Algeciras</td>\n<td align=\"right\">1200</td>\n</tr>\n</tbody>\n</table>\n"},
		{"link", "[EMCDDA report](https://www.emcdda.europa.eu/report \"2025\")",
			"<p><a href=\"https://www.emcdda.europa.eu/report\" title=\"2025\" rel=\"nofollow noopener noreferrer\">EMCDDA report</a></p>\n"},
		{"relative link", "[product 42](/products/42#p3)",
			"<p><a href=\"/products/42#p3\" rel=\"nofollow noopener noreferrer\">product 42</a></p>\n"},
		{"mailto link", "[desk](mailto:desk@fusion.example)",
			"<p><a href=\"mailto:desk@fusion.example\" rel=\"nofollow noopener noreferrer\">desk</a></p>\n"},
		{"autolink", "<https://example.org/a?b=1&c=2>",
			"<p><a href=\"https://example.org/a?b=1&amp;c=2\" rel=\"nofollow noopener noreferrer\">https://example.org/a?b=1&amp;c=2</a></p>\n"},
		{"bare url and email", "See www.example.org or desk@fusion.example.",
			"<p>See <a href=\"http://www.example.org\" rel=\"nofollow noopener noreferrer\">www.example.org</a> or " +
				"<a href=\"mailto:desk@fusion.example\" rel=\"nofollow noopener noreferrer\">desk@fusion.example</a>.</p>\n"},
		{"code span", "Use `grep -r \"<x>\"`.", "<p>Use <code>grep -r &#34;&lt;x&gt;&#34;</code>.</p>\n"},
		{"fenced code drops language class", "```go\nif a < b {}\n```", "<pre><code>if a &lt; b {}\n</code></pre>\n"},
		{"blockquote", "> Source states the vessel left at 02:00.",
			"<blockquote>\n<p>Source states the vessel left at 02:00.</p>\n</blockquote>\n"},
		{"rule and hard break", "a  \nb\n\n---", "<p>a<br>\nb</p>\n<hr>\n"},
		{"image becomes alt text", "![route *map*](https://tiles.example/route.png)", "<p>[image: route map]</p>\n"},
		{"image without alt", "![](/attachments/1.png)", "<p>[image]</p>\n"},
		{"raw html dropped, text kept", "a <b>bold</b> c", "<p>a bold c</p>\n"},
		{"html block dropped", "<div class=\"x\">\nhidden\n</div>\n\nshown", "\n<p>shown</p>\n"},
		{"javascript link keeps its text", "[click](javascript:alert(1))", "<p>click</p>\n"},
		{"javascript autolink becomes text", "<javascript:alert(1)>", "<p>javascript:alert(1)</p>\n"},
		{"entities", "AT&amp;T &copy; &#169;", "<p>AT&amp;T © ©</p>\n"},
		{"no heading ids", "# Alpha", "<h1>Alpha</h1>\n"},
	}
}

func TestRender(t *testing.T) {
	r := New()
	for _, tt := range renderCases() {
		t.Run(tt.name, func(t *testing.T) {
			got, err := r.Render(tt.src)
			if err != nil {
				t.Fatalf("Render() error = %v", err)
			}
			if got != tt.want {
				t.Fatalf("Render(%q)\n got %q\nwant %q", tt.src, got, tt.want)
			}
		})
	}
}

func TestPlain(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"empty", "", ""},
		{"markup removed", "# Key *judgments*\n\nShipments **very likely** ~~rise~~.", "Key judgments\nShipments very likely rise."},
		{"links keep text", "[report](https://example.org) and <https://example.org/x>", "report and https://example.org/x"},
		{"image alt", "![route map](x.png)", "route map"},
		{"raw html dropped", "a <script>alert(1)</script> b\n\n<div>\nblock\n</div>", "a alert(1) b"},
		{"escapes and entities resolved", `\*not em\* AT&amp;T &#169;`, "*not em* AT&T ©"},
		{"code kept literally", "`a\\*b` and\n\n```\nx &amp; y\n```", "a\\*b and\nx &amp; y"},
		{"lists and tables one line per block", "- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |", "one\ntwo\na\nb\n1\n2"},
		{"soft breaks become spaces", "line one\nline two", "line one line two"},
	}
	r := New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.Plain(tt.src); got != tt.want {
				t.Errorf("Renderer.Plain(%q) = %q, want %q", tt.src, got, tt.want)
			}
			if got := Plain(tt.src); got != tt.want {
				t.Errorf("Plain(%q) = %q, want %q", tt.src, got, tt.want)
			}
		})
	}
}

func TestRendererIsSafeForConcurrentUse(t *testing.T) {
	r := New()
	src := "# T\n\n[x](https://example.org) | a |\n|---|\n| b |\n\n![i](x.png) <script>x</script>"
	want, err := r.Render(src)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 16)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				if got, _ := r.Render(src); got != want {
					errs <- got
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for got := range errs {
		t.Errorf("concurrent Render = %q, want %q", got, want)
	}
}

func TestRenderLargeInput(t *testing.T) {
	src := strings.Repeat("- item with [link](https://example.org) and *emphasis*\n", 5000)
	got, err := New().Render(src)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(got, "<li>"); n != 5000 {
		t.Errorf("rendered %d items, want 5000", n)
	}
}

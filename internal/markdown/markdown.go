// Package markdown renders the Markdown of product portions to HTML that is safe to put on a page.
//
// Rendering is two layers deep. goldmark turns Markdown into HTML with raw HTML left out (it never gets
// html.WithUnsafe) and with javascript:, vbscript:, file: and data: link targets emptied. bluemonday
// then keeps only the elements and attributes Markdown needs: headings, paragraphs, line breaks,
// rules, lists, emphasis, strikethrough, code, blockquotes, tables (with align on cells) and links.
// Links keep http, https, mailto and relative targets and always carry rel="nofollow noopener
// noreferrer". No element keeps a style, class or id attribute.
//
// Images are not rendered at all: a remote image would tell its host who read the product and when,
// and a relative one could fire requests at the portal. An image is shown as its alt text, as
// "[image: alt]".
package markdown

import (
	"bytes"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// linkRel is the rel value every rendered link carries.
const linkRel = "nofollow noopener noreferrer"

// Renderer converts Markdown to sanitized HTML. Build it once with New; it is safe for concurrent use.
type Renderer struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
}

// New returns a Renderer with GitHub-flavoured tables, strikethrough and bare-URL links.
func New() *Renderer {
	return &Renderer{md: newGoldmark(), policy: newPolicy()}
}

// Render returns src as sanitized HTML.
func (r *Renderer) Render(src string) (string, error) {
	var buf bytes.Buffer
	if err := r.md.Convert([]byte(src), &buf); err != nil {
		return "", fmt.Errorf("render markdown: %w", err)
	}
	return r.policy.Sanitize(buf.String()), nil
}

// Plain returns the text of src without markup, one line per block, for search and snippets.
func (r *Renderer) Plain(src string) string {
	source := []byte(src)
	return plainText(r.md.Parser().Parse(text.NewReader(source)), source)
}

// Plain returns the text of src without markup, one line per block. It builds a parser for each call;
// code that converts many texts should use a Renderer.
func Plain(src string) string {
	source := []byte(src)
	return plainText(newGoldmark().Parser().Parse(text.NewReader(source)), source)
}

func newGoldmark() goldmark.Markdown {
	return goldmark.New(
		goldmark.WithExtensions(
			extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute)),
			extension.Strikethrough,
			extension.Linkify,
		),
		goldmark.WithParserOptions(parser.WithASTTransformers(util.Prioritized(linkTransformer{}, 1000))),
		goldmark.WithRendererOptions(renderer.WithNodeRenderers(util.Prioritized(imageRenderer{}, 1))),
	)
}

func newPolicy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
		"ul", "ol", "li", "em", "strong", "del", "code", "pre",
		"table", "thead", "tbody", "tr", "th", "td")
	p.AllowAttrs("start").Matching(bluemonday.Integer).OnElements("ol")
	p.AllowAttrs("align").Matching(regexp.MustCompile(`^(left|center|right)$`)).OnElements("th", "td")
	p.AllowAttrs("href").OnElements("a")
	p.AllowAttrs("title").Matching(bluemonday.Paragraph).OnElements("a")
	p.AllowAttrs("rel").Matching(regexp.MustCompile(`^` + linkRel + `$`)).OnElements("a")
	p.AllowURLSchemes("http", "https", "mailto")
	p.AllowRelativeURLs(true)
	p.RequireParseableURLs(true)
	// Backstops: links already carry linkRel from linkTransformer.
	p.RequireNoFollowOnLinks(true)
	p.RequireNoReferrerOnLinks(true)
	return p
}

// linkTransformer gives every link rel="nofollow noopener noreferrer" and turns links whose target is
// not http, https, mailto or relative back into their text, so no dead <a> is left behind.
type linkTransformer struct{}

func (linkTransformer) Transform(doc *ast.Document, reader text.Reader, _ parser.Context) {
	source := reader.Source()
	var links []ast.Node
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering && (n.Kind() == ast.KindLink || n.Kind() == ast.KindAutoLink) {
			links = append(links, n)
		}
		return ast.WalkContinue, nil
	})
	for _, n := range links {
		parent := n.Parent()
		switch l := n.(type) {
		case *ast.Link:
			if allowedURL(util.URLEscape(l.Destination, true)) {
				l.SetAttributeString("rel", []byte(linkRel))
				continue
			}
			for c := l.FirstChild(); c != nil; c = l.FirstChild() {
				parent.InsertBefore(parent, l, c)
			}
			parent.RemoveChild(parent, l)
		case *ast.AutoLink:
			if l.AutoLinkType == ast.AutoLinkEmail || allowedURL(util.URLEscape(l.URL(source), false)) {
				l.SetAttributeString("rel", []byte(linkRel))
				continue
			}
			label := ast.NewString(l.Label(source))
			label.SetRaw(true)
			parent.ReplaceChild(parent, l, label)
		}
	}
}

// allowedURL reports whether a link target, escaped as the HTML renderer escapes it, is relative or
// uses http, https or mailto.
func allowedURL(dest []byte) bool {
	u, err := url.Parse(string(dest))
	if err != nil {
		return false
	}
	switch strings.ToLower(u.Scheme) {
	case "", "http", "https", "mailto":
		return true
	}
	return false
}

// imageRenderer writes an image as "[image: alt]" text instead of an img element.
type imageRenderer struct{}

func (imageRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindImage, func(w util.BufWriter, source []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkSkipChildren, nil
		}
		alt := inlineText(n, source)
		label := "[image]"
		if alt != "" {
			label = "[image: " + alt + "]"
		}
		_, _ = w.Write(util.EscapeHTML([]byte(label)))
		return ast.WalkSkipChildren, nil
	})
}

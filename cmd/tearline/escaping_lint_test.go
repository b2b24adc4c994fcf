package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// escapingAllowList holds the reviewed escaping bypasses, keyed by file and call (whitespace folded),
// each with the reason it is safe. A bypass not listed here fails TestNoEscapingBypasses, and so does an
// entry that no longer matches any code (so the list stays reviewed).
var escapingAllowList = map[string]string{
	"internal/web/views/safehtml.go: templ.Raw(html)": "the only raw HTML: the output of internal/markdown (goldmark with raw HTML " +
		"disabled, then the bluemonday policy); its callers pass markdown.Renderer output only (fuzzed: no active content)",
}

// bypassCalls are the calls that turn off templ's or html/template's contextual escaping, by import path.
var bypassCalls = map[string][]string{
	"github.com/a-h/templ": {"Raw", "SafeURL", "SafeCSS", "SafeCSSProperty", "SafeClass", "JSUnsafeFuncCall", "JSExpression",
		"FromGoHTML", "ComponentFunc", "SafeScript", "SafeScriptInline"},
	"html/template": {"HTML", "HTMLAttr", "JS", "JSStr", "URL", "CSS", "Srcset"},
}

// templBypassRE finds the same calls in .templ files, which go/parser cannot read.
var templBypassRE = regexp.MustCompile(`\btempl\.(Raw|SafeURL|SafeCSS|SafeCSSProperty|SafeClass|JSUnsafeFuncCall|JSExpression|FromGoHTML|ComponentFunc|SafeScript|SafeScriptInline)\(`)

// escapingBypass is one call that needs review.
type escapingBypass struct {
	file, call string
	pkg        string // directory, to resolve URL helper functions
	arg        ast.Expr
	name       string // the bypass function's name (SafeURL, Raw, ...)
}

// TestNoEscapingBypasses parses every non-generated .go and .templ file under internal/, cmd/ and
// web/ and fails on any call that bypasses contextual output encoding (templ.Raw, templ.SafeURL,
// templ.SafeCSS, html/template's template.HTML, …) or any text/template import, unless it is in
// escapingAllowList. One kind is proven instead of listed: templ.SafeURL of a URL that starts with a
// constant same-site path ("/products/" + i64(id) …, directly or through a helper whose every return
// does), since its scheme can never be javascript: and templ still escapes the attribute.
func TestNoEscapingBypasses(t *testing.T) {
	root := "../.."
	var found []escapingBypass
	funcs := map[string]map[string]*ast.FuncDecl{} // directory → function name → declaration (generated files too)
	fset := token.NewFileSet()
	files := 0
	for _, dir := range []string{"internal", "cmd", "web"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || strings.HasSuffix(path, "_test.go") {
				return err
			}
			rel, _ := filepath.Rel(root, path)
			rel = filepath.ToSlash(rel)
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			switch {
			case strings.HasSuffix(path, ".templ"):
				files++
				found = append(found, templBypasses(t, rel, string(src))...)
			case strings.HasSuffix(path, ".go"):
				f, err := parser.ParseFile(fset, path, src, parser.ParseComments)
				if err != nil {
					t.Errorf("parse %s: %v", rel, err)
					return nil
				}
				pkg := filepath.Dir(rel)
				if funcs[pkg] == nil {
					funcs[pkg] = map[string]*ast.FuncDecl{}
				}
				for _, decl := range f.Decls {
					if fd, ok := decl.(*ast.FuncDecl); ok && fd.Recv == nil {
						funcs[pkg][fd.Name.Name] = fd
					}
				}
				if ast.IsGenerated(f) {
					return nil // generated from a .templ file, which is checked itself
				}
				files++
				found = append(found, goBypasses(t, fset, rel, src, f)...)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if files < 100 {
		t.Fatalf("only %d files checked: is the test running in cmd/tearline?", files)
	}
	used := map[string]bool{}
	proven := 0
	for _, b := range found {
		key := b.file + ": " + b.call
		if _, ok := escapingAllowList[key]; ok {
			used[key] = true
			continue
		}
		if b.name == "SafeURL" && b.arg != nil && sameSitePath(b.arg, funcs[b.pkg], map[string]bool{}) {
			proven++
			continue
		}
		t.Errorf("%s: %s bypasses contextual escaping; remove it, or review it and add it to escapingAllowList with the reason", b.file, b.call)
	}
	var stale []string
	for key := range escapingAllowList {
		if !used[key] {
			stale = append(stale, key)
		}
	}
	sort.Strings(stale)
	for _, key := range stale {
		t.Errorf("escapingAllowList entry %q matches no code: remove it", key)
	}
	t.Logf("%d files: %d bypasses, %d allow-listed, %d templ.SafeURL proven same-site paths", files, len(found), len(used), proven)
}

// goBypasses lists the bypass calls (and text/template imports) of a parsed Go file.
func goBypasses(t *testing.T, fset *token.FileSet, rel string, src []byte, f *ast.File) []escapingBypass {
	names := map[string]string{} // local import name → import path, for the packages in bypassCalls
	var out []escapingBypass
	for _, imp := range f.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		if p == "text/template" {
			out = append(out, escapingBypass{file: rel, call: `import "text/template"`})
		}
		if _, ok := bypassCalls[p]; !ok {
			continue
		}
		local := p[strings.LastIndex(p, "/")+1:]
		if imp.Name != nil {
			local = imp.Name.Name
		}
		if local == "." || local == "_" {
			t.Errorf("%s: imports %s as %q, which hides its escaping bypasses from this check", rel, p, local)
			continue
		}
		names[local] = p
	}
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		x, ok := sel.X.(*ast.Ident)
		if !ok || names[x.Name] == "" {
			return true
		}
		for _, fn := range bypassCalls[names[x.Name]] {
			if sel.Sel.Name != fn {
				continue
			}
			if b := goBypass(fset, rel, src, f, sel); b.file != "" {
				out = append(out, b)
			}
		}
		return true
	})
	return out
}

// goBypass describes a bypass selector: as its call when it is called, else as the bare selector
// (a bypass passed around as a value is flagged too).
func goBypass(fset *token.FileSet, rel string, src []byte, f *ast.File, sel *ast.SelectorExpr) escapingBypass {
	b := escapingBypass{file: rel, pkg: filepath.Dir(rel), name: sel.Sel.Name}
	var node ast.Node = sel
	ast.Inspect(f, func(n ast.Node) bool {
		if c, ok := n.(*ast.CallExpr); ok && c.Fun == sel {
			node = c
			if len(c.Args) == 1 {
				b.arg = c.Args[0]
			}
			return false
		}
		return true
	})
	// A type (templ.SafeURL as a result type) is not a bypass: only conversions and calls are.
	if _, isCall := node.(*ast.CallExpr); !isCall && (b.name == "SafeURL" || b.name == "SafeCSS" || b.name == "SafeClass" || b.name == "HTML" || b.name == "URL" || b.name == "JS" || b.name == "CSS" || b.name == "HTMLAttr" || b.name == "JSStr" || b.name == "Srcset") {
		return escapingBypass{}
	}
	b.call = foldSpace(string(src[fset.Position(node.Pos()).Offset:fset.Position(node.End()).Offset]))
	return b
}

// templBypasses lists the bypass calls of a .templ file, parsing each call's Go expression.
func templBypasses(t *testing.T, rel, src string) []escapingBypass {
	var out []escapingBypass
	for _, m := range templBypassRE.FindAllStringSubmatchIndex(src, -1) {
		open := m[1] - 1
		depth, end := 0, -1
		for i := open; i < len(src) && end < 0; i++ {
			switch src[i] {
			case '(':
				depth++
			case ')':
				depth--
				if depth == 0 {
					end = i + 1
				}
			}
		}
		if end < 0 {
			t.Errorf("%s: unbalanced call at offset %d", rel, m[0])
			continue
		}
		call := src[m[0]:end]
		b := escapingBypass{file: rel, pkg: filepath.Dir(rel), call: foldSpace(call), name: src[m[2]:m[3]]}
		if e, err := parser.ParseExpr(call); err == nil {
			if c, ok := e.(*ast.CallExpr); ok && len(c.Args) == 1 {
				b.arg = c.Args[0]
			}
		}
		out = append(out, b)
	}
	return out
}

// sameSitePath reports whether the URL expression provably starts with a constant path of this site
// ("/x…", not "//host"): a string literal, a concatenation whose first operand is one, or a call of a
// package function whose every return value is one.
func sameSitePath(e ast.Expr, funcs map[string]*ast.FuncDecl, seen map[string]bool) bool {
	switch e := e.(type) {
	case *ast.ParenExpr:
		return sameSitePath(e.X, funcs, seen)
	case *ast.BasicLit:
		s, err := strconv.Unquote(e.Value)
		return err == nil && len(s) > 1 && s[0] == '/' && s[1] != '/' && s[1] != '\\'
	case *ast.BinaryExpr:
		return e.Op == token.ADD && sameSitePath(e.X, funcs, seen)
	case *ast.CallExpr:
		id, ok := e.Fun.(*ast.Ident)
		if !ok || funcs[id.Name] == nil || seen[id.Name] {
			return false
		}
		seen[id.Name] = true
		fd, returns := funcs[id.Name], 0
		safe := true
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			if _, ok := n.(*ast.FuncLit); ok {
				return false
			}
			if r, ok := n.(*ast.ReturnStmt); ok {
				returns++
				if len(r.Results) != 1 || !sameSitePath(r.Results[0], funcs, seen) {
					safe = false
				}
			}
			return true
		})
		return safe && returns > 0
	}
	return false
}

func foldSpace(s string) string { return strings.Join(strings.Fields(s), " ") }

// The check itself: it finds bypasses in .templ and Go source and proves only constant same-site paths.
func TestEscapingLintCatchesBypasses(t *testing.T) {
	templSrc := `<a href={ templ.SafeURL(u.Website) }>x</a> @templ.Raw(c.Body) <div style={ templ.SafeCSS("color:" + c) }></div>
		<form action={ templ.SafeURL("//evil.example/" + id) }></form> <form action={ templ.SafeURL("/products/" + i64(id)) }></form>`
	got := templBypasses(t, "x.templ", templSrc)
	if len(got) != 5 {
		t.Fatalf("found %d bypasses in the .templ sample, want 5: %+v", len(got), got)
	}
	for i, want := range []bool{false, false, false, false, true} {
		if p := got[i].name == "SafeURL" && sameSitePath(got[i].arg, nil, map[string]bool{}); p != want {
			t.Errorf("%s: proven %v, want %v", got[i].call, p, want)
		}
	}
	goSrc := "package v\nimport (\n\tt \"github.com/a-h/templ\"\n\t\"html/template\"\n\t_ \"text/template\"\n)\n" +
		"func a(s string) t.Component { return t.Raw(s) }\nfunc b(s string) template.HTML { return template.HTML(s) }\n" +
		"func c() t.SafeURL { return t.URL(\"/x\") }\n"
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "v.go", goSrc, 0)
	if err != nil {
		t.Fatal(err)
	}
	var calls []string
	for _, b := range goBypasses(t, fset, "v.go", []byte(goSrc), f) {
		calls = append(calls, b.call)
	}
	if want := []string{`import "text/template"`, "t.Raw(s)", "template.HTML(s)"}; strings.Join(calls, "|") != strings.Join(want, "|") {
		t.Errorf("Go sample: found %q, want %q", calls, want)
	}
}

package main

import (
	"fmt"
	"slices"
	"strings"
)

// point is one injection point of a request shape: a path variable ("path#1" is the first) or a
// query or form parameter.
type point struct {
	Name    string
	Var     string // the path variable's name in the route pattern ("id", "pid"), for path points
	Kind    string // as field.Kind; "path" for a path variable
	Covered string // when set, sqlmap does not inject here: the point that stands for it, and why
}

// scanProfile is how hard sqlmap tries a group of points.
type scanProfile struct {
	Name        string
	Level, Risk int
}

var (
	// deep is for free text that a handler passes on: sqlmap's level 2 adds to level 1 the boundaries
	// of a value inside parentheses, LIKE patterns and comments and the ORDER BY/parameter-replace
	// tests. Level 3 / risk 2 (the old setting) cost about 75 s per parameter on 2 cores, 70 minutes
	// in all; -deep-level and -deep-risk still run it.
	deep = scanProfile{"deep", 2, 1}
	// quick is for closed sets (selects, radios, checkboxes), hidden and numeric values and path ids:
	// the handler maps them to a constant or parses them before any query, so sqlmap's default level
	// and risk, which cover plain string and numeric contexts, are the test.
	quick = scanProfile{"quick", 1, 1}
)

func profileOf(kind string) scanProfile {
	switch kind {
	case "text", "", "header":
		return deep // a link-only query parameter of unknown kind counts as free text
	}
	return quick
}

// markingFamilies groups the structured-marking fields by how markingFromForm (internal/web/
// form_marking.go) reads them. Both marking forms (portion "m_", attachment "att_") go through
// that one decoder into one marking.Marking, and every field of a family is read the same way, so
// sqlmap injects one field per family (the first it meets, on the portion form) and the others
// count as covered by it:
//   - control, audience, tlp: trimmed and converted to a string type (marking.Control, …);
//   - categories: every value trimmed and read by marking.ParseCategory;
//   - noforn, dl_only: compared with "on"; nothing of the value goes further;
//   - rel_to, display_only, dl_list: split into codes by splitCodes.
//
// The attachment form validates the marking before it stores anything (422 otherwise), so an
// injected att_ value reaches SQL in fewer cases than the portion form's m_ value that stands for it.
var markingFamilies = map[string]string{
	"control": "enum", "audience": "enum", "tlp": "enum",
	"categories": "categories",
	"noforn":     "flag", "dl_only": "flag",
	"rel_to": "codes", "display_only": "codes", "dl_list": "codes",
}

func markingFamily(name string) (string, bool) {
	for _, prefix := range []string{"m_", "att_"} {
		if rest, ok := strings.CutPrefix(name, prefix); ok {
			fam, ok := markingFamilies[rest]
			return fam, ok
		}
	}
	return "", false
}

// sharedFilters names routes whose query parameters reach exactly the decoder and the SQL of
// another route: the point is injected on the other route only.
var sharedFilters = map[string]string{
	// handleAuditExport reads its filters with the page's auditFilter (internal/web/handlers_audit.go)
	// and both queries take their WHERE clause from postgres.auditWhere.
	"GET /audit.csv": "GET /audit",
}

// planPoints lists every target's injection points in plan order and marks the duplicates:
//   - A path variable is injected on the first route that has a variable of that name. Every
//     numeric one ({id}, {pid}, {cid}, {aid}, {sid}) is read by idParam and {n} by strconv.Atoi
//     (internal/web) before any handler code: anything but a positive integer is a 404.
//     TestPathVariablesAreParsed keeps that true.
//   - Structured-marking fields: see markingFamilies.
//   - Query parameters of the routes in sharedFilters.
func planPoints(plan []*target) map[*target][]point {
	out := map[*target][]point{}
	firstVar := map[string]string{}    // path variable name → route that injects it
	firstFamily := map[string]string{} // marking family → "route field"
	for _, t := range plan {
		var ps []point
		for i, name := range pathVars(t.Route.Pattern) {
			p := point{Name: fmt.Sprintf("path#%d", i+1), Var: name, Kind: "path"}
			if by, ok := firstVar[name]; ok {
				p.Covered = fmt.Sprintf("{%s} is injected on %s (parsed as a positive integer before use)", name, by)
			} else {
				firstVar[name] = t.key()
			}
			ps = append(ps, p)
		}
		for _, f := range t.Fields {
			p := point{Name: f.Name, Kind: f.Kind}
			if fam, ok := markingFamily(f.Name); ok {
				if by, ok := firstFamily[fam]; ok {
					p.Covered = fmt.Sprintf("marking field (%s family) like %s: same markingFromForm decoder", fam, by)
				} else {
					firstFamily[fam] = t.key() + " " + f.Name
				}
			} else if by, ok := sharedFilters[t.key()]; ok {
				p.Covered = "same filter decoder and WHERE clause as " + by + " " + f.Name
			}
			ps = append(ps, p)
		}
		out[t] = ps
	}
	return out
}

// pathVars lists the variable names of a route pattern in order.
func pathVars(pattern string) []string {
	var vs []string
	for _, seg := range strings.Split(pattern, "/") {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			vs = append(vs, strings.Trim(seg, "{}"))
		}
	}
	return vs
}

// coveredPoints lists the points no job injects, with what stands for them.
func coveredPoints(plan []*target, points map[*target][]point) []string {
	var out []string
	for _, t := range plan {
		for _, p := range points[t] {
			if p.Covered != "" {
				name := p.Name
				if p.Var != "" {
					name = "{" + p.Var + "}"
				}
				out = append(out, t.key()+" "+name+": "+p.Covered)
			}
		}
	}
	return out
}

// groupPoints splits a target's injected points by scan profile, deep first.
func groupPoints(ps []point) []struct {
	prof  scanProfile
	names []string
} {
	var groups []struct {
		prof  scanProfile
		names []string
	}
	for _, prof := range []scanProfile{deep, quick} {
		var names []string
		for _, p := range ps {
			if p.Covered == "" && profileOf(p.Kind).Name == prof.Name {
				names = append(names, p.Name)
			}
		}
		if len(names) > 0 {
			groups = append(groups, struct {
				prof  scanProfile
				names []string
			}{prof, names})
		}
	}
	return groups
}

func containsName(names []string, n string) bool { return slices.Contains(names, n) }

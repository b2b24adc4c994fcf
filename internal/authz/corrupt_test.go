package authz

import (
	"strings"
	"testing"

	"tearline/policies"
)

// TestCorruptPolicyStopsStartUp feeds New's checked constructor damaged copies of the embedded
// model and policy. casbin itself loads most of these without complaint (rows of the wrong arity,
// binary garbage, a file cut short); each must be refused with a message naming the problem.
func TestCorruptPolicyStopsStartUp(t *testing.T) {
	lines := strings.Split(policies.Policy, "\n")
	firstRule := 0
	for i, l := range lines {
		if strings.HasPrefix(l, "p,") {
			firstRule = i
			break
		}
	}
	replaceRule := func(with string) string {
		c := append([]string(nil), lines...)
		c[firstRule] = with
		return strings.Join(c, "\n")
	}
	matcher := strings.Index(policies.Model, "[matchers]")
	tests := []struct {
		name, model, policy, want string
	}{
		{"empty model", "", policies.Policy, "authz model"},
		{"model cut short", policies.Model[:len(policies.Model)/2], policies.Policy, "missing required sections"},
		{"matcher allows everything", policies.Model[:matcher] + "[matchers]\nm = true\n", policies.Policy, "allows too much"},
		{"matcher names an unknown field", policies.Model[:matcher] + "[matchers]\nm = r.nope == p.role\n", policies.Policy, "authz model"},
		{"empty policy", policies.Model, "", "authz policy"},
		{"row too short", policies.Model, replaceRule("p, analyst, center, home"), "policy line"},
		{"row too long", policies.Model, replaceRule("p, analyst, center, home, read, own, extra"), "policy line"},
		{"binary garbage", policies.Model, replaceRule("\x00\xff\xfe\x01 garbage"), "policy line"},
		{"role typo", policies.Model, replaceRule("p, analsyt, center, home, read, own"), `unknown role "analsyt"`},
		{"scope typo", policies.Model, replaceRule("p, analyst, center, home, read, onw"), `unknown scope "onw"`},
		{"kind typo", policies.Model, replaceRule("p, analyst, centre, home, read, own"), `unknown agency kind "centre"`},
		{"grouping row", policies.Model, replaceRule("g, analyst, center_admin"), "policy line"},
		{"cut short at a line break", policies.Model, strings.Join(lines[:firstRule+3], "\n"), "grants role"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := newChecked(tt.model, tt.policy)
			if err == nil || a != nil {
				t.Fatalf("accepted")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
		})
	}
	if _, err := New(); err != nil {
		t.Fatalf("the embedded policy fails its own checks: %v", err)
	}
}

package authz

import (
	"bufio"
	"fmt"
	"slices"
	"strings"

	"github.com/casbin/casbin/v2"

	"tearline/internal/agency"
	"tearline/internal/user"
)

// policyScopes are the scopes the model's matcher knows.
var policyScopes = []string{"any", "own", "author", "recipient"}

// checkPolicyText refuses a policy casbin would load without complaint but that is not ours: rows
// of another type or arity (a truncated or garbled line), unknown roles, agency kinds or scopes,
// and a policy in which some role grants nothing (a file cut short).
func checkPolicyText(policyText string) error {
	granted := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(policyText))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, ",")
		for i := range f {
			f[i] = strings.TrimSpace(f[i])
		}
		switch {
		case len(f) != 6 || f[0] != "p":
			return fmt.Errorf("policy line %d: want \"p, role, agency kind, object type, action, scope\", got %q", n, line)
		case !slices.Contains(user.Roles, user.Role(f[1])):
			return fmt.Errorf("policy line %d: unknown role %q", n, f[1])
		case f[2] != "*" && !slices.Contains(agency.Kinds, agency.Kind(f[2])):
			return fmt.Errorf("policy line %d: unknown agency kind %q", n, f[2])
		case f[3] == "" || f[4] == "":
			return fmt.Errorf("policy line %d: empty object type or action", n)
		case !slices.Contains(policyScopes, f[5]):
			return fmt.Errorf("policy line %d: unknown scope %q (want %s)", n, f[5], strings.Join(policyScopes, ", "))
		}
		granted[f[1]] = true
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read policy: %w", err)
	}
	for _, r := range user.Roles {
		if !granted[string(r)] {
			return fmt.Errorf("policy grants role %q nothing (is the file cut short?)", r)
		}
	}
	return nil
}

// selfTest asks the loaded model two questions whose answers are fixed: a liaison may read its own
// home page, and a role nobody holds may do nothing. A matcher that errs or allows everything fails.
func selfTest(e *casbin.SyncedEnforcer) error {
	ok, err := e.Enforce(string(user.RoleLiaison), "1", string(agency.KindMember), TypeHome, "1", "", ActRead)
	if err != nil {
		return fmt.Errorf("self-test: the model cannot evaluate a request: %w", err)
	}
	if !ok {
		return fmt.Errorf("self-test: a liaison may not read their home page")
	}
	if ok, err := e.Enforce("no-such-role", "1", string(agency.KindCenter), TypeAgency, "*", "", ActCreate); err != nil || ok {
		return fmt.Errorf("self-test: a role nobody holds was allowed (%v), so the model allows too much", err)
	}
	return nil
}

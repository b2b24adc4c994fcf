// Package authz is the one entry point for authorization decisions: every action on every object
// asks Can. Decisions come from the casbin model and policy in policies/, evaluated for each role
// the principal holds in its agency (the casbin domain).
package authz

import (
	"context"
	"fmt"
	"strconv"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	stringadapter "github.com/casbin/casbin/v2/persist/string-adapter"

	"tearline/internal/user"
	"tearline/policies"
)

// Object types.
const (
	TypeHome    = "home"
	TypeAdmin   = "admin"
	TypeAgency  = "agency"
	TypeUser    = "user"
	TypeDraft   = "draft"
	TypeReview  = "review" // a product in a review state, approved or released
	TypeEdition = "edition"
	TypeInbox   = "inbox"
	TypeList    = "list" // distribution lists
)

// Actions.
const (
	ActRead        = "read"
	ActList        = "list"
	ActCreate      = "create"
	ActUpdate      = "update"
	ActDeactivate  = "deactivate"
	ActGrant       = "grant"
	ActTransition  = "transition"
	ActRescind     = "rescind"
	ActDisseminate = "disseminate"
)

// RoleType is the object type of a role when it is granted or withdrawn, e.g. "role:liaison".
func RoleType(role string) string { return "role:" + role }

// Object is what an action is performed on: a type and the agency that owns the object.
type Object struct {
	Type     string
	agency   string
	relation string
}

// Type names an object type as a whole: "may the principal do this to some object of the type?".
func Type(t string) Object { return Object{Type: t, agency: "*"} }

// Owned names an object of type t owned by the agency with id agencyID.
func Owned(t string, agencyID int64) Object {
	return Object{Type: t, agency: strconv.FormatInt(agencyID, 10)}
}

// Authored names an object of type t owned by the agency, saying whether the principal authored it.
func Authored(t string, agencyID int64, isAuthor bool) Object {
	o := Owned(t, agencyID)
	if isAuthor {
		o.relation = "author"
	}
	return o
}

// Received names an edition released to the principal's agency (relation "recipient") or not.
func Received(t string, ownerAgencyID int64, received bool) Object {
	o := Owned(t, ownerAgencyID)
	if received {
		o.relation = "recipient"
	}
	return o
}

// AnyAgency names objects of type t regardless of their agency: only roles scoped to every agency
// pass, so a handler can decide whether to filter a list by the principal's own agency.
func AnyAgency(t string) Object { return Object{Type: t, agency: "-"} }

// Authorizer evaluates the policy.
type Authorizer struct {
	e *casbin.SyncedEnforcer
}

// New loads the embedded model and policy, refusing a policy or model that is not whole (see
// newChecked): start-up stops rather than serve under a damaged policy.
func New() (*Authorizer, error) {
	return newChecked(policies.Model, policies.Policy)
}

// newChecked is NewFromText for a complete policy: every row well formed, every role granted
// something, and the model answering two fixed questions correctly.
func newChecked(modelText, policyText string) (*Authorizer, error) {
	if err := checkPolicyText(policyText); err != nil {
		return nil, fmt.Errorf("authz policy: %w", err)
	}
	a, err := NewFromText(modelText, policyText)
	if err != nil {
		return nil, err
	}
	if err := selfTest(a.e); err != nil {
		return nil, fmt.Errorf("authz model: %w", err)
	}
	return a, nil
}

// NewFromText builds an Authorizer from a model and policy text (tests use it).
func NewFromText(modelText, policyText string) (*Authorizer, error) {
	m, err := model.NewModelFromString(modelText)
	if err != nil {
		return nil, fmt.Errorf("authz model: %w", err)
	}
	e, err := casbin.NewSyncedEnforcer(m, stringadapter.NewAdapter(policyText))
	if err != nil {
		return nil, fmt.Errorf("authz policy: %w", err)
	}
	return &Authorizer{e: e}, nil
}

// Can reports whether p may perform action on obj. A nil principal may do nothing.
func (a *Authorizer) Can(_ context.Context, p *user.Principal, action string, obj Object) bool {
	if p == nil || obj.Type == "" || action == "" {
		return false
	}
	dom := strconv.FormatInt(p.AgencyID, 10)
	for _, r := range p.Roles {
		ok, err := a.e.Enforce(string(r), dom, string(p.AgencyKind), obj.Type, obj.agency, obj.relation, action)
		if err == nil && ok {
			return true
		}
	}
	return false
}

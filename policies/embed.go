// Package policies holds the casbin model and policy that internal/authz enforces.
package policies

import _ "embed"

// Model is the casbin model (model.conf).
//
//go:embed model.conf
var Model string

// Policy is the casbin policy (policy.csv).
//
//go:embed policy.csv
var Policy string

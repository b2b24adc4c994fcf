package workflow_test

import (
	"testing"

	"tearline/internal/product"
	"tearline/internal/workflow"
)

// TestProductConsistency keeps the constants this package mirrors in step with package product,
// which it does not import.
func TestProductConsistency(t *testing.T) {
	if workflow.AssessmentType != string(product.TypeAssessment) {
		t.Errorf("AssessmentType = %q; product.TypeAssessment = %q", workflow.AssessmentType, product.TypeAssessment)
	}
	if workflow.StateDraft != workflow.State(product.StateDraft) {
		t.Errorf("StateDraft = %q; product.StateDraft = %q", workflow.StateDraft, product.StateDraft)
	}
	for _, typ := range product.Types {
		f := workflow.Facts{Type: string(typ)}
		if got, want := workflow.SteeringRequired(f), typ == product.TypeAssessment; got != want {
			t.Errorf("SteeringRequired(%s) = %v; want %v", typ, got, want)
		}
	}
}

package authz

// Steering-group review of strategic assessments (see policies/policy.csv). The object's agency is
// the assessment's owner: steering members of member agencies act on the center's assessments, and the
// store shows them only those assigned to them.
const (
	// TypeSteering is the steering review of an assessment: the members' queue, the assessment as a
	// member reads it, their decisions and comments, and the assignment of members.
	TypeSteering = "steering"
	// ActDecide records a steering decision or a steering comment on a section.
	ActDecide = "decide"
	// ActAssign assigns steering group members to an assessment.
	ActAssign = "assign"
)

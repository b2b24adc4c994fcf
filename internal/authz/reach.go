package authz

// Acknowledgement and feedback on released editions (see policies/policy.csv). The object is the
// edition, named with Received: both actions are granted with the "recipient" scope, so only users of
// an agency the edition was released to may take them.
const (
	// ActAcknowledge acknowledges receipt of an edition for the principal's agency.
	ActAcknowledge = "acknowledge"
	// ActFeedback sends feedback on an edition to the center.
	ActFeedback = "feedback"
)

package authz

// The audit trail (see policies/policy.csv and docs/audit.md). Center auditors read and export every
// agency's events ("any" scope); agency administrators read and export their own agency's users'
// events ("own": the handler then limits the rows to the principal's agency). Center administrators
// are deliberately not auditors of themselves. The access accounting of an edition (who viewed it)
// is action ActAudit on the edition, for the center that owns it.
const (
	// TypeAudit is the audit trail.
	TypeAudit = "audit"
	// ActExport exports the audit trail as CSV.
	ActExport = "export"
	// ActAudit reads the access accounting of an object (an edition's views).
	ActAudit = "audit"
)

package authz

// TypeSearch is full-text search (see policies/policy.csv): whoever reads editions searches the ones
// they may see. The route gate asks for it; what a search may return is decided per principal with
// the edition and draft objects (received, owned, authored), and the store applies that in SQL.
const TypeSearch = "search"

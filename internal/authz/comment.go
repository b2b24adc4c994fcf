package authz

// Review comments on a product (see policies/policy.csv). The relation of the object is "author"
// when the principal is one of the product's authors or wrote the comment concerned.
const (
	// TypeComment is a review comment anchored to a portion of a product, or to the product.
	TypeComment = "comment"
	// ActAnswer answers a review comment.
	ActAnswer = "answer"
	// ActResolve resolves a review comment, or opens a resolved one again.
	ActResolve = "resolve"
)

package authz

// TypeNotification is a user's own notifications, subscriptions and (in demo mode) e-mail outbox (see
// policies/policy.csv): every role reads and updates its own; the store keys them on the user, and
// row-level security does again.
const TypeNotification = "notification"

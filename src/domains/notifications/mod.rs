//! Notifications: what happened that concerns a user — a reply to their
//! comment, a new post in a series they are reading, and later badges, levels
//! and payments. Owns the `notifications` table. Other domains raise
//! notifications through `service::store` (inside the `Write` of their change,
//! publishing once it commits) or `service::notify`; the viewer lists, reads,
//! dismisses and follows their own live through the `notifications` subscription.

pub mod schema;
pub mod service;

pub use entity::notification::Kind;

//! Bulk mail: the newsletter list (double opt-in, not tied to accounts) and the
//! digest of new posts signed-in users can ask for daily or weekly. Owns the
//! `newsletter_subscriptions` and `digest_deliveries` tables and the users'
//! digest preference. Every bulk mail carries a signed one-click unsubscribe
//! link (`links`) that works without signing in, also as `List-Unsubscribe`.

pub mod digest;
pub mod links;
pub mod schema;
pub mod service;

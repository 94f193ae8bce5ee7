//! Views: how many readers opened a post, counting each reader at most once a
//! (UTC) day. Owns the post-view rows, which hold a keyed hash of who viewed,
//! never a user id or an IP address in the clear.

pub mod loaders;
pub mod schema;
pub mod service;

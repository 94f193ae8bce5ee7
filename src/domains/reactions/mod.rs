//! Reactions: readers mark a post as liked, insightful, confusing or worth
//! celebrating, at most once per kind. Owns the reaction rows and the
//! per-post counts shown beside every post.

pub mod schema;
pub mod service;

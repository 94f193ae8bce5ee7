//! Tags: the topic vocabulary posts are filed under. The content work adds
//! post links, editing and merging; this holds the vocabulary itself.

pub mod schema;
pub mod service;

//! Reading progress: how long a reader spent on each post and when they first
//! finished it, and from that how far they are through a series. Owns the
//! reading-progress rows and the reading time per day (`stats`: history and
//! learning statistics); which posts a series holds comes from the posts service.

pub mod schema;
pub mod service;
pub mod stats;

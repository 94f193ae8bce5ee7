//! Feeds: syndication of what is published. RSS, Atom and the sitemap carry
//! titles and excerpts only, so premium bodies never leave through them. No
//! tables of its own beyond the stored sitemap (`artifacts`); it reads posts,
//! series, tags and authors through their services.

pub mod service;

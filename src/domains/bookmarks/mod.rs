//! Bookmarks: posts a reader saved for later. Owns the bookmark rows; saving
//! needs a post the reader may open, and the list shows only the saved posts
//! they can still read, most recently saved first.

pub mod schema;
pub mod service;

//! Marks: what the viewer left on each post of a page (their reactions, their
//! bookmark, their reading progress), read in one statement for the whole page.
//! Owns no table: each of the three domains writes its part of the query
//! (`marks_of_user` in its service) and this one puts them together.

pub mod loaders;
pub mod service;

//! Posts: what authors write and readers read. Owns posts, their tag links
//! and slug redirects; decides who may see a post (published, scheduled and
//! due, or the viewer's own) and renders markdown to sanitised HTML.

pub mod loaders;
pub mod markdown;
pub mod rerender;
pub mod schema;
pub mod service;

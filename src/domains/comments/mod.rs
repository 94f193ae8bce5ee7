//! Comments: the threaded discussion under a post. Owns the `comments` table
//! and its rules: who may write, edit, delete and moderate a comment, and how
//! a post's comments become the thread a viewer sees — replies nested in
//! creation order, removed comments kept only as placeholders where they
//! still hold visible replies, hidden ones shown as written to admins alone.
//! New comments go live to open post pages (`commentAdded`) and a reply
//! notifies the author of the comment it answers, once the comment is stored.

pub mod loaders;
pub mod schema;
pub mod service;

//! Comment rules and queries. Nothing else touches the `comments` table; other
//! domains (and the loaders) read threads through `comments_of_posts` and
//! `comment_tree`.
//!
//! What is where (every item is re-exported here, so callers name
//! `comments::service::X` whatever file holds it):
//! - `threads`: how a viewer sees a post's comments — the views, the nested
//!   tree, the flat paged thread and the `thread_path` layout it reads, counts.
//! - `writes`: adding (with reply notices and the live `commentAdded` event),
//!   editing, deleting and moderating a comment.

mod threads;
mod writes;

pub use threads::*;
pub use writes::*;

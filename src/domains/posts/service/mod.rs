//! Post rules and queries. Who may see a post: everyone once it is published
//! (or scheduled and due); its author and admins always.
//!
//! What is where (every item is re-exported here, so callers name
//! `posts::service::X` whatever file holds it):
//! - `visibility`: the policy — `live`, `readable_by`, `readable_ids`, `unreadable_ids`,
//!   `is_live`, `can_read` and the gates `get_readable`/`get_editable`.
//! - `reads`: what other domains and resolvers read — posts by id, slug or
//!   series, tags of posts, the filtered lists, and the live posts feeds,
//!   digests, the sitemap and search ask for.
//! - `writes`: an author's edits — create, update (slugs, redirects, tags),
//!   delete, preview, series placement and tag merging.
//! - `publishing`: status changes — publish, unpublish, schedule — and the
//!   scheduled job that publishes what is due, with the series notices both send.

mod publishing;
mod reads;
mod visibility;
mod writes;

pub use publishing::*;
pub use reads::*;
pub use visibility::*;
pub use writes::*;

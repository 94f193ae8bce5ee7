//! What a cacheable request's answer depends on, as its resolvers run: the
//! response cache (`http/response_cache.rs`) puts a [`CacheScope`] in the
//! data of an anonymous read it may store, and resolvers of per-post activity
//! (comments, reactions, views) record the post, so a comment invalidates the
//! answers that show that post's comments and no others. A resolver whose
//! value changes without any write that invalidates (XP, streaks) marks the
//! answer as not storable. Every answer depends on `content` besides.

use std::{
    collections::BTreeSet,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
};

use uuid::Uuid;

use crate::infra::response_cache::CacheTag;

/// One request's record; clones share it (one goes into the request's data,
/// the HTTP handler keeps the other).
#[derive(Clone, Default)]
pub struct CacheScope(Arc<Recorded>);

#[derive(Default)]
struct Recorded {
    posts: Mutex<BTreeSet<Uuid>>,
    uncacheable: AtomicBool,
}

impl CacheScope {
    pub(super) fn depends_on_post(&self, id: Uuid) {
        self.0.posts.lock().unwrap_or_else(|p| p.into_inner()).insert(id);
    }

    pub(super) fn not_storable(&self) {
        self.0.uncacheable.store(true, Ordering::Relaxed);
    }

    /// The tags the answer depends on besides `content`, or None when it must not be stored.
    pub fn tags(&self) -> Option<Vec<CacheTag>> {
        if self.0.uncacheable.load(Ordering::Relaxed) {
            return None;
        }
        Some(self.0.posts.lock().unwrap_or_else(|p| p.into_inner()).iter().map(|id| CacheTag::Post(*id)).collect())
    }
}

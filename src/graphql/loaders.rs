//! The one registration point for per-request DataLoaders.
//!
//! A request gets one `DataLoader<Loaders>`. Each domain implements
//! `Loader<K> for Loaders` in its own `loaders.rs` with a key type of its own
//! (`UserById`, `TagsOfPost`, …), so every per-parent lookup in a request is
//! batched into one query per kind, however many parents the page has.

use std::sync::Arc;

use async_graphql::dataloader::DataLoader;

use super::Viewer;
use crate::state::AppState;

/// What loaders need: the database (through the state) and who is asking,
/// for the viewer's own flags (bookmarked, progress, reactions).
pub struct Loaders {
    pub state: AppState,
    pub viewer: Viewer,
}

/// A fresh loader for one request (or one websocket operation).
pub fn for_request(state: &AppState, viewer: &Viewer) -> RequestLoader {
    Arc::new(DataLoader::new(Loaders { state: state.clone(), viewer: viewer.clone() }, tokio::spawn))
}

/// Shared by the operations of one batched request.
pub type RequestLoader = Arc<DataLoader<Loaders>>;

//! The viewer's bookmark flag for every post on a page, in one query.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use uuid::Uuid;

use super::service;
use crate::graphql::loaders::Loaders;

/// Key: whether the request's viewer bookmarked this post (false when anonymous).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ViewerBookmarked(pub Uuid);

impl Loader<ViewerBookmarked> for Loaders {
    type Value = bool;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[ViewerBookmarked]) -> Result<HashMap<ViewerBookmarked, bool>, Self::Error> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let saved = match self.viewer.id() {
            Some(user_id) => service::bookmarked_among(&self.state.db, user_id, &ids).await?,
            None => Default::default(),
        };
        Ok(ids.into_iter().map(|id| (ViewerBookmarked(id), saved.contains(&id))).collect())
    }
}

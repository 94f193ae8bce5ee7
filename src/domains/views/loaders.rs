//! View counts for every post on a page, in one query.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use uuid::Uuid;

use super::service;
use crate::graphql::loaders::Loaders;

/// Key: how many views a post has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ViewCount(pub Uuid);

impl Loader<ViewCount> for Loaders {
    type Value = u64;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[ViewCount]) -> Result<HashMap<ViewCount, u64>, Self::Error> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let counts = service::counts_of_posts(&self.state.db, &ids).await?;
        Ok(ids.into_iter().map(|id| (ViewCount(id), counts.get(&id).copied().unwrap_or(0))).collect())
    }
}

//! Batched lookups for pages of review cards: each post's review prompts, one
//! query for the whole page.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use uuid::Uuid;

use super::service;
use crate::graphql::loaders::Loaders;

/// Key: the review prompts of a post, in order (empty when it has none).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PromptsOfPost(pub Uuid);

impl Loader<PromptsOfPost> for Loaders {
    type Value = Vec<String>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[PromptsOfPost]) -> Result<HashMap<PromptsOfPost, Vec<String>>, Self::Error> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let mut prompts = service::prompts_of_posts(&self.state.db, &ids).await?;
        Ok(ids.into_iter().map(|id| (PromptsOfPost(id), prompts.remove(&id).unwrap_or_default())).collect())
    }
}

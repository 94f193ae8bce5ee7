//! Batched lookups for pages of review cards and posts: each post's review
//! prompts, and the viewer's card for each post, one query for the whole page.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use uuid::Uuid;

use super::service;
use crate::graphql::loaders::Loaders;
use entity::review_card;

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

/// Key: the request viewer's card for this post (none when anonymous or not in review).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ViewerCard(pub Uuid);

impl Loader<ViewerCard> for Loaders {
    type Value = review_card::Model;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[ViewerCard]) -> Result<HashMap<ViewerCard, review_card::Model>, Self::Error> {
        let Some(user_id) = self.viewer.id() else { return Ok(HashMap::new()) };
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let cards = service::cards_of_posts(&self.state.db, user_id, &ids).await?;
        Ok(cards.into_iter().map(|(post_id, card)| (ViewerCard(post_id), card)).collect())
    }
}

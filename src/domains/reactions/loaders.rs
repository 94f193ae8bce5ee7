//! Reaction counts and the viewer's own reactions for every post on a page,
//! one query each.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use uuid::Uuid;

use super::service;
use crate::graphql::loaders::Loaders;
use entity::reaction::Kind;

/// Key: how many readers reacted to this post with each kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ReactionCounts(pub Uuid);

impl Loader<ReactionCounts> for Loaders {
    type Value = Vec<(Kind, u64)>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[ReactionCounts]) -> Result<HashMap<ReactionCounts, Vec<(Kind, u64)>>, Self::Error> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let counts = service::counts_of_posts(&self.state.db, &ids).await?;
        Ok(counts.into_iter().map(|(post_id, counts)| (ReactionCounts(post_id), counts)).collect())
    }
}

/// Key: the kinds the request's viewer reacted to this post with (none when anonymous).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ViewerReactions(pub Uuid);

impl Loader<ViewerReactions> for Loaders {
    type Value = Vec<Kind>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[ViewerReactions]) -> Result<HashMap<ViewerReactions, Vec<Kind>>, Self::Error> {
        let Some(user_id) = self.viewer.id() else { return Ok(HashMap::new()) };
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let kinds = service::kinds_of_user(&self.state.db, user_id, &ids).await?;
        Ok(kinds.into_iter().map(|(post_id, kinds)| (ViewerReactions(post_id), kinds)).collect())
    }
}

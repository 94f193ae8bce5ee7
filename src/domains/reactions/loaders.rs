//! The viewer's own reactions for every post on a page, in one query. (The
//! counts come with each post's counters: `posts::loaders::CountsOfPost`.)

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use uuid::Uuid;

use super::service;
use crate::graphql::loaders::Loaders;
use entity::reaction::Kind;

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

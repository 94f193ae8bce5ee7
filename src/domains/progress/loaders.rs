//! The viewer's reading progress for every post on a page (and every post of
//! every series on a page), in one query.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use uuid::Uuid;

use super::service;
use crate::graphql::loaders::Loaders;
use entity::reading_progress;

/// Key: the request viewer's progress on this post (none when anonymous or never read).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ViewerProgress(pub Uuid);

impl Loader<ViewerProgress> for Loaders {
    type Value = reading_progress::Model;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[ViewerProgress],
    ) -> Result<HashMap<ViewerProgress, reading_progress::Model>, Self::Error> {
        let Some(user_id) = self.viewer.id() else { return Ok(HashMap::new()) };
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let rows = service::progress_of_posts(&self.state.db, user_id, &ids).await?;
        Ok(rows.into_iter().map(|(post_id, row)| (ViewerProgress(post_id), row)).collect())
    }
}

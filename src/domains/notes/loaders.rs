//! The viewer's notes on every post on a page, in one query.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use uuid::Uuid;

use super::service;
use crate::graphql::loaders::Loaders;
use entity::study_note;

/// Key: the request viewer's notes on this post, oldest first (none when anonymous).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ViewerNotes(pub Uuid);

impl Loader<ViewerNotes> for Loaders {
    type Value = Vec<study_note::Model>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[ViewerNotes]) -> Result<HashMap<ViewerNotes, Vec<study_note::Model>>, Self::Error> {
        let Some(user_id) = self.viewer.id() else { return Ok(HashMap::new()) };
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let notes = service::notes_on_posts(&self.state.db, user_id, &ids).await?;
        Ok(notes.into_iter().map(|(post_id, notes)| (ViewerNotes(post_id), notes)).collect())
    }
}

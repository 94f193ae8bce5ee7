//! The viewer's marks for every post on a page (and every post of every series
//! on a page), in one query.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use uuid::Uuid;

use super::service::{self, Marks};
use crate::graphql::loaders::Loaders;

/// Key: what the request's viewer left on this post: reactions, bookmark,
/// progress (absent when anonymous or nothing). `viewerReactions`,
/// `viewerHasBookmarked` and `viewerProgress` share it, so a page asks once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ViewerMarks(pub Uuid);

impl Loader<ViewerMarks> for Loaders {
    type Value = Marks;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[ViewerMarks]) -> Result<HashMap<ViewerMarks, Marks>, Self::Error> {
        let Some(user_id) = self.viewer.id() else { return Ok(HashMap::new()) };
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let marks = service::of_posts(&self.state.db, user_id, &ids).await?;
        Ok(marks.into_iter().map(|(post_id, marks)| (ViewerMarks(post_id), marks)).collect())
    }
}

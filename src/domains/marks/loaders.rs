//! The viewer's marks for every post on a page (and every post of every series
//! on a page), in one query.

use std::{collections::HashMap, sync::Arc};

use async_graphql::{Context, Result, dataloader::Loader};
use uuid::Uuid;

use super::service::{self, Marks};
use crate::{
    domains::posts::service::PostScope,
    graphql::{ContextExt, loaders::Loaders},
};

/// Key: what the request's viewer left on a post (reactions, bookmark,
/// progress), or on every post of a series. `viewerReactions`,
/// `viewerHasBookmarked` and `viewerProgress` share it, and so does a series'
/// `viewerProgress`, so a page asks once: a post page reads the marks of its
/// post and of its series' posts in one statement. Every key of a batch gets
/// the batch's marks, by post id (posts left unmarked are absent; nothing at
/// all when anonymous).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ViewerMarks {
    Post(Uuid),
    Series(Uuid),
}

/// The viewer's marks, by post id.
pub type MarksByPost = Arc<HashMap<Uuid, Marks>>;

impl Loader<ViewerMarks> for Loaders {
    type Value = MarksByPost;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[ViewerMarks]) -> Result<HashMap<ViewerMarks, MarksByPost>, Self::Error> {
        let Some(user_id) = self.viewer.id() else { return Ok(HashMap::new()) };
        let mut scope = PostScope::default();
        for key in keys {
            match *key {
                ViewerMarks::Post(id) => scope.posts.push(id),
                ViewerMarks::Series(id) => scope.series.push(id),
            }
        }
        let marks = Arc::new(service::of_posts(&self.state.db, user_id, &scope).await?);
        Ok(keys.iter().map(|&key| (key, Arc::clone(&marks))).collect())
    }
}

/// The viewer's marks on one post; None when anonymous or they left none.
pub async fn of_post(ctx: &Context<'_>, post_id: Uuid) -> Result<Option<Marks>> {
    if ctx.viewer().id().is_none() {
        return Ok(None);
    }
    Ok(ctx.loader().load_one(ViewerMarks::Post(post_id)).await?.and_then(|marks| marks.get(&post_id).cloned()))
}

/// The viewer's marks on every post of a series (empty when anonymous).
pub async fn of_series(ctx: &Context<'_>, series_id: Uuid) -> Result<MarksByPost> {
    if ctx.viewer().id().is_none() {
        return Ok(MarksByPost::default());
    }
    Ok(ctx.loader().load_one(ViewerMarks::Series(series_id)).await?.unwrap_or_default())
}

//! Batched comment lookups for post pages: the thread of each post, one query
//! for every post on the page, with their authors. (How many visible comments a post has comes
//! with its counters: `posts::loaders::CountsOfPost`.)

use std::{collections::HashMap, sync::Arc};

use async_graphql::dataloader::Loader;
use uuid::Uuid;

use super::service::{self, CommentTree};
use crate::graphql::loaders::Loaders;

/// Key: the comment thread of a post, as the request's viewer sees it. The
/// loader does not check that the viewer may read the post; callers do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CommentTreeOf(pub Uuid);

impl Loader<CommentTreeOf> for Loaders {
    type Value = Arc<CommentTree>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[CommentTreeOf]) -> Result<HashMap<CommentTreeOf, Arc<CommentTree>>, Self::Error> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let mut threads = service::comments_of_posts(&self.state.db, &ids).await?;
        let reveal_hidden = service::reveals_hidden(&self.viewer);
        Ok(ids
            .into_iter()
            .map(|id| {
                let comments = threads.comments.remove(&id).unwrap_or_default();
                let tree = service::comment_tree(comments, reveal_hidden).with_authors(threads.authors.clone());
                (CommentTreeOf(id), Arc::new(tree))
            })
            .collect())
    }
}

//! GraphQL surface of bookmarks: save and forget posts, list the saved ones,
//! and the `Post.viewerHasBookmarked` flag.

use async_graphql::{Context, ID, Object, Result};
use uuid::Uuid;

use super::service;
use crate::{
    domains::{marks::loaders::ViewerMarks, posts::schema::Post},
    graphql::parse_id,
    graphql::{
        ContextExt, Require,
        pagination::{Connection, connection, page_args},
    },
};

/// Whether the viewer bookmarked the post; false when anonymous. One lookup per
/// page with the viewer's other marks.
pub async fn viewer_has_bookmarked(ctx: &Context<'_>, post_id: Uuid) -> Result<bool> {
    if ctx.viewer().id().is_none() {
        return Ok(false);
    }
    Ok(ctx.loader().load_one(ViewerMarks(post_id)).await?.is_some_and(|marks| marks.bookmarked))
}

#[derive(Default)]
pub struct BookmarksQuery;

#[Object]
impl BookmarksQuery {
    /// The viewer's bookmarked posts that they can still read, most recently bookmarked first.
    #[graphql(
        guard = "Require::SignedIn",
        complexity = "crate::graphql::pagination::page_complexity(child_complexity, first, last)"
    )]
    async fn bookmarks(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many bookmarks after `after`; at most 100.")] first: Option<i32>,
        #[graphql(desc = "A cursor from this list: bookmarks after it.")] after: Option<String>,
        #[graphql(desc = "How many bookmarks before `before`; at most 100.")] last: Option<i32>,
        #[graphql(desc = "A cursor from this list: bookmarks before it.")] before: Option<String>,
    ) -> Result<Connection<Post>> {
        let args = page_args(ctx, first, after, last, before);
        Ok(connection(service::list(&ctx.state().db, ctx.viewer(), &args).await?, Post::from))
    }
}

#[derive(Default)]
pub struct BookmarksMutation;

#[Object]
impl BookmarksMutation {
    /// Saves a post for later; bookmarking it again changes nothing.
    #[graphql(guard = "Require::SignedIn")]
    async fn bookmark_post(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A post the viewer may read.")] post_id: ID,
    ) -> Result<Post> {
        let post_id = parse_id("postId", &post_id)?;
        Ok(Post::from(service::bookmark(&ctx.state().db, ctx.viewer(), post_id).await?))
    }

    /// Removes a post from the viewer's bookmarks; a post that was not bookmarked stays that way.
    #[graphql(guard = "Require::SignedIn")]
    async fn unbookmark_post(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A post the viewer may read.")] post_id: ID,
    ) -> Result<Post> {
        let post_id = parse_id("postId", &post_id)?;
        Ok(Post::from(service::unbookmark(&ctx.state().db, ctx.viewer(), post_id).await?))
    }
}

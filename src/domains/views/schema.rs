//! GraphQL surface of views: `recordPostView` and `Post.viewCount`.

use async_graphql::{Context, ID, Object, Result};
use uuid::Uuid;

use super::{loaders::ViewCount, service};
use crate::graphql::{ContextExt, parse_id};

/// How many times the post was viewed, counting each viewer once a day. Batched per page.
pub async fn view_count(ctx: &Context<'_>, post_id: Uuid) -> Result<u64> {
    Ok(ctx.loader().load_one(ViewCount(post_id)).await?.unwrap_or(0))
}

#[derive(Default)]
pub struct ViewsMutation;

#[Object]
impl ViewsMutation {
    /// Counts a view of a post, at most once per viewer and UTC day (anonymous
    /// viewers are told apart by address, which is never stored). True when this
    /// call counted.
    async fn record_post_view(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A post the viewer may read.")] post_id: ID,
    ) -> Result<bool> {
        let post_id = parse_id("postId", &post_id)?;
        let state = ctx.state();
        let (viewer, client_ip) = (ctx.viewer(), ctx.meta().client_ip);
        Ok(service::record_view(&state.db, &state.config.jwt_secret, viewer, client_ip, post_id).await?)
    }
}

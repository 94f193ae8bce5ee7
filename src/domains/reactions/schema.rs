//! GraphQL surface of reactions: `react`/`unreact`, and the counts and the
//! viewer's own reactions on `Post`.

use async_graphql::{Context, Enum, ID, Object, Result, SimpleObject};
use uuid::Uuid;

use super::service;
use crate::{
    domains::{
        marks::loaders::ViewerMarks,
        posts::{loaders::CountsOfPost, schema::Post},
    },
    graphql::parse_id,
    graphql::{ContextExt, Require},
};

/// How a reader reacted to a post.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(name = "ReactionKind", remote = "entity::reaction::Kind")]
pub enum GqlReactionKind {
    /// The reader liked it.
    Like,
    /// The reader learned something.
    Insightful,
    /// The reader got lost somewhere.
    Confused,
    /// Worth celebrating.
    Celebrate,
}

/// How many readers reacted to a post with one kind.
#[derive(SimpleObject)]
pub struct ReactionCount {
    /// The kind of reaction.
    pub kind: GqlReactionKind,
    /// How many readers reacted with it; at least 1.
    pub count: u64,
}

/// Every kind at least one reader used on the post, in kind order: from the
/// post's counters, one lookup per page shared with `commentCount`.
pub async fn reaction_counts(ctx: &Context<'_>, post_id: Uuid) -> Result<Vec<ReactionCount>> {
    let Some(counts) = ctx.loader().load_one(CountsOfPost(post_id)).await? else { return Ok(Vec::new()) };
    Ok(reaction_counts_in(&counts))
}

/// The reaction counts of a post's counters read with the post.
pub fn reaction_counts_in(counts: &entity::post_count::Model) -> Vec<ReactionCount> {
    service::counts_in(counts).into_iter().map(|(kind, count)| ReactionCount { kind: kind.into(), count }).collect()
}

/// The kinds the viewer reacted to the post with; empty when anonymous. One
/// lookup per page with the viewer's other marks.
pub async fn viewer_reactions(ctx: &Context<'_>, post_id: Uuid) -> Result<Vec<GqlReactionKind>> {
    if ctx.viewer().id().is_none() {
        return Ok(Vec::new());
    }
    let marks = ctx.loader().load_one(ViewerMarks(post_id)).await?.unwrap_or_default();
    Ok(marks.reactions.into_iter().map(Into::into).collect())
}

#[derive(Default)]
pub struct ReactionsMutation;

#[Object]
impl ReactionsMutation {
    /// Reacts to a post; reacting again with the same kind changes nothing.
    #[graphql(guard = "Require::SignedIn")]
    async fn react(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A post the viewer may read.")] post_id: ID,
        #[graphql(desc = "The reaction to add.")] kind: GqlReactionKind,
    ) -> Result<Post> {
        let post_id = parse_id("postId", &post_id)?;
        Ok(Post::from(service::react(ctx.state(), ctx.viewer(), post_id, kind.into()).await?))
    }

    /// Takes back a reaction; one the viewer never made stays absent.
    #[graphql(guard = "Require::SignedIn")]
    async fn unreact(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A post the viewer may read.")] post_id: ID,
        #[graphql(desc = "The reaction to take back.")] kind: GqlReactionKind,
    ) -> Result<Post> {
        let post_id = parse_id("postId", &post_id)?;
        Ok(Post::from(service::unreact(ctx.state(), ctx.viewer(), post_id, kind.into()).await?))
    }
}

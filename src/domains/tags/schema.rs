//! GraphQL surface of tags.

use async_graphql::{Context, ID, Object, Result};

use super::service;
use crate::{
    domains::{
        accounts::Role,
        posts::{
            schema::{Post, asks_for_counts},
            service::{self as posts, PostFilter, PostOrder},
        },
    },
    graphql::{
        ContextExt, Require,
        pagination::{Connection, connection, page_args},
        parse_id,
    },
};
use entity::tag;

/// A topic label posts are filed under.
pub struct Tag(pub tag::Model);

impl From<tag::Model> for Tag {
    fn from(tag: tag::Model) -> Self {
        Tag(tag)
    }
}

#[Object]
impl Tag {
    /// The tag's stable id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// Shown to readers.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Used in URLs (`/tags/<slug>`).
    async fn slug(&self) -> &str {
        &self.0.slug
    }

    /// Published posts with this tag, newest first.
    #[graphql(complexity = "crate::graphql::pagination::page_complexity(child_complexity, first, last)")]
    async fn posts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most 100.")] first: Option<i32>,
        after: Option<String>,
        #[graphql(desc = "At most 100.")] last: Option<i32>,
        before: Option<String>,
    ) -> Result<Connection<Post>> {
        let filter = PostFilter { tag: Some(self.0.slug.clone()), ..Default::default() };
        let args = page_args(ctx, first, after, last, before);
        let page =
            posts::list(ctx.state(), ctx.viewer(), &filter, PostOrder::Newest, &args, asks_for_counts(ctx)).await?;
        Ok(connection(page, Post::from))
    }
}

#[derive(Default)]
pub struct TagsQuery;

#[Object]
impl TagsQuery {
    /// Every tag, alphabetically.
    async fn tags(&self, ctx: &Context<'_>) -> Result<Vec<Tag>> {
        Ok(service::list(&ctx.state().db).await?.into_iter().map(Tag).collect())
    }

    /// A tag by slug.
    async fn tag(&self, ctx: &Context<'_>, slug: String) -> Result<Option<Tag>> {
        Ok(service::find_by_slug(&ctx.state().db, &slug).await?.map(Tag))
    }
}

#[derive(Default)]
pub struct TagsMutation;

#[Object]
impl TagsMutation {
    /// Adds a tag (authors and admins); its slug derives from the name.
    #[graphql(guard = "Require::Role(Role::Author)")]
    async fn create_tag(&self, ctx: &Context<'_>, name: String) -> Result<Tag> {
        Ok(Tag(service::create(ctx.state(), &name).await?))
    }

    /// Renames a tag (admins); its slug follows the name.
    #[graphql(guard = "Require::Role(Role::Admin)")]
    async fn update_tag(&self, ctx: &Context<'_>, id: ID, name: String) -> Result<Tag> {
        Ok(Tag(service::rename(ctx.state(), parse_id("id", &id)?, &name).await?))
    }

    /// Moves every post of `from` to `into` and deletes `from` (admins).
    #[graphql(guard = "Require::Role(Role::Admin)")]
    async fn merge_tags(&self, ctx: &Context<'_>, from: ID, into: ID) -> Result<Tag> {
        Ok(Tag(service::merge(ctx.state(), parse_id("from", &from)?, parse_id("into", &into)?).await?))
    }
}

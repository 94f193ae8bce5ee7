//! GraphQL surface of tags.

use async_graphql::{Context, ID, Object, Result, SimpleObject};

use super::service;
use crate::graphql::ContextExt;

/// A topic label posts are filed under.
#[derive(SimpleObject)]
pub struct Tag {
    pub id: ID,
    /// Shown to readers.
    pub name: String,
    /// Used in URLs (`/tags/<slug>`).
    pub slug: String,
}

impl From<entity::tag::Model> for Tag {
    fn from(tag: entity::tag::Model) -> Self {
        Tag { id: ID(tag.id.to_string()), name: tag.name, slug: tag.slug }
    }
}

#[derive(Default)]
pub struct TagsQuery;

#[Object]
impl TagsQuery {
    /// Every tag, alphabetically.
    async fn tags(&self, ctx: &Context<'_>) -> Result<Vec<Tag>> {
        Ok(service::list(&ctx.state().db).await?.into_iter().map(Tag::from).collect())
    }
}

//! GraphQL surface of series.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result};
use chrono::{DateTime, Utc};

use super::service::{self, SeriesInput};
use crate::{
    domains::{
        accounts::{loaders::UserById, schema::User},
        posts::{loaders::PostsOfSeries, schema::Post},
        progress::schema::SeriesProgress,
    },
    graphql::{
        ContextExt,
        pagination::{Connection, connection, page_args},
        parse_id,
    },
};
use entity::{post, series};

/// An ordered collection of posts, read from first to last; with its readable
/// posts when whoever made it had them already (`Post.series` on a post page).
pub struct Series(pub series::Model, Option<Vec<post::Model>>);

impl From<series::Model> for Series {
    fn from(model: series::Model) -> Self {
        Series(model, None)
    }
}

impl Series {
    /// A series whose posts the viewer may read (in reading order) are known.
    pub fn with_posts(model: series::Model, posts: Vec<post::Model>) -> Self {
        Series(model, Some(posts))
    }

    /// The posts the viewer may read, in reading order: the ones it came with,
    /// else through `PostsOfSeries`.
    async fn readable_posts(&self, ctx: &Context<'_>) -> Result<Vec<post::Model>> {
        match &self.1 {
            Some(posts) => Ok(posts.clone()),
            None => Ok(ctx.loader().load_one(PostsOfSeries(self.0.id)).await?.unwrap_or_default()),
        }
    }
}

#[Object]
impl Series {
    /// The series' stable id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// Used in URLs (`/series/<slug>`).
    async fn slug(&self) -> &str {
        &self.0.slug
    }

    /// The series' name.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// What the series teaches, as plain text.
    async fn description(&self) -> &str {
        &self.0.description
    }

    /// An image shown with the series.
    async fn cover_image_url(&self) -> Option<&str> {
        self.0.cover_image_url.as_deref()
    }

    /// Who curates the series.
    async fn author(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        Ok(ctx.loader().load_one(UserById(self.0.author_id)).await?.map(User::from))
    }

    /// The posts the viewer may read, in reading order.
    async fn posts(&self, ctx: &Context<'_>) -> Result<Vec<Post>> {
        Ok(self.readable_posts(ctx).await?.into_iter().map(Post::from).collect())
    }

    /// How many posts the viewer may read in the series.
    async fn post_count(&self, ctx: &Context<'_>) -> Result<usize> {
        match &self.1 {
            Some(posts) => Ok(posts.len()),
            None => Ok(ctx.loader().load_one(PostsOfSeries(self.0.id)).await?.map_or(0, |p| p.len())),
        }
    }

    /// How far the viewer is through the series; null when anonymous.
    async fn viewer_progress(&self, ctx: &Context<'_>) -> Result<Option<SeriesProgress>> {
        if ctx.viewer().id().is_none() {
            return Ok(None);
        }
        SeriesProgress::of_posts(ctx, &self.readable_posts(ctx).await?).await.map(Some)
    }

    /// When the series was started.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

#[derive(InputObject)]
pub struct CreateSeriesInput {
    /// 1–200 characters.
    pub title: String,
    /// Derived from the title when left out.
    pub slug: Option<String>,
    /// Up to 5,000 characters.
    pub description: Option<String>,
    /// An http(s) image URL.
    pub cover_image_url: Option<String>,
}

/// Changes to a series; fields left out stay as they are.
#[derive(InputObject)]
pub struct UpdateSeriesInput {
    /// 1–200 characters.
    pub title: Option<String>,
    /// Lower-case letters, digits and dashes.
    pub slug: Option<String>,
    /// Up to 5,000 characters.
    pub description: Option<String>,
    /// Null removes the cover image.
    pub cover_image_url: MaybeUndefined<String>,
}

#[derive(Default)]
pub struct SeriesQuery;

#[Object]
impl SeriesQuery {
    /// A series by slug.
    async fn series(&self, ctx: &Context<'_>, slug: String) -> Result<Option<Series>> {
        Ok(service::find_by_slug(&ctx.state().db, &slug).await?.map(Series::from))
    }

    /// All series, newest first.
    #[graphql(complexity = "crate::graphql::pagination::page_complexity(child_complexity, first, last)")]
    async fn series_list(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most 100.")] first: Option<i32>,
        after: Option<String>,
        #[graphql(desc = "At most 100.")] last: Option<i32>,
        before: Option<String>,
    ) -> Result<Connection<Series>> {
        let args = page_args(ctx, first, after, last, before);
        Ok(connection(service::list(&ctx.state().db, &args).await?, Series::from))
    }
}

#[derive(Default)]
pub struct SeriesMutation;

#[Object]
impl SeriesMutation {
    /// Starts a series (authors and admins).
    async fn create_series(&self, ctx: &Context<'_>, input: CreateSeriesInput) -> Result<Series> {
        let input = SeriesInput {
            title: Some(input.title),
            slug: input.slug,
            description: input.description,
            cover_image_url: Some(input.cover_image_url),
        };
        Ok(Series::from(service::create(ctx.state(), ctx.viewer(), input).await?))
    }

    /// Edits a series (its author or an admin).
    async fn update_series(&self, ctx: &Context<'_>, id: ID, input: UpdateSeriesInput) -> Result<Series> {
        let cover: Option<Option<String>> = input.cover_image_url.into();
        let input = SeriesInput {
            title: input.title,
            slug: input.slug,
            description: input.description,
            cover_image_url: cover,
        };
        Ok(Series::from(service::update(ctx.state(), ctx.viewer(), parse_id("id", &id)?, input).await?))
    }

    /// Deletes a series; its posts stay, outside any series.
    async fn delete_series(&self, ctx: &Context<'_>, id: ID) -> Result<bool> {
        Ok(service::delete(ctx.state(), ctx.viewer(), parse_id("id", &id)?).await?)
    }

    /// Adds a post at `position` (from 1; the end when left out), moving it out of any other series.
    async fn add_post_to_series(
        &self,
        ctx: &Context<'_>,
        series_id: ID,
        post_id: ID,
        position: Option<i32>,
    ) -> Result<Series> {
        let (series_id, post_id) = (parse_id("seriesId", &series_id)?, parse_id("postId", &post_id)?);
        Ok(Series::from(service::add_post(ctx.state(), ctx.viewer(), series_id, post_id, position).await?))
    }

    /// Takes a post out of a series.
    async fn remove_post_from_series(&self, ctx: &Context<'_>, series_id: ID, post_id: ID) -> Result<Series> {
        let (series_id, post_id) = (parse_id("seriesId", &series_id)?, parse_id("postId", &post_id)?);
        Ok(Series::from(service::remove_post(ctx.state(), ctx.viewer(), series_id, post_id).await?))
    }

    /// Sets the reading order: list every post of the series exactly once
    /// (a series holds at most 500 posts). BAD_USER_INPUT on `postIds` otherwise.
    async fn reorder_series(&self, ctx: &Context<'_>, series_id: ID, post_ids: Vec<ID>) -> Result<Series> {
        let series_id = parse_id("seriesId", &series_id)?;
        let post_ids = post_ids.iter().map(|id| parse_id("postIds", id)).collect::<Result<Vec<_>, _>>()?;
        Ok(Series::from(service::reorder(ctx.state(), ctx.viewer(), series_id, &post_ids).await?))
    }
}

//! GraphQL surface of reading progress: `markPostRead`, the `ReadingProgress`
//! of a post and the `SeriesProgress` of a series, both for the viewer.

use std::collections::HashMap;

use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{loaders::ViewerProgress, service};
use crate::{
    domains::posts::{
        loaders::{PostsOfSeries, ReadablePostById},
        schema::Post,
    },
    error::AppError,
    graphql::{ContextExt, Require, parse_id},
};
use entity::reading_progress;

/// The viewer's reading of one post.
pub struct ReadingProgress(pub reading_progress::Model);

impl ReadingProgress {
    /// The viewer's progress on a post; null when anonymous or never read. Batched per page.
    pub async fn of_post(ctx: &Context<'_>, post_id: Uuid) -> Result<Option<ReadingProgress>> {
        if ctx.viewer().id().is_none() {
            return Ok(None);
        }
        Ok(ctx.loader().load_one(ViewerProgress(post_id)).await?.map(ReadingProgress))
    }
}

/// The viewer's reading of one post: time spent and when they first finished it.
#[Object]
impl ReadingProgress {
    /// The post read.
    async fn post(&self, ctx: &Context<'_>) -> Result<Post> {
        let post = ctx.loader().load_one(ReadablePostById(self.0.post_id)).await?.ok_or(AppError::NotFound("Post"))?;
        Ok(Post(post))
    }

    /// Total time spent reading the post, over every session.
    async fn seconds_spent(&self) -> i32 {
        self.0.seconds_spent
    }

    /// When the viewer first finished the post.
    async fn completed_at(&self) -> Option<DateTime<Utc>> {
        self.0.completed_at
    }
}

/// How far the viewer is through a series, counting the posts they may read.
pub struct SeriesProgress(service::SeriesProgress);

impl SeriesProgress {
    /// The viewer's progress through a series; null when anonymous. For a page of
    /// series this is one posts query and one progress query in all.
    pub async fn of_series(ctx: &Context<'_>, series_id: Uuid) -> Result<Option<SeriesProgress>> {
        if ctx.viewer().id().is_none() {
            return Ok(None);
        }
        let posts = ctx.loader().load_one(PostsOfSeries(series_id)).await?.unwrap_or_default();
        let progress: HashMap<Uuid, reading_progress::Model> = ctx
            .loader()
            .load_many(posts.iter().map(|p| ViewerProgress(p.id)))
            .await?
            .into_iter()
            .map(|(k, v)| (k.0, v))
            .collect();
        Ok(Some(SeriesProgress(service::series_progress(&posts, &progress))))
    }
}

/// How far the viewer is through a series, counting the posts they may read.
#[Object]
impl SeriesProgress {
    /// How many of the series' posts the viewer has finished.
    async fn completed_count(&self) -> usize {
        self.0.completed_count
    }

    /// How many posts of the series the viewer may read.
    async fn total_count(&self) -> usize {
        self.0.total_count
    }

    /// Finished share of the series, from 0 to 100 (0 for an empty series).
    async fn percent(&self) -> f64 {
        self.0.percent()
    }

    /// The first post, in reading order, the viewer has not finished; null when all are.
    async fn next_post(&self) -> Option<Post> {
        self.0.next_post.clone().map(Post)
    }

    /// When the viewer finished the last post, once every post is finished.
    async fn completed_at(&self) -> Option<DateTime<Utc>> {
        self.0.completed_at
    }
}

#[derive(Default)]
pub struct ProgressMutation;

#[Object]
impl ProgressMutation {
    /// Records a reading session: adds the time to the viewer's total for the post
    /// and marks the post finished (the first time only).
    #[graphql(guard = "Require::SignedIn")]
    async fn mark_post_read(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A post the viewer may read.")] post_id: ID,
        #[graphql(desc = "Time spent in this session, 0–86,400 seconds.")] seconds_spent: i32,
    ) -> Result<ReadingProgress> {
        let post_id = parse_id("postId", &post_id)?;
        Ok(ReadingProgress(service::mark_post_read(ctx.state(), ctx.viewer(), post_id, seconds_spent).await?))
    }
}

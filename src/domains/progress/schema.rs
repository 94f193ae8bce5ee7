//! GraphQL surface of reading progress: `markPostRead`, the `ReadingProgress`
//! of a post and the `SeriesProgress` of a series, both for the viewer; the
//! viewer's `readingHistory` and `learningStats`.

use std::collections::HashMap;

use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::{service, stats};
use crate::{
    domains::marks::loaders::ViewerMarks,
    domains::posts::{loaders::ReadablePostById, schema::Post},
    domains::tags::schema::Tag,
    error::AppError,
    graphql::{
        ContextExt, Require,
        pagination::{Connection, connection, page_args},
        parse_id,
    },
};
use entity::{post, reading_progress};

/// The viewer's reading of one post.
pub struct ReadingProgress(pub reading_progress::Model);

impl ReadingProgress {
    /// The viewer's progress on a post; null when anonymous or never read. One
    /// lookup per page with the viewer's other marks.
    pub async fn of_post(ctx: &Context<'_>, post_id: Uuid) -> Result<Option<ReadingProgress>> {
        if ctx.viewer().id().is_none() {
            return Ok(None);
        }
        Ok(ctx.loader().load_one(ViewerMarks(post_id)).await?.and_then(|marks| marks.progress).map(ReadingProgress))
    }
}

/// The viewer's reading of one post: time spent and when they first finished it.
#[Object]
impl ReadingProgress {
    /// The post read.
    async fn post(&self, ctx: &Context<'_>) -> Result<Post> {
        let post = ctx.loader().load_one(ReadablePostById(self.0.post_id)).await?.ok_or(AppError::NotFound("Post"))?;
        Ok(Post::from(post))
    }

    /// Total time spent reading the post, over every session.
    async fn seconds_spent(&self) -> i32 {
        self.0.seconds_spent
    }

    /// When the viewer first finished the post.
    async fn completed_at(&self) -> Option<DateTime<Utc>> {
        self.0.completed_at
    }

    /// When the viewer last recorded reading the post.
    async fn last_read_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// How far the viewer is through a series, counting the posts they may read.
pub struct SeriesProgress(service::SeriesProgress);

impl SeriesProgress {
    /// The viewer's progress through a series of these readable posts (in
    /// reading order). For a page of series this is one marks query in all.
    pub async fn of_posts(ctx: &Context<'_>, posts: &[post::Model]) -> Result<SeriesProgress> {
        let progress: HashMap<Uuid, reading_progress::Model> = ctx
            .loader()
            .load_many(posts.iter().map(|p| ViewerMarks(p.id)))
            .await?
            .into_iter()
            .filter_map(|(k, marks)| Some((k.0, marks.progress?)))
            .collect();
        Ok(SeriesProgress(service::series_progress(posts, &progress)))
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
        self.0.next_post.clone().map(Post::from)
    }

    /// When the viewer finished the last post, once every post is finished.
    async fn completed_at(&self) -> Option<DateTime<Utc>> {
        self.0.completed_at
    }
}

/// A reader's learning, from their reading time (in their time zone).
pub struct LearningStats(stats::LearningStats);

#[Object]
impl LearningStats {
    /// The IANA time zone the days are counted in (the viewer's setting).
    async fn time_zone(&self) -> String {
        self.0.time_zone.name().to_owned()
    }

    /// Posts the viewer has finished.
    async fn posts_finished(&self) -> u64 {
        self.0.posts_finished
    }

    /// Series whose every post (that the viewer may read) they have finished.
    async fn series_finished(&self) -> u64 {
        self.0.series_finished
    }

    /// Minutes of reading ever recorded, rounded down.
    async fn total_minutes(&self) -> i64 {
        self.0.total_seconds / 60
    }

    /// Every day of the period, oldest first, today last (a calendar heat map's cells).
    async fn days(&self) -> Vec<DayActivity> {
        self.0.days.iter().cloned().map(DayActivity).collect()
    }

    /// The last 12 ISO weeks (Monday to Sunday), oldest first, this week last.
    async fn weeks(&self) -> Vec<WeekActivity> {
        self.0.weeks.iter().cloned().map(WeekActivity).collect()
    }

    /// The 10 tags the viewer spent the most reading time on, all time, most first.
    async fn topics(&self) -> Vec<TopicTime> {
        self.0.topics.iter().cloned().map(TopicTime).collect()
    }

    /// The viewer's streak of active days as it stands today (0 once lapsed).
    async fn current_streak(&self) -> i32 {
        self.0.current_streak
    }

    /// The viewer's longest streak.
    async fn longest_streak(&self) -> i32 {
        self.0.longest_streak
    }
}

/// One day of the viewer's reading.
pub struct DayActivity(stats::DayActivity);

#[Object]
impl DayActivity {
    /// The date, in the viewer's time zone.
    async fn day(&self) -> NaiveDate {
        self.0.day
    }

    /// Minutes read that day, rounded down.
    async fn minutes(&self) -> i64 {
        self.0.seconds / 60
    }

    /// Seconds read that day.
    async fn seconds(&self) -> i64 {
        self.0.seconds
    }

    /// Whether the day counted for the streak (a post finished or a comment written).
    async fn active(&self) -> bool {
        self.0.active
    }

    /// Whether a streak freeze covered the day.
    async fn frozen(&self) -> bool {
        self.0.frozen
    }
}

/// One ISO week of the viewer's reading.
pub struct WeekActivity(stats::WeekActivity);

#[Object]
impl WeekActivity {
    /// The week's Monday, in the viewer's time zone.
    async fn week_start(&self) -> NaiveDate {
        self.0.week_start
    }

    /// Minutes read that week, rounded down.
    async fn minutes(&self) -> i64 {
        self.0.seconds / 60
    }
}

/// Reading time on the posts filed under one tag.
pub struct TopicTime(stats::TopicTime);

#[Object]
impl TopicTime {
    /// The tag.
    async fn tag(&self) -> Tag {
        Tag(self.0.tag.clone())
    }

    /// Minutes read on posts with the tag, rounded down (a post with two tags counts for both).
    async fn minutes(&self) -> i64 {
        self.0.seconds / 60
    }
}

#[derive(Default)]
pub struct ProgressQuery;

#[Object]
impl ProgressQuery {
    /// The posts the viewer has read (and can still open), most recently read first.
    #[graphql(
        guard = "Require::SignedIn",
        complexity = "crate::graphql::pagination::page_complexity(child_complexity, first, last)"
    )]
    async fn reading_history(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many reads after `after`; at most 100.")] first: Option<i32>,
        #[graphql(desc = "A cursor from this list: reads after it.")] after: Option<String>,
        #[graphql(desc = "How many reads before `before`; at most 100.")] last: Option<i32>,
        #[graphql(desc = "A cursor from this list: reads before it.")] before: Option<String>,
    ) -> Result<Connection<ReadingProgress>> {
        let args = page_args(ctx, first, after, last, before);
        Ok(connection(stats::history(&ctx.state().db, ctx.viewer(), &args).await?, ReadingProgress))
    }

    /// The viewer's learning statistics: finished posts and series, reading time per
    /// day and week, topics, the streak. Days are the viewer's (their time zone setting).
    #[graphql(guard = "Require::SignedIn")]
    async fn learning_stats(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many days the `days` list covers, today included: 1–366 (default 30).")] days: Option<
            i32,
        >,
    ) -> Result<LearningStats> {
        let stats = stats::learning_stats(&ctx.state().db, ctx.viewer(), days.unwrap_or(30), Utc::now()).await?;
        Ok(LearningStats(stats))
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

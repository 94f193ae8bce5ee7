//! Progress rules: time spent only grows, a post is completed once, and a
//! series is as far along as the viewer's completed posts among those they may read.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set,
    sea_query::{Alias, Expr, ExprTrait, Func, OnConflict, Query, SelectStatement},
};
use uuid::Uuid;

use crate::{
    auth::Viewer,
    domains::{certificates::service as certificates, engagement::service as engagement, posts::service as posts},
    error::{AppError, AppResult},
    state::AppState,
    write::Write,
};
use entity::{post, reading_progress};

/// The most one reading session may add: a day.
pub const MAX_SECONDS_PER_READ: i32 = 86_400;

/// Records that the viewer read a post: adds `seconds_spent` to their total and,
/// the first time, marks the post completed. Concurrent calls both count. A
/// read long enough to be plausible earns XP and counts for the streak
/// (`engagement::on_post_read`), and finishing a series queues its certificate
/// (`certificates::on_series_finished`), in the same transaction.
pub async fn mark_post_read(
    state: &AppState,
    viewer: &Viewer,
    post_id: Uuid,
    seconds_spent: i32,
) -> AppResult<reading_progress::Model> {
    let user_id = viewer.require_signed_in()?;
    if !(0..=MAX_SECONDS_PER_READ).contains(&seconds_spent) {
        return Err(AppError::bad_input("secondsSpent", "Seconds spent are between 0 and 86,400 (one day)"));
    }
    let write = Write::begin(state).await?;
    let post = posts::get_readable(&write, viewer, post_id).await?;
    let progress = record_read(&write, user_id, &post, seconds_spent).await?;
    if seconds_spent > 0 {
        let zone = engagement::zone_of(&write, user_id).await?.unwrap_or(chrono_tz::UTC);
        let day = Utc::now().with_timezone(&zone).date_naive();
        super::stats::record_day(&write, user_id, post.id, day, seconds_spent).await?;
    }
    let series_finished = match post.series_id {
        Some(series_id) => {
            let series_posts = posts::posts_of_series(&write, viewer, &[series_id]).await?.remove(&series_id);
            let series_posts = series_posts.unwrap_or_default();
            let ids: Vec<Uuid> = series_posts.iter().map(|p| p.id).collect();
            let done = progress_of_posts(&write, user_id, &ids).await?;
            series_progress(&series_posts, &done).completed_at.map(|_| series_id)
        }
        None => None,
    };
    engagement::on_post_read(
        &write,
        state,
        user_id,
        post.id,
        post.reading_minutes,
        progress.seconds_spent,
        series_finished,
        Utc::now(),
    )
    .await?;
    if let Some(series_id) = series_finished {
        certificates::on_series_finished(&write, user_id, series_id).await?;
    }
    write.commit().await?;
    Ok(progress)
}

/// The progress row after adding `seconds_spent` (and completing the post the first time).
async fn record_read(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    post: &post::Model,
    seconds_spent: i32,
) -> AppResult<reading_progress::Model> {
    let now = Utc::now();
    let stored = |column: reading_progress::Column| Expr::col((reading_progress::Entity, column));
    let incoming = |column: reading_progress::Column| Expr::col((Alias::new("excluded"), column));
    let seconds = reading_progress::Column::SecondsSpent;
    let total = saturating_sum(stored(seconds), incoming(seconds));
    let completed_at = reading_progress::Column::CompletedAt;
    let upsert = OnConflict::columns([reading_progress::Column::UserId, reading_progress::Column::PostId])
        .value(seconds, total)
        .value(completed_at, Func::coalesce([stored(completed_at), incoming(completed_at)]))
        .update_column(reading_progress::Column::UpdatedAt)
        .to_owned();
    let row = reading_progress::ActiveModel {
        user_id: Set(user_id),
        post_id: Set(post.id),
        seconds_spent: Set(seconds_spent),
        completed_at: Set(Some(now)),
        updated_at: Set(now),
    };
    reading_progress::Entity::insert(row).on_conflict(upsert).exec_without_returning(db).await?;
    reading_progress::Entity::find_by_id((user_id, post.id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound("Reading progress"))
}

/// `stored + incoming` for an upsert of an `integer` column, stopping at
/// `i32::MAX` instead of overflowing it.
pub(super) fn saturating_sum(stored: Expr, incoming: Expr) -> sea_orm::sea_query::CaseStatement {
    Expr::case(stored.clone().gt(Expr::val(i32::MAX).sub(incoming.clone())), i32::MAX).finally(stored.add(incoming))
}

/// `user_id`'s progress rows for these posts, by post id (posts never opened have none).
pub async fn progress_of_posts(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    post_ids: &[Uuid],
) -> AppResult<HashMap<Uuid, reading_progress::Model>> {
    if post_ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(reading_progress::Entity::find()
        .filter(reading_progress::Column::UserId.eq(user_id))
        .filter(reading_progress::Column::PostId.is_in(post_ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|row| (row.post_id, row))
        .collect())
}

/// `user_id`'s progress on these posts, as rows of the viewer's marks
/// (`marks::service::of_posts`): `post_id`, `mark` (`PROGRESS`), `seconds`,
/// `completed_at` and `updated_at`.
pub fn marks_of_user(user_id: Uuid, post_ids: &[Uuid]) -> SelectStatement {
    Query::select()
        .column(reading_progress::Column::PostId)
        .expr_as(Expr::cust(format!("'{PROGRESS_MARK}'")), "mark")
        .expr_as(Expr::col(reading_progress::Column::SecondsSpent), "seconds")
        .expr_as(Expr::col(reading_progress::Column::CompletedAt), "completed_at")
        .expr_as(Expr::col(reading_progress::Column::UpdatedAt), "updated_at")
        .from(reading_progress::Entity)
        .and_where(reading_progress::Column::UserId.eq(user_id))
        .and_where(reading_progress::Column::PostId.is_in(post_ids.iter().copied()))
        .to_owned()
}

/// The `mark` of a progress row in the viewer's marks.
pub const PROGRESS_MARK: &str = "PROGRESS";

/// Everyone with progress on any of these posts, each once.
pub async fn readers_of_posts(db: &impl ConnectionTrait, post_ids: &[Uuid]) -> AppResult<Vec<Uuid>> {
    if post_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(reading_progress::Entity::find()
        .select_only()
        .column(reading_progress::Column::UserId)
        .distinct()
        .filter(reading_progress::Column::PostId.is_in(post_ids.iter().copied()))
        .into_tuple()
        .all(db)
        .await?)
}

/// How far a reader is through a series.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesProgress {
    pub completed_count: usize,
    pub total_count: usize,
    /// The first post, in reading order, not completed yet.
    pub next_post: Option<post::Model>,
    /// When the last post was completed, once every post is.
    pub completed_at: Option<DateTime<Utc>>,
}

impl SeriesProgress {
    /// Completed share of the posts, 0–100 (0 for an empty series).
    pub fn percent(&self) -> f64 {
        if self.total_count == 0 { 0.0 } else { self.completed_count as f64 * 100.0 / self.total_count as f64 }
    }
}

/// Progress through `posts` (a series' posts the reader may read, in reading
/// order), given the reader's progress rows by post id.
pub fn series_progress(posts: &[post::Model], progress: &HashMap<Uuid, reading_progress::Model>) -> SeriesProgress {
    let completed = |p: &post::Model| progress.get(&p.id).and_then(|row| row.completed_at);
    let completed_count = posts.iter().filter(|p| completed(p).is_some()).count();
    let all_done = !posts.is_empty() && completed_count == posts.len();
    SeriesProgress {
        completed_count,
        total_count: posts.len(),
        next_post: posts.iter().find(|p| completed(p).is_none()).cloned(),
        completed_at: if all_done { posts.iter().filter_map(completed).max() } else { None },
    }
}

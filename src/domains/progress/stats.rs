//! Reading history and learning statistics: the posts a reader read, latest
//! first; and from the reading time per post and day (in the reader's time
//! zone), minutes per day and per week, topics by time, a calendar of active
//! days, posts and series finished, and the streak.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use chrono_tz::Tz;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, JoinType, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    RelationTrait,
    sea_query::{Alias, Expr, Func, OnConflict},
};
use uuid::Uuid;

use super::service::{progress_of_posts, series_progress};
use crate::{
    auth::Viewer,
    domains::{engagement::service as engagement, posts::service as posts, tags::service as tags},
    error::{AppError, AppResult},
    pagination::{Cursor, Key, Page, PageArgs, Sort, paginate},
};
use entity::{activity_day, post, post_tag, reading_day, reading_progress, tag, user_stats};

/// Most days one statistics request covers (a year's calendar, leap or not).
pub const MAX_DAYS: i32 = 366;
/// Weeks in the per-week series (the current one last).
pub const WEEKS: u32 = 12;
/// Topics listed, most read first.
pub const TOP_TOPICS: u64 = 10;

/// Adds `seconds` of reading `post_id` to `user_id`'s `day` (saturating).
pub async fn record_day(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    post_id: Uuid,
    day: NaiveDate,
    seconds: i32,
) -> AppResult<()> {
    if seconds <= 0 {
        return Ok(());
    }
    let stored = Expr::col((reading_day::Entity, reading_day::Column::Seconds));
    let incoming = Expr::col((Alias::new("excluded"), reading_day::Column::Seconds));
    let total = super::service::saturating_sum(stored, incoming);
    let upsert =
        OnConflict::columns([reading_day::Column::UserId, reading_day::Column::Day, reading_day::Column::PostId])
            .value(reading_day::Column::Seconds, total)
            .to_owned();
    let row = reading_day::ActiveModel {
        user_id: sea_orm::Set(user_id),
        post_id: sea_orm::Set(post_id),
        day: sea_orm::Set(day),
        seconds: sea_orm::Set(seconds),
    };
    reading_day::Entity::insert(row).on_conflict(upsert).exec_without_returning(db).await?;
    Ok(())
}

/// The viewer's reading of posts they can still open, most recently read first.
pub async fn history(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    args: &PageArgs,
) -> AppResult<Page<reading_progress::Model>> {
    let user_id = viewer.require_signed_in()?;
    let select = reading_progress::Entity::find()
        .filter(reading_progress::Column::UserId.eq(user_id))
        .filter(reading_progress::Column::PostId.in_subquery(posts::readable_ids(viewer, db.get_database_backend())));
    let sort = Sort { column: Some(reading_progress::Column::UpdatedAt), descending: true };
    let cursor_of = |r: &reading_progress::Model| Cursor { key: Key::Time(r.updated_at), id: r.post_id };
    paginate(db, select, reading_progress::Column::PostId, sort, cursor_of, args).await
}

/// One day of the calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayActivity {
    pub day: NaiveDate,
    pub seconds: i64,
    /// Something counted for the streak that day (a finished post, a comment).
    pub active: bool,
    /// A missed day a streak freeze covered.
    pub frozen: bool,
}

/// Reading time in one ISO week.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeekActivity {
    /// The week's Monday.
    pub week_start: NaiveDate,
    pub seconds: i64,
}

/// Reading time on posts with one tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicTime {
    pub tag: tag::Model,
    pub seconds: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LearningStats {
    pub time_zone: Tz,
    pub posts_finished: u64,
    pub series_finished: u64,
    /// All reading time ever recorded.
    pub total_seconds: i64,
    /// Every day from `days` days ago to today (the reader's dates), oldest first.
    pub days: Vec<DayActivity>,
    /// The last `WEEKS` ISO weeks, oldest first, the current one last.
    pub weeks: Vec<WeekActivity>,
    /// The most read tags, all time.
    pub topics: Vec<TopicTime>,
    pub current_streak: i32,
    pub longest_streak: i32,
}

fn monday_of(day: NaiveDate) -> NaiveDate {
    day - chrono::Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// The reader's statistics over the last `days` days (1–366), as of `now`.
pub async fn learning_stats(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    days: i32,
    now: DateTime<Utc>,
) -> AppResult<LearningStats> {
    let user_id = viewer.require_signed_in()?;
    if !(1..=MAX_DAYS).contains(&days) {
        return Err(AppError::bad_input("days", format!("`days` is between 1 and {MAX_DAYS}")));
    }
    let zone = engagement::zone_of(db, user_id).await?.ok_or(AppError::NotFound("User"))?;
    let today = now.with_timezone(&zone).date_naive();
    let first_day = today - chrono::Duration::days(i64::from(days - 1));
    let first_week = monday_of(today) - chrono::Duration::weeks(i64::from(WEEKS - 1));

    let per_day: Vec<(NaiveDate, Option<i64>)> = reading_day::Entity::find()
        .select_only()
        .column(reading_day::Column::Day)
        .column_as(Expr::from(Func::sum(Expr::col(reading_day::Column::Seconds))), "seconds")
        .filter(reading_day::Column::UserId.eq(user_id))
        .filter(reading_day::Column::Day.gte(std::cmp::Ord::min(first_day, first_week)))
        .group_by(reading_day::Column::Day)
        .into_tuple()
        .all(db)
        .await?;
    let per_day: HashMap<NaiveDate, i64> = per_day.into_iter().map(|(d, s)| (d, s.unwrap_or(0))).collect();
    let marked: HashMap<NaiveDate, bool> = activity_day::Entity::find()
        .filter(activity_day::Column::UserId.eq(user_id))
        .filter(activity_day::Column::Day.gte(first_day))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.day, a.frozen_day))
        .collect();
    let calendar = first_day
        .iter_days()
        .take_while(|d| *d <= today)
        .map(|day| DayActivity {
            day,
            seconds: per_day.get(&day).copied().unwrap_or(0),
            active: marked.get(&day).is_some_and(|frozen| !frozen),
            frozen: marked.get(&day).copied().unwrap_or(false),
        })
        .collect();
    let weeks = (0..WEEKS)
        .filter_map(|n| first_week.checked_add_days(Days::new(7 * u64::from(n))))
        .map(|week_start| WeekActivity {
            week_start,
            seconds: (0..7)
                .filter_map(|d| week_start.checked_add_days(Days::new(d)))
                .map(|d| per_day.get(&d).copied().unwrap_or(0))
                .sum(),
        })
        .collect();

    let topic_seconds: Vec<(Uuid, Option<i64>)> = reading_day::Entity::find()
        .select_only()
        .column_as(Expr::col((post_tag::Entity, post_tag::Column::TagId)), "tag_id")
        .column_as(Expr::from(Func::sum(Expr::col((reading_day::Entity, reading_day::Column::Seconds)))), "seconds")
        .join(JoinType::InnerJoin, reading_day_tags())
        .filter(reading_day::Column::UserId.eq(user_id))
        .group_by(Expr::col((post_tag::Entity, post_tag::Column::TagId)))
        .order_by_desc(Expr::cust("seconds"))
        .order_by_asc(Expr::col((post_tag::Entity, post_tag::Column::TagId)))
        .limit(TOP_TOPICS)
        .into_tuple()
        .all(db)
        .await?;
    let tag_ids: Vec<Uuid> = topic_seconds.iter().map(|(id, _)| *id).collect();
    let mut by_id: HashMap<Uuid, tag::Model> =
        tags::by_ids(db, &tag_ids).await?.into_iter().map(|t| (t.id, t)).collect();
    let topics = topic_seconds
        .into_iter()
        .filter_map(|(id, seconds)| Some(TopicTime { tag: by_id.remove(&id)?, seconds: seconds.unwrap_or(0) }))
        .collect();

    let total_seconds: Option<Option<i64>> = reading_progress::Entity::find()
        .select_only()
        .column_as(Expr::from(Func::sum(Expr::col(reading_progress::Column::SecondsSpent))), "seconds")
        .filter(reading_progress::Column::UserId.eq(user_id))
        .into_tuple()
        .one(db)
        .await?;
    let finished = reading_progress::Entity::find()
        .filter(reading_progress::Column::UserId.eq(user_id))
        .filter(reading_progress::Column::CompletedAt.is_not_null());
    let posts_finished = finished.clone().count(db).await?;
    let series_ids: Vec<Option<Uuid>> = finished
        .select_only()
        .column(post::Column::SeriesId)
        .distinct()
        .join(JoinType::InnerJoin, reading_progress::Relation::Post.def())
        .filter(post::Column::SeriesId.is_not_null())
        .into_tuple()
        .all(db)
        .await?;
    let series_ids: Vec<Uuid> = series_ids.into_iter().flatten().collect();
    let series_finished = series_finished(db, viewer, user_id, &series_ids).await?;

    let stats = user_stats::Entity::find_by_id(user_id).one(db).await?;
    Ok(LearningStats {
        time_zone: zone,
        posts_finished,
        series_finished,
        total_seconds: total_seconds.flatten().unwrap_or(0),
        days: calendar,
        weeks,
        topics,
        current_streak: stats.as_ref().map_or(0, |s| engagement::current_streak(s, today)),
        longest_streak: stats.as_ref().map_or(0, |s| s.longest_streak),
    })
}

/// reading_days → post_tags on the post.
fn reading_day_tags() -> sea_orm::RelationDef {
    use sea_orm::EntityTrait as _;
    reading_day::Entity::belongs_to(post_tag::Entity)
        .from(reading_day::Column::PostId)
        .to(post_tag::Column::PostId)
        .into()
}

/// Of these series, how many the reader has finished (every post they may read).
async fn series_finished(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    user_id: Uuid,
    series_ids: &[Uuid],
) -> AppResult<u64> {
    let by_series = posts::posts_of_series(db, viewer, series_ids).await?;
    let post_ids: Vec<Uuid> = by_series.values().flatten().map(|p| p.id).collect();
    let progress = progress_of_posts(db, user_id, &post_ids).await?;
    Ok(by_series.values().filter(|posts| series_progress(posts, &progress).completed_at.is_some()).count() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_start_on_monday() {
        let sunday = NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
        assert_eq!(monday_of(sunday), NaiveDate::from_ymd_opt(2026, 11, 30).unwrap());
        let monday = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        assert_eq!(monday_of(monday), monday);
    }
}

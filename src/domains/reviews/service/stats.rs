//! A reader's review statistics: reviews per day over the last 30 days of
//! their own calendar (their time zone), retention (the share of reviews of
//! cards in REVIEW state not graded AGAIN), cards by state, and what is due
//! now and by the end of their day.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
    sea_query::{Expr, Func},
};

use super::cards::{due_count, next_due};
use crate::{
    auth::Viewer,
    domains::{engagement::service as engagement, posts::service as posts},
    error::AppResult,
};
use entity::{
    review_card::{self, CardState},
    review_log::{self, Grade},
};

/// Days `days` covers, today included.
pub const STATS_DAYS: i64 = 30;

/// Reviews on one of the reader's days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayCount {
    pub date: NaiveDate,
    pub reviews: u32,
    /// Of them, graded AGAIN.
    pub again: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReviewStats {
    pub zone: Tz,
    /// The last [`STATS_DAYS`] days, oldest first, days without reviews included.
    pub days: Vec<DayCount>,
    /// Reviews of cards that were in REVIEW state, over the same days.
    pub mature_reviews: u32,
    /// Their share not graded AGAIN; None without any.
    pub retention: Option<f64>,
    pub new: u64,
    pub learning: u64,
    pub review: u64,
    pub relearning: u64,
    pub due_now: u64,
    /// Due by the end of the reader's day.
    pub due_today: u64,
    /// When the earliest-due card is due (maybe already); None without cards.
    pub next_due: Option<DateTime<Utc>>,
}

/// The first instant of `date` in `zone` (DST-safe).
fn start_of(zone: Tz, date: NaiveDate) -> DateTime<Utc> {
    // Noon exists on every date in every zone; the ledger finds the day's first instant from there.
    let noon = zone.from_local_datetime(&date.and_time(NaiveTime::from_hms_opt(12, 0, 0).unwrap_or(NaiveTime::MIN)));
    let noon = noon.earliest().map_or_else(|| date.and_time(NaiveTime::MIN).and_utc(), |n| n.with_timezone(&Utc));
    engagement::start_of_day(zone, noon)
}

/// Groups reviews (instant, grade, state before) into the reader's days from `first` to `today`.
pub fn per_day(
    zone: Tz,
    first: NaiveDate,
    today: NaiveDate,
    reviews: &[(DateTime<Utc>, Grade, CardState)],
) -> (Vec<DayCount>, u32, Option<f64>) {
    let mut days: BTreeMap<NaiveDate, DayCount> = first
        .iter_days()
        .take_while(|d| *d <= today)
        .map(|date| (date, DayCount { date, reviews: 0, again: 0 }))
        .collect();
    let (mut mature, mut recalled) = (0u32, 0u32);
    for (at, grade, before) in reviews {
        let Some(day) = days.get_mut(&at.with_timezone(&zone).date_naive()) else { continue };
        day.reviews += 1;
        if *grade == Grade::Again {
            day.again += 1;
        }
        if *before == CardState::Review {
            mature += 1;
            if *grade != Grade::Again {
                recalled += 1;
            }
        }
    }
    let retention = (mature > 0).then(|| f64::from(recalled) / f64::from(mature));
    (days.into_values().collect(), mature, retention)
}

/// The viewer's statistics at `now`.
pub async fn stats(db: &impl ConnectionTrait, viewer: &Viewer, now: DateTime<Utc>) -> AppResult<ReviewStats> {
    let user_id = viewer.require_signed_in()?;
    let zone = engagement::zone_of(db, user_id).await?.unwrap_or(chrono_tz::UTC);
    let today = now.with_timezone(&zone).date_naive();
    let first = today - Duration::days(STATS_DAYS - 1);
    let reviews: Vec<(DateTime<Utc>, Grade, CardState)> = review_log::Entity::find()
        .select_only()
        .columns([review_log::Column::ReviewedAt, review_log::Column::Grade, review_log::Column::StateBefore])
        .filter(review_log::Column::UserId.eq(user_id))
        .filter(review_log::Column::ReviewedAt.gte(start_of(zone, first)))
        .into_tuple()
        .all(db)
        .await?;
    let (days, mature_reviews, retention) = per_day(zone, first, today, &reviews);
    let by_state: Vec<(CardState, i64)> = review_card::Entity::find()
        .select_only()
        .column(review_card::Column::State)
        .column_as(Expr::from(Func::count(Expr::col(review_card::Column::Id))), "cards")
        .filter(review_card::Column::UserId.eq(user_id))
        .filter(review_card::Column::PostId.not_in_subquery(posts::unreadable_ids(viewer)))
        .group_by(review_card::Column::State)
        .into_tuple()
        .all(db)
        .await?;
    let count = |state: CardState| by_state.iter().find(|(s, _)| *s == state).map_or(0, |(_, n)| *n as u64);
    let end_of_today = start_of(zone, today + Duration::days(1)) - Duration::microseconds(1);
    Ok(ReviewStats {
        zone,
        days,
        mature_reviews,
        retention,
        new: count(CardState::New),
        learning: count(CardState::Learning),
        review: count(CardState::Review),
        relearning: count(CardState::Relearning),
        due_now: due_count(db, viewer, now).await?,
        due_today: due_count(db, viewer, end_of_today.max(now)).await?,
        next_due: next_due(db, viewer).await?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reviews_fall_on_the_readers_own_days() {
        let auckland: Tz = "Pacific/Auckland".parse().unwrap();
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let date = |s: &str| s.parse::<NaiveDate>().unwrap();
        // 10:30 and 11:30 UTC on 5 December are 23:30 on the 5th and 00:30 on the 6th in Auckland (UTC+13).
        let reviews = [
            (at("2026-12-05T10:30:00Z"), Grade::Good, CardState::Review),
            (at("2026-12-05T11:30:00Z"), Grade::Again, CardState::Review),
            (at("2026-12-05T11:40:00Z"), Grade::Again, CardState::Learning),
            (at("2026-11-01T00:00:00Z"), Grade::Good, CardState::Review),
        ];
        let (days, mature, retention) = per_day(auckland, date("2026-12-04"), date("2026-12-07"), &reviews);
        let counts: Vec<(String, u32, u32)> = days.iter().map(|d| (d.date.to_string(), d.reviews, d.again)).collect();
        assert_eq!(
            counts,
            [
                ("2026-12-04".into(), 0, 0),
                ("2026-12-05".into(), 1, 0),
                ("2026-12-06".into(), 2, 2),
                ("2026-12-07".into(), 0, 0)
            ]
        );
        // Outside the window: not counted. Of the two REVIEW-state reviews inside, one was recalled.
        assert_eq!((mature, retention), (2, Some(0.5)));
        assert_eq!(per_day(auckland, date("2026-12-04"), date("2026-12-04"), &[]).2, None);
    }

    #[test]
    fn a_day_starts_at_local_midnight() {
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        let date = "2026-10-25".parse::<NaiveDate>().unwrap();
        assert_eq!(start_of(berlin, date), "2026-10-24T22:00:00Z".parse::<DateTime<Utc>>().unwrap());
        assert_eq!(start_of(chrono_tz::UTC, date), "2026-10-25T00:00:00Z".parse::<DateTime<Utc>>().unwrap());
    }
}

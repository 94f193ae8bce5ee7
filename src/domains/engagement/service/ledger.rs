//! The XP ledger: every award is a row, given once per (user, source kind,
//! source key), and the user's total moves with it in the same transaction.
//! Levels follow from the total.

use chrono::{DateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set,
    sea_query::{Alias, Expr, Func, OnConflict},
};
use uuid::Uuid;

use super::boards::{self, LeaderboardPeriod};
use crate::{
    domains::notifications::{self, service::Notice},
    error::AppResult,
    write::Write,
};
use entity::{user_stats, xp_award};

/// What earned an award. Stored as its SCREAMING_SNAKE name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, async_graphql::Enum)]
#[graphql(name = "XpSource")]
pub enum XpSource {
    /// Finishing a post, read for a plausible time (key: the post).
    PostRead,
    /// Finishing every post of a series (key: the series).
    SeriesFinished,
    /// A streak milestone (key: the day count).
    Streak,
    /// A badge (key: its slug).
    Badge,
    /// A referred account that qualified (key: that account).
    Referral,
    /// Reviewing a spaced-repetition card (key: the card and the reader's local date, so
    /// reviewing one card again the same day earns nothing).
    Review,
}

impl XpSource {
    pub const ALL: [XpSource; 6] = [
        XpSource::PostRead,
        XpSource::SeriesFinished,
        XpSource::Streak,
        XpSource::Badge,
        XpSource::Referral,
        XpSource::Review,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            XpSource::PostRead => "POST_READ",
            XpSource::SeriesFinished => "SERIES_FINISHED",
            XpSource::Streak => "STREAK",
            XpSource::Badge => "BADGE",
            XpSource::Referral => "REFERRAL",
            XpSource::Review => "REVIEW",
        }
    }

    pub fn parse(raw: &str) -> Option<XpSource> {
        XpSource::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// Sources that count against the daily cap (what a reader can repeat at will).
    pub fn capped(self) -> bool {
        matches!(self, XpSource::PostRead | XpSource::SeriesFinished | XpSource::Review)
    }
}

/// XP a level starts at: level 1 at 0, level 2 at 100, then 400, 900, … (100·(L−1)²).
pub fn xp_for_level(level: i32) -> i64 {
    let steps = i64::from(level.max(1) - 1);
    100 * steps * steps
}

/// The level `xp` reaches: 1 + ⌊√(xp / 100)⌋.
pub fn level_for(xp: i64) -> i32 {
    let mut level = ((xp.max(0) as f64 / 100.0).sqrt().floor() as i32).max(0) + 1;
    // Correct the float's rounding at exact squares either way.
    while xp_for_level(level + 1) <= xp {
        level += 1;
    }
    while level > 1 && xp_for_level(level) > xp {
        level -= 1;
    }
    level
}

/// XP into the current level, and XP the level needs in all to reach the next.
pub fn level_progress(xp: i64) -> (i64, i64) {
    let level = level_for(xp);
    (xp - xp_for_level(level), xp_for_level(level + 1) - xp_for_level(level))
}

/// What one award did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Awarded {
    pub user_id: Uuid,
    pub source: XpSource,
    /// After the daily cap (0 when the cap was reached).
    pub amount: i32,
    /// The user's total after it.
    pub xp: i64,
    pub level_before: i32,
    pub level: i32,
}

/// The start of `now`'s day in `zone`, as a UTC instant (DST-safe: the first
/// instant of the local date that exists).
pub fn start_of_day(zone: Tz, now: DateTime<Utc>) -> DateTime<Utc> {
    let date = now.with_timezone(&zone).date_naive();
    let mut time = NaiveTime::MIN;
    for _ in 0..48 {
        if let Some(start) = zone.from_local_datetime(&date.and_time(time)).earliest() {
            return start.with_timezone(&Utc);
        }
        // A day that starts inside a DST gap (some zones skip midnight): the next half hour that exists.
        time += chrono::Duration::minutes(30);
    }
    now
}

/// Gives `user_id` `amount` XP for (`source`, `key`) unless that was given
/// before: the row, the total, the level-up notice and the leaderboard changes
/// all ride on `write`. Capped sources are cut to what is left of the user's
/// daily cap (in their time zone); a capped-out award is still recorded, with
/// 0 XP, so repeating the action later earns nothing either. `None` when the
/// award was given before.
#[allow(clippy::too_many_arguments)]
pub async fn award(
    write: &Write,
    daily_cap: i32,
    user_id: Uuid,
    zone: Tz,
    source: XpSource,
    key: &str,
    amount: i32,
    now: DateTime<Utc>,
) -> AppResult<Option<Awarded>> {
    let amount = if source.capped() {
        let capped: Vec<&str> = XpSource::ALL.into_iter().filter(|s| s.capped()).map(XpSource::as_str).collect();
        let today: Option<Option<i64>> = xp_award::Entity::find()
            .select_only()
            .column_as(Expr::from(Func::sum(Expr::col(xp_award::Column::Amount))), "total")
            .filter(xp_award::Column::UserId.eq(user_id))
            .filter(xp_award::Column::SourceKind.is_in(capped))
            .filter(xp_award::Column::CreatedAt.gte(start_of_day(zone, now)))
            .into_tuple()
            .one(write)
            .await?;
        let used = today.flatten().unwrap_or(0);
        amount.min((i64::from(daily_cap) - used).clamp(0, i64::from(i32::MAX)) as i32).max(0)
    } else {
        amount.max(0)
    };
    let row = xp_award::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        source_kind: Set(source.as_str().to_owned()),
        source_key: Set(key.to_owned()),
        amount: Set(amount),
        created_at: Set(now),
    };
    let once =
        OnConflict::columns([xp_award::Column::UserId, xp_award::Column::SourceKind, xp_award::Column::SourceKey])
            .do_nothing()
            .to_owned();
    let inserted = xp_award::Entity::insert(row).on_conflict(once).exec_without_returning(write).await?;
    if inserted == 0 {
        return Ok(None);
    }
    let xp = add_to_total(write, user_id, i64::from(amount), now).await?;
    let level_before = level_for(xp - i64::from(amount));
    let level = level_for(xp);
    if amount > 0 {
        for period in LeaderboardPeriod::ALL {
            write.add_score(boards::board_key(period, now), user_id, i64::from(amount), boards::ttl(period));
            write.publish(boards::topic(period), &serde_json::Value::Null);
        }
    }
    if level > level_before {
        let notice = Notice {
            user_id,
            kind: notifications::Kind::LevelUp,
            title: format!("You reached level {level}"),
            message: format!("{xp} XP so far. {} XP to level {}.", xp_for_level(level + 1) - xp, level + 1),
            link: Some("/profile".into()),
        };
        notifications::service::store(write, vec![notice]).await?;
    }
    Ok(Some(Awarded { user_id, source, amount, xp, level_before, level }))
}

/// Adds `amount` to the user's total (making their stats row if needed) and returns the new total.
async fn add_to_total(db: &impl ConnectionTrait, user_id: Uuid, amount: i64, now: DateTime<Utc>) -> AppResult<i64> {
    use sea_orm::sea_query::ExprTrait;
    let stored = Expr::col((user_stats::Entity, user_stats::Column::Xp));
    let incoming = Expr::col((Alias::new("excluded"), user_stats::Column::Xp));
    let upsert = OnConflict::column(user_stats::Column::UserId)
        .value(user_stats::Column::Xp, stored.add(incoming))
        .update_column(user_stats::Column::UpdatedAt)
        .to_owned();
    user_stats::Entity::insert(user_stats::ActiveModel { xp: Set(amount), ..empty_stats(user_id, now) })
        .on_conflict(upsert)
        .exec_without_returning(db)
        .await?;
    let xp: Option<i64> = user_stats::Entity::find_by_id(user_id)
        .select_only()
        .column(user_stats::Column::Xp)
        .into_tuple()
        .one(db)
        .await?;
    Ok(xp.unwrap_or(amount))
}

/// A stats row with nothing in it yet.
pub fn empty_stats(user_id: Uuid, now: DateTime<Utc>) -> user_stats::ActiveModel {
    user_stats::ActiveModel {
        user_id: Set(user_id),
        xp: Set(0),
        current_streak: Set(0),
        longest_streak: Set(0),
        last_active_day: Set(None),
        streak_freezes: Set(0),
        freeze_progress: Set(0),
        updated_at: Set(now),
    }
}

/// Each user's XP from the awards made in [`from`, `until`) (either end open), by the ledger.
pub async fn xp_by_user(
    db: &impl ConnectionTrait,
    from: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
) -> AppResult<Vec<(Uuid, i64)>> {
    let mut query = xp_award::Entity::find()
        .select_only()
        .column(xp_award::Column::UserId)
        .column_as(Expr::from(Func::sum(Expr::col(xp_award::Column::Amount))), "total")
        .group_by(xp_award::Column::UserId);
    if let Some(from) = from {
        query = query.filter(xp_award::Column::CreatedAt.gte(from));
    }
    if let Some(until) = until {
        query = query.filter(xp_award::Column::CreatedAt.lt(until));
    }
    let sums: Vec<(Uuid, Option<i64>)> = query.into_tuple().all(db).await?;
    Ok(sums.into_iter().map(|(user, total)| (user, total.unwrap_or(0))).collect())
}

/// Sets every user's total to the sum of their awards (after a restore, or to
/// check the books); returns how many totals changed.
pub async fn rebuild_totals(db: &impl ConnectionTrait) -> AppResult<u64> {
    let mut sums: std::collections::HashMap<Uuid, i64> = xp_by_user(db, None, None).await?.into_iter().collect();
    let stats: Vec<(Uuid, i64)> = user_stats::Entity::find()
        .select_only()
        .columns([user_stats::Column::UserId, user_stats::Column::Xp])
        .into_tuple()
        .all(db)
        .await?;
    let now = Utc::now();
    let mut changed = 0;
    for (user_id, xp) in stats {
        // What is left in `sums` afterwards are users with awards and no stats row yet.
        let total = sums.remove(&user_id).unwrap_or(0);
        if total != xp {
            user_stats::Entity::update_many()
                .col_expr(user_stats::Column::Xp, Expr::value(total))
                .filter(user_stats::Column::UserId.eq(user_id))
                .exec(db)
                .await?;
            changed += 1;
        }
    }
    for (user_id, total) in sums {
        user_stats::Entity::insert(user_stats::ActiveModel { xp: Set(total), ..empty_stats(user_id, now) })
            .exec_without_returning(db)
            .await?;
        changed += 1;
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_level_curve() {
        assert_eq!(level_for(0), 1);
        assert_eq!(level_for(99), 1);
        assert_eq!(level_for(100), 2);
        assert_eq!(level_for(399), 2);
        assert_eq!(level_for(400), 3);
        assert_eq!(level_for(-5), 1);
        for level in 1..2_000 {
            assert_eq!(level_for(xp_for_level(level)), level, "at the start of {level}");
            assert_eq!(level_for(xp_for_level(level) - 1), (level - 1).max(1), "just before {level}");
        }
        assert_eq!(level_progress(150), (50, 300));
        assert_eq!(level_progress(0), (0, 100));
    }

    #[test]
    fn a_day_starts_at_local_midnight_even_across_dst() {
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        // 2026-03-29 is the spring-forward day in Berlin; 00:30 UTC is 01:30 local (still CET).
        let now = "2026-03-29T00:30:00Z".parse::<DateTime<Utc>>().unwrap();
        assert_eq!(start_of_day(berlin, now), "2026-03-28T23:00:00Z".parse::<DateTime<Utc>>().unwrap());
        // After the change (CEST, UTC+2): the same local day, the same start.
        let later = "2026-03-29T20:00:00Z".parse::<DateTime<Utc>>().unwrap();
        assert_eq!(start_of_day(berlin, later), "2026-03-28T23:00:00Z".parse::<DateTime<Utc>>().unwrap());
        // Santiago skips 00:00–01:00 when DST starts (2026-09-06): the day starts at 01:00 local.
        let santiago: Tz = "America/Santiago".parse().unwrap();
        let now = "2026-09-06T12:00:00Z".parse::<DateTime<Utc>>().unwrap();
        let start = start_of_day(santiago, now);
        assert_eq!(start.with_timezone(&santiago).date_naive(), now.with_timezone(&santiago).date_naive());
        assert!(start < now);
    }

    #[test]
    fn sources_round_trip() {
        for source in XpSource::ALL {
            assert_eq!(XpSource::parse(source.as_str()), Some(source));
        }
        assert_eq!(XpSource::parse("post_read"), None);
    }
}

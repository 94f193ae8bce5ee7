//! Engagement rules. What is where (all re-exported here):
//! - `ledger`: XP awards (once per source), totals, the level curve, the daily cap.
//! - `streaks`: active days in the reader's time zone, streaks, freezes, milestones.
//! - `badges`: the catalogue, criteria, the evaluation job, grants.
//! - `boards`: the weekly, monthly and all-time leaderboards, live tops.
//! - `referrals`: codes, referring, rewarding, self-referral.
//!
//! Other domains call the hooks below from their own writes (a finished post,
//! a comment, a verified address), so XP, streaks and the jobs that follow
//! commit with the change that earned them.

mod badges;
mod boards;
mod ledger;
mod referrals;
mod streaks;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

pub use badges::*;
pub use boards::*;
pub use ledger::*;
pub use referrals::*;
pub use streaks::*;

use crate::{
    auth::Viewer,
    error::{AppError, AppResult},
    jobs::Job,
    state::AppState,
    write::Write,
};
use entity::{user, user_stats, xp_award};

/// A user's time zone, or None when there is no such user. A stored zone
/// that no longer parses (a renamed IANA zone) reads as UTC.
pub async fn zone_of(db: &impl ConnectionTrait, user_id: Uuid) -> AppResult<Option<Tz>> {
    let zone: Option<String> =
        user::Entity::find_by_id(user_id).select_only().column(user::Column::TimeZone).into_tuple().one(db).await?;
    Ok(zone.map(|z| z.parse().unwrap_or(chrono_tz::UTC)))
}

/// Parses an IANA time zone name (`Europe/Berlin`); BAD_USER_INPUT on `field` otherwise.
pub fn parse_zone(field: &'static str, raw: &str) -> AppResult<Tz> {
    let raw = raw.trim();
    if raw.len() > 64 {
        return Err(AppError::bad_input(field, "A time zone name has at most 64 characters"));
    }
    raw.parse::<Tz>()
        .map_err(|_| AppError::bad_input(field, format!("{raw:?} is not an IANA time zone (e.g. Europe/Berlin)")))
}

/// The reading time (all sessions added up) that makes a read of a post of
/// `minutes` plausible: `min_percent` of it, never under 10 s.
pub fn seconds_for_xp(minutes: i32, min_percent: i32) -> i32 {
    let needed = (i64::from(minutes.max(1)) * 60 * i64::from(min_percent)) / 100;
    i32::try_from(needed.max(10)).unwrap_or(i32::MAX)
}

/// Whether a read of `seconds` (in all) is long enough to earn XP for a post of `minutes`.
pub fn plausible_read(seconds: i32, minutes: i32, min_percent: i32) -> bool {
    seconds >= seconds_for_xp(minutes, min_percent)
}

/// A post was read for `seconds_total` in all: when plausible, XP for the post
/// (and for its series once every post is finished), the day for the streak,
/// the referral it may settle, and the badge check, all with `write`.
/// `series_finished` says whether this read finished the post's series.
#[allow(clippy::too_many_arguments)]
pub async fn on_post_read(
    write: &Write,
    state: &AppState,
    user_id: Uuid,
    post_id: Uuid,
    reading_minutes: i32,
    seconds_total: i32,
    series_finished: Option<Uuid>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let config = &state.config.engagement;
    if !plausible_read(seconds_total, reading_minutes, config.read_min_percent) {
        return Ok(());
    }
    let Some(zone) = zone_of(write, user_id).await? else { return Ok(()) };
    let cap = config.xp_daily_cap;
    let post_key = post_id.to_string();
    let read = award(write, cap, user_id, zone, XpSource::PostRead, &post_key, config.xp_post_read, now);
    let mut changed = read.await?.is_some();
    if let Some(series_id) = series_finished {
        let key = series_id.to_string();
        let finished = award(write, cap, user_id, zone, XpSource::SeriesFinished, &key, config.xp_series_finished, now);
        changed |= finished.await?.is_some();
    }
    changed |= record_activity(write, config, user_id, zone, now).await?.is_some();
    settle(write, config, user_id, now).await?;
    // A re-read of a finished post on a day that already counted changes nothing a badge looks at.
    if changed {
        write.enqueue(&Job::EvaluateBadges { user: user_id }).await?;
    }
    Ok(())
}

/// A comment was written: the day counts for the streak, and badges are checked.
pub async fn on_comment(write: &Write, state: &AppState, user_id: Uuid, now: DateTime<Utc>) -> AppResult<()> {
    let Some(zone) = zone_of(write, user_id).await? else { return Ok(()) };
    record_activity(write, &state.config.engagement, user_id, zone, now).await?;
    write.enqueue(&Job::EvaluateBadges { user: user_id }).await?;
    Ok(())
}

/// An address was verified: a pending referral of the account may be rewarded.
pub async fn on_email_verified(write: &Write, state: &AppState, user_id: Uuid) -> AppResult<()> {
    settle(write, &state.config.engagement, user_id, Utc::now()).await
}

/// Level, XP and streak of a user, as anyone allowed to see them reads them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    pub xp: i64,
    pub level: i32,
    pub xp_into_level: i64,
    pub xp_for_level: i64,
    /// The streak as it stands today (0 once lapsed).
    pub current_streak: i32,
    pub longest_streak: i32,
    pub streak_freezes: i32,
}

/// Each user's standing (users with no stats yet stand at zero).
pub async fn standings(
    db: &impl ConnectionTrait,
    users: &[(Uuid, String)],
    now: DateTime<Utc>,
) -> AppResult<std::collections::HashMap<Uuid, Standing>> {
    let stats: std::collections::HashMap<Uuid, user_stats::Model> = user_stats::Entity::find()
        .filter(user_stats::Column::UserId.is_in(users.iter().map(|(id, _)| *id)))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.user_id, s))
        .collect();
    Ok(users
        .iter()
        .map(|(id, zone)| {
            let zone: Tz = zone.parse().unwrap_or(chrono_tz::UTC);
            let today = now.with_timezone(&zone).date_naive();
            let stats = stats.get(id);
            let xp = stats.map_or(0, |s| s.xp);
            let (into, needed) = level_progress(xp);
            let standing = Standing {
                xp,
                level: level_for(xp),
                xp_into_level: into,
                xp_for_level: needed,
                current_streak: stats.map_or(0, |s| current_streak(s, today)),
                longest_streak: stats.map_or(0, |s| s.longest_streak),
                streak_freezes: stats.map_or(0, |s| s.streak_freezes),
            };
            (*id, standing)
        })
        .collect())
}

/// Whether `viewer` may see `user`'s level, XP, streak, badges and activity.
pub fn profile_visible(viewer: &Viewer, user: &user::Model) -> bool {
    !user.profile_private || viewer.is_owner_or_admin(user.id)
}

/// The user's latest awards with XP, newest first (at most `limit`, ≤ 50).
pub async fn recent_awards(db: &impl ConnectionTrait, user_id: Uuid, limit: u64) -> AppResult<Vec<xp_award::Model>> {
    Ok(xp_award::Entity::find()
        .filter(xp_award::Column::UserId.eq(user_id))
        .filter(xp_award::Column::Amount.gt(0))
        .order_by_desc(xp_award::Column::CreatedAt)
        .order_by_desc(xp_award::Column::Id)
        .limit(limit.min(50))
        .all(db)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plausible_read_takes_a_share_of_the_reading_time() {
        // 25 % of a 4-minute post is 60 s.
        assert!(!plausible_read(59, 4, 25));
        assert!(plausible_read(60, 4, 25));
        // Never less than 10 s, whatever the settings.
        assert!(!plausible_read(9, 1, 0));
        assert!(plausible_read(10, 1, 0));
        assert_eq!(seconds_for_xp(4, 25), 60);
        assert_eq!(seconds_for_xp(0, 100), 60, "a post under a minute counts as one");
        assert_eq!(seconds_for_xp(i32::MAX, 100), i32::MAX, "no overflow");
        assert!(parse_zone("timeZone", "Europe/Berlin").is_ok());
        assert!(parse_zone("timeZone", "Mars/Olympus").is_err());
        assert!(parse_zone("timeZone", "").is_err());
    }
}

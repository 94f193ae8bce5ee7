//! Streaks: consecutive days, in the reader's own time zone, with something
//! that counts (finishing a post, commenting). Every `freeze_every` active days
//! earn a freeze (up to `max_freezes`), and a gap of missed days the freezes
//! cover keeps the streak alive (each missed day uses one). Milestones award
//! XP once each.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, IntoActiveModel, Set, sea_query::OnConflict};
use uuid::Uuid;

use super::ledger::{self, XpSource};
use crate::{config::EngagementConfig, error::AppResult, write::Write};
use entity::{activity_day, user_stats};

/// Streak lengths that award XP (once each, ever), and how much.
pub const MILESTONES: [(i32, i32); 4] = [(7, 50), (30, 200), (100, 500), (365, 1_000)];

/// A streak as it stands on `today` (the reader's date): the stored streak if
/// its last day is today, yesterday, or a gap its freezes still cover; else 0.
pub fn current_streak(stats: &user_stats::Model, today: NaiveDate) -> i32 {
    let Some(last) = stats.last_active_day else { return 0 };
    let missed = (today - last).num_days() - 1;
    if missed <= i64::from(stats.streak_freezes) { stats.current_streak } else { 0 }
}

/// The streak state after activity on `day`, given the state before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub current: i32,
    pub longest: i32,
    pub freezes: i32,
    pub freeze_progress: i32,
    /// Missed days the step spent freezes on.
    pub frozen: i32,
}

/// One active day, applied to the streak (pure, so the edge cases are unit-tested).
pub fn step(before: &user_stats::Model, day: NaiveDate, freeze_every: i32, max_freezes: i32) -> Option<Step> {
    let (mut current, mut freezes, mut frozen) = (before.current_streak, before.streak_freezes, 0);
    match before.last_active_day {
        // Already counted, or a day before the last one (the reader moved west): nothing changes.
        Some(last) if day <= last => return None,
        Some(last) => {
            let missed = ((day - last).num_days() - 1) as i32;
            if missed == 0 {
                current += 1;
            } else if missed <= freezes {
                freezes -= missed;
                frozen = missed;
                current += 1;
            } else {
                current = 1;
            }
        }
        None => current = 1,
    }
    let mut freeze_progress = before.freeze_progress + 1;
    if freeze_progress >= freeze_every {
        freeze_progress = 0;
        freezes = (freezes + 1).min(max_freezes);
    }
    Some(Step { current, longest: before.longest_streak.max(current), freezes, freeze_progress, frozen })
}

/// Records that `user_id` was active at `now` (their `zone`'s date): the day,
/// the streak, and a milestone's XP. Returns the streak after, or None when the
/// day had already counted.
pub async fn record_activity(
    write: &Write,
    config: &EngagementConfig,
    user_id: Uuid,
    zone: Tz,
    now: DateTime<Utc>,
) -> AppResult<Option<i32>> {
    let day = now.with_timezone(&zone).date_naive();
    let first_today = activity_day::Entity::insert(activity_day::ActiveModel {
        user_id: Set(user_id),
        day: Set(day),
        frozen_day: Set(false),
    })
    .on_conflict(OnConflict::columns([activity_day::Column::UserId, activity_day::Column::Day]).do_nothing().to_owned())
    .exec_without_returning(write)
    .await?;
    if first_today == 0 {
        return Ok(None);
    }
    let stats = stats_row(write, user_id, now).await?;
    let Some(step) = step(&stats, day, config.streak_freeze_every, config.streak_max_freezes) else {
        return Ok(None);
    };
    if step.frozen > 0 {
        // The missed days a freeze covered, marked as such (the activity calendar shows them).
        let covered = (1..=step.frozen).map(|back| activity_day::ActiveModel {
            user_id: Set(user_id),
            day: Set(day - chrono::Duration::days(i64::from(back))),
            frozen_day: Set(true),
        });
        activity_day::Entity::insert_many(covered)
            .on_conflict(
                OnConflict::columns([activity_day::Column::UserId, activity_day::Column::Day]).do_nothing().to_owned(),
            )
            .exec_without_returning(write)
            .await?;
    }
    let mut row = stats.into_active_model();
    row.current_streak = Set(step.current);
    row.longest_streak = Set(step.longest);
    row.last_active_day = Set(Some(day));
    row.streak_freezes = Set(step.freezes);
    row.freeze_progress = Set(step.freeze_progress);
    row.updated_at = Set(now);
    row.update(write).await?;
    if let Some(&(days, xp)) = MILESTONES.iter().find(|(days, _)| *days == step.current) {
        ledger::award(write, config.xp_daily_cap, user_id, zone, XpSource::Streak, &days.to_string(), xp, now).await?;
    }
    Ok(Some(step.current))
}

/// The user's stats row, made empty first if they have none.
pub(super) async fn stats_row(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<user_stats::Model> {
    user_stats::Entity::insert(ledger::empty_stats(user_id, now))
        .on_conflict(OnConflict::column(user_stats::Column::UserId).do_nothing().to_owned())
        .exec_without_returning(db)
        .await?;
    user_stats::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the stats row of {user_id} vanished").into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats(current: i32, last: Option<&str>, freezes: i32, progress: i32) -> user_stats::Model {
        user_stats::Model {
            user_id: Uuid::nil(),
            xp: 0,
            current_streak: current,
            longest_streak: current,
            last_active_day: last.map(|d| d.parse().unwrap()),
            streak_freezes: freezes,
            freeze_progress: progress,
            updated_at: Utc::now(),
        }
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn consecutive_days_grow_the_streak_and_a_gap_resets_it() {
        let first = step(&stats(0, None, 0, 0), day("2026-12-01"), 7, 2).unwrap();
        assert_eq!((first.current, first.longest), (1, 1));
        let next = step(&stats(1, Some("2026-12-01"), 0, 1), day("2026-12-02"), 7, 2).unwrap();
        assert_eq!(next.current, 2);
        let broken = step(&stats(5, Some("2026-12-01"), 0, 5), day("2026-12-03"), 7, 2).unwrap();
        assert_eq!((broken.current, broken.longest), (1, 5));
        // The same day, or an earlier one, changes nothing.
        assert_eq!(step(&stats(2, Some("2026-12-02"), 0, 2), day("2026-12-02"), 7, 2), None);
        assert_eq!(step(&stats(2, Some("2026-12-02"), 0, 2), day("2026-12-01"), 7, 2), None);
    }

    #[test]
    fn freezes_are_earned_and_cover_missed_days() {
        // The 7th active day earns a freeze.
        let earned = step(&stats(6, Some("2026-12-06"), 0, 6), day("2026-12-07"), 7, 2).unwrap();
        assert_eq!((earned.current, earned.freezes, earned.freeze_progress), (7, 1, 0));
        // One missed day, one freeze: the streak goes on, the freeze is spent.
        let covered = step(&stats(7, Some("2026-12-07"), 1, 0), day("2026-12-09"), 7, 2).unwrap();
        assert_eq!((covered.current, covered.freezes, covered.frozen), (8, 0, 1));
        // Two missed days, one freeze: broken.
        let broken = step(&stats(7, Some("2026-12-07"), 1, 0), day("2026-12-10"), 7, 2).unwrap();
        assert_eq!((broken.current, broken.freezes, broken.frozen), (1, 1, 0));
        // Freezes stop at the maximum.
        let capped = step(&stats(20, Some("2026-12-07"), 2, 6), day("2026-12-08"), 7, 2).unwrap();
        assert_eq!(capped.freezes, 2);
    }

    #[test]
    fn the_streak_shown_today_lapses_after_an_uncovered_gap() {
        let s = stats(4, Some("2026-12-05"), 1, 0);
        assert_eq!(current_streak(&s, day("2026-12-05")), 4);
        assert_eq!(current_streak(&s, day("2026-12-06")), 4);
        assert_eq!(current_streak(&s, day("2026-12-07")), 4, "one missed day, one freeze");
        assert_eq!(current_streak(&s, day("2026-12-08")), 0);
        assert_eq!(current_streak(&stats(0, None, 0, 0), day("2026-12-08")), 0);
    }
}

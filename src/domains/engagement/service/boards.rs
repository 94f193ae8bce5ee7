//! Leaderboards by XP for the week (ISO, UTC), the month (UTC) and all time.
//!
//! Each period's board lives in `state.boards` under a key naming the period
//! (`week:2026-W49`), so a new week starts a new board on time and old ones
//! expire. Awards add to the boards once their transaction commits; the
//! `rebuild_leaderboards` job rebuilds a board from the ledger (hourly, and
//! whenever a board is read that does not exist, e.g. after a restart in
//! embedded mode). While Redis cannot be reached the pages are read from the
//! ledger itself, with the same order.
//!
//! Live: `leaderboardChanged(period)` subscribers of one process share one
//! producer per period, which reads the top when awards land, at most once a
//! second, and pushes it only when it changed.

use std::{sync::Arc, time::Duration};

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use futures::StreamExt;
use sea_orm::{EntityTrait, QuerySelect};
use uuid::Uuid;

use crate::{
    error::AppResult,
    infra::{leaderboard::Ranked, watches::Producer},
    pagination::{Page, PageArgs, position_page},
    state::AppState,
};
use entity::user_stats;

/// Which leaderboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, async_graphql::Enum)]
pub enum LeaderboardPeriod {
    /// This ISO week (Monday to Sunday, UTC).
    Week,
    /// This calendar month (UTC).
    Month,
    /// Every award ever.
    AllTime,
}

impl LeaderboardPeriod {
    pub const ALL: [LeaderboardPeriod; 3] =
        [LeaderboardPeriod::Week, LeaderboardPeriod::Month, LeaderboardPeriod::AllTime];

    fn name(self) -> &'static str {
        match self {
            LeaderboardPeriod::Week => "week",
            LeaderboardPeriod::Month => "month",
            LeaderboardPeriod::AllTime => "all",
        }
    }
}

/// How many entries a live push carries.
pub const LIVE_TOP: u64 = 10;
/// At most one push per period per this long.
pub const LIVE_INTERVAL: Duration = Duration::from_secs(1);

/// The board of `period` that `at` falls in.
pub fn board_key(period: LeaderboardPeriod, at: DateTime<Utc>) -> String {
    match period {
        LeaderboardPeriod::Week => {
            let week = at.iso_week();
            format!("week:{}-W{:02}", week.year(), week.week())
        }
        LeaderboardPeriod::Month => format!("month:{}-{:02}", at.year(), at.month()),
        LeaderboardPeriod::AllTime => "all".into(),
    }
}

/// How long a board is kept after its last change (past its period, for the rollover jobs).
pub fn ttl(period: LeaderboardPeriod) -> Duration {
    Duration::from_secs(86_400)
        * match period {
            LeaderboardPeriod::Week => 21,
            LeaderboardPeriod::Month => 62,
            LeaderboardPeriod::AllTime => 3_650,
        }
}

/// When the period that `at` falls in began (None: all time).
pub fn period_start(period: LeaderboardPeriod, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let midnight = |date: NaiveDate| Utc.from_utc_datetime(&date.and_hms_opt(0, 0, 0).unwrap_or_default());
    match period {
        LeaderboardPeriod::Week => {
            let date = at.date_naive();
            Some(midnight(date - chrono::Duration::days(i64::from(date.weekday().num_days_from_monday()))))
        }
        LeaderboardPeriod::Month => NaiveDate::from_ymd_opt(at.year(), at.month(), 1).map(midnight),
        LeaderboardPeriod::AllTime => None,
    }
}

/// The bus topic awards publish on (every instance's producers listen).
pub fn topic(period: LeaderboardPeriod) -> String {
    format!("leaderboard:{}", period.name())
}

/// One place on a board.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub rank: u64,
    pub user_id: Uuid,
    pub xp: i64,
}

impl From<Ranked> for Entry {
    fn from(r: Ranked) -> Self {
        Entry { rank: r.rank, user_id: r.member, xp: r.score }
    }
}

/// Every user's XP in the period that `at` falls in, from the ledger (users with none left out).
async fn scores_from_ledger(
    state: &AppState,
    period: LeaderboardPeriod,
    at: DateTime<Utc>,
) -> AppResult<Vec<(Uuid, i64)>> {
    let scores: Vec<(Uuid, i64)> = match period_start(period, at) {
        Some(start) => super::ledger::xp_by_user(&state.db, Some(start), None).await?,
        None => {
            user_stats::Entity::find()
                .select_only()
                .columns([user_stats::Column::UserId, user_stats::Column::Xp])
                .into_tuple()
                .all(&state.db)
                .await?
        }
    };
    Ok(scores.into_iter().filter(|(_, xp)| *xp > 0).collect())
}

/// The ledger's board in board order (score, then id, both highest first).
fn ranked(mut scores: Vec<(Uuid, i64)>) -> Vec<Entry> {
    scores.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(b.0.cmp(&a.0)));
    scores.into_iter().enumerate().map(|(i, (user_id, xp))| Entry { rank: i as u64 + 1, user_id, xp }).collect()
}

/// Rebuilds the current board of `period` from the ledger; returns its size.
pub async fn rebuild(state: &AppState, period: LeaderboardPeriod) -> AppResult<usize> {
    let now = Utc::now();
    let scores = scores_from_ledger(state, period, now).await?;
    let size = scores.len();
    // Unreachable Redis: logged by the guard, retried by the next run.
    let _ = state.boards.replace(&board_key(period, now), scores, ttl(period)).await;
    Ok(size)
}

/// Makes sure the current board of `period` exists (built from the ledger if
/// not); false when the board store cannot be reached. Readers that find the
/// board missing at once (the first page views after a restart) wait for one
/// rebuild in this process rather than each reading the whole ledger.
async fn ensure_board(state: &AppState, period: LeaderboardPeriod, key: &str) -> bool {
    static BUILDING: [tokio::sync::Mutex<()>; 3] =
        [tokio::sync::Mutex::const_new(()), tokio::sync::Mutex::const_new(()), tokio::sync::Mutex::const_new(())];
    match state.boards.exists(key).await {
        Ok(true) => return true,
        Ok(false) => {}
        Err(_) => return false,
    }
    let slot = LeaderboardPeriod::ALL.iter().position(|p| *p == period).unwrap_or(0);
    let _building = BUILDING[slot].lock().await;
    match state.boards.exists(key).await {
        Ok(true) => true,
        Ok(false) => rebuild(state, period).await.is_ok(),
        Err(_) => false,
    }
}

/// One page of the current board, and how many are on it: one round trip to
/// the board store while the board exists (an empty or missing board is
/// checked for, and built from the ledger when missing).
pub async fn page(state: &AppState, period: LeaderboardPeriod, args: &PageArgs) -> AppResult<Page<Entry>> {
    let positions = args.positions(&format!("leaderboard:{}", period.name()))?;
    let key = board_key(period, Utc::now());
    let read = || state.boards.page(&key, positions.offset, positions.size + 1);
    let found = match read().await {
        Ok((_, 0)) if ensure_board(state, period, &key).await => read().await.ok(),
        Ok((_, 0)) => None,
        Ok(found) => Some(found),
        Err(_) => None,
    };
    if let Some((rows, total)) = found {
        let rows = rows.into_iter().map(Entry::from).collect();
        return Ok(position_page(&format!("leaderboard:{}", period.name()), positions, rows, total));
    }
    // The board store is unreachable: the same page from the ledger.
    let all = ranked(scores_from_ledger(state, period, Utc::now()).await?);
    let total = all.len() as u64;
    let rows = all.into_iter().skip(positions.offset as usize).take(positions.size as usize + 1).collect();
    Ok(position_page(&format!("leaderboard:{}", period.name()), positions, rows, total))
}

/// `user_id`'s place on the current board, or None with no XP in the period.
pub async fn entry_of(state: &AppState, period: LeaderboardPeriod, user_id: Uuid) -> AppResult<Option<Entry>> {
    let key = board_key(period, Utc::now());
    // Not on the board may mean no board yet: then it is built and asked again.
    let found = match state.boards.rank(&key, user_id).await {
        Ok(Some(found)) => Some(Some(found)),
        Ok(None) if ensure_board(state, period, &key).await => state.boards.rank(&key, user_id).await.ok(),
        _ => None,
    };
    if let Some(found) = found {
        return Ok(found.map(Entry::from));
    }
    Ok(ranked(scores_from_ledger(state, period, Utc::now()).await?).into_iter().find(|e| e.user_id == user_id))
}

/// The top of the current board, for live pushes.
pub async fn top(state: &AppState, period: LeaderboardPeriod) -> AppResult<Vec<Entry>> {
    let args = PageArgs { first: Some(LIVE_TOP as i32), ..Default::default() };
    Ok(page(state, period, &args).await?.edges.into_iter().map(|e| e.node).collect())
}

/// A receiver of the live top of `period` in this process (started on first use).
pub fn watch(state: &AppState, period: LeaderboardPeriod) -> tokio::sync::watch::Receiver<Option<Arc<Vec<Ranked>>>> {
    let producing = state.clone();
    state.live_boards.subscribe(&topic(period), move |producer| {
        tokio::spawn(produce(producing, period, producer));
    })
}

/// Pushes the top of `period` now, then after awards land, at most once per
/// `LIVE_INTERVAL`, while anyone listens in this process.
async fn produce(state: AppState, period: LeaderboardPeriod, producer: Producer<Arc<Vec<Ranked>>>) {
    let mut awards = state.bus.subscribe(&topic(period));
    let push = |entries: Vec<Entry>| {
        let ranked = entries.into_iter().map(|e| Ranked { member: e.user_id, rank: e.rank, score: e.xp }).collect();
        producer.send_if_changed(Arc::new(ranked));
    };
    match top(&state, period).await {
        Ok(entries) => push(entries),
        Err(err) => tracing::warn!(error = %err, "reading the leaderboard for a live push failed"),
    }
    loop {
        tokio::select! {
            _ = producer.closed() => {
                if producer.finished() {
                    return;
                }
            }
            event = awards.next() => {
                if event.is_none() {
                    return;
                }
                // Coalesce: wait out the interval, drop what arrived meanwhile, read once.
                tokio::time::sleep(LIVE_INTERVAL).await;
                while let Some(Some(_)) = futures::FutureExt::now_or_never(awards.next()) {}
                match top(&state, period).await {
                    Ok(entries) => push(entries),
                    Err(err) => tracing::warn!(error = %err, "reading the leaderboard for a live push failed"),
                }
            }
            _ = state.shutdown.cancelled() => return,
        }
    }
}

/// The ranks of the last full week's top `n` (for the weekly badge), from the ledger.
pub async fn last_week_top(state: &AppState, n: u64, now: DateTime<Utc>) -> AppResult<Vec<Entry>> {
    let this_week = period_start(LeaderboardPeriod::Week, now).unwrap_or(now);
    let last_week = this_week - chrono::Duration::days(7);
    let mut scores = super::ledger::xp_by_user(&state.db, Some(last_week), Some(this_week)).await?;
    scores.retain(|(_, xp)| *xp > 0);
    Ok(ranked(scores).into_iter().take(n as usize).collect())
}

/// The week key of `at`, for dedupe keys of weekly jobs.
pub fn week_of(at: DateTime<Utc>) -> String {
    board_key(LeaderboardPeriod::Week, at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn boards_roll_over_on_the_period_boundary() {
        // Sunday night and Monday morning of ISO weeks 49 and 50 (UTC).
        assert_eq!(board_key(LeaderboardPeriod::Week, at("2026-12-06T23:59:59Z")), "week:2026-W49");
        assert_eq!(board_key(LeaderboardPeriod::Week, at("2026-12-07T00:00:00Z")), "week:2026-W50");
        // ISO week 1 of 2027 starts on Monday 2027-01-04; 2027-01-01 is still week 53 of 2026.
        assert_eq!(board_key(LeaderboardPeriod::Week, at("2027-01-01T12:00:00Z")), "week:2026-W53");
        assert_eq!(board_key(LeaderboardPeriod::Month, at("2026-12-31T23:59:59Z")), "month:2026-12");
        assert_eq!(board_key(LeaderboardPeriod::Month, at("2027-01-01T00:00:00Z")), "month:2027-01");
        assert_eq!(period_start(LeaderboardPeriod::Week, at("2026-12-06T23:59:59Z")), Some(at("2026-11-30T00:00:00Z")));
        assert_eq!(
            period_start(LeaderboardPeriod::Month, at("2026-12-06T10:00:00Z")),
            Some(at("2026-12-01T00:00:00Z"))
        );
        assert_eq!(period_start(LeaderboardPeriod::AllTime, at("2026-12-06T10:00:00Z")), None);
    }

    #[test]
    fn the_ledger_ranks_like_the_boards() {
        let (a, b, c) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
        let order: Vec<(Uuid, u64)> =
            ranked(vec![(a, 10), (b, 30), (c, 10)]).into_iter().map(|e| (e.user_id, e.rank)).collect();
        assert_eq!(order, [(b, 1), (c, 2), (a, 3)]);
    }
}

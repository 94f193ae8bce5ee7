//! Readers with XP, for the leaderboard benchmarks (`lectern seed --readers N`):
//! N readers who share the synthetic password, each of whom finished 1–30
//! published free posts over the past 90 days and at least one since this
//! week began, so every one of them is on the weekly, monthly and all-time
//! boards. Their awards go into the ledger as `POST_READ` awards of
//! `XP_POST_READ` each (the daily cap is not applied: the dates are
//! invented), their totals into `user_stats`, and the boards are rebuilt from
//! the ledger at the end. Reading progress rows are not written.

use std::time::Instant;

use chrono::{DateTime, Utc};
use rand::{Rng, SeedableRng, rngs::StdRng, seq::SliceRandom};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect, Set};
use uuid::Uuid;

use super::{
    phrases::{FIRST_NAMES, LAST_NAMES},
    synthetic::{DAY_SECS, fresh_batch_label, insert_chunked, progress},
};
use crate::{
    domains::{
        accounts::{Role, password, password::Password},
        engagement::service::{self as engagement, LeaderboardPeriod, XpSource},
    },
    error::{AppError, AppResult},
    infra::work,
    state::{AppState, BeginWrite},
};
use entity::{post, user, user_stats, xp_award};

const SEED: u64 = 0x1EAD_E255;
/// Most posts one reader has finished.
const MAX_READS: usize = 30;
/// How far back the awards go.
const HISTORY_DAYS: i64 = 90;
/// Users, awards and stats go in per transaction (a million-row batch in one
/// SQLite transaction would hold the write lock for the whole run).
const READERS_PER_STEP: usize = 10_000;

/// What one run of `ranked_readers` added.
#[derive(Debug, Clone, Default)]
pub struct RankedReport {
    /// The label in this batch's emails (`ranked000042.{batch}@scale.lectern.dev`).
    pub batch: String,
    pub readers: u64,
    pub awards: u64,
    /// The size of each board after the rebuild (week, month, all time).
    pub boards: [usize; 3],
    pub elapsed: std::time::Duration,
}

/// The email of ranked reader `index` of `batch`.
pub fn ranked_email(index: usize, batch: &str) -> String {
    format!("ranked{index:06}.{batch}@scale.lectern.dev")
}

/// Adds `count` readers with XP (see the module), printing progress.
pub async fn ranked_readers(state: &AppState, count: u32) -> AppResult<RankedReport> {
    let started = Instant::now();
    let db = &state.db;
    let now = Utc::now();
    let batch = fresh_batch_label(db).await?;
    println!("seeding ranked readers {batch}: {count} readers with XP");
    let posts: Vec<Uuid> = post::Entity::find()
        .select_only()
        .column(post::Column::Id)
        .filter(post::Column::Status.eq(post::Status::Published))
        .filter(post::Column::IsPremium.eq(false))
        .into_tuple()
        .all(db)
        .await?;
    if posts.is_empty() {
        return Err(AppError::bad_input("readers", "Ranked readers need published free posts to have read"));
    }
    let password = Password::parse("password", super::SYNTHETIC_PASSWORD, &[])?;
    let password_hash = work::patiently(password::hash(&state.work.passwords, &password)).await?.into_inner();
    let week_start = engagement::period_start(LeaderboardPeriod::Week, now).unwrap_or(now);
    let xp_per_read = state.config.engagement.xp_post_read;
    let mut rng = StdRng::seed_from_u64(SEED);
    let mut report = RankedReport { batch: batch.clone(), ..Default::default() };
    let count = count as usize;
    for step_start in (0..count).step_by(READERS_PER_STEP) {
        let step_end = (step_start + READERS_PER_STEP).min(count);
        let mut users = Vec::with_capacity(step_end - step_start);
        let mut awards = Vec::new();
        let mut stats = Vec::with_capacity(step_end - step_start);
        for index in step_start..step_end {
            let joined = now - chrono::Duration::seconds(rng.gen_range(HISTORY_DAYS * DAY_SECS..400 * DAY_SECS));
            let id = Uuid::now_v7();
            let first = FIRST_NAMES[rng.gen_range(0..FIRST_NAMES.len())];
            let last = LAST_NAMES[rng.gen_range(0..LAST_NAMES.len())];
            users.push(user::ActiveModel {
                id: Set(id),
                email: Set(ranked_email(index, &batch)),
                password_hash: Set(password_hash.clone()),
                display_name: Set(format!("{first} {last}")),
                role: Set(Role::Reader),
                email_verified_at: Set(Some(joined)),
                created_at: Set(joined),
                updated_at: Set(joined),
                digest_frequency: Set(user::DigestFrequency::Never),
                session_epoch: Set(0),
                bio: Set(String::new()),
                time_zone: Set("UTC".into()),
                profile_private: Set(false),
                referral_code: Set(None),
            });
            let reads = rng.gen_range(1..=MAX_READS).min(posts.len());
            for (n, post_id) in posts.choose_multiple(&mut rng, reads).enumerate() {
                // The first read is this week's; the rest anywhere in the history.
                let at = if n == 0 {
                    week_start + (now - week_start) * rng.gen_range(0..=1000) / 1000
                } else {
                    now - chrono::Duration::seconds(rng.gen_range(0..HISTORY_DAYS * DAY_SECS))
                };
                awards.push(award(id, *post_id, xp_per_read, at));
            }
            stats.push(user_stats::ActiveModel {
                xp: Set(i64::from(xp_per_read) * reads as i64),
                ..engagement::empty_stats(id, now)
            });
        }
        let txn = db.begin_write().await?;
        report.readers += insert_chunked(&txn, users).await?;
        report.awards += insert_chunked(&txn, awards).await?;
        insert_chunked(&txn, stats).await?;
        txn.commit().await?;
        progress(started, "ranked readers", report.readers);
    }
    progress(started, "xp awards", report.awards);
    for (slot, period) in LeaderboardPeriod::ALL.into_iter().enumerate() {
        report.boards[slot] = engagement::rebuild(state, period).await?;
    }
    progress(started, "boards rebuilt", report.boards[2] as u64);
    report.elapsed = started.elapsed();
    Ok(report)
}

fn award(user_id: Uuid, post_id: Uuid, amount: i32, at: DateTime<Utc>) -> xp_award::ActiveModel {
    xp_award::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        source_kind: Set(XpSource::PostRead.as_str().to_owned()),
        source_key: Set(post_id.to_string()),
        amount: Set(amount),
        created_at: Set(at),
    }
}

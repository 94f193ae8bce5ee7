//! Grading a card. One review is one write: the card's row is locked, the
//! scheduler runs on the state it holds, the card moves from version n to
//! n + 1 only if it still is at n (compare-and-set), and the review is logged
//! as review n + 1 of the card (unique per card). So two reviews sent at once
//! take turns, each on the state the other left, and never both apply on the
//! same prior state. The XP for it (once per card and local day) commits with it.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set, sea_query::Expr,
};
use uuid::Uuid;

use super::cards::lock_card;
use crate::{
    auth::Viewer,
    domains::{
        engagement::service::{self as engagement, XpSource},
        reviews::scheduling::{Memory, Scheduler},
    },
    error::{AppError, AppResult, OnConstraint, Unique},
    jobs::Job,
    pagination::{Cursor, Key, Page, PageArgs, Sort, paginate},
    state::AppState,
    write::Write,
};
use entity::{
    review_card,
    review_log::{self, Grade},
};

/// The key that refuses a second review on the same prior version of a card.
const REVIEW_SEQ: Unique = Unique::new("review_logs_card_seq_key", "review_logs.card_id, review_logs.seq");

/// What one review did.
#[derive(Debug, Clone)]
pub struct Reviewed {
    pub card: review_card::Model,
    pub log: review_log::Model,
    /// XP the review earned (0 when the card was reviewed before on the reader's
    /// day, or the daily cap was reached).
    pub xp: i32,
}

/// Grades one of the viewer's cards now. Reviewing a card before it is due is
/// allowed and recorded as early. NOT_FOUND for a card that is not the
/// viewer's, was removed, or whose post they may no longer read.
pub async fn review(state: &AppState, viewer: &Viewer, card_id: Uuid, grade: Grade) -> AppResult<Reviewed> {
    let user_id = viewer.require_signed_in()?;
    let write = Write::begin(state).await?;
    let card = lock_card(&write, viewer, card_id).await?;
    let before = Memory::of(&card);
    // The time is read once the card is ours: a review that waited for the
    // lock happens after the one it waited for.
    let at = before.review_time(Utc::now());
    let after = Scheduler::new(&state.config.reviews).review(&before, grade, at);
    let version = card.version + 1;
    let moved = review_card::Entity::update_many()
        .col_expr(review_card::Column::State, Expr::value(after.state))
        .col_expr(review_card::Column::Due, Expr::value(after.due))
        .col_expr(review_card::Column::Stability, Expr::value(after.stability))
        .col_expr(review_card::Column::Difficulty, Expr::value(after.difficulty))
        .col_expr(review_card::Column::ElapsedDays, Expr::value(after.elapsed_days))
        .col_expr(review_card::Column::ScheduledDays, Expr::value(after.scheduled_days))
        .col_expr(review_card::Column::Reps, Expr::value(after.reps))
        .col_expr(review_card::Column::Lapses, Expr::value(after.lapses))
        .col_expr(review_card::Column::LastReviewedAt, Expr::value(after.last_reviewed_at))
        .col_expr(review_card::Column::Version, Expr::value(version))
        .filter(review_card::Column::Id.eq(card.id))
        .filter(review_card::Column::Version.eq(card.version))
        .exec(&write)
        .await?;
    if moved.rows_affected != 1 {
        return Err(AppError::conflict("cardId", "The card was reviewed meanwhile; load it again"));
    }
    let log = review_log::ActiveModel {
        id: Set(Uuid::now_v7()),
        card_id: Set(card.id),
        user_id: Set(user_id),
        seq: Set(version),
        grade: Set(grade),
        reviewed_at: Set(at),
        elapsed_days: Set(after.elapsed_days),
        scheduled_days: Set(after.scheduled_days),
        early: Set(card.due > at),
        state_before: Set(before.state),
        stability_before: Set(before.stability),
        difficulty_before: Set(before.difficulty),
        due_before: Set(before.due),
        state_after: Set(after.state),
        stability_after: Set(after.stability),
        difficulty_after: Set(after.difficulty),
        due_after: Set(after.due),
    }
    .insert(&write)
    .await
    .on_unique(&[REVIEW_SEQ], "cardId", "The card was reviewed meanwhile; load it again")?;
    let xp = earn(&write, state, user_id, card.id, at).await?;
    write.commit().await?;
    let card = review_card::Model {
        state: after.state,
        due: after.due,
        stability: after.stability,
        difficulty: after.difficulty,
        elapsed_days: after.elapsed_days,
        scheduled_days: after.scheduled_days,
        reps: after.reps,
        lapses: after.lapses,
        last_reviewed_at: after.last_reviewed_at,
        version,
        ..card
    };
    Ok(Reviewed { card, log, xp })
}

/// The review's XP (keyed by card and the reader's local date, so a card
/// reviewed again the same day earns nothing) and the day for the streak.
async fn earn(write: &Write, state: &AppState, user_id: Uuid, card_id: Uuid, at: DateTime<Utc>) -> AppResult<i32> {
    let config = &state.config.engagement;
    let Some(zone) = engagement::zone_of(write, user_id).await? else { return Ok(0) };
    let key = format!("{card_id}:{}", at.with_timezone(&zone).date_naive());
    let awarded =
        engagement::award(write, config.xp_daily_cap, user_id, zone, XpSource::Review, &key, config.xp_review, at)
            .await?;
    let new_day = engagement::record_activity(write, config, user_id, zone, at).await?.is_some();
    if new_day || awarded.as_ref().is_some_and(|a| a.amount > 0) {
        write.enqueue(&Job::EvaluateBadges { user: user_id }).await?;
    }
    Ok(awarded.map_or(0, |a| a.amount))
}

/// The reviews of one of the viewer's cards, newest first.
pub async fn history(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    card_id: Uuid,
    args: &PageArgs,
) -> AppResult<Page<review_log::Model>> {
    let user_id = viewer.require_signed_in()?;
    let select = review_log::Entity::find()
        .filter(review_log::Column::CardId.eq(card_id))
        .filter(review_log::Column::UserId.eq(user_id));
    // A card's reviews never go back in time (see `Memory::review_time`).
    let sort = Sort { column: Some(review_log::Column::ReviewedAt), descending: true };
    let cursor_of = |log: &review_log::Model| Cursor { key: Key::Time(log.reviewed_at), id: log.id };
    paginate(db, select, review_log::Column::Id, sort, cursor_of, args).await
}

/// A card's review log in order (oldest first).
pub async fn log_of(db: &impl ConnectionTrait, card_id: Uuid) -> AppResult<Vec<review_log::Model>> {
    Ok(review_log::Entity::find()
        .filter(review_log::Column::CardId.eq(card_id))
        .order_by_asc(review_log::Column::Seq)
        .all(db)
        .await?)
}

/// The card's state as its stored log replays through the scheduler with
/// today's settings: the same as the stored card unless the settings changed
/// (how a schedule is re-computed after re-fitting parameters).
pub async fn replay(state: &AppState, card: &review_card::Model) -> AppResult<Memory> {
    let log = log_of(&state.db, card.id).await?;
    Ok(Scheduler::new(&state.config.reviews).replay(card.created_at, log.iter().map(|l| (l.grade, l.reviewed_at))))
}

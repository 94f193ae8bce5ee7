//! Cards: a reader adds a post, or every published post of a series, to
//! review (one card per reader and post, so adding again changes nothing),
//! removes a card, and pages through their due cards. Only posts the reader
//! may read count: a draft or an unpublished post is NOT_FOUND, a premium
//! post the reader is not entitled to is PAYMENT_REQUIRED, and a card whose
//! post became unreadable since leaves the queue.

use std::collections::HashMap;

use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select, Set,
    sea_query::OnConflict,
};
use uuid::Uuid;

use crate::{
    auth::Viewer,
    domains::{entitlements::service as entitlements, posts::service as posts, series::service as series},
    error::{AppError, AppResult},
    pagination::{Cursor, Key, Page, PageArgs, Sort, paginate},
    state::{AppState, BeginWrite},
};
use entity::{
    post,
    review_card::{self, CardState},
};

/// What a reader adds to review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddTarget {
    Post(Uuid),
    /// Every published post of the series the reader may read.
    Series(Uuid),
}

/// Makes the cards for `target` (keeping any that exist) and returns them, in
/// the series' reading order for a series. One transaction: all or nothing.
pub async fn add(state: &AppState, viewer: &Viewer, target: AddTarget) -> AppResult<Vec<review_card::Model>> {
    let user_id = viewer.require_signed_in()?;
    let premium = entitlements::can_read_premium(state, viewer).await?;
    let txn = state.db.begin_write().await?;
    let posts = match target {
        AddTarget::Post(post_id) => {
            let post = posts::get_readable(&txn, viewer, post_id).await?;
            if locked(viewer, &post, premium) {
                return Err(AppError::PaymentRequired(
                    "This post is for premium readers: a premium plan unlocks it and its review".into(),
                ));
            }
            vec![post]
        }
        AddTarget::Series(series_id) => {
            if series::by_ids(&txn, &[series_id]).await?.is_empty() {
                return Err(AppError::NotFound("Series"));
            }
            let posts: Vec<post::Model> = posts::posts_of_series(&txn, viewer, &[series_id])
                .await?
                .remove(&series_id)
                .unwrap_or_default()
                .into_iter()
                .filter(|p| posts::is_live(p) && !locked(viewer, p, premium))
                .collect();
            if posts.is_empty() {
                return Err(AppError::bad_input("seriesId", "The series has no published post you can read yet"));
            }
            posts
        }
    };
    // Whole microseconds, as both databases store them (see `Memory::review_time`).
    let now = Utc::now().trunc_subsecs(6);
    let rows = posts.iter().map(|post| review_card::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        post_id: Set(post.id),
        state: Set(CardState::New),
        due: Set(now),
        stability: Set(0.0),
        difficulty: Set(0.0),
        elapsed_days: Set(0),
        scheduled_days: Set(0),
        reps: Set(0),
        lapses: Set(0),
        last_reviewed_at: Set(None),
        version: Set(0),
        created_at: Set(now),
    });
    let once = OnConflict::columns([review_card::Column::UserId, review_card::Column::PostId]).do_nothing().to_owned();
    review_card::Entity::insert_many(rows).on_conflict(once).exec_without_returning(&txn).await?;
    let post_ids: Vec<Uuid> = posts.iter().map(|p| p.id).collect();
    let mut cards = review_card::Entity::find()
        .filter(review_card::Column::UserId.eq(user_id))
        .filter(review_card::Column::PostId.is_in(post_ids.iter().copied()))
        .all(&txn)
        .await?;
    txn.commit().await?;
    cards.sort_by_key(|card| post_ids.iter().position(|id| *id == card.post_id));
    Ok(cards)
}

/// Whether `post`'s body is withheld from `viewer` (premium, not entitled, not its author or an admin).
pub fn locked(viewer: &Viewer, post: &post::Model, premium: bool) -> bool {
    post.is_premium && !premium && !viewer.is_owner_or_admin(post.author_id)
}

/// Deletes one of the viewer's cards and its review log; NOT_FOUND for a card
/// that is not theirs or no longer exists.
pub async fn remove(state: &AppState, viewer: &Viewer, card_id: Uuid) -> AppResult<()> {
    let user_id = viewer.require_signed_in()?;
    let deleted = review_card::Entity::delete_many()
        .filter(review_card::Column::Id.eq(card_id))
        .filter(review_card::Column::UserId.eq(user_id))
        .exec(&state.db)
        .await?;
    if deleted.rows_affected == 0 {
        return Err(AppError::NotFound("Review card"));
    }
    Ok(())
}

/// The viewer's cards whose posts they may still read. (Leaving out the few
/// unreadable posts costs far less than matching every readable one: the due
/// count of a reader with thousands of cards would otherwise read all posts.)
fn cards_of(viewer: &Viewer, user_id: Uuid) -> Select<review_card::Entity> {
    review_card::Entity::find()
        .filter(review_card::Column::UserId.eq(user_id))
        .filter(review_card::Column::PostId.not_in_subquery(posts::unreadable_ids(viewer)))
}

/// One of the viewer's cards (NOT_FOUND for another reader's, a removed one, or
/// one whose post the viewer may no longer read).
pub async fn card(db: &impl ConnectionTrait, viewer: &Viewer, card_id: Uuid) -> AppResult<review_card::Model> {
    let user_id = viewer.require_signed_in()?;
    cards_of(viewer, user_id)
        .filter(review_card::Column::Id.eq(card_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound("Review card"))
}

/// [`card`], locked for the rest of the transaction on PostgreSQL (SQLite's
/// write transaction holds the database's write lock already), so two reviews
/// of one card take turns.
pub(super) async fn lock_card(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    card_id: Uuid,
) -> AppResult<review_card::Model> {
    let user_id = viewer.require_signed_in()?;
    let mut query = cards_of(viewer, user_id).filter(review_card::Column::Id.eq(card_id));
    if db.get_database_backend() == DbBackend::Postgres {
        query = query.lock_exclusive();
    }
    query.one(db).await?.ok_or(AppError::NotFound("Review card"))
}

/// The viewer's cards due at `now`, the longest due first (ties by id).
pub async fn queue(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    now: DateTime<Utc>,
    args: &PageArgs,
) -> AppResult<Page<review_card::Model>> {
    let user_id = viewer.require_signed_in()?;
    let select = cards_of(viewer, user_id).filter(review_card::Column::Due.lte(now));
    let sort = Sort { column: Some(review_card::Column::Due), descending: false };
    let cursor_of = |c: &review_card::Model| Cursor { key: Key::Time(c.due), id: c.id };
    paginate(db, select, review_card::Column::Id, sort, cursor_of, args).await
}

/// All the viewer's cards, most recently added first.
pub async fn list(db: &impl ConnectionTrait, viewer: &Viewer, args: &PageArgs) -> AppResult<Page<review_card::Model>> {
    let user_id = viewer.require_signed_in()?;
    paginate(db, cards_of(viewer, user_id), review_card::Column::Id, Sort::newest(), |c| Cursor::id(c.id), args).await
}

/// `user_id`'s cards for these posts, by post id (posts not in review have none).
pub async fn cards_of_posts(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    post_ids: &[Uuid],
) -> AppResult<HashMap<Uuid, review_card::Model>> {
    if post_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let cards = review_card::Entity::find()
        .filter(review_card::Column::UserId.eq(user_id))
        .filter(review_card::Column::PostId.is_in(post_ids.iter().copied()))
        .all(db)
        .await?;
    Ok(cards.into_iter().map(|card| (card.post_id, card)).collect())
}

/// When the viewer's next card is due (the earliest due of their cards, due
/// already or not); None without cards. Served by the `(user_id, due, …)` index.
pub async fn next_due(db: &impl ConnectionTrait, viewer: &Viewer) -> AppResult<Option<DateTime<Utc>>> {
    let user_id = viewer.require_signed_in()?;
    Ok(cards_of(viewer, user_id)
        .select_only()
        .column(review_card::Column::Due)
        .order_by_asc(review_card::Column::Due)
        .limit(1)
        .into_tuple::<DateTime<Utc>>()
        .one(db)
        .await?)
}

/// How many of the viewer's cards are due by `until`.
pub async fn due_count(db: &impl ConnectionTrait, viewer: &Viewer, until: DateTime<Utc>) -> AppResult<u64> {
    use sea_orm::PaginatorTrait;
    let user_id = viewer.require_signed_in()?;
    Ok(cards_of(viewer, user_id).filter(review_card::Column::Due.lte(until)).count(db).await?)
}

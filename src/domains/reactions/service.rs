//! Reaction rules: a reader reacts to posts they may read, once per kind.

use chrono::Utc;
use sea_orm::{
    ColumnTrait, EntityTrait, Iterable, Set,
    sea_query::{Expr, Query, SelectStatement},
};
use uuid::Uuid;

use crate::{
    auth::Viewer, domains::posts::service as posts, error::AppResult, infra::response_cache::CacheTag, state::AppState,
};
use entity::{
    post, post_count,
    reaction::{self, Kind},
};

/// Where a kind sits in listings: the order the kinds are declared in.
fn rank(kind: &Kind) -> usize {
    Kind::iter().position(|k| k == *kind).unwrap_or(usize::MAX)
}

/// Adds the viewer's reaction of `kind`; reacting again changes nothing.
pub async fn react(state: &AppState, viewer: &Viewer, post_id: Uuid, kind: Kind) -> AppResult<post::Model> {
    let db = &state.db;
    let user_id = viewer.require_signed_in()?;
    let post = posts::get_readable(db, viewer, post_id).await?;
    let row = reaction::ActiveModel {
        user_id: Set(user_id),
        post_id: Set(post.id),
        kind: Set(kind),
        created_at: Set(Utc::now()),
    };
    reaction::Entity::insert(row).on_conflict_do_nothing().exec_without_returning(db).await?;
    state.public_cache.invalidate(&[CacheTag::Post(post.id)]).await;
    Ok(post)
}

/// Takes back the viewer's reaction of `kind`, if there is one.
pub async fn unreact(state: &AppState, viewer: &Viewer, post_id: Uuid, kind: Kind) -> AppResult<post::Model> {
    let db = &state.db;
    let user_id = viewer.require_signed_in()?;
    let post = posts::get_readable(db, viewer, post_id).await?;
    reaction::Entity::delete_by_id((user_id, post.id, kind)).exec(db).await?;
    state.public_cache.invalidate(&[CacheTag::Post(post.id)]).await;
    Ok(post)
}

/// A post's reactions from its counters: each kind at least one reader used, with
/// how many did, in kind order.
pub fn counts_in(counts: &post_count::Model) -> Vec<(Kind, u64)> {
    Kind::iter()
        .map(|kind| {
            let count = match kind {
                Kind::Like => counts.reactions_like,
                Kind::Insightful => counts.reactions_insightful,
                Kind::Confused => counts.reactions_confused,
                Kind::Celebrate => counts.reactions_celebrate,
            };
            (kind, u64::try_from(count).unwrap_or(0))
        })
        .filter(|&(_, count)| count > 0)
        .collect()
}

/// The kinds `user_id` reacted to these posts with, as rows of the viewer's
/// marks (`marks::service::of_posts`): `post_id`, `mark` (the kind), `seconds`
/// (0), `completed_at` and `updated_at` (NULL).
pub fn marks_of_user(user_id: Uuid, post_ids: &[Uuid]) -> SelectStatement {
    Query::select()
        .column(reaction::Column::PostId)
        .expr_as(Expr::col(reaction::Column::Kind), "mark")
        .expr_as(Expr::cust("0"), "seconds")
        .expr_as(Expr::cust("NULL"), "completed_at")
        .expr_as(Expr::cust("NULL"), "updated_at")
        .from(reaction::Entity)
        .and_where(reaction::Column::UserId.eq(user_id))
        .and_where(reaction::Column::PostId.is_in(post_ids.iter().copied()))
        .to_owned()
}

/// Puts reaction kinds in the order listings show them (the order they are declared in).
pub fn in_kind_order(kinds: &mut [Kind]) {
    kinds.sort_by_key(rank);
}

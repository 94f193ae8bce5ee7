//! Who may see a post: the conditions every query of posts filters by, and the
//! gates that load one post for reading or editing.

use chrono::Utc;
use sea_orm::{
    ActiveEnum, ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, QueryFilter,
    sea_query::{Expr, ExprTrait, Query, SelectStatement, UnionType},
};
use uuid::Uuid;

use crate::{
    auth::Viewer,
    domains::accounts::Role,
    error::{AppError, AppResult},
};
use entity::post::{self, Status};

/// Posts everyone may read right now: published, or scheduled and due.
///
/// Live posts are nearly every post, so an index search on `status` never
/// narrows them down. On SQLite the status terms are written so that no index
/// can serve them (a unary `+`, SQLite's documented way to say so): otherwise,
/// depending on its statistics (`ANALYZE`, `PRAGMA optimize`) and its version,
/// SQLite may read every live post through the status index and sort them all
/// for a page of 20, ~50× slower than walking `published_at` (BENCHMARKS.md,
/// "SQLite's plans and the lean schema"; tests/api/plans.rs). PostgreSQL's statistics know the spread of `status`.
pub fn live(backend: DbBackend) -> Condition {
    let status_is = |status: Status| -> Expr {
        if backend == DbBackend::Sqlite {
            ExprTrait::eq(
                Expr::cust_with_expr("+?", Expr::col((post::Entity, post::Column::Status))),
                status.to_value(),
            )
        } else {
            post::Column::Status.eq(status)
        }
    };
    // Every live post has a publish time; saying so lets an index on `published_at`
    // skip the drafts (which have none) instead of stepping over them.
    Condition::all().add(post::Column::PublishedAt.is_not_null()).add(
        Condition::any()
            .add(status_is(Status::Published))
            .add(Condition::all().add(status_is(Status::Scheduled)).add(post::Column::PublishedAt.lte(Utc::now()))),
    )
}

/// Posts `viewer` may open: live ones, their own, or any for admins.
pub fn readable_by(viewer: &Viewer, backend: DbBackend) -> Condition {
    match viewer {
        Viewer::User { role: Role::Admin, .. } => Condition::all(),
        Viewer::User { id, .. } => Condition::any().add(live(backend)).add(post::Column::AuthorId.eq(*id)),
        Viewer::Anonymous => live(backend),
    }
}

/// The ids of the posts `viewer` may open, as a subquery: other domains narrow
/// their own rows (bookmarks, …) to readable posts with it in the same query.
pub fn readable_ids(viewer: &Viewer, backend: DbBackend) -> SelectStatement {
    Query::select().column(post::Column::Id).from(post::Entity).cond_where(readable_by(viewer, backend)).to_owned()
}

/// The ids of the posts `viewer` may not open, as a subquery: the complement of
/// [`readable_ids`], usually a small set, so another domain's list that must
/// leave unreadable posts out (`NOT IN`) reads it instead of every readable
/// post. Written as a union of index searches (never published, drafts,
/// scheduled for later; then less the viewer's own posts): as one condition
/// with OR, SQLite scans every post, body and all.
pub fn unreadable_ids(viewer: &Viewer) -> SelectStatement {
    let part = |condition: Condition| {
        Query::select().column(post::Column::Id).from(post::Entity).cond_where(condition).to_owned()
    };
    let Viewer::User { id: user_id, role } = viewer else {
        return not_live_ids(part);
    };
    if *role == Role::Admin {
        return part(Condition::all().add(post::Column::Id.is_null()));
    }
    let mut hidden = not_live_ids(part);
    hidden.union(UnionType::Except, part(Condition::all().add(post::Column::AuthorId.eq(*user_id))));
    hidden
}

/// The ids of the posts that are not [`live`], one index search per way of not being live.
fn not_live_ids(part: impl Fn(Condition) -> SelectStatement) -> SelectStatement {
    let mut ids = part(Condition::all().add(post::Column::PublishedAt.is_null()));
    ids.union(UnionType::Distinct, part(Condition::all().add(post::Column::Status.eq(Status::Draft))));
    let later =
        Condition::all().add(post::Column::Status.eq(Status::Scheduled)).add(post::Column::PublishedAt.gt(Utc::now()));
    ids.union(UnionType::Distinct, part(later));
    ids
}

pub fn is_live(post: &post::Model) -> bool {
    post.status == Status::Published
        || (post.status == Status::Scheduled && post.published_at.is_some_and(|at| at <= Utc::now()))
}

pub fn can_read(viewer: &Viewer, post: &post::Model) -> bool {
    is_live(post) || viewer.is_owner_or_admin(post.author_id)
}

/// A post the viewer may read, or NOT_FOUND (so unpublished posts do not reveal themselves).
pub async fn get_readable(db: &impl ConnectionTrait, viewer: &Viewer, id: Uuid) -> AppResult<post::Model> {
    post::Entity::find_by_id(id)
        .filter(readable_by(viewer, db.get_database_backend()))
        .one(db)
        .await?
        .ok_or(AppError::NotFound("Post"))
}

/// A post the viewer may edit: FORBIDDEN for other people's posts they can see, NOT_FOUND otherwise.
pub async fn get_editable(db: &impl ConnectionTrait, viewer: &Viewer, id: Uuid) -> AppResult<post::Model> {
    viewer.require_role(Role::Author)?;
    let post = post::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound("Post"))?;
    if viewer.is_owner_or_admin(post.author_id) {
        Ok(post)
    } else if can_read(viewer, &post) {
        Err(AppError::Forbidden)
    } else {
        Err(AppError::NotFound("Post"))
    }
}

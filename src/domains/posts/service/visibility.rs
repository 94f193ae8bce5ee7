//! Who may see a post: the conditions every query of posts filters by, and the
//! gates that load one post for reading or editing.

use chrono::Utc;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    sea_query::{Query, SelectStatement, UnionType},
};
use uuid::Uuid;

use crate::{
    auth::Viewer,
    domains::accounts::Role,
    error::{AppError, AppResult},
};
use entity::post::{self, Status};

/// Posts everyone may read right now: published, or scheduled and due.
pub fn live() -> Condition {
    // Every live post has a publish time; saying so lets an index on `published_at`
    // skip the drafts (which have none) instead of stepping over them.
    Condition::all().add(post::Column::PublishedAt.is_not_null()).add(
        Condition::any().add(post::Column::Status.eq(Status::Published)).add(
            Condition::all()
                .add(post::Column::Status.eq(Status::Scheduled))
                .add(post::Column::PublishedAt.lte(Utc::now())),
        ),
    )
}

/// Posts `viewer` may open: live ones, their own, or any for admins.
pub fn readable_by(viewer: &Viewer) -> Condition {
    match viewer {
        Viewer::User { role: Role::Admin, .. } => Condition::all(),
        Viewer::User { id, .. } => Condition::any().add(live()).add(post::Column::AuthorId.eq(*id)),
        Viewer::Anonymous => live(),
    }
}

/// The ids of the posts `viewer` may open, as a subquery: other domains narrow
/// their own rows (bookmarks, …) to readable posts with it in the same query.
pub fn readable_ids(viewer: &Viewer) -> SelectStatement {
    Query::select().column(post::Column::Id).from(post::Entity).cond_where(readable_by(viewer)).to_owned()
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
    post::Entity::find_by_id(id).filter(readable_by(viewer)).one(db).await?.ok_or(AppError::NotFound("Post"))
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

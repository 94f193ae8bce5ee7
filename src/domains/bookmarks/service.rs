//! Bookmark rules: one bookmark per reader and post, kept from the first save.

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set,
    sea_query::{Expr, Query, SelectStatement},
};
use uuid::Uuid;

use crate::{
    auth::Viewer,
    domains::posts::service as posts,
    error::AppResult,
    pagination::{Cursor, Key, Page, PageArgs, Sort, paginate},
};
use entity::{bookmark, post};

/// Saves a post the viewer may read; saving it again keeps the first bookmark.
pub async fn bookmark(db: &impl ConnectionTrait, viewer: &Viewer, post_id: Uuid) -> AppResult<post::Model> {
    let user_id = viewer.require_signed_in()?;
    let post = posts::get_readable(db, viewer, post_id).await?;
    let row = bookmark::ActiveModel { user_id: Set(user_id), post_id: Set(post.id), created_at: Set(Utc::now()) };
    bookmark::Entity::insert(row).on_conflict_do_nothing().exec_without_returning(db).await?;
    Ok(post)
}

/// Forgets a bookmark; a post that was not bookmarked stays that way.
pub async fn unbookmark(db: &impl ConnectionTrait, viewer: &Viewer, post_id: Uuid) -> AppResult<post::Model> {
    let user_id = viewer.require_signed_in()?;
    let post = posts::get_readable(db, viewer, post_id).await?;
    bookmark::Entity::delete_by_id((user_id, post.id)).exec(db).await?;
    Ok(post)
}

/// The viewer's bookmarked posts they can still read, most recently bookmarked
/// first; the page's posts are loaded in one query.
pub async fn list(db: &impl ConnectionTrait, viewer: &Viewer, args: &PageArgs) -> AppResult<Page<post::Model>> {
    let user_id = viewer.require_signed_in()?;
    let select = bookmark::Entity::find()
        .filter(bookmark::Column::UserId.eq(user_id))
        .filter(bookmark::Column::PostId.in_subquery(posts::readable_ids(viewer, db.get_database_backend())));
    let sort = Sort { column: Some(bookmark::Column::CreatedAt), descending: true };
    let cursor_of = |b: &bookmark::Model| Cursor { key: Key::Time(b.created_at), id: b.post_id };
    let page = paginate(db, select, bookmark::Column::PostId, sort, cursor_of, args).await?.map(|b| b.post_id);
    let ids: Vec<Uuid> = page.edges.iter().map(|edge| edge.node).collect();
    let mut by_id: HashMap<Uuid, post::Model> =
        posts::posts_by_ids(db, &ids).await?.into_iter().map(|p| (p.id, p)).collect();
    Ok(page.filter_map(|id| by_id.remove(&id)))
}

/// Which of these posts `user_id` bookmarked, as rows of the viewer's marks
/// (`marks::service::of_posts`): `post_id`, `mark` (`BOOKMARK`), `seconds` (0),
/// `completed_at` and `updated_at` (NULL).
pub fn marks_of_user(user_id: Uuid, post_ids: &[Uuid]) -> SelectStatement {
    Query::select()
        .column(bookmark::Column::PostId)
        .expr_as(Expr::cust(format!("'{BOOKMARK_MARK}'")), "mark")
        .expr_as(Expr::cust("0"), "seconds")
        .expr_as(Expr::cust("NULL"), "completed_at")
        .expr_as(Expr::cust("NULL"), "updated_at")
        .from(bookmark::Entity)
        .and_where(bookmark::Column::UserId.eq(user_id))
        .and_where(bookmark::Column::PostId.is_in(post_ids.iter().copied()))
        .to_owned()
}

/// The `mark` of a bookmark's row in the viewer's marks.
pub const BOOKMARK_MARK: &str = "BOOKMARK";

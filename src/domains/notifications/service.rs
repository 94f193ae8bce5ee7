//! Notification rules and queries. A user sees only their own notifications;
//! someone else's id answers NOT_FOUND (never FORBIDDEN), so ids reveal nothing.
//! New notifications reach live subscribers on the bus topic `notifications:<user id>`
//! after the transaction that stored them commits.

use std::collections::HashSet;

use chrono::Utc;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set, TransactionSession, TransactionTrait,
    sea_query::Expr,
};
use uuid::Uuid;

use crate::{
    error::{AppError, AppResult},
    pagination::{Cursor, Page, PageArgs, Sort, paginate},
    state::AppState,
    state::BeginWrite,
    write::Write,
};
use entity::notification::{self, Kind};

/// Longest title, in characters; longer ones are shortened.
pub const MAX_TITLE: usize = 200;
/// Longest message, in characters; longer ones are shortened.
pub const MAX_MESSAGE: usize = 1_000;
/// Most ids one `markNotificationsRead` call may name.
pub const MAX_IDS: usize = 100;
/// Rows per INSERT when a notification fans out to many readers (stays under
/// SQLite's bound-parameter limit).
const INSERT_CHUNK: usize = 500;

/// The bus topic a user's new notifications are published on.
pub fn topic(user_id: Uuid) -> String {
    format!("notifications:{user_id}")
}

/// A notification to raise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub user_id: Uuid,
    pub kind: Kind,
    pub title: String,
    pub message: String,
    /// A path in the web app, e.g. `/posts/ownership`.
    pub link: Option<String>,
}

fn shorten(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut short: String = text.chars().take(max - 1).collect();
    short.push('…');
    short
}

/// Stores notifications with the change that raises them, so they exist exactly
/// when the change does; each reaches its user's live subscriptions once the
/// change commits.
pub async fn store(write: &Write, notices: Vec<Notice>) -> AppResult<Vec<notification::Model>> {
    let now = Utc::now();
    let rows: Vec<notification::Model> = notices
        .into_iter()
        .map(|notice| notification::Model {
            id: Uuid::now_v7(),
            user_id: notice.user_id,
            kind: notice.kind,
            title: shorten(&notice.title, MAX_TITLE),
            message: shorten(&notice.message, MAX_MESSAGE),
            link: notice.link,
            read_at: None,
            created_at: now,
        })
        .collect();
    for chunk in rows.chunks(INSERT_CHUNK) {
        notification::Entity::insert_many(chunk.iter().map(|row| notification::ActiveModel {
            id: Set(row.id),
            user_id: Set(row.user_id),
            kind: Set(row.kind),
            title: Set(row.title.clone()),
            message: Set(row.message.clone()),
            link: Set(row.link.clone()),
            read_at: Set(row.read_at),
            created_at: Set(row.created_at),
        }))
        .exec_without_returning(write)
        .await
        .map_err(|err| AppError::Internal(anyhow::Error::new(err).context("Failed to store notifications")))?;
    }
    for row in &rows {
        write.publish(topic(row.user_id), row);
    }
    Ok(rows)
}

/// Raises one notification on its own: stores it, then publishes it to the user's subscriptions.
pub async fn notify(
    state: &AppState,
    user_id: Uuid,
    kind: Kind,
    title: &str,
    message: &str,
    link: Option<&str>,
) -> AppResult<notification::Model> {
    let notice =
        Notice { user_id, kind, title: title.to_owned(), message: message.to_owned(), link: link.map(str::to_owned) };
    let write = Write::begin(state).await?;
    let row = store(&write, vec![notice]).await?.pop();
    write.commit().await?;
    Ok(row.ok_or_else(|| anyhow::anyhow!("A stored notification went missing"))?)
}

/// The user's notifications, newest first; only unread ones when `unread_only`.
pub async fn list(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    unread_only: bool,
    args: &PageArgs,
) -> AppResult<Page<notification::Model>> {
    let mut select = notification::Entity::find().filter(notification::Column::UserId.eq(user_id));
    if unread_only {
        select = select.filter(notification::Column::ReadAt.is_null());
    }
    paginate(db, select, notification::Column::Id, Sort::newest(), |n| Cursor::id(n.id), args).await
}

/// How many of the user's notifications are unread.
pub async fn unread_count(db: &impl ConnectionTrait, user_id: Uuid) -> AppResult<u64> {
    Ok(notification::Entity::find()
        .filter(notification::Column::UserId.eq(user_id))
        .filter(notification::Column::ReadAt.is_null())
        .count(db)
        .await?)
}

/// Marks these notifications of the user read; returns how many were unread.
/// All or nothing: if any id is not one of the user's notifications, the
/// answer is NOT_FOUND and nothing changes.
pub async fn mark_read(db: &(impl ConnectionTrait + TransactionTrait), user_id: Uuid, ids: &[Uuid]) -> AppResult<u64> {
    if ids.len() > MAX_IDS {
        return Err(AppError::bad_input("ids", format!("Mark at most {MAX_IDS} notifications at once")));
    }
    let ids: HashSet<Uuid> = ids.iter().copied().collect();
    if ids.is_empty() {
        return Ok(0);
    }
    let txn = db.begin_write().await?;
    let owned = notification::Entity::find()
        .filter(notification::Column::UserId.eq(user_id))
        .filter(notification::Column::Id.is_in(ids.iter().copied()))
        .count(&txn)
        .await?;
    if owned != ids.len() as u64 {
        return Err(AppError::NotFound("Notification"));
    }
    let changed = notification::Entity::update_many()
        .col_expr(notification::Column::ReadAt, Expr::value(Utc::now()))
        .filter(notification::Column::UserId.eq(user_id))
        .filter(notification::Column::Id.is_in(ids.iter().copied()))
        .filter(notification::Column::ReadAt.is_null())
        .exec(&txn)
        .await?
        .rows_affected;
    txn.commit().await?;
    Ok(changed)
}

/// Marks every unread notification of the user read; returns how many there were.
pub async fn mark_all_read(db: &impl ConnectionTrait, user_id: Uuid) -> AppResult<u64> {
    Ok(notification::Entity::update_many()
        .col_expr(notification::Column::ReadAt, Expr::value(Utc::now()))
        .filter(notification::Column::UserId.eq(user_id))
        .filter(notification::Column::ReadAt.is_null())
        .exec(db)
        .await?
        .rows_affected)
}

/// Deletes one of the user's notifications; NOT_FOUND if it is not theirs (or gone).
pub async fn dismiss(db: &impl ConnectionTrait, user_id: Uuid, id: Uuid) -> AppResult<()> {
    let deleted = notification::Entity::delete_many()
        .filter(notification::Column::UserId.eq(user_id))
        .filter(notification::Column::Id.eq(id))
        .exec(db)
        .await?
        .rows_affected;
    if deleted == 0 {
        return Err(AppError::NotFound("Notification"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_texts_are_shortened_by_characters() {
        assert_eq!(shorten("  short  ", 10), "short");
        let long = shorten(&"é".repeat(20), 10);
        assert_eq!(long.chars().count(), 10);
        assert!(long.ends_with('…'));
    }
}

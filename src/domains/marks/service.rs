//! The viewer's marks on posts: a `UNION ALL` of each owning domain's rows in
//! one shape (`post_id`, `mark`, `seconds`, `completed_at`, `updated_at`), so a
//! signed-in page pays one statement for `viewerReactions`,
//! `viewerHasBookmarked` and `viewerProgress` instead of one each.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ActiveEnum, ConnectionTrait, sea_query::UnionType};
use uuid::Uuid;

use crate::{
    domains::{bookmarks::service as bookmarks, progress::service as progress, reactions::service as reactions},
    error::{AppError, AppResult},
};
use entity::{reaction::Kind, reading_progress};

/// What one user left on one post.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Marks {
    /// The kinds they reacted with, in kind order.
    pub reactions: Vec<Kind>,
    /// Whether they bookmarked it.
    pub bookmarked: bool,
    /// Their reading progress, if they ever opened it.
    pub progress: Option<reading_progress::Model>,
}

/// `user_id`'s marks on each of these posts, in one statement (posts they left
/// nothing on are absent).
pub async fn of_posts(db: &impl ConnectionTrait, user_id: Uuid, post_ids: &[Uuid]) -> AppResult<HashMap<Uuid, Marks>> {
    if post_ids.is_empty() {
        return Ok(HashMap::new());
    }
    // Progress first: PostgreSQL types a union's columns pair by pair from the
    // left, and two untyped NULLs first would make the timestamps text.
    let mut query = progress::marks_of_user(user_id, post_ids);
    query
        .union(UnionType::All, bookmarks::marks_of_user(user_id, post_ids))
        .union(UnionType::All, reactions::marks_of_user(user_id, post_ids));
    let rows = db.query_all(&query).await?;
    let mut marks: HashMap<Uuid, Marks> = HashMap::new();
    for row in rows {
        let post_id: Uuid = row.try_get("", "post_id")?;
        let mark: String = row.try_get("", "mark")?;
        let entry = marks.entry(post_id).or_default();
        match mark.as_str() {
            bookmarks::BOOKMARK_MARK => entry.bookmarked = true,
            progress::PROGRESS_MARK => {
                let completed_at: Option<DateTime<Utc>> = row.try_get("", "completed_at")?;
                let updated_at: Option<DateTime<Utc>> = row.try_get("", "updated_at")?;
                entry.progress = Some(reading_progress::Model {
                    user_id,
                    post_id,
                    seconds_spent: row.try_get("", "seconds")?,
                    completed_at,
                    updated_at: updated_at
                        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("A progress row without updated_at")))?,
                });
            }
            kind => entry.reactions.push(
                Kind::try_from_value(&kind.to_owned())
                    .map_err(|_| AppError::Internal(anyhow::anyhow!("An unknown mark {kind:?}")))?,
            ),
        }
    }
    for entry in marks.values_mut() {
        reactions::in_kind_order(&mut entry.reactions);
    }
    Ok(marks)
}

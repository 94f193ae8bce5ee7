//! Adding a comment (reply notices, the live `commentAdded` event), editing,
//! deleting and moderating one.

use anyhow::Context;
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};
use uuid::Uuid;

use super::{MAX_DEPTH, thread_place};
use crate::{
    auth::Viewer,
    domains::{
        accounts::{Role, service as accounts},
        engagement::service as engagement,
        notifications::{self, service::Notice},
        posts::service as posts,
    },
    error::{AppError, AppResult},
    infra::{rate_limit::Rule, response_cache::CacheTag},
    state::AppState,
    values::CommentBody,
    write::Write,
};
use entity::{
    comment::{self, Status},
    post,
};

/// A comment on a post the viewer may read, or NOT_FOUND (a comment does not
/// reveal an unpublished post).
async fn get_readable(db: &impl ConnectionTrait, viewer: &Viewer, id: Uuid) -> AppResult<comment::Model> {
    let comment = comment::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound("Comment"))?;
    match posts::get_readable(db, viewer, comment.post_id).await {
        Ok(_) => Ok(comment),
        Err(AppError::NotFound(_)) => Err(AppError::NotFound("Comment")),
        Err(err) => Err(err),
    }
}

/// The bus topic new visible comments of a post are published on.
pub fn post_topic(post_id: Uuid) -> String {
    format!("comments:{post_id}")
}

/// What `post_topic` carries: the comment, and whether its post was live when
/// the comment was added, so every subscriber re-checks that it may still see
/// the post (it may have been unpublished since the subscription began)
/// without a query per event.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct CommentAdded {
    pub comment: comment::Model,
    pub post_live: bool,
    pub post_author: Uuid,
    /// What the comment's author shows anyone, as it was when the comment was
    /// added; events from an older release have none (their subscribers look
    /// the author up).
    #[serde(default)]
    pub author: Option<accounts::PublicProfile>,
}

impl CommentAdded {
    /// Whether `viewer` may see this comment's post as it was when the comment was added.
    pub fn visible_to(&self, viewer: &Viewer) -> bool {
        self.post_live || viewer.is_owner_or_admin(self.post_author)
    }
}

/// New comments and replies per account: a burst of `COMMENT_BURST` (20), then one every 30
/// seconds. Enough for any discussion, not for a script flooding threads and reply
/// notifications.
fn comments_per_account(burst: u32) -> Rule {
    Rule::new("comment:account", burst, std::time::Duration::from_secs(30) * burst)
}

/// Comments on a post the viewer may read, or replies to one of its visible comments.
/// A reply to someone else's comment notifies that comment's author. Once
/// stored, the comment goes to the post's live subscribers and the
/// notification to its recipient.
pub async fn add(
    state: &AppState,
    viewer: &Viewer,
    post_id: Uuid,
    parent_id: Option<Uuid>,
    body: &str,
) -> AppResult<comment::Model> {
    let author_id = viewer.require_signed_in()?;
    let body = CommentBody::parse("body", body)?.into_inner();
    if state.config.comments_require_verified_email
        && accounts::get_user(&state.db, author_id).await?.email_verified_at.is_none()
    {
        return Err(AppError::EmailNotVerified(
            "Verify your email address before commenting: follow the link we mailed you, or ask for a new one",
        ));
    }
    state.limiter.hit(&comments_per_account(state.config.comment_burst), &author_id.to_string()).await?;
    let txn = Write::begin(state).await?;
    let post = posts::get_readable(&txn, viewer, post_id).await?;
    let parent = match parent_id {
        Some(parent_id) => {
            let parent = comment::Entity::find_by_id(parent_id)
                .one(&txn)
                .await?
                .ok_or_else(|| AppError::bad_input("parentId", "There is no such comment"))?;
            if parent.post_id != post.id {
                return Err(AppError::bad_input("parentId", "This comment belongs to another post"));
            }
            if parent.status != Status::Visible {
                return Err(AppError::bad_input("parentId", "This comment was removed and takes no replies"));
            }
            if parent.depth >= MAX_DEPTH {
                return Err(AppError::bad_input(
                    "parentId",
                    format!("Replies nest at most {MAX_DEPTH} deep; answer a comment higher up"),
                ));
            }
            Some(parent)
        }
        None => None,
    };
    let id = Uuid::now_v7();
    let (thread_path, depth) = thread_place(id, parent.as_ref().map(|p| (p.thread_path.as_str(), p.depth)));
    let comment = comment::ActiveModel {
        id: Set(id),
        post_id: Set(post.id),
        author_id: Set(author_id),
        parent_id: Set(parent_id),
        body: Set(body),
        status: Set(Status::Visible),
        edited_at: Set(None),
        created_at: Set(Utc::now()),
        thread_path: Set(thread_path),
        depth: Set(depth),
    }
    .insert(&txn)
    .await
    .context("Failed to store a comment")?;
    engagement::on_comment(&txn, state, author_id, comment.created_at).await?;
    // The parent's author hears of a reply, the post's author of every other
    // comment on the post; nobody hears of their own, nor twice of one.
    let mut notices = Vec::new();
    if let Some(parent) = parent.filter(|parent| parent.author_id != author_id) {
        notices.push(reply_notice(&txn, &post, &parent, &comment).await?);
    }
    if post.author_id != author_id && notices.iter().all(|n: &Notice| n.user_id != post.author_id) {
        notices.push(post_author_notice(&txn, &post, &comment).await?);
    }
    notifications::service::store(&txn, notices).await?;
    let author = accounts::find_user(&txn, author_id).await?.as_ref().map(accounts::PublicProfile::from);
    let event = CommentAdded { comment, post_live: posts::is_live(&post), post_author: post.author_id, author };
    txn.publish(post_topic(post.id), &event);
    txn.invalidate(CacheTag::Post(post.id));
    txn.commit().await?;
    Ok(event.comment)
}

/// Tells the author of `parent` that `reply` answers it.
async fn reply_notice(
    db: &impl ConnectionTrait,
    post: &post::Model,
    parent: &comment::Model,
    reply: &comment::Model,
) -> AppResult<Notice> {
    let replier = accounts::find_user(db, reply.author_id).await?.map(|u| u.display_name);
    Ok(Notice {
        user_id: parent.author_id,
        kind: notifications::Kind::CommentReply,
        title: format!("{} replied to your comment", replier.as_deref().unwrap_or("Someone")),
        message: format!("On “{}”: {}", post.title, reply.body),
        link: Some(format!("/posts/{}#comment-{}", post.slug, reply.id)),
    })
}

/// Tells the author of `post` that `comment` was written on it.
async fn post_author_notice(
    db: &impl ConnectionTrait,
    post: &post::Model,
    comment: &comment::Model,
) -> AppResult<Notice> {
    let commenter = accounts::find_user(db, comment.author_id).await?.map(|u| u.display_name);
    let verb = if comment.parent_id.is_some() { "replied in the comments of" } else { "commented on" };
    Ok(Notice {
        user_id: post.author_id,
        kind: notifications::Kind::CommentOnPost,
        title: format!("{} {verb} “{}”", commenter.as_deref().unwrap_or("Someone"), post.title),
        message: comment.body.clone(),
        link: Some(format!("/posts/{}#comment-{}", post.slug, comment.id)),
    })
}

/// Rewrites a comment. Only its author may: not even admins put words in someone's mouth.
pub async fn edit(state: &AppState, viewer: &Viewer, id: Uuid, body: &str) -> AppResult<comment::Model> {
    let db = &state.db;
    let author_id = viewer.require_signed_in()?;
    let comment = get_readable(db, viewer, id).await?;
    if comment.author_id != author_id {
        return Err(AppError::Forbidden);
    }
    if comment.status == Status::Deleted {
        return Err(AppError::bad_input("id", "A deleted comment cannot be edited"));
    }
    let body = CommentBody::parse("body", body)?.into_inner();
    let mut comment: comment::ActiveModel = comment.into();
    comment.body = Set(body);
    comment.edited_at = Set(Some(Utc::now()));
    let comment = comment.update(db).await?;
    state.public_cache.invalidate(&[CacheTag::Post(comment.post_id)]).await;
    Ok(comment)
}

/// Soft-deletes a comment (its author or an admin): the text goes, the row
/// stays so its replies keep their place. True once it is deleted, also when it already was.
pub async fn delete(state: &AppState, viewer: &Viewer, id: Uuid) -> AppResult<bool> {
    let db = &state.db;
    viewer.require_signed_in()?;
    let comment = get_readable(db, viewer, id).await?;
    viewer.require_owner_or_admin(comment.author_id)?;
    if comment.status == Status::Deleted {
        return Ok(true);
    }
    let mut comment: comment::ActiveModel = comment.into();
    comment.status = Set(Status::Deleted);
    comment.body = Set(String::new());
    let comment = comment.update(db).await?;
    state.public_cache.invalidate(&[CacheTag::Post(comment.post_id)]).await;
    Ok(true)
}

/// Hides a comment from readers or shows it again (admins only).
pub async fn moderate(state: &AppState, viewer: &Viewer, id: Uuid, status: Status) -> AppResult<comment::Model> {
    let db = &state.db;
    viewer.require_role(Role::Admin)?;
    if status == Status::Deleted {
        return Err(AppError::bad_input("status", "Moderators hide or show comments; use deleteComment to delete one"));
    }
    let comment = get_readable(db, viewer, id).await?;
    if comment.status == Status::Deleted {
        return Err(AppError::bad_input("id", "This comment was deleted; there is nothing left to moderate"));
    }
    let mut comment: comment::ActiveModel = comment.into();
    comment.status = Set(status);
    let comment = comment.update(db).await?;
    state.public_cache.invalidate(&[CacheTag::Post(comment.post_id)]).await;
    Ok(comment)
}

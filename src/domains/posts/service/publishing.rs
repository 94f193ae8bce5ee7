//! A post's status: publish, unpublish, schedule, and the job that publishes
//! scheduled posts when they are due; publishing tells the series' readers.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, sea_query::Expr};
use uuid::Uuid;

use super::{all_posts_of_series, get_editable};
use crate::{
    auth::Viewer,
    domains::{
        notifications::{self, service::Notice},
        progress::service as progress,
        series::service as series,
    },
    error::{AppError, AppResult},
    infra::response_cache::CacheTag,
    jobs::Job,
    state::AppState,
    write::Write,
};
use entity::post::{self, Status};

async fn set_status(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
    status: Status,
    at: Option<DateTime<Utc>>,
) -> AppResult<post::Model> {
    let mut post: post::ActiveModel = get_editable(db, viewer, id).await?.into();
    post.status = Set(status);
    post.published_at = Set(at);
    post.updated_at = Set(Utc::now());
    Ok(post.update(db).await?)
}

/// Publishes now (a post published before keeps its original date). A post
/// that was not published yet notifies the readers of its series, once the
/// change is committed.
pub async fn publish(state: &AppState, viewer: &Viewer, id: Uuid) -> AppResult<post::Model> {
    let txn = Write::begin(state).await?;
    let current = get_editable(&txn, viewer, id).await?;
    let newly_published = current.status != Status::Published;
    let at = match (current.status, current.published_at) {
        (Status::Published, Some(at)) => at,
        _ => Utc::now(),
    };
    let post = set_status(&txn, viewer, id, Status::Published, Some(at)).await?;
    let notices = if newly_published { series_notices(&txn, &post).await? } else { Vec::new() };
    notifications::service::store(&txn, notices).await?;
    if newly_published {
        txn.enqueue(&Job::RefreshSitemap).await?;
    }
    txn.enqueue(&Job::IndexPost { post: id }).await?;
    txn.invalidate(CacheTag::Content);
    txn.commit().await?;
    Ok(post)
}

/// NEW_POST_IN_SERIES for everyone reading the post's series (with progress on
/// another of its posts), except the post's author.
async fn series_notices(db: &impl ConnectionTrait, post: &post::Model) -> AppResult<Vec<Notice>> {
    let Some(series_id) = post.series_id else {
        return Ok(Vec::new());
    };
    let others: Vec<Uuid> =
        all_posts_of_series(db, series_id).await?.into_iter().map(|p| p.id).filter(|&id| id != post.id).collect();
    let readers = progress::readers_of_posts(db, &others).await?;
    if readers.is_empty() {
        return Ok(Vec::new());
    }
    let series_title = series::by_ids(db, &[series_id]).await?.into_iter().next().map(|s| s.title);
    let title = format!("New in “{}”", series_title.as_deref().unwrap_or("a series you are reading"));
    Ok(readers
        .into_iter()
        .filter(|&reader| reader != post.author_id)
        .map(|user_id| Notice {
            user_id,
            kind: notifications::Kind::NewPostInSeries,
            title: title.clone(),
            message: post.title.clone(),
            link: Some(format!("/posts/{}", post.slug)),
        })
        .collect())
}

/// Back to draft; its passages leave the search index (a job).
pub async fn unpublish(state: &AppState, viewer: &Viewer, id: Uuid) -> AppResult<post::Model> {
    set_status_and_reindex(state, viewer, id, Status::Draft, None).await
}

async fn set_status_and_reindex(
    state: &AppState,
    viewer: &Viewer,
    id: Uuid,
    status: Status,
    at: Option<DateTime<Utc>>,
) -> AppResult<post::Model> {
    let txn = Write::begin(state).await?;
    let post = set_status(&txn, viewer, id, status, at).await?;
    txn.enqueue(&Job::IndexPost { post: id }).await?;
    txn.invalidate(CacheTag::Content);
    txn.commit().await?;
    Ok(post)
}

/// Publishes at `at`, which must be in the future.
pub async fn schedule(state: &AppState, viewer: &Viewer, id: Uuid, at: DateTime<Utc>) -> AppResult<post::Model> {
    if at <= Utc::now() {
        return Err(AppError::bad_input("at", "A post can only be scheduled for the future; publish it now instead"));
    }
    set_status_and_reindex(state, viewer, id, Status::Scheduled, Some(at)).await
}

/// Turns scheduled posts whose time has come into published ones (a scheduled
/// job) and notifies the readers of their series. Each post is flipped in a
/// transaction of its own, and only by the worker whose update changed it, so
/// readers hear about it once even when several workers run the job.
pub async fn publish_due(state: &AppState) -> AppResult<Vec<Uuid>> {
    let due = post::Entity::find()
        .filter(post::Column::Status.eq(Status::Scheduled))
        .filter(post::Column::PublishedAt.lte(Utc::now()))
        .all(&state.db)
        .await?;
    let mut published = Vec::with_capacity(due.len());
    for post in due {
        let txn = Write::begin(state).await?;
        let flipped = post::Entity::update_many()
            .col_expr(post::Column::Status, Expr::value(Status::Published))
            .filter(post::Column::Id.eq(post.id))
            .filter(post::Column::Status.eq(Status::Scheduled))
            .exec(&txn)
            .await?
            .rows_affected
            == 1;
        if !flipped {
            continue;
        }
        notifications::service::store(&txn, series_notices(&txn, &post).await?).await?;
        txn.enqueue(&Job::IndexPost { post: post.id }).await?;
        // Readers saw it since its time came; cached answers were capped at that
        // time (see `next_scheduled_at`), and its status changes now.
        txn.invalidate(CacheTag::Content);
        txn.commit().await?;
        published.push(post.id);
    }
    if !published.is_empty() {
        let txn = Write::begin(state).await?;
        txn.enqueue(&Job::RefreshSitemap).await?;
        txn.commit().await?;
    }
    Ok(published)
}

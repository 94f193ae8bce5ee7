//! Bringing stored HTML up to the current markdown renderer.
//!
//! Each post stores the HTML of its body with the renderer version that made
//! it (`html_version`). When `markdown::RENDERER_VERSION` is raised, the posts
//! rendered before are re-rendered by one background job: a worker enqueues it
//! on start when such posts exist, with the version as its dedupe key, so
//! however many processes start, one job runs per version.
//!
//! The job walks the outdated posts in id order, a batch at a time, and writes
//! a post's new HTML only if its body is still the one it rendered: a post
//! edited meanwhile keeps the edit's HTML (an edit renders with the current
//! version anyway). Reading the post is unaffected throughout: every row holds
//! the old HTML or the new, and `updated_at` does not move (this is not an edit).
//! A post stored with a blank excerpt gets one taken from its body on the way.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, sea_query::Expr};
use uuid::Uuid;

use super::markdown::{self, RENDERER_VERSION};
use crate::{
    error::AppResult,
    infra::response_cache::CacheTag,
    jobs::{Enqueue, Job},
    state::AppState,
    write::Write,
};
use entity::post;

/// Posts rendered per batch (one read, then one guarded write each).
const BATCH: u64 = 100;

/// What a re-render run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Rerendered {
    /// Posts whose HTML now comes from the current renderer.
    pub updated: u64,
    /// Posts edited while the run rendered them (they already carry the edit's HTML,
    /// or, if an older process made the edit, wait for the next run).
    pub skipped: u64,
}

/// Whether any post's HTML comes from an older renderer.
pub async fn any_outdated(db: &impl ConnectionTrait) -> AppResult<bool> {
    let one: Option<Uuid> = post::Entity::find()
        .select_only()
        .column(post::Column::Id)
        .filter(post::Column::HtmlVersion.lt(RENDERER_VERSION))
        .into_tuple()
        .one(db)
        .await?;
    Ok(one.is_some())
}

/// Enqueues the re-render job for this renderer version if any post needs it;
/// `true` when this call enqueued it (another process may have first).
pub async fn schedule(state: &AppState) -> AppResult<bool> {
    if !any_outdated(&state.db).await? {
        return Ok(false);
    }
    let options = Enqueue { dedupe_key: Some(format!("renderer-v{RENDERER_VERSION}")), ..Default::default() };
    let write = Write::begin(state).await?;
    let enqueued = write.enqueue_with(&Job::RerenderPosts { version: RENDERER_VERSION }, options).await?.is_some();
    write.commit().await?;
    Ok(enqueued)
}

/// Re-renders every post whose HTML an older renderer made (cached answers
/// go after each batch that changed any).
pub async fn rerender_outdated(state: &AppState) -> AppResult<Rerendered> {
    let db = &state.db;
    let mut done = Rerendered::default();
    let mut after: Option<Uuid> = None;
    loop {
        let mut query = post::Entity::find()
            .select_only()
            .columns([post::Column::Id, post::Column::Body, post::Column::Excerpt])
            .filter(post::Column::HtmlVersion.lt(RENDERER_VERSION))
            .order_by_asc(post::Column::Id)
            .limit(BATCH);
        if let Some(after) = after {
            query = query.filter(post::Column::Id.gt(after));
        }
        let batch: Vec<(Uuid, String, String)> = query.into_tuple().all(db).await?;
        let Some((last, _, _)) = batch.last() else { return Ok(done) };
        after = Some(*last);
        // Rendering a batch is CPU work (up to 100 bodies of up to 200 kB): off the async threads.
        let rendered = tokio::task::spawn_blocking(move || {
            batch
                .into_iter()
                .map(|(id, body, excerpt)| {
                    // Posts saved with a blank excerpt before blank meant "from the body" get one now.
                    let excerpt =
                        excerpt.trim().is_empty().then(|| markdown::excerpt(&body, super::service::EXCERPT_CHARS));
                    (id, markdown::render(&body), body, excerpt)
                })
                .collect::<Vec<_>>()
        })
        .await
        .map_err(anyhow::Error::from)?;
        let updated_before = done.updated;
        for (id, html, body, excerpt) in rendered {
            let mut update = post::Entity::update_many()
                .col_expr(post::Column::BodyHtml, Expr::value(html))
                .col_expr(post::Column::HtmlVersion, Expr::value(RENDERER_VERSION));
            if let Some(excerpt) = excerpt {
                update = update.col_expr(post::Column::Excerpt, Expr::value(excerpt));
            }
            let written = update
                .filter(post::Column::Id.eq(id))
                .filter(post::Column::HtmlVersion.lt(RENDERER_VERSION))
                .filter(post::Column::Body.eq(body))
                .exec(db)
                .await?;
            if written.rows_affected == 1 {
                done.updated += 1;
            } else {
                done.skipped += 1;
            }
        }
        if done.updated > updated_before {
            state.public_cache.invalidate(&[CacheTag::Content]).await;
        }
    }
}

//! Background work run by apalis workers: inside `serve` in embedded mode,
//! and in `lectern worker` processes when scaled out.

use std::str::FromStr;

use anyhow::Context;
use apalis::prelude::*;
use apalis_cron::{CronScheduler, Tick};
use tokio_util::sync::CancellationToken;

use crate::{
    domains::{accounts, posts},
    state::AppState,
};

/// Every hour, at minute 17 (off the hour, when other jobs pile up).
const TOKEN_CLEANUP_SCHEDULE: &str = "0 17 * * * *";

/// Deletes refresh and one-time tokens that can no longer be used. Idempotent,
/// so it is harmless when several worker processes run it.
async fn clean_expired_tokens(_tick: Tick, state: Data<AppState>) -> Result<(), BoxDynError> {
    let removed = accounts::service::delete_expired_tokens(&state.db).await.map_err(|e| e.to_string())?;
    tracing::info!(removed, "expired tokens removed");
    Ok(())
}

/// Every minute: scheduled posts whose time has come become PUBLISHED.
/// (Readers see them from their publish time either way; this keeps the status true.)
const PUBLISH_DUE_SCHEDULE: &str = "0 * * * * *";

async fn publish_due_posts(_tick: Tick, state: Data<AppState>) -> Result<(), BoxDynError> {
    let published = posts::service::publish_due(&state).await.map_err(|e| e.to_string())?;
    if !published.is_empty() {
        tracing::info!(count = published.len(), "scheduled posts published");
    }
    Ok(())
}

fn schedule(expression: &str) -> anyhow::Result<cron::Schedule> {
    cron::Schedule::from_str(expression).with_context(|| format!("Invalid cron schedule {expression:?}"))
}

async fn until(shutdown: CancellationToken) -> Result<(), std::io::Error> {
    shutdown.cancelled().await;
    Ok(())
}

/// Runs the workers until `shutdown` is cancelled.
pub async fn run(state: AppState, shutdown: CancellationToken) -> anyhow::Result<()> {
    let token_cleanup = WorkerBuilder::new("token-cleanup")
        .backend(CronScheduler::new(schedule(TOKEN_CLEANUP_SCHEDULE)?))
        .data(state.clone())
        .build(clean_expired_tokens);
    let publish_due = WorkerBuilder::new("publish-due-posts")
        .backend(CronScheduler::new(schedule(PUBLISH_DUE_SCHEDULE)?))
        .data(state)
        .build(publish_due_posts);
    tracing::info!("job workers started");
    tokio::try_join!(token_cleanup.run_until(until(shutdown.clone())), publish_due.run_until(until(shutdown)))
        .context("A job worker failed")?;
    Ok(())
}

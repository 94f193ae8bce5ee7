//! Background work run by apalis workers: inside `serve` in embedded mode,
//! and in `lectern worker` processes when scaled out.

use std::str::FromStr;

use anyhow::Context;
use apalis::prelude::*;
use apalis_cron::{CronScheduler, Tick};
use tokio_util::sync::CancellationToken;

use crate::{domains::accounts, state::AppState};

/// Every hour, at minute 17 (off the hour, when other jobs pile up).
const TOKEN_CLEANUP_SCHEDULE: &str = "0 17 * * * *";

/// Deletes refresh and one-time tokens that can no longer be used. Idempotent,
/// so it is harmless when several worker processes run it.
async fn clean_expired_tokens(_tick: Tick, state: Data<AppState>) -> Result<(), BoxDynError> {
    let removed = accounts::service::delete_expired_tokens(&state.db).await.map_err(|e| e.to_string())?;
    tracing::info!(removed, "expired tokens removed");
    Ok(())
}

/// Runs the workers until `shutdown` is cancelled.
pub async fn run(state: AppState, shutdown: CancellationToken) -> anyhow::Result<()> {
    let schedule = cron::Schedule::from_str(TOKEN_CLEANUP_SCHEDULE).context("Invalid token cleanup schedule")?;
    let worker = WorkerBuilder::new("token-cleanup")
        .backend(CronScheduler::new(schedule))
        .data(state)
        .build(clean_expired_tokens);
    tracing::info!("job workers started");
    worker
        .run_until(async move {
            shutdown.cancelled().await;
            Ok::<(), std::io::Error>(())
        })
        .await
        .context("The token cleanup worker failed")?;
    Ok(())
}

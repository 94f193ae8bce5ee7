//! Background work, run by apalis workers: inside `serve` in embedded mode, and
//! in any number of `lectern worker` processes when scaled out.
//!
//! Two kinds of apalis worker run in each process:
//! - the queue worker, whose custom apalis backend claims due rows of the
//!   `jobs` table (see `queue`) and runs them, `JOB_CONCURRENCY` at a time;
//! - cron workers (apalis-cron). The ones whose work must happen once per tick
//!   (digests, sitemap) only enqueue a job with a dedupe key made from the
//!   tick, so however many processes tick, one job runs. Idempotent
//!   housekeeping (token cleanup, publishing due posts, the queue sweep) runs
//!   directly.

pub mod queue;
pub mod schema;

use std::{
    convert::Infallible,
    str::FromStr,
    task::{Context, Poll},
    time::Duration,
};

use anyhow::Context as _;
use apalis::prelude::*;
use apalis_core::{
    backend::{BackendConfig, finalize::Ephemeral},
    task::task_id::RandomId,
};
use apalis_cron::{CronScheduler, Tick};
use chrono::{DateTime, Utc};
use futures::{StreamExt, future::BoxFuture, stream::BoxStream};
use tokio_util::sync::CancellationToken;
use tower::layer::util::Identity;

pub use queue::{Enqueue, Job, MailLink, MailLinks, enqueue, enqueue_with};

use crate::{
    domains::{
        accounts, billing, certificates::service as certificates, engagement::service as engagement,
        feeds::service as feeds, newsletter, posts, reviews, search,
    },
    error::AppResult,
    infra::work::patiently,
    state::AppState,
    write::Write,
};

/// Every hour, at minute 17 (off the hour, when other jobs pile up).
const TOKEN_CLEANUP_SCHEDULE: &str = "0 17 * * * *";
/// Every minute: scheduled posts whose time has come become PUBLISHED.
/// (Readers see them from their publish time either way; this keeps the status true.)
const PUBLISH_DUE_SCHEDULE: &str = "0 * * * * *";
/// Every minute: the queue sweep (see `queue::sweep`).
const SWEEP_SCHEDULE: &str = "30 * * * * *";
/// Every hour at minute 41: the leaderboards rebuilt from the ledger (awards
/// that missed a board while Redis was away are back on it).
const LEADERBOARD_REBUILD_SCHEDULE: &str = "0 41 * * * *";
/// Mondays at 00:10 UTC, when the ISO week has ended: last week's top badges.
const WEEKLY_TOP_SCHEDULE: &str = "0 10 0 * * Mon";
/// Every hour at minute 5: the review reminders of the readers whose local day
/// has reached `REVIEW_REMINDER_HOUR` (hourly, so every time zone gets its hour).
const REVIEW_REMINDER_SCHEDULE: &str = "0 5 * * * *";
/// DONE jobs are kept this long for the admin's job list.
const KEEP_DONE: Duration = Duration::from_secs(7 * 86_400);

// The handlers return boxed futures: apalis asks for `Send` futures for every
// lifetime, which `async fn`s borrowing a transaction cannot prove.

/// Runs one claimed job and records its outcome, extending its lease while it runs.
fn run_job(claimed: queue::Claimed, state: Data<AppState>) -> BoxFuture<'static, Result<(), BoxDynError>> {
    Box::pin(async move {
        let config = &state.config.jobs;
        let span = tracing::info_span!("job", job.id = %claimed.id(), job.kind = %claimed.row.kind, attempt = claimed.row.attempts);
        // Jobs queue for the bounded work (embedding) rather than be refused like requests.
        let work = tracing::Instrument::instrument(patiently(perform(&state, &claimed)), span.clone());
        tokio::pin!(work);
        let mut heartbeat = tokio::time::interval(config.lease / 3);
        heartbeat.tick().await;
        let outcome = loop {
            tokio::select! {
                outcome = &mut work => break outcome,
                _ = heartbeat.tick() => {
                    match queue::extend_lease(&state.db, &claimed, config.lease).await {
                        Ok(true) => {}
                        Ok(false) => {
                            tracing::warn!(parent: &span, "lost the job's lease to another worker; abandoning this run");
                            return Ok(());
                        }
                        Err(err) => tracing::warn!(parent: &span, error = %err, "failed to extend a job's lease"),
                    }
                }
            }
        };
        let outcome = outcome.map_err(|err| format!("{err:#}"));
        if outcome.is_ok() {
            tracing::info!(parent: &span, "job done");
        }
        queue::finish(&state.db, &claimed, outcome, config.retry_base).await.map_err(|e| e.to_string())?;
        Ok(())
    })
}

/// What each kind of job does. Every job is safe to run again after a crash:
/// its effects are keyed (digest deliveries) or naturally idempotent (sitemap),
/// and a mail keeps its Message-ID across retries.
async fn perform(state: &AppState, claimed: &queue::Claimed) -> anyhow::Result<()> {
    match &claimed.job {
        Job::SendMail { mail, links } => {
            let mut mail = mail.clone();
            for (index, link) in links.iter().enumerate() {
                let Some(url) = mint_link(state, link).await? else {
                    tracing::info!("the mail is no longer needed; not sent");
                    return Ok(());
                };
                mail.fill_link(&crate::infra::mail::link_placeholder(index), &url);
            }
            mail.message_id = Some(claimed.id().to_string());
            state.mailer.send(mail).await
        }
        Job::SendDigests { day } => {
            let sent = newsletter::digest::send_due(state, *day).await?;
            tracing::info!(digests = sent, %day, "digests enqueued");
            Ok(())
        }
        Job::RefreshSitemap => feeds::refresh_sitemap(state).await.map(drop),
        Job::SendNewsletter { issue, subject, markdown } => {
            let queued = newsletter::service::fan_out_issue(state, *issue, subject, markdown).await?;
            tracing::info!(%issue, mails = queued, "newsletter issue fanned out");
            Ok(())
        }
        Job::IndexPost { post } => {
            let outcome = search::service::index_post(state, *post).await?;
            tracing::info!(%post, ?outcome, "post indexed for search");
            Ok(())
        }
        Job::RerenderPosts { version } => {
            if *version > posts::markdown::RENDERER_VERSION {
                // Enqueued by a newer process during a rolling deploy: it is that one's job.
                anyhow::bail!("renderer version {version} is newer than this process's");
            }
            let done = posts::rerender::rerender_outdated(state).await?;
            tracing::info!(updated = done.updated, skipped = done.skipped, "posts re-rendered");
            Ok(())
        }
        Job::StripeEvent { event } => Ok(billing::service::process_event(state, event).await?),
        Job::SyncBilling => {
            let report = billing::service::sync_all(state).await?;
            tracing::info!(
                subscriptions = report.subscriptions,
                checkouts = report.checkouts,
                changed = report.changed,
                "billing synced with Stripe"
            );
            Ok(())
        }
        Job::EvaluateBadges { user } => {
            let given = engagement::evaluate(state, *user).await?;
            if !given.is_empty() {
                tracing::info!(%user, badges = ?given, "badges earned");
            }
            Ok(())
        }
        Job::RebuildLeaderboards => {
            for period in engagement::LeaderboardPeriod::ALL {
                let size = engagement::rebuild(state, period).await?;
                tracing::debug!(?period, size, "leaderboard rebuilt");
            }
            Ok(())
        }
        Job::AwardWeeklyTop { week } => {
            let given = engagement::award_weekly_top(state, Utc::now()).await?;
            tracing::info!(week, given, "weekly top badges given");
            Ok(())
        }
        Job::IssueCertificate { user, series } => {
            let outcome = certificates::issue(state, *user, *series).await?;
            tracing::info!(%user, %series, outcome = outcome.describe(), "certificate issue checked");
            Ok(())
        }
        Job::SendReviewReminders { hour } => {
            // Now, not the tick: a retried run reminds whoever's hour has come since.
            let sent = reviews::service::send_reminders(state, Utc::now()).await?;
            tracing::info!(%hour, sent, "review reminders sent");
            Ok(())
        }
    }
}

/// The URL a mail's link stands for, minted now; `None` when the mail has become
/// pointless (the address was verified meanwhile, the account is gone).
async fn mint_link(state: &AppState, link: &MailLink) -> anyhow::Result<Option<String>> {
    Ok(match link {
        MailLink::VerifyEmail { user } => accounts::service::verification_link(state, *user).await?,
        MailLink::ResetPassword { user } => accounts::service::password_reset_link(state, *user).await?,
        MailLink::ConfirmNewsletter { email } => Some(newsletter::service::confirmation_link(state, email)),
        MailLink::Unsubscribe { list, subject } => Some(newsletter::service::unsubscribe_url(state, *list, subject)),
    })
}

type ClaimStream = BoxStream<'static, Result<Task<queue::Claimed>, Infallible>>;

/// The apalis backend over the `jobs` table: a stream that claims the next due
/// job whenever the worker has room, waiting for a local enqueue or the poll
/// interval when nothing is due. Jobs are enqueued with `queue::enqueue` (in
/// the caller's transaction), so the backend has no sink.
struct QueueBackend {
    state: AppState,
    worker: String,
    claims: Option<ClaimStream>,
}

impl QueueBackend {
    fn new(state: AppState, worker: String) -> Self {
        QueueBackend { state, worker, claims: None }
    }

    fn claims(state: AppState, worker: String) -> ClaimStream {
        futures::stream::unfold((state, worker), |(state, worker)| async move {
            let config = &state.config.jobs;
            loop {
                match queue::claim(&state.db, &worker, config.lease).await {
                    Ok(Some(claimed)) => return Some((Ok(Task::new(claimed)), (state, worker))),
                    Ok(None) => {}
                    Err(err) => tracing::warn!(error = %err, "failed to look for due jobs"),
                }
                tokio::select! {
                    _ = state.job_wake.notified() => {}
                    _ = tokio::time::sleep(config.poll_interval) => {}
                }
            }
        })
        .boxed()
    }
}

impl Backend for QueueBackend {
    type Task = Task<queue::Claimed>;
    type Error = Infallible;

    fn poll_ready(&mut self, _: &mut Context<'_>, _: &WorkerContext) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn poll_next(&mut self, cx: &mut Context<'_>, _: &WorkerContext) -> Poll<Option<Result<Self::Task, Infallible>>> {
        let (state, worker) = (&self.state, &self.worker);
        self.claims.get_or_insert_with(|| Self::claims(state.clone(), worker.clone())).poll_next_unpin(cx)
    }

    fn poll_close(&mut self, _: &mut Context<'_>, _: &WorkerContext) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }
}

impl BackendConfig for QueueBackend {
    type Args = queue::Claimed;
    type Id = RandomId;
    type Kind = Ephemeral;
    type Config = ();
    type Layer = Identity;

    fn config(&self) -> &() {
        &()
    }

    fn middleware(&mut self, _: &mut WorkerContext) -> Identity {
        Identity::new()
    }
}

fn tick_time(tick: &Tick) -> DateTime<Utc> {
    DateTime::from_timestamp(tick.get_timestamp() as i64, 0).unwrap_or_else(Utc::now)
}

/// Deletes refresh and one-time tokens that can no longer be used.
fn clean_expired_tokens(_tick: Tick, state: Data<AppState>) -> BoxFuture<'static, Result<(), BoxDynError>> {
    Box::pin(async move {
        let removed = accounts::service::delete_expired_tokens(&state.db).await.map_err(|e| e.to_string())?;
        tracing::info!(removed, "expired tokens removed");
        Ok(())
    })
}

fn publish_due_posts(_tick: Tick, state: Data<AppState>) -> BoxFuture<'static, Result<(), BoxDynError>> {
    Box::pin(async move {
        let published = posts::service::publish_due(&state).await.map_err(|e| e.to_string())?;
        if !published.is_empty() {
            tracing::info!(count = published.len(), "scheduled posts published");
        }
        Ok(())
    })
}

fn sweep_queue(_tick: Tick, state: Data<AppState>) -> BoxFuture<'static, Result<(), BoxDynError>> {
    Box::pin(async move {
        let (abandoned, removed) = queue::sweep(&state.db, KEEP_DONE).await.map_err(|e| e.to_string())?;
        if abandoned + removed > 0 {
            tracing::info!(abandoned, removed, "job queue swept");
        }
        Ok(())
    })
}

/// One `send_digests` job per day, however many workers tick.
fn schedule_digests(tick: Tick, state: Data<AppState>) -> BoxFuture<'static, Result<(), BoxDynError>> {
    Box::pin(async move {
        let day = tick_time(&tick).date_naive();
        let options = Enqueue { dedupe_key: Some(day.to_string()), ..Default::default() };
        enqueue_alone(&state, &Job::SendDigests { day }, options).await.map_err(|e| e.to_string())?;
        Ok(())
    })
}

/// One `refresh_sitemap` job per tick, however many workers tick.
fn schedule_sitemap(tick: Tick, state: Data<AppState>) -> BoxFuture<'static, Result<(), BoxDynError>> {
    Box::pin(async move {
        let options =
            Enqueue { dedupe_key: Some(tick_time(&tick).to_rfc3339()), max_attempts: Some(3), ..Default::default() };
        enqueue_alone(&state, &Job::RefreshSitemap, options).await.map_err(|e| e.to_string())?;
        Ok(())
    })
}

/// One `sync_billing` job per tick, however many workers tick (none while payments are off).
fn schedule_billing_sync(tick: Tick, state: Data<AppState>) -> BoxFuture<'static, Result<(), BoxDynError>> {
    Box::pin(async move {
        if !billing::service::payments_enabled(&state) {
            return Ok(());
        }
        let options =
            Enqueue { dedupe_key: Some(tick_time(&tick).to_rfc3339()), max_attempts: Some(4), ..Default::default() };
        enqueue_alone(&state, &Job::SyncBilling, options).await.map_err(|e| e.to_string())?;
        Ok(())
    })
}

/// One `rebuild_leaderboards` job per tick, however many workers tick.
fn schedule_leaderboards(tick: Tick, state: Data<AppState>) -> BoxFuture<'static, Result<(), BoxDynError>> {
    Box::pin(async move {
        let options =
            Enqueue { dedupe_key: Some(tick_time(&tick).to_rfc3339()), max_attempts: Some(3), ..Default::default() };
        enqueue_alone(&state, &Job::RebuildLeaderboards, options).await.map_err(|e| e.to_string())?;
        Ok(())
    })
}

/// One `award_weekly_top` job per ended week.
fn schedule_weekly_top(tick: Tick, state: Data<AppState>) -> BoxFuture<'static, Result<(), BoxDynError>> {
    Box::pin(async move {
        let week = engagement::week_of(tick_time(&tick) - chrono::Duration::days(1));
        let options = Enqueue { dedupe_key: Some(format!("weekly-top:{week}")), ..Default::default() };
        enqueue_alone(&state, &Job::AwardWeeklyTop { week }, options).await.map_err(|e| e.to_string())?;
        Ok(())
    })
}

/// One `send_review_reminders` job per tick, however many workers tick.
fn schedule_review_reminders(tick: Tick, state: Data<AppState>) -> BoxFuture<'static, Result<(), BoxDynError>> {
    Box::pin(async move {
        let hour = tick_time(&tick);
        let options = Enqueue {
            dedupe_key: Some(format!("review-reminders:{}", hour.to_rfc3339())),
            max_attempts: Some(4),
            ..Default::default()
        };
        enqueue_alone(&state, &Job::SendReviewReminders { hour }, options).await.map_err(|e| e.to_string())?;
        Ok(())
    })
}

/// Enqueues a job that comes with no other change (a worker in this process starts it at once).
async fn enqueue_alone(state: &AppState, job: &Job, options: Enqueue) -> AppResult<()> {
    let write = Write::begin(state).await?;
    write.enqueue_with(job, options).await?;
    write.commit().await
}

fn schedule(expression: &str) -> anyhow::Result<cron::Schedule> {
    cron::Schedule::from_str(expression).with_context(|| format!("Invalid cron schedule {expression:?}"))
}

async fn until(shutdown: CancellationToken) -> Result<(), std::io::Error> {
    shutdown.cancelled().await;
    Ok(())
}

/// A name no other worker process has, so leases say who holds them.
fn worker_name() -> String {
    let host = std::env::var("HOSTNAME").ok().filter(|h| !h.is_empty()).unwrap_or_else(|| "lectern".into());
    let unique = uuid::Uuid::now_v7().simple().to_string();
    format!("{host}-{}-{}", std::process::id(), &unique[unique.len() - 8..])
}

/// Runs the workers until `shutdown` is cancelled.
pub async fn run(state: AppState, shutdown: CancellationToken) -> anyhow::Result<()> {
    let config = state.config.jobs.clone();
    let name = worker_name();
    let queue_worker = WorkerBuilder::new(format!("queue@{name}"))
        .backend(QueueBackend::new(state.clone(), name.clone()))
        .concurrency(config.concurrency)
        .data(state.clone())
        .build(run_job);
    macro_rules! cron_worker {
        ($name:literal, $schedule:expr, $handler:expr) => {
            WorkerBuilder::new($name)
                .backend(CronScheduler::new(schedule($schedule)?))
                .data(state.clone())
                .build($handler)
                .run_until(until(shutdown.clone()))
        };
    }
    tracing::info!(worker = %name, concurrency = config.concurrency, "job workers started");
    // Posts rendered by an older markdown renderer get the current one's HTML.
    if let Err(err) = posts::rerender::schedule(&state).await {
        tracing::warn!(error = %err, "could not check for posts to re-render");
    }
    tokio::try_join!(
        queue_worker.run_until(until(shutdown.clone())),
        cron_worker!("token-cleanup", TOKEN_CLEANUP_SCHEDULE, clean_expired_tokens),
        cron_worker!("publish-due-posts", PUBLISH_DUE_SCHEDULE, publish_due_posts),
        cron_worker!("queue-sweep", SWEEP_SCHEDULE, sweep_queue),
        cron_worker!("digests", &config.digest_schedule, schedule_digests),
        cron_worker!("sitemap", &config.sitemap_schedule, schedule_sitemap),
        cron_worker!("billing-sync", &state.config.billing.sync_schedule, schedule_billing_sync),
        cron_worker!("leaderboards", LEADERBOARD_REBUILD_SCHEDULE, schedule_leaderboards),
        cron_worker!("weekly-top", WEEKLY_TOP_SCHEDULE, schedule_weekly_top),
        cron_worker!("review-reminders", REVIEW_REMINDER_SCHEDULE, schedule_review_reminders),
    )
    .context("A job worker failed")?;
    Ok(())
}

//! The job queue: rows in the `jobs` table of the application database.
//!
//! A service enqueues with the connection it already holds, usually its open
//! transaction, so the job commits with the change that needs it: a job for a
//! committed change survives any crash after the commit, and a rolled-back
//! change leaves no job behind. (apalis-sqlite/apalis-postgres keep their own
//! tables behind their own sqlx pools, which a SeaORM transaction cannot join;
//! Lectern's apalis workers read this table through a custom apalis backend
//! instead, see `jobs::run`.)
//!
//! A worker claims a due job in one step (on PostgreSQL one statement with
//! `FOR UPDATE SKIP LOCKED`, on SQLite one write transaction), so any number
//! of workers in any number of processes run each job once, and none comes
//! back empty while a job is due. The claim is a lease: the worker extends it while the job runs, and a job whose
//! worker died is claimed again once the lease has run out. Failures are
//! retried with exponential backoff; after `max_attempts` runs the job is
//! FAILED and waits for an admin's `retryJob`.

use std::time::Duration;

use chrono::{DateTime, Utc};
use entity::job::{self, Status};
use rand::Rng;
use sea_orm::{
    ActiveEnum, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, DatabaseConnection,
    EntityTrait, FromQueryResult, QueryFilter, QueryOrder, Statement, TryInsertResult, UpdateMany, prelude::Expr,
    sea_query::ExprTrait,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    domains::newsletter::service::MailingList,
    error::{AppError, AppResult},
    infra::mail::{Mail, link_placeholder},
    pagination::{Cursor, Page, PageArgs, Sort, paginate},
    state::{AppState, BeginWrite},
    write::Write,
};

/// Everything Lectern does in the background. The serialised form is the
/// job's payload; `kind()` is its `kind` column.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Job {
    /// Deliver one rendered mail. The job id becomes its Message-ID. `links`
    /// are minted when the job runs and fill the mail's placeholders in order.
    SendMail {
        mail: Mail,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        links: Vec<MailLink>,
    },
    /// Send the digests due on `day` (one job per day, whoever's cron enqueues it).
    SendDigests { day: chrono::NaiveDate },
    /// Rebuild the stored sitemap.
    RefreshSitemap,
    /// Fan a newsletter issue out into one `send_mail` job per confirmed address.
    SendNewsletter { issue: Uuid, subject: String, markdown: String },
    /// Re-chunk and re-embed a post for search, or drop its passages when it is not live.
    IndexPost { post: Uuid },
    /// Re-render the posts whose stored HTML an older markdown renderer made
    /// (`version` is the renderer version the job was enqueued for).
    RerenderPosts { version: i16 },
    /// Process a stored Stripe webhook event (only its id travels in the job).
    StripeEvent { event: String },
    /// Reconcile every running subscription and open checkout with Stripe.
    SyncBilling,
    /// Check a user's badge criteria after an event that may meet one.
    EvaluateBadges { user: Uuid },
    /// Rebuild the current leaderboards from the XP ledger.
    RebuildLeaderboards,
    /// Give last week's top of the weekly board their badges (`week`: the week that ended).
    AwardWeeklyTop { week: String },
    /// Issue `user`'s certificate for finishing `series` (nothing when they have it, or have not finished).
    IssueCertificate { user: Uuid, series: Uuid },
    /// Remind the readers who asked for it of their due review cards, once per
    /// reader and local day (`hour`: the cron tick that enqueued it).
    SendReviewReminders { hour: DateTime<Utc> },
}

/// A link a mail carries that grants something. The job stores only what the
/// link is for; the sending job mints it, so neither the queue nor a backup of
/// it ever holds a usable token (one-time tokens are stored hashed, signed
/// links are made on the spot).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "link", rename_all = "snake_case")]
pub enum MailLink {
    /// A fresh email-verification link for the user (none once verified).
    VerifyEmail { user: Uuid },
    /// A fresh password-reset link for the user.
    ResetPassword { user: Uuid },
    /// A signed newsletter confirmation link for the address.
    ConfirmNewsletter { email: String },
    /// A signed one-click unsubscribe link from `list` for `subject` (an address or a user id).
    Unsubscribe { list: MailingList, subject: String },
}

/// Collects the links of a mail while it is rendered: each `add` returns the
/// placeholder to render where the URL goes.
#[derive(Debug, Default)]
pub struct MailLinks(Vec<MailLink>);

impl MailLinks {
    pub fn add(&mut self, link: MailLink) -> String {
        self.0.push(link);
        link_placeholder(self.0.len() - 1)
    }

    /// The `send_mail` job for `mail` with these links.
    pub fn job(self, mail: Mail) -> Job {
        Job::SendMail { mail, links: self.0 }
    }
}

/// How urgent a job is (the `priority` column): due jobs run highest first.
pub mod priority {
    /// Mail a person is waiting for: verification, password reset, confirmations.
    pub const URGENT: i16 = 2;
    pub const NORMAL: i16 = 1;
    /// Work nobody waits on: bulk mail (it carries an unsubscribe link) and search indexing.
    pub const BULK: i16 = 0;
}

impl Job {
    /// See [`priority`].
    pub fn priority(&self) -> i16 {
        match self {
            Job::SendMail { mail, .. } if mail.unsubscribe_url.is_none() => priority::URGENT,
            Job::SendMail { .. } | Job::IndexPost { .. } | Job::RerenderPosts { .. } => priority::BULK,
            Job::SendDigests { .. }
            | Job::RefreshSitemap
            | Job::SendNewsletter { .. }
            | Job::SyncBilling
            | Job::EvaluateBadges { .. }
            | Job::RebuildLeaderboards
            | Job::AwardWeeklyTop { .. }
            | Job::IssueCertificate { .. }
            | Job::SendReviewReminders { .. } => priority::NORMAL,
            // A reader who just paid is waiting for their plan.
            Job::StripeEvent { .. } => priority::URGENT,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Job::SendMail { .. } => "send_mail",
            Job::SendDigests { .. } => "send_digests",
            Job::RefreshSitemap => "refresh_sitemap",
            Job::SendNewsletter { .. } => "send_newsletter",
            Job::IndexPost { .. } => "index_post",
            Job::RerenderPosts { .. } => "rerender_posts",
            Job::StripeEvent { .. } => "stripe_event",
            Job::SyncBilling => "sync_billing",
            Job::EvaluateBadges { .. } => "evaluate_badges",
            Job::RebuildLeaderboards => "rebuild_leaderboards",
            Job::AwardWeeklyTop { .. } => "award_weekly_top",
            Job::IssueCertificate { .. } => "issue_certificate",
            Job::SendReviewReminders { .. } => "send_review_reminders",
        }
    }
}

/// How a job is enqueued beyond its payload.
#[derive(Debug, Clone, Default)]
pub struct Enqueue {
    /// Not before this time (default: now).
    pub run_at: Option<DateTime<Utc>>,
    /// A key unique per kind: a second enqueue with the same key is dropped.
    pub dedupe_key: Option<String>,
    /// Runs allowed before the job is FAILED (default: `DEFAULT_MAX_ATTEMPTS`).
    pub max_attempts: Option<i32>,
}

/// Runs before a job is FAILED unless it is enqueued with its own `max_attempts`
/// (with the default 30 s backoff base, the last retry comes about two hours in).
pub const DEFAULT_MAX_ATTEMPTS: i32 = 8;

/// Enqueues `job` now. Pass the transaction of the change that needs the job;
/// in a [`Write`], call its `enqueue`, which also wakes the worker once committed.
pub async fn enqueue(db: &impl ConnectionTrait, job: &Job) -> AppResult<Uuid> {
    enqueue_with(db, job, Enqueue::default())
        .await?
        .ok_or_else(|| anyhow::anyhow!("job without dedupe key conflicted").into())
}

/// Enqueues `job`; `None` when a job with the same dedupe key already exists.
pub async fn enqueue_with(db: &impl ConnectionTrait, job: &Job, options: Enqueue) -> AppResult<Option<Uuid>> {
    let now = Utc::now();
    let id = Uuid::now_v7();
    let payload = serde_json::to_value(job).map_err(anyhow::Error::from)?;
    let row = job::ActiveModel {
        id: Set(id),
        kind: Set(job.kind().to_owned()),
        payload: Set(payload),
        status: Set(Status::Pending),
        priority: Set(job.priority()),
        attempts: Set(0),
        max_attempts: Set(Ord::max(options.max_attempts.unwrap_or(DEFAULT_MAX_ATTEMPTS), 1)),
        run_at: Set(options.run_at.unwrap_or(now)),
        locked_by: Set(None),
        locked_until: Set(None),
        last_error: Set(None),
        dedupe_key: Set(options.dedupe_key),
        created_at: Set(now),
        updated_at: Set(now),
        finished_at: Set(None),
    };
    let inserted = job::Entity::insert(row)
        .on_conflict_do_nothing_on([job::Column::Kind, job::Column::DedupeKey])
        .exec_without_returning(db)
        .await?;
    Ok(match inserted {
        TryInsertResult::Inserted(1) => {
            tracing::debug!(job.id = %id, job.kind = job.kind(), "job enqueued");
            Some(id)
        }
        _ => None,
    })
}

/// A job a worker holds the lease of.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub row: job::Model,
    pub job: Job,
    pub worker: String,
}

impl Claimed {
    pub fn id(&self) -> Uuid {
        self.row.id
    }

    /// The run this worker holds: (id, worker, attempts) identifies it, so a worker
    /// whose lease was taken over cannot complete or extend the new run.
    fn filter(&self) -> Condition {
        Condition::all()
            .add(job::Column::Id.eq(self.row.id))
            .add(job::Column::LockedBy.eq(self.worker.as_str()))
            .add(job::Column::Attempts.eq(self.row.attempts))
            .add(job::Column::Status.eq(Status::Running))
    }
}

/// Claims the next due job for `worker`, or `None` when nothing is due.
///
/// Due means PENDING with `run_at` passed, or RUNNING with its lease run out
/// and attempts left (a dead worker's job, taken over); highest priority
/// first, then the longest due. Each claim takes one row in one step, so
/// claimers never race for the same job: on PostgreSQL one statement locks
/// the row it takes and skips rows other claimers hold (`FOR UPDATE SKIP
/// LOCKED`); on SQLite, where writes are serialised anyway, the look and the
/// take share one write transaction.
pub async fn claim(db: &DatabaseConnection, worker: &str, lease: Duration) -> AppResult<Option<Claimed>> {
    // A payload this build cannot read is parked FAILED and the next job is looked at.
    for _ in 0..8 {
        let now = Utc::now();
        let taken = match db.get_database_backend() {
            DatabaseBackend::Postgres => take_skipping_locked(db, worker, now, now + lease).await?,
            _ => take_in_write_transaction(db, worker, now, now + lease).await?,
        };
        let Some(Taken { row, previous_status, previous_worker }) = taken else {
            return Ok(None);
        };
        if previous_status == Status::Running {
            tracing::warn!(job.id = %row.id, job.kind = %row.kind, ?previous_worker,
                "job taken over after its worker's lease ran out");
        }
        match serde_json::from_value::<Job>(row.payload.clone()) {
            Ok(job) => return Ok(Some(Claimed { row, job, worker: worker.to_owned() })),
            Err(err) => {
                // A payload this build cannot read (e.g. written by a newer version) is
                // parked as FAILED for an admin rather than retried forever.
                tracing::error!(job.id = %row.id, job.kind = %row.kind, error = %err, "unreadable job payload");
                failed(now, format!("Unreadable job payload: {err}"))
                    .filter(job::Column::Id.eq(row.id))
                    .exec(db)
                    .await?;
            }
        }
    }
    Ok(None)
}

/// A claimed row, and what it was before (to tell a takeover from a first run).
struct Taken {
    row: job::Model,
    previous_status: Status,
    previous_worker: Option<String>,
}

/// Jobs a worker may claim at `now`.
fn due(now: DateTime<Utc>) -> Condition {
    Condition::any()
        .add(Condition::all().add(job::Column::Status.eq(Status::Pending)).add(job::Column::RunAt.lte(now)))
        .add(
            Condition::all()
                .add(job::Column::Status.eq(Status::Running))
                .add(job::Column::LockedUntil.lt(now))
                .add(Expr::col(job::Column::Attempts).lt(Expr::col(job::Column::MaxAttempts))),
        )
}

/// PostgreSQL: pick, lock and take the first due row no other claimer holds, in one statement.
async fn take_skipping_locked(
    db: &DatabaseConnection,
    worker: &str,
    now: DateTime<Utc>,
    locked_until: DateTime<Utc>,
) -> AppResult<Option<Taken>> {
    const CLAIM: &str = r#"
        WITH candidate AS (
            SELECT id, status AS previous_status, locked_by AS previous_worker
            FROM jobs
            WHERE (status = $1 AND run_at <= $3)
               OR (status = $2 AND locked_until < $3 AND attempts < max_attempts)
            ORDER BY priority DESC, run_at ASC
            LIMIT 1
            FOR UPDATE SKIP LOCKED
        )
        UPDATE jobs
        SET status = $2, attempts = jobs.attempts + 1, locked_by = $4, locked_until = $5, updated_at = $3
        FROM candidate
        WHERE jobs.id = candidate.id
        RETURNING jobs.*, candidate.previous_status, candidate.previous_worker"#;
    let statement = Statement::from_sql_and_values(
        DatabaseBackend::Postgres,
        CLAIM,
        [
            Status::Pending.to_value().into(),
            Status::Running.to_value().into(),
            now.into(),
            worker.into(),
            locked_until.into(),
        ],
    );
    let Some(result) = db.query_one_raw(statement).await? else {
        return Ok(None);
    };
    let previous_status: String = result.try_get("", "previous_status")?;
    Ok(Some(Taken {
        row: job::Model::from_query_result(&result, "")?,
        previous_status: Status::try_from_value(&previous_status)?,
        previous_worker: result.try_get("", "previous_worker")?,
    }))
}

/// SQLite: look and take inside one `BEGIN IMMEDIATE` transaction, which holds
/// the write lock from the start, so no other claimer can take the row between.
async fn take_in_write_transaction(
    db: &DatabaseConnection,
    worker: &str,
    now: DateTime<Utc>,
    locked_until: DateTime<Utc>,
) -> AppResult<Option<Taken>> {
    let txn = db.begin_write().await?;
    let Some(candidate) = job::Entity::find()
        .filter(due(now))
        .order_by_desc(job::Column::Priority)
        .order_by_asc(job::Column::RunAt)
        .one(&txn)
        .await?
    else {
        return Ok(None);
    };
    job::Entity::update_many()
        .col_expr(job::Column::Status, Expr::value(Status::Running))
        .col_expr(job::Column::Attempts, Expr::value(candidate.attempts + 1))
        .col_expr(job::Column::LockedBy, Expr::value(worker))
        .col_expr(job::Column::LockedUntil, Expr::value(locked_until))
        .col_expr(job::Column::UpdatedAt, Expr::value(now))
        .filter(job::Column::Id.eq(candidate.id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(Some(Taken {
        previous_status: candidate.status,
        previous_worker: candidate.locked_by.clone(),
        row: job::Model {
            status: Status::Running,
            attempts: candidate.attempts + 1,
            locked_by: Some(worker.to_owned()),
            locked_until: Some(locked_until),
            updated_at: now,
            ..candidate
        },
    }))
}

/// Extends the lease of a running job. False when the run is no longer this worker's.
pub async fn extend_lease(db: &impl ConnectionTrait, claimed: &Claimed, lease: Duration) -> AppResult<bool> {
    let now = Utc::now();
    let result = job::Entity::update_many()
        .col_expr(job::Column::LockedUntil, Expr::value(now + lease))
        .col_expr(job::Column::UpdatedAt, Expr::value(now))
        .filter(claimed.filter())
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Records the outcome of a run: DONE, PENDING again after a backoff, or FAILED
/// once the attempts are used up. False when the run was no longer this worker's.
pub async fn finish(
    db: &impl ConnectionTrait,
    claimed: &Claimed,
    outcome: Result<(), String>,
    retry_base: Duration,
) -> AppResult<bool> {
    let now = Utc::now();
    let update = match outcome {
        Ok(()) => released(now)
            .col_expr(job::Column::Status, Expr::value(Status::Done))
            .col_expr(job::Column::FinishedAt, Expr::value(Some(now))),
        Err(error) if claimed.row.attempts >= claimed.row.max_attempts => {
            tracing::error!(job.id = %claimed.id(), job.kind = %claimed.row.kind, attempts = claimed.row.attempts,
                error = %error, "job failed for good; an admin can retry it");
            failed(now, error)
        }
        Err(error) => {
            let delay = backoff(retry_base, claimed.row.attempts);
            tracing::warn!(job.id = %claimed.id(), job.kind = %claimed.row.kind, attempts = claimed.row.attempts,
                retry_in = ?delay, error = %error, "job failed; it will be retried");
            released(now)
                .col_expr(job::Column::Status, Expr::value(Status::Pending))
                .col_expr(job::Column::RunAt, Expr::value(now + delay))
                .col_expr(job::Column::LastError, Expr::value(Some(error)))
        }
    };
    Ok(update.filter(claimed.filter()).exec(db).await?.rows_affected == 1)
}

/// An update that releases a job's lease: every way a run ends starts with it.
fn released(now: DateTime<Utc>) -> UpdateMany<job::Entity> {
    job::Entity::update_many()
        .col_expr(job::Column::LockedBy, Expr::value(Option::<String>::None))
        .col_expr(job::Column::LockedUntil, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(job::Column::UpdatedAt, Expr::value(now))
}

/// An update that ends a job FAILED with `error`, waiting for an admin's `retryJob`.
fn failed(now: DateTime<Utc>, error: String) -> UpdateMany<job::Entity> {
    released(now)
        .col_expr(job::Column::Status, Expr::value(Status::Failed))
        .col_expr(job::Column::FinishedAt, Expr::value(Some(now)))
        .col_expr(job::Column::LastError, Expr::value(Some(error)))
}

/// Exponential backoff with ±20 % jitter: base, 2·base, 4·base, … capped at one hour.
pub fn backoff(base: Duration, attempts: i32) -> Duration {
    let exponent = attempts.saturating_sub(1).clamp(0, 20) as u32;
    let delay = base.saturating_mul(2u32.saturating_pow(exponent)).min(Duration::from_secs(3600));
    delay.mul_f64(rand::thread_rng().gen_range(0.8..1.2))
}

/// Jobs, newest first; only those in `status` when given.
pub async fn list(db: &impl ConnectionTrait, status: Option<Status>, args: &PageArgs) -> AppResult<Page<job::Model>> {
    let mut select = job::Entity::find();
    if let Some(status) = status {
        select = select.filter(job::Column::Status.eq(status));
    }
    paginate(db, select, job::Column::Id, Sort::newest(), |j| Cursor::id(j.id), args).await
}

/// One job by id (NOT_FOUND when there is none).
pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> AppResult<job::Model> {
    job::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound("Job"))
}

/// Makes a FAILED job (or a PENDING one waiting for its backoff) due now, with its attempts reset.
pub async fn retry(state: &AppState, id: Uuid) -> AppResult<job::Model> {
    let write = Write::begin(state).await?;
    let job = get(&write, id).await?;
    if !matches!(job.status, Status::Failed | Status::Pending) {
        let status = if job.status == Status::Running { "running" } else { "done" };
        return Err(AppError::conflict(
            "id",
            format!("The job is {status}; only failed or waiting jobs can be retried"),
        ));
    }
    let now = Utc::now();
    let result = job::Entity::update_many()
        .col_expr(job::Column::Status, Expr::value(Status::Pending))
        .col_expr(job::Column::Attempts, Expr::value(0))
        .col_expr(job::Column::RunAt, Expr::value(now))
        .col_expr(job::Column::FinishedAt, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(job::Column::UpdatedAt, Expr::value(now))
        .filter(job::Column::Id.eq(id))
        .filter(job::Column::Status.eq(job.status))
        .filter(job::Column::Attempts.eq(job.attempts))
        .exec(&write)
        .await?;
    if result.rows_affected != 1 {
        return Err(AppError::conflict("id", "The job changed meanwhile; look again"));
    }
    write.wake_workers();
    write.commit().await?;
    Ok(job::Model { status: Status::Pending, attempts: 0, run_at: now, finished_at: None, updated_at: now, ..job })
}

/// Makes the waiting jobs of `kind` due now, once what they failed on is fixed
/// (the embedding model has arrived): PENDING ones waiting out a backoff, and
/// FAILED ones, their attempts reset as `retry` does. Returns how many, and
/// wakes this process's worker (workers elsewhere find them at their next poll).
pub async fn run_now(state: &AppState, kind: &str) -> AppResult<u64> {
    let write = Write::begin(state).await?;
    let now = Utc::now();
    let waiting = job::Entity::update_many()
        .col_expr(job::Column::RunAt, Expr::value(now))
        .col_expr(job::Column::UpdatedAt, Expr::value(now))
        .filter(job::Column::Kind.eq(kind))
        .filter(job::Column::Status.eq(Status::Pending))
        .filter(job::Column::RunAt.gt(now))
        .exec(&write)
        .await?
        .rows_affected;
    let failed = job::Entity::update_many()
        .col_expr(job::Column::Status, Expr::value(Status::Pending))
        .col_expr(job::Column::Attempts, Expr::value(0))
        .col_expr(job::Column::RunAt, Expr::value(now))
        .col_expr(job::Column::FinishedAt, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(job::Column::UpdatedAt, Expr::value(now))
        .filter(job::Column::Kind.eq(kind))
        .filter(job::Column::Status.eq(Status::Failed))
        .exec(&write)
        .await?
        .rows_affected;
    write.wake_workers();
    write.commit().await?;
    Ok(waiting + failed)
}

/// Housekeeping: runs whose worker vanished on their last attempt become FAILED
/// (nobody would claim them again), and DONE jobs older than `keep_done` go.
pub async fn sweep(db: &impl ConnectionTrait, keep_done: Duration) -> AppResult<(u64, u64)> {
    let now = Utc::now();
    let abandoned = failed(now, "The worker running the last attempt stopped responding".into())
        .filter(job::Column::Status.eq(Status::Running))
        .filter(job::Column::LockedUntil.lt(now))
        .filter(Expr::col(job::Column::Attempts).gte(Expr::col(job::Column::MaxAttempts)))
        .exec(db)
        .await?
        .rows_affected;
    let removed = job::Entity::delete_many()
        .filter(job::Column::Status.eq(Status::Done))
        .filter(job::Column::FinishedAt.lt(now - keep_done))
        .exec(db)
        .await?
        .rows_affected;
    Ok((abandoned, removed))
}

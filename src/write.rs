//! A write whose change has effects beyond the database: jobs to run and
//! events to publish.
//!
//! A service that enqueues jobs, tells live subscribers about its change or
//! changes what the response cache holds makes the change through a [`Write`]. The jobs commit with the change, so a
//! rolled-back change leaves none; once it commits, this process's worker is
//! woken to run them at once (workers elsewhere find them at their next
//! poll), the cached answers it makes stale are invalidated, and only then are
//! the events published, so no subscriber hears of a change that is rolled
//! back or not visible yet (nor re-reads an answer cached before it). Dropping a `Write` without
//! committing rolls back and publishes nothing.
//!
//! A transaction without such effects uses [`BeginWrite::begin_write`] directly.

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, DbErr, ExecResult, QueryResult, Statement};
use serde::Serialize;
use uuid::Uuid;

use crate::{
    error::AppResult,
    infra::{
        bus::{Event, EventBus},
        leaderboard::Leaderboard,
        response_cache::{CacheTag, PublicCache},
    },
    jobs::{self, Enqueue, Job},
    state::{AppState, BeginWrite},
};

/// An open write transaction with the jobs and events of its change. Queries
/// run on it like on any connection (it implements [`ConnectionTrait`]).
pub struct Write {
    txn: DatabaseTransaction,
    bus: Arc<dyn EventBus>,
    job_wake: Arc<tokio::sync::Notify>,
    wake_workers: AtomicBool,
    // Behind a mutex (not a RefCell) so a `&Write` can be held across awaits in `Send` futures.
    events: Mutex<Vec<Event>>,
    boards: Arc<dyn Leaderboard>,
    scores: Mutex<Vec<Score>>,
    public_cache: Arc<PublicCache>,
    stale: Mutex<Vec<CacheTag>>,
}

/// A leaderboard change to make once the write commits.
struct Score {
    board: String,
    member: Uuid,
    amount: i64,
    ttl: Duration,
}

impl Write {
    /// Begins the write transaction: on SQLite it takes the write lock up front
    /// (see [`BeginWrite`]), so a write that reads first cannot fail on a
    /// snapshot another connection wrote past.
    pub async fn begin(state: &AppState) -> AppResult<Write> {
        Ok(Write {
            txn: state.db.begin_write().await?,
            bus: state.bus.clone(),
            job_wake: state.job_wake.clone(),
            wake_workers: AtomicBool::new(false),
            events: Mutex::new(Vec::new()),
            boards: state.boards.clone(),
            scores: Mutex::new(Vec::new()),
            public_cache: state.public_cache.clone(),
            stale: Mutex::new(Vec::new()),
        })
    }

    /// Adds `amount` to `member` on leaderboard `board` once the change commits
    /// (before the events are published, so a live board reads the new score).
    /// A board that cannot be reached then is put right by its rebuild job.
    pub fn add_score(&self, board: impl Into<String>, member: Uuid, amount: i64, ttl: Duration) {
        let score = Score { board: board.into(), member, amount, ttl };
        self.scores.lock().unwrap_or_else(|p| p.into_inner()).push(score);
    }

    /// Enqueues `job` with the change (see [`jobs::enqueue`]).
    pub async fn enqueue(&self, job: &Job) -> AppResult<Uuid> {
        let id = jobs::enqueue(&self.txn, job).await?;
        self.wake_workers();
        Ok(id)
    }

    /// Enqueues `job` with the change; `None` when its dedupe key was taken (see [`jobs::enqueue_with`]).
    pub async fn enqueue_with(&self, job: &Job, options: Enqueue) -> AppResult<Option<Uuid>> {
        let id = jobs::enqueue_with(&self.txn, job, options).await?;
        if id.is_some() {
            self.wake_workers();
        }
        Ok(id)
    }

    /// Wakes this process's worker once the change commits. `enqueue` does it;
    /// call it for a change that makes an existing job due (an admin's retry).
    pub fn wake_workers(&self) {
        self.wake_workers.store(true, Ordering::Relaxed);
    }

    /// Invalidates the cached answers that depend on `tag` once the change
    /// commits (`Content` for posts, series, tags and public profiles;
    /// `Post(id)` for a post's comments and reactions).
    pub fn invalidate(&self, tag: CacheTag) {
        let mut stale = self.stale.lock().unwrap_or_else(|p| p.into_inner());
        if !stale.contains(&tag) {
            stale.push(tag);
        }
    }

    /// Publishes `payload` on `topic` once the change commits. The payload is
    /// encoded now, as it is at this point of the change.
    pub fn publish(&self, topic: impl Into<String>, payload: &impl Serialize) {
        let topic = topic.into();
        match serde_json::to_value(payload) {
            Ok(payload) => self.events.lock().unwrap_or_else(|p| p.into_inner()).push(Event { topic, payload }),
            Err(err) => tracing::warn!(error = %err, topic, "failed to encode an event; it will not be published"),
        }
    }

    /// Commits the change, then wakes the worker if jobs came with it,
    /// invalidates the cached answers it made stale and publishes the events
    /// in the order they were given. The change is stored
    /// by then, so a bus failure is logged rather than returned: live
    /// subscribers miss the update, while queries still show it.
    pub async fn commit(self) -> AppResult<()> {
        let Write { txn, bus, job_wake, wake_workers, events, boards, scores, public_cache, stale } = self;
        txn.commit().await?;
        if wake_workers.into_inner() {
            job_wake.notify_one();
        }
        for Score { board, member, amount, ttl } in scores.into_inner().unwrap_or_else(|p| p.into_inner()) {
            // A skipped change is logged by the Redis guard; the board's rebuild puts it right.
            let _ = boards.add(&board, member, amount, ttl).await;
        }
        // A bump that cannot reach Redis is remembered and retried by the cache itself.
        public_cache.invalidate(&stale.into_inner().unwrap_or_else(|p| p.into_inner())).await;
        for Event { topic, payload } in events.into_inner().unwrap_or_else(|p| p.into_inner()) {
            if let Err(err) = bus.publish(&topic, payload).await {
                tracing::warn!(error = ?err, topic, "failed to publish an event");
            }
        }
        Ok(())
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for Write {
    fn get_database_backend(&self) -> DbBackend {
        self.txn.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.txn.execute_raw(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.txn.execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.txn.query_one_raw(stmt).await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.txn.query_all_raw(stmt).await
    }

    fn support_returning(&self) -> bool {
        self.txn.support_returning()
    }

    fn is_mock_connection(&self) -> bool {
        self.txn.is_mock_connection()
    }
}

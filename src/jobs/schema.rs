//! The admin's view of the job queue: list jobs by status (failed ones above
//! all) and retry them.

use async_graphql::{Context, Enum, ID, Object, Result};
use chrono::{DateTime, Utc};

use super::queue;
use crate::{
    domains::accounts::Role,
    graphql::{
        ContextExt, Require,
        pagination::{Connection, connection, page_args},
        parse_id,
    },
};
use entity::job;

/// Where a job is in its life.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(name = "JobStatus", remote = "entity::job::Status")]
pub enum GqlJobStatus {
    /// Waiting to run: new, or waiting for its backoff before a retry.
    Pending,
    /// A worker is running it.
    Running,
    /// Finished successfully (kept for 7 days).
    Done,
    /// Failed on every attempt; `retryJob` runs it again.
    Failed,
}

/// A background job.
pub struct Job(pub job::Model);

#[Object]
impl Job {
    /// Identifies the job for `retryJob`.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The job's type, such as `send_mail`, `send_digests` or `refresh_sitemap`.
    async fn kind(&self) -> &str {
        &self.0.kind
    }

    /// Due jobs run highest priority first: 2 for mail someone waits for (verification,
    /// password reset), 1 by default, 0 for bulk work (newsletter and digest mail, search
    /// indexing).
    async fn priority(&self) -> i32 {
        i32::from(self.0.priority)
    }

    /// Where the job is in its life.
    async fn status(&self) -> GqlJobStatus {
        self.0.status.into()
    }

    /// Runs started so far, including one cut short by a worker that died.
    async fn attempts(&self) -> i32 {
        self.0.attempts
    }

    /// Runs allowed before the job is FAILED.
    async fn max_attempts(&self) -> i32 {
        self.0.max_attempts
    }

    /// When the job runs next (PENDING), or last became due.
    async fn run_at(&self) -> DateTime<Utc> {
        self.0.run_at
    }

    /// The error of the last failed attempt.
    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }

    /// The worker running it (RUNNING only).
    async fn locked_by(&self) -> Option<&str> {
        self.0.locked_by.as_deref()
    }

    /// When the job was enqueued.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When it ended as DONE or FAILED.
    async fn finished_at(&self) -> Option<DateTime<Utc>> {
        self.0.finished_at
    }
}

#[derive(Default)]
pub struct JobsQuery;

#[Object]
impl JobsQuery {
    /// Background jobs, newest first (admins only).
    #[graphql(
        guard = "Require::Role(Role::Admin)",
        complexity = "crate::graphql::pagination::page_complexity(child_complexity, first, last)"
    )]
    async fn jobs(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only jobs in this status; all when omitted.")] status: Option<GqlJobStatus>,
        #[graphql(desc = "At most 100.")] first: Option<i32>,
        #[graphql(desc = "A cursor from this list: the page after it.")] after: Option<String>,
        #[graphql(desc = "At most 100.")] last: Option<i32>,
        #[graphql(desc = "A cursor from this list: the page before it.")] before: Option<String>,
    ) -> Result<Connection<Job>> {
        let args = page_args(ctx, first, after, last, before);
        Ok(connection(queue::list(&ctx.state().db, status.map(Into::into), &args).await?, Job))
    }
}

#[derive(Default)]
pub struct JobsMutation;

#[Object]
impl JobsMutation {
    /// Runs a FAILED job again with fresh attempts (or a PENDING one now,
    /// without waiting for its backoff). Admins only. NOT_FOUND for an unknown
    /// id; CONFLICT for a job that is running or done.
    #[graphql(guard = "Require::Role(Role::Admin)")]
    async fn retry_job(&self, ctx: &Context<'_>, #[graphql(desc = "The job to run again.")] id: ID) -> Result<Job> {
        let id = parse_id("id", &id)?;
        let state = ctx.state();
        Ok(Job(queue::retry(state, id).await?))
    }
}

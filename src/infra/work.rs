//! Bounded CPU-heavy work: password hashing (argon2id, 19 MiB each), the local
//! embedding model, and validating large GraphQL documents. Each kind has its
//! own semaphore sized to the machine, so a burst of one cannot take every
//! core (or, for argon2, unbounded memory) from the rest, nor starve the
//! async worker threads that answer everything else.
//!
//! A request waits at most `WORK_QUEUE_WAIT_MS` for a permit and is then
//! refused with [`Busy`], which becomes `UNAVAILABLE` (with `retryAfter`):
//! a queue without end only turns overload into timeouts for everyone. Work
//! nobody waits on (jobs, seeding) runs inside [`patiently`] and queues for
//! its turn instead; it takes the same permits, so requests and jobs together
//! never run more at once than the bound (the semaphore is fair: a request
//! waits behind the work queued before it, at most `WORK_QUEUE_WAIT_MS`).

use std::{sync::Arc, time::Duration};

use anyhow::Context;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::config::WorkLimits;

pub use crate::error::Busy;

tokio::task_local! {
    static PATIENT: ();
}

/// Runs `work` so that every bound inside it waits for a permit as long as it
/// takes instead of refusing: for background work (jobs, seeding), where a
/// refusal would only mean a retry later.
pub async fn patiently<F: Future>(work: F) -> F::Output {
    PATIENT.scope((), work).await
}

/// One kind of bounded work: at most `permits` at once, waiters wait at most `wait`.
#[derive(Clone, Debug)]
pub struct Bound {
    what: &'static str,
    permits: Arc<Semaphore>,
    wait: Duration,
}

impl Bound {
    /// `what` completes "The server is busy …" (e.g. "checking passwords").
    pub fn new(what: &'static str, permits: usize, wait: Duration) -> Self {
        Bound { what, permits: Arc::new(Semaphore::new(permits.max(1))), wait }
    }

    /// No cap at all (tools and tests that build one piece on its own).
    pub fn unbounded(what: &'static str) -> Self {
        Bound { what, permits: Arc::new(Semaphore::new(Semaphore::MAX_PERMITS)), wait: Duration::from_secs(3600) }
    }

    /// A permit, or [`Busy`] when none came free within the wait (inside
    /// [`patiently`], whenever one comes free).
    pub async fn acquire(&self) -> Result<OwnedSemaphorePermit, Busy> {
        let permit = self.permits.clone().acquire_owned();
        if PATIENT.try_with(|_| ()).is_ok() {
            return permit.await.map_err(|_| Busy { what: self.what });
        }
        match tokio::time::timeout(self.wait, permit).await {
            Ok(Ok(permit)) => Ok(permit),
            // The semaphore is never closed; either way there is no permit to be had.
            Ok(Err(_)) | Err(_) => Err(Busy { what: self.what }),
        }
    }

    /// Runs `work` on a blocking thread under a permit. The permit moves with
    /// the work, so a request that gives up (a client gone, a timeout) does not
    /// free its place while the hashing it started still runs.
    pub async fn run_blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> anyhow::Result<T> {
        let permit = self.acquire().await?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            work()
        })
        .await
        .with_context(|| format!("A blocking task failed while {}", self.what))
    }
}

/// The bounds every request and job shares (one set per process).
#[derive(Clone, Debug)]
pub struct Work {
    pub passwords: Bound,
    pub embeddings: Bound,
    pub validation: Bound,
}

impl Work {
    pub fn from_config(limits: &WorkLimits) -> Self {
        Work {
            passwords: Bound::new("checking passwords", limits.password_hashes, limits.queue_wait),
            embeddings: Bound::new("embedding text", limits.embeddings, limits.queue_wait),
            validation: Bound::new("validating operations", limits.validations, limits.queue_wait),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn waiters_beyond_capacity_are_refused_after_the_wait() {
        let bound = Bound::new("testing", 1, Duration::from_millis(20));
        let held = bound.acquire().await.unwrap();
        let refused = bound.acquire().await.unwrap_err();
        assert_eq!(refused.to_string(), "The server is busy testing; try again in a moment");
        drop(held);
        assert!(bound.acquire().await.is_ok(), "a freed permit is handed out again");
    }

    #[tokio::test]
    async fn blocking_work_keeps_its_permit_until_it_ends() {
        let bound = Bound::new("testing", 1, Duration::from_millis(20));
        let (started_tx, started_rx) = std::sync::mpsc::channel();
        let (finish_tx, finish_rx) = std::sync::mpsc::channel::<()>();
        let running = tokio::spawn({
            let bound = bound.clone();
            async move {
                bound
                    .run_blocking(move || {
                        started_tx.send(()).unwrap();
                        finish_rx.recv().unwrap();
                    })
                    .await
            }
        });
        tokio::task::spawn_blocking(move || started_rx.recv().unwrap()).await.unwrap();
        running.abort();
        let busy = bound.run_blocking(|| ()).await.unwrap_err();
        assert!(busy.downcast_ref::<Busy>().is_some(), "still busy after the caller gave up: {busy:?}");
        // Background work waits its turn instead.
        let patient = tokio::spawn({
            let bound = bound.clone();
            patiently(async move { bound.run_blocking(|| "ran").await.unwrap() })
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!patient.is_finished(), "it waits past the requests' wait");
        finish_tx.send(()).unwrap();
        assert_eq!(patient.await.unwrap(), "ran");
        assert!(bound.run_blocking(|| ()).await.is_ok());
    }
}

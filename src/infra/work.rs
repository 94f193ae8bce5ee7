//! Bounded CPU-heavy work: password hashing (argon2id, 19 MiB each), the local
//! embedding model, and validating large GraphQL documents. Each kind has its
//! own semaphore sized to the machine, so a burst of one cannot take every
//! core (or, for argon2, unbounded memory) from the rest, nor starve the
//! async worker threads that answer everything else.
//!
//! A request waits at most `WORK_QUEUE_WAIT_MS` for a permit and is then
//! refused with [`Busy`], which becomes `UNAVAILABLE` (with `retryAfter`):
//! a queue without end only turns overload into timeouts for everyone.
//!
//! Work nobody waits on (jobs, seeding) runs inside [`patiently`] and takes a
//! lane of its own: one run of each kind at a time, queued for as long as it
//! takes, on threads at the lowest CPU priority (nice 19, with the model's
//! parallel passes on a thread pool of their own at the same priority). It
//! never holds a permit a request waits for, and the kernel gives its threads
//! only the CPU the requests leave, so a backlog of posts to embed (a fresh
//! seed, an import) slows down under load instead of slowing the requests.

use std::{
    sync::{Arc, OnceLock},
    time::Duration,
};

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

/// Whether the current task runs inside [`patiently`].
fn is_patient() -> bool {
    PATIENT.try_with(|_| ()).is_ok()
}

/// One kind of bounded work: at most `permits` requests' runs at once, waiters
/// wait at most `wait`; and one background run at a time, on its own lane.
#[derive(Clone, Debug)]
pub struct Bound {
    what: &'static str,
    permits: Arc<Semaphore>,
    wait: Duration,
    background: Arc<Semaphore>,
}

impl Bound {
    /// `what` completes "The server is busy …" (e.g. "checking passwords").
    pub fn new(what: &'static str, permits: usize, wait: Duration) -> Self {
        Bound { what, permits: Arc::new(Semaphore::new(permits.max(1))), wait, background: Arc::new(Semaphore::new(1)) }
    }

    /// No cap at all (tools and tests that build one piece on its own).
    pub fn unbounded(what: &'static str) -> Self {
        Bound {
            what,
            permits: Arc::new(Semaphore::new(Semaphore::MAX_PERMITS)),
            wait: Duration::from_secs(3600),
            background: Arc::new(Semaphore::new(Semaphore::MAX_PERMITS)),
        }
    }

    /// A permit, or [`Busy`] when none came free within the wait. Inside
    /// [`patiently`], the background lane's permit, whenever it comes free.
    pub async fn acquire(&self) -> Result<OwnedSemaphorePermit, Busy> {
        if is_patient() {
            return self.background.clone().acquire_owned().await.map_err(|_| Busy { what: self.what });
        }
        let permit = self.permits.clone().acquire_owned();
        match tokio::time::timeout(self.wait, permit).await {
            Ok(Ok(permit)) => Ok(permit),
            // The semaphore is never closed; either way there is no permit to be had.
            Ok(Err(_)) | Err(_) => Err(Busy { what: self.what }),
        }
    }

    /// Runs `work` on a blocking thread under a permit. The permit moves with
    /// the work, so a request that gives up (a client gone, a timeout) does not
    /// free its place while the hashing it started still runs. Inside
    /// [`patiently`] it runs on the background pool's low-priority threads.
    pub async fn run_blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> anyhow::Result<T> {
        let permit = self.acquire().await?;
        if is_patient() {
            let (done, result) = tokio::sync::oneshot::channel();
            background_pool().spawn(move || {
                let _permit = permit;
                // A panic stays this run's failure, as spawn_blocking's would
                // (rayon would abort the process). The receiver is gone only when
                // the job was dropped; nobody is left to tell.
                let _ = done.send(std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)));
            });
            return match result.await {
                Ok(Ok(value)) => Ok(value),
                Ok(Err(_)) => Err(anyhow::anyhow!("A background task panicked while {}", self.what)),
                Err(_) => Err(anyhow::anyhow!("A background task was lost while {}", self.what)),
            };
        }
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            work()
        })
        .await
        .with_context(|| format!("A blocking task failed while {}", self.what))
    }
}

/// The threads background work runs on, one per core, made on first use. Each
/// lowers its own CPU priority as it starts, and parallel work started on one
/// (the model's matrix products, through rayon) stays in this pool, so it runs
/// at the same low priority.
fn background_pool() -> &'static rayon::ThreadPool {
    static POOL: OnceLock<rayon::ThreadPool> = OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .thread_name(|i| format!("lectern-background-{i}"))
            .start_handler(|_| lower_this_threads_priority())
            // Runs catch their own panics (`run_blocking`); this is the backstop
            // that keeps one escaping from aborting the process.
            .panic_handler(|_| tracing::error!("a background task panicked"))
            .build()
            .expect("the background thread pool could not start")
    })
}

/// Nice 19 for the calling thread: the kernel's fair scheduler then gives it
/// about 1/70 of a core that requests' threads also want, and every idle cycle.
/// Lowering one's own priority needs no privilege; where it fails the work
/// still runs, only at normal priority.
fn lower_this_threads_priority() {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: setpriority with who = 0 sets the calling thread's nice value
        // (Linux schedules threads, not processes); it reads and writes no memory.
        let status = unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, 19) };
        if status != 0 {
            tracing::warn!(error = %std::io::Error::last_os_error(), "could not lower a background thread's priority");
        }
    }
}

/// The current thread's nice value (tests).
#[cfg(all(test, target_os = "linux"))]
fn this_threads_nice() -> i32 {
    // SAFETY: getpriority with who = 0 reads the calling thread's nice value.
    unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) }
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
        // Background work does not queue behind requests: it has a lane of its own.
        let ran = patiently(bound.run_blocking(|| "ran")).await.unwrap();
        assert_eq!(ran, "ran", "a job's run does not wait for the requests' permit");
        finish_tx.send(()).unwrap();
        assert!(bound.run_blocking(|| ()).await.is_ok());
    }

    #[tokio::test]
    async fn background_work_runs_one_at_a_time_at_low_priority_and_never_holds_a_requests_permit() {
        let bound = Bound::new("testing", 1, Duration::from_millis(20));
        let (started_tx, started_rx) = std::sync::mpsc::channel();
        let (finish_tx, finish_rx) = std::sync::mpsc::channel::<()>();
        let first = tokio::spawn({
            let bound = bound.clone();
            patiently(async move {
                bound
                    .run_blocking(move || {
                        let thread = std::thread::current().name().map(str::to_owned);
                        #[cfg(target_os = "linux")]
                        let nice = this_threads_nice();
                        #[cfg(not(target_os = "linux"))]
                        let nice = 19;
                        // Parallel work started here stays on the background pool.
                        use rayon::prelude::*;
                        let inner: Vec<Option<String>> =
                            (0..4).into_par_iter().map(|_| std::thread::current().name().map(str::to_owned)).collect();
                        started_tx.send(()).unwrap();
                        finish_rx.recv().unwrap();
                        (thread, nice, inner)
                    })
                    .await
                    .unwrap()
            })
        });
        tokio::task::spawn_blocking(move || started_rx.recv().unwrap()).await.unwrap();
        // A request still gets the permit at once while a job runs.
        let request = bound.acquire().await.expect("background work holds no request permit");
        drop(request);
        // A second background run waits for the first, however long it takes.
        let second = tokio::spawn({
            let bound = bound.clone();
            patiently(async move { bound.run_blocking(|| "second").await.unwrap() })
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!second.is_finished(), "one background run of a kind at a time");
        finish_tx.send(()).unwrap();
        let (thread, nice, inner) = first.await.unwrap();
        assert_eq!(second.await.unwrap(), "second");
        assert!(thread.as_deref().is_some_and(|t| t.starts_with("lectern-background-")), "{thread:?}");
        assert_eq!(nice, 19, "background threads run at the lowest priority");
        for name in inner {
            assert!(name.as_deref().is_some_and(|t| t.starts_with("lectern-background-")), "{name:?}");
        }
    }

    #[tokio::test]
    async fn a_background_run_that_panics_fails_alone() {
        let bound = Bound::new("testing", 1, Duration::from_millis(20));
        let failed = patiently(bound.run_blocking(|| -> u32 { panic!("a model pass went wrong") })).await.unwrap_err();
        assert_eq!(failed.to_string(), "A background task panicked while testing");
        // The lane's permit came back and the pool still runs work.
        assert_eq!(patiently(bound.run_blocking(|| 7)).await.unwrap(), 7);
    }
}

//! Redis on the request path (rate limits, the shared cache, publishing
//! events) fails fast. Every call has a short deadline (`REDIS_TIMEOUT_MS`),
//! and a failed call opens a circuit breaker: for `REDIS_RETRY_AFTER_MS` calls
//! skip Redis at once, so an outage costs one request one timeout rather than
//! every request the connection manager's whole reconnect backoff (6–10 s).
//! After that the next call tries Redis again; the first success closes the
//! breaker. Callers decide what "skipped" means (the rate limiter falls back
//! to this instance's own limiter, the cache computes the value, the bus
//! delivers locally). Warnings are rate-limited: one when Redis goes away (at
//! most one a minute while it stays away) and one when it is back.

use std::{
    future::Future,
    sync::{
        Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use redis::aio::ConnectionManager;

use crate::config::RedisGuardConfig;

/// Redis was not asked (the breaker is open) or did not answer in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Skipped;

/// At most one "Redis is unavailable" warning per this long.
const WARN_EVERY: Duration = Duration::from_secs(60);

pub struct RedisGuard {
    manager: ConnectionManager,
    timeout: Duration,
    retry_after: Duration,
    breaker: Mutex<Breaker>,
    asked: AtomicU64,
    skipped: AtomicU64,
    failed: AtomicU64,
}

/// How calls went since the guard was made: those that asked Redis, those of
/// them that failed or ran out of time, and those the open breaker spared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GuardStats {
    pub asked: u64,
    pub failed: u64,
    pub skipped: u64,
}

#[derive(Default)]
struct Breaker {
    /// Calls skip Redis until then.
    open_until: Option<Instant>,
    /// Whether the last call failed (so a success is worth a log line).
    failing: bool,
    warned_at: Option<Instant>,
    skipped_since_warning: u64,
}

impl RedisGuard {
    pub fn new(manager: ConnectionManager, config: &RedisGuardConfig) -> Self {
        RedisGuard {
            manager,
            timeout: config.timeout,
            retry_after: config.retry_after,
            breaker: Mutex::new(Breaker::default()),
            asked: AtomicU64::new(0),
            skipped: AtomicU64::new(0),
            failed: AtomicU64::new(0),
        }
    }

    /// How calls went so far (what an outage test checks instead of timing requests).
    pub fn stats(&self) -> GuardStats {
        GuardStats {
            asked: self.asked.load(Ordering::Relaxed),
            failed: self.failed.load(Ordering::Relaxed),
            skipped: self.skipped.load(Ordering::Relaxed),
        }
    }

    fn breaker(&self) -> std::sync::MutexGuard<'_, Breaker> {
        self.breaker.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// True while calls skip Redis.
    fn is_open(&self) -> bool {
        let mut breaker = self.breaker();
        match breaker.open_until {
            Some(until) if Instant::now() < until => {
                breaker.skipped_since_warning += 1;
                true
            }
            _ => false,
        }
    }

    /// Runs `call` on a connection within the deadline, unless the breaker is open.
    pub async fn call<T, F, Fut>(&self, what: &'static str, call: F) -> Result<T, Skipped>
    where
        F: FnOnce(ConnectionManager) -> Fut,
        Fut: Future<Output = redis::RedisResult<T>>,
    {
        if self.is_open() {
            self.skipped.fetch_add(1, Ordering::Relaxed);
            return Err(Skipped);
        }
        self.asked.fetch_add(1, Ordering::Relaxed);
        match tokio::time::timeout(self.timeout, call(self.manager.clone())).await {
            Ok(Ok(value)) => {
                self.succeeded();
                Ok(value)
            }
            Ok(Err(err)) => {
                self.failed(what, &err.to_string());
                Err(Skipped)
            }
            Err(_) => {
                self.failed(what, &format!("no answer within {:?}", self.timeout));
                Err(Skipped)
            }
        }
    }

    fn succeeded(&self) {
        let mut breaker = self.breaker();
        if breaker.failing {
            tracing::info!("Redis answers again; rate limits, cache and events use it again");
            *breaker = Breaker::default();
        }
    }

    fn failed(&self, what: &str, reason: &str) {
        self.failed.fetch_add(1, Ordering::Relaxed);
        let now = Instant::now();
        let mut breaker = self.breaker();
        breaker.failing = true;
        breaker.open_until = Some(now + self.retry_after);
        if breaker.warned_at.is_none_or(|at| now.duration_since(at) >= WARN_EVERY) {
            tracing::warn!(
                operation = what,
                reason,
                skipped_calls = breaker.skipped_since_warning,
                retry_in = ?self.retry_after,
                "Redis is unavailable; rate limits fall back to this instance, the cache is bypassed, \
                 events reach this instance's subscribers only"
            );
            breaker.warned_at = Some(now);
            breaker.skipped_since_warning = 0;
        }
    }
}

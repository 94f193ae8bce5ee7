//! Rate limits (GCRA): in process with governor, or shared by every instance
//! through Redis with the same algorithm in a Lua script.

use std::{collections::HashMap, num::NonZeroU32, sync::Arc, time::Duration};

use anyhow::Context;
use governor::{DefaultKeyedRateLimiter, Quota, clock::Clock};

use crate::error::AppError;

/// A named limit: at most `burst` hits at once, refilling to `burst` over `period`.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub name: &'static str,
    pub burst: u32,
    pub period: Duration,
}

impl Rule {
    pub const fn new(name: &'static str, burst: u32, period: Duration) -> Self {
        Rule { name, burst, period }
    }

    fn emission_interval(&self) -> Duration {
        self.period / self.burst.max(1)
    }
}

#[async_trait::async_trait]
pub trait RateLimiter: Send + Sync {
    /// Counts one hit for `key` under `rule`; `Err(RateLimited)` when over the limit.
    async fn hit(&self, rule: &Rule, key: &str) -> Result<(), AppError>;
}

fn limited(wait: Duration) -> AppError {
    AppError::RateLimited { retry_after_secs: wait.as_secs() + u64::from(wait.subsec_nanos() > 0) }
}

#[derive(Default)]
pub struct InProcessRateLimiter {
    limiters: std::sync::Mutex<HashMap<&'static str, Arc<DefaultKeyedRateLimiter<String>>>>,
}

impl InProcessRateLimiter {
    fn limiter(&self, rule: &Rule) -> Arc<DefaultKeyedRateLimiter<String>> {
        let mut limiters = self.limiters.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        limiters
            .entry(rule.name)
            .or_insert_with(|| {
                let burst = NonZeroU32::new(rule.burst).unwrap_or(NonZeroU32::MIN);
                let quota = Quota::with_period(rule.emission_interval())
                    .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
                    .allow_burst(burst);
                Arc::new(DefaultKeyedRateLimiter::keyed(quota))
            })
            .clone()
    }

    /// Forgets keys whose state is back to full, so memory does not grow with every IP ever seen.
    pub fn forget_idle_keys(&self) {
        let limiters = self.limiters.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        for limiter in limiters.values() {
            limiter.retain_recent();
        }
    }
}

#[async_trait::async_trait]
impl RateLimiter for InProcessRateLimiter {
    async fn hit(&self, rule: &Rule, key: &str) -> Result<(), AppError> {
        let limiter = self.limiter(rule);
        limiter.check_key(&key.to_owned()).map_err(|not_until| {
            let now = governor::clock::DefaultClock::default().now();
            limited(not_until.wait_time_from(now))
        })
    }
}

/// GCRA over Redis: the key holds the "theoretical arrival time" in ms.
/// Returns 0 when allowed, otherwise the ms to wait.
const GCRA_SCRIPT: &str = r#"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local tolerance = interval * (burst - 1)
if tat - now > tolerance then
  return tat - tolerance - now
end
local new_tat = tat + interval
redis.call('SET', KEYS[1], new_tat, 'PX', new_tat - now)
return 0
"#;

pub struct RedisRateLimiter {
    redis: redis::aio::ConnectionManager,
    prefix: String,
    script: redis::Script,
}

impl RedisRateLimiter {
    pub fn new(redis: redis::aio::ConnectionManager, prefix: &str) -> Self {
        RedisRateLimiter { redis, prefix: format!("{prefix}rl:"), script: redis::Script::new(GCRA_SCRIPT) }
    }
}

#[async_trait::async_trait]
impl RateLimiter for RedisRateLimiter {
    async fn hit(&self, rule: &Rule, key: &str) -> Result<(), AppError> {
        let mut conn = self.redis.clone();
        let wait_ms: u64 = self
            .script
            .key(format!("{}{}:{key}", self.prefix, rule.name))
            .arg(rule.emission_interval().as_millis() as u64)
            .arg(rule.burst)
            .invoke_async(&mut conn)
            .await
            .context("Failed to check a rate limit in Redis")?;
        if wait_ms == 0 { Ok(()) } else { Err(limited(Duration::from_millis(wait_ms))) }
    }
}

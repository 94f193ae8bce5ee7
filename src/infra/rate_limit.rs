//! Rate limits (GCRA): in process with governor, or shared by every instance
//! through Redis with the same algorithm in a Lua script. While Redis is away
//! (src/infra/redis_guard.rs), the Redis limiter falls back to an in-process
//! one: each instance then limits on its own, which is looser across
//! instances but keeps every limited operation working.

use std::{collections::HashMap, num::NonZeroU32, sync::Arc, time::Duration};

use governor::{DefaultKeyedRateLimiter, Quota, clock::Clock};

use crate::{error::AppError, infra::redis_guard::RedisGuard};

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

/// GCRA over Redis: the key holds the "theoretical arrival time" in
/// microseconds (Redis `TIME` has them), so no configured rate rounds its
/// interval to zero; the interval is at least 1 µs all the same.
/// Returns 0 when allowed, otherwise the µs to wait.
const GCRA_SCRIPT: &str = r#"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = math.max(tonumber(ARGV[1]), 1)
local burst = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local tolerance = interval * (burst - 1)
if tat - now > tolerance then
  return tat - tolerance - now
end
local new_tat = tat + interval
redis.call('SET', KEYS[1], string.format('%d', new_tat), 'PX', math.max(math.ceil((new_tat - now) / 1000), 1))
return 0
"#;

pub struct RedisRateLimiter {
    redis: Arc<RedisGuard>,
    prefix: String,
    script: redis::Script,
    /// Used while Redis is away.
    fallback: Arc<InProcessRateLimiter>,
}

impl RedisRateLimiter {
    pub fn new(redis: Arc<RedisGuard>, prefix: &str, fallback: Arc<InProcessRateLimiter>) -> Self {
        RedisRateLimiter { redis, prefix: format!("{prefix}rl:"), script: redis::Script::new(GCRA_SCRIPT), fallback }
    }
}

#[async_trait::async_trait]
impl RateLimiter for RedisRateLimiter {
    async fn hit(&self, rule: &Rule, key: &str) -> Result<(), AppError> {
        let mut invocation = self.script.key(format!("{}{}:{key}", self.prefix, rule.name));
        invocation.arg(rule.emission_interval().as_micros().max(1) as u64).arg(rule.burst);
        let checked = self
            .redis
            .call("rate limit", |mut conn| async move { invocation.invoke_async::<u64>(&mut conn).await })
            .await;
        match checked {
            Ok(0) => Ok(()),
            Ok(wait_us) => Err(limited(Duration::from_micros(wait_us))),
            Err(_) => self.fallback.hit(rule, key).await,
        }
    }
}

/// The rate-limit bucket of an address: IPv4 addresses on their own, IPv6 by
/// their /64 (one subscriber's network: a client holds a whole /64 and could
/// otherwise take a fresh address for every request).
pub fn rate_limit_key(address: std::net::IpAddr) -> String {
    match address.to_canonical() {
        std::net::IpAddr::V4(v4) => v4.to_string(),
        std::net::IpAddr::V6(v6) => {
            let network = ipnet::Ipv6Net::new(v6, 64).map(|net| net.trunc()).unwrap_or_else(|_| v6.into());
            network.to_string()
        }
    }
}

#[cfg(test)]
mod address_tests {
    use std::net::IpAddr;

    use super::rate_limit_key;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn ipv6_clients_share_their_slash_64() {
        assert_eq!(rate_limit_key(ip("192.0.2.1")), "192.0.2.1");
        assert_eq!(rate_limit_key(ip("::ffff:192.0.2.1")), "192.0.2.1");
        assert_eq!(rate_limit_key(ip("2001:db8:1:2:aaaa:bbbb:cccc:dddd")), "2001:db8:1:2::/64");
        assert_eq!(rate_limit_key(ip("2001:db8:1:2::9")), rate_limit_key(ip("2001:db8:1:2:ffff::1")));
        assert_ne!(rate_limit_key(ip("2001:db8:1:2::9")), rate_limit_key(ip("2001:db8:1:3::9")));
    }
}

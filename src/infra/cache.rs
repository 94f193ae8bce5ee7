//! A small shared cache of bytes with a time to live: Redis when configured
//! (shared by every instance), in process (moka) otherwise. Misses and Redis
//! outages are the same thing to callers: they compute the value again.

use std::time::Duration;

use redis::AsyncCommands;

#[async_trait::async_trait]
pub trait Cache: Send + Sync {
    async fn get(&self, key: &str) -> Option<Vec<u8>>;
    async fn set(&self, key: &str, value: Vec<u8>, ttl: Duration);
}

/// Bounded in-process cache; entries expire after the longest `ttl` asked for
/// (one TTL per cache keeps moka's bookkeeping simple; callers use one).
pub struct MemoryCache {
    inner: moka::sync::Cache<String, Vec<u8>>,
}

impl MemoryCache {
    pub fn new(max_bytes: u64, ttl: Duration) -> Self {
        let inner = moka::sync::Cache::builder()
            .weigher(|k: &String, v: &Vec<u8>| (k.len() + v.len()).try_into().unwrap_or(u32::MAX))
            .max_capacity(max_bytes)
            .time_to_live(ttl)
            .build();
        MemoryCache { inner }
    }
}

#[async_trait::async_trait]
impl Cache for MemoryCache {
    async fn get(&self, key: &str) -> Option<Vec<u8>> {
        self.inner.get(key)
    }

    async fn set(&self, key: &str, value: Vec<u8>, _ttl: Duration) {
        self.inner.insert(key.to_owned(), value);
    }
}

pub struct RedisCache {
    redis: redis::aio::ConnectionManager,
    prefix: String,
}

impl RedisCache {
    pub fn new(redis: redis::aio::ConnectionManager, prefix: &str) -> Self {
        RedisCache { redis, prefix: format!("{prefix}cache:") }
    }
}

#[async_trait::async_trait]
impl Cache for RedisCache {
    async fn get(&self, key: &str) -> Option<Vec<u8>> {
        let mut conn = self.redis.clone();
        match conn.get::<_, Option<Vec<u8>>>(format!("{}{key}", self.prefix)).await {
            Ok(value) => value,
            Err(err) => {
                tracing::warn!(%err, "cache read failed; computing instead");
                None
            }
        }
    }

    async fn set(&self, key: &str, value: Vec<u8>, ttl: Duration) {
        let mut conn = self.redis.clone();
        let result: redis::RedisResult<()> =
            conn.set_ex(format!("{}{key}", self.prefix), value, ttl.as_secs().max(1)).await;
        if let Err(err) = result {
            tracing::warn!(%err, "cache write failed");
        }
    }
}

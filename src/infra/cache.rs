//! A small shared cache of bytes with a time to live: Redis when configured
//! (shared by every instance), in process (moka) otherwise. Misses and Redis
//! outages are the same thing to callers: they compute the value again.

use std::{sync::Arc, time::Duration};

use redis::AsyncCommands;

use crate::infra::redis_guard::RedisGuard;

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
    redis: Arc<RedisGuard>,
    prefix: String,
}

impl RedisCache {
    pub fn new(redis: Arc<RedisGuard>, prefix: &str) -> Self {
        RedisCache { redis, prefix: format!("{prefix}cache:") }
    }
}

// Failures are logged by the guard (rate-limited) and read as misses.
#[async_trait::async_trait]
impl Cache for RedisCache {
    async fn get(&self, key: &str) -> Option<Vec<u8>> {
        let key = format!("{}{key}", self.prefix);
        self.redis.call("cache read", |mut conn| async move { conn.get::<_, Option<Vec<u8>>>(key).await }).await.ok()?
    }

    async fn set(&self, key: &str, value: Vec<u8>, ttl: Duration) {
        let key = format!("{}{key}", self.prefix);
        let _ =
            self.redis
                .call("cache write", |mut conn| async move {
                    conn.set_ex::<_, _, ()>(key, value, ttl.as_secs().max(1)).await
                })
                .await;
    }
}

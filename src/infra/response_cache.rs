//! The cache of public answers: whole GraphQL response bodies for anonymous
//! reads (keyed by the request, see `http/response_cache.rs`), and small
//! in-process memos (the feed's count, the next scheduled post) that are exact
//! because they are keyed by the version of what they were computed from.
//!
//! Invalidation is by versioned tags. Every tag (`content`, `post:<id>`) has
//! a version counter; an entry records the tags it depends on with their
//! versions when it was computed, and a read is a hit only while every one of
//! them is unchanged. A committed change bumps its tags ([`PublicCache::invalidate`],
//! usually through `Write::invalidate`), so the next read misses and recomputes.
//! A global clock, bumped with every tag, guards the store: an answer is only
//! stored when no bump happened between the lookup that missed and the store,
//! so a change that commits while a request is computing its answer can never
//! leave that (older) answer cached under the newer versions.
//!
//! Two stores: in process (moka for the entries, a map of counters) in
//! embedded mode, and Redis in scaled mode, where counters are `INCR`ed keys
//! every instance reads, and a lookup is one round trip (a script that reads
//! the entry and compares its tags' versions). Counters rather than pub/sub
//! messages: a message can be lost (pub/sub is at most once), a counter cannot.
//! Redis calls go through the [`RedisGuard`]: an outage is a miss, fast. A bump
//! that cannot reach Redis is remembered; until it lands (retried before every
//! use and once a second) this instance neither reads nor stores entries nor
//! trusts its memos, and when it lands it bumps `content`, which every entry
//! depends on, so nothing older is served once Redis is back.

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use bytes::Bytes;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::infra::redis_guard::RedisGuard;

/// What a cached answer depends on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CacheTag {
    /// Every public read: posts, series, tags, authors' public profiles.
    Content,
    /// One post's activity: its comments and reactions.
    Post(Uuid),
}

impl CacheTag {
    fn name(&self) -> String {
        match self {
            CacheTag::Content => "content".to_owned(),
            CacheTag::Post(id) => format!("post:{id}"),
        }
    }
}

/// A lookup that missed: what the answer computed next is stored against.
#[derive(Clone, Copy, Debug)]
pub struct Ticket {
    /// The global clock at the lookup (None: not known yet, the answer is not stored).
    clock: Option<u64>,
    /// The version of `content` at the lookup.
    pub content: Option<u64>,
}

/// What a lookup found.
pub enum Lookup {
    /// The stored body, still current.
    Hit(Bytes),
    /// Nothing current: compute the answer, then [`PublicCache::store`] it with this ticket.
    Miss(Ticket),
    /// The cache is off, or cannot be used right now (Redis away, a bump not landed yet).
    Off,
}

/// Where entries and versions live.
#[async_trait::async_trait]
pub trait ResponseStore: Send + Sync {
    async fn lookup(&self, key: &str) -> Lookup;
    async fn store(&self, key: &str, clock: u64, tags: &[CacheTag], body: Bytes, ttl: Duration);
    async fn invalidate(&self, tags: &[CacheTag]);
    /// The current version of `content`, or None when it cannot be known now.
    async fn content_version(&self) -> Option<u64>;
}

/// The response cache and the memos beside it, as the rest of the server uses them.
pub struct PublicCache {
    store: Arc<dyn ResponseStore>,
    /// Longest life of an entry; zero turns the cache (and the memos) off.
    ttl: Duration,
    /// The feed's `totalCount` per filter.
    pub counts: VersionedMemo<u64>,
    /// When the next scheduled post goes live.
    pub next_due: VersionedMemo<Option<DateTime<Utc>>>,
}

impl PublicCache {
    pub fn new(store: Arc<dyn ResponseStore>, ttl: Duration) -> Self {
        PublicCache { store, ttl, counts: VersionedMemo::new(1024), next_due: VersionedMemo::new(1) }
    }

    /// Whether answers and memos are kept at all (`RESPONSE_CACHE_TTL_SECS` > 0).
    pub fn enabled(&self) -> bool {
        !self.ttl.is_zero()
    }

    /// The longest an entry lives.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    pub async fn lookup(&self, key: &str) -> Lookup {
        if !self.enabled() {
            return Lookup::Off;
        }
        self.store.lookup(key).await
    }

    /// Stores `body` for `key` for at most `ttl`, unless something was invalidated since the lookup.
    pub async fn store(&self, key: &str, ticket: Ticket, tags: &[CacheTag], body: Bytes, ttl: Duration) {
        let (Some(clock), false) = (ticket.clock, ttl.is_zero()) else { return };
        let mut all = Vec::with_capacity(tags.len() + 1);
        all.push(CacheTag::Content);
        all.extend(tags.iter().copied().filter(|t| *t != CacheTag::Content));
        self.store.store(key, clock, &all, body, ttl.min(self.ttl)).await;
    }

    /// Makes every entry that depends on `tags` stale (call it after the change commits).
    /// Runs even when this instance's cache is off: other instances may keep one.
    pub async fn invalidate(&self, tags: &[CacheTag]) {
        if !tags.is_empty() {
            self.store.invalidate(tags).await;
        }
    }

    /// The version of `content` the memos are keyed by; None when the cache is off or unsure.
    pub async fn content_version(&self) -> Option<u64> {
        if !self.enabled() {
            return None;
        }
        self.store.content_version().await
    }
}

/// Small values computed from public content, in process, valid for one
/// version of `content` and (optionally) until a moment: when the version
/// changes, everything goes. At most `capacity` keys per version (the keys
/// come from requests; past that, values are computed but not kept).
pub struct VersionedMemo<V> {
    capacity: usize,
    /// The version the values belong to, and each key's value with its deadline.
    inner: Mutex<Option<(u64, Memos<V>)>>,
}

type Memos<V> = HashMap<String, (V, Option<DateTime<Utc>>)>;

impl<V: Clone> VersionedMemo<V> {
    pub fn new(capacity: usize) -> Self {
        VersionedMemo { capacity, inner: Mutex::new(None) }
    }

    /// The value kept for `key` at `version`, unless it expired.
    pub fn get(&self, version: u64, key: &str) -> Option<V> {
        let inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let (kept, values) = inner.as_ref()?;
        if *kept != version {
            return None;
        }
        let (value, until) = values.get(key)?;
        until.is_none_or(|until| Utc::now() < until).then(|| value.clone())
    }

    /// Keeps `value` for `key` at `version` until `until` (or the next version).
    pub fn put(&self, version: u64, key: &str, value: V, until: Option<DateTime<Utc>>) {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        match inner.as_mut() {
            // An older version's value computed late must not replace a newer one's.
            Some((kept, _)) if *kept > version => {}
            Some((kept, values)) if *kept == version => {
                if values.len() < self.capacity || values.contains_key(key) {
                    values.insert(key.to_owned(), (value, until));
                }
            }
            _ => *inner = Some((version, HashMap::from([(key.to_owned(), (value, until))]))),
        }
    }
}

/// Entries in a bounded moka cache, versions in a map (embedded mode: one process).
pub struct MemoryResponseStore {
    entries: moka::sync::Cache<String, Arc<MemoryEntry>>,
    versions: Mutex<Versions>,
}

struct MemoryEntry {
    body: Bytes,
    deps: Vec<(CacheTag, u64)>,
    expires: Instant,
}

#[derive(Default)]
struct Versions {
    clock: u64,
    tags: HashMap<CacheTag, u64>,
}

impl Versions {
    fn of(&self, tag: &CacheTag) -> u64 {
        self.tags.get(tag).copied().unwrap_or(0)
    }
}

impl MemoryResponseStore {
    /// At most `max_bytes` of bodies, none kept longer than `ttl`.
    pub fn new(max_bytes: u64, ttl: Duration) -> Self {
        let entries = moka::sync::Cache::builder()
            .weigher(|key: &String, entry: &Arc<MemoryEntry>| {
                let weight = key.len() + entry.body.len() + entry.deps.len() * 32 + 64;
                weight.try_into().unwrap_or(u32::MAX)
            })
            .max_capacity(max_bytes)
            .time_to_live(ttl.max(Duration::from_secs(1)))
            .build();
        MemoryResponseStore { entries, versions: Mutex::new(Versions::default()) }
    }

    fn versions(&self) -> std::sync::MutexGuard<'_, Versions> {
        self.versions.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[async_trait::async_trait]
impl ResponseStore for MemoryResponseStore {
    async fn lookup(&self, key: &str) -> Lookup {
        let entry = self.entries.get(key);
        let versions = self.versions();
        if let Some(entry) = entry
            && Instant::now() < entry.expires
            && entry.deps.iter().all(|(tag, version)| versions.of(tag) == *version)
        {
            return Lookup::Hit(entry.body.clone());
        }
        Lookup::Miss(Ticket { clock: Some(versions.clock), content: Some(versions.of(&CacheTag::Content)) })
    }

    async fn store(&self, key: &str, clock: u64, tags: &[CacheTag], body: Bytes, ttl: Duration) {
        let deps = {
            let versions = self.versions();
            if versions.clock != clock {
                return;
            }
            tags.iter().map(|tag| (*tag, versions.of(tag))).collect()
        };
        self.entries.insert(key.to_owned(), Arc::new(MemoryEntry { body, deps, expires: Instant::now() + ttl }));
    }

    async fn invalidate(&self, tags: &[CacheTag]) {
        let mut versions = self.versions();
        versions.clock += 1;
        for tag in tags {
            *versions.tags.entry(*tag).or_default() += 1;
        }
    }

    async fn content_version(&self) -> Option<u64> {
        Some(self.versions().of(&CacheTag::Content))
    }
}

/// A fresh counter value: Redis's clock in microseconds, so a counter that
/// went missing (evicted, flushed) restarts above any value it had, and no
/// entry recorded with an old value can match it again.
const SEED: &str = r#"
local function seed()
  local t = redis.call('TIME')
  return t[1] .. string.format('%06d', tonumber(t[2]))
end
"#;

/// KEYS: entry, clock, content version. ARGV: the version keys' prefix.
/// {1, body} when the entry's tags all have the versions it recorded;
/// else {0, false, clock, content version}.
const LOOKUP: &str = r#"
local entry = redis.call('HMGET', KEYS[1], 'd', 'b')
if entry[1] then
  local deps = cjson.decode(entry[1])
  local keys = {}
  for i = 1, #deps, 2 do keys[#keys + 1] = ARGV[1] .. deps[i] end
  local now = redis.call('MGET', unpack(keys))
  local current = true
  for i = 1, #keys do
    if now[i] ~= deps[2 * i] then current = false break end
  end
  if current then return {1, entry[2], false, false} end
end
return {0, false, redis.call('GET', KEYS[2]), redis.call('GET', KEYS[3])}
"#;

/// KEYS: entry, clock. ARGV: the version keys' prefix, the clock at the
/// lookup, the entry's life in ms, the body, then its tags. Stores nothing
/// when the clock moved (something was invalidated meanwhile).
const STORE: &str = r#"
local clock = redis.call('GET', KEYS[2])
if not clock then
  redis.call('SET', KEYS[2], seed())
  return 0
end
if clock ~= ARGV[2] then return 0 end
local deps = {}
for i = 5, #ARGV do
  local key = ARGV[1] .. ARGV[i]
  local version = redis.call('GET', key)
  if not version then
    version = seed()
    redis.call('SET', key, version)
  end
  deps[#deps + 1] = ARGV[i]
  deps[#deps + 1] = version
end
redis.call('HSET', KEYS[1], 'd', cjson.encode(deps), 'b', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
"#;

/// KEYS: clock. ARGV: the version keys to bump. A missing version stays
/// missing (every entry that recorded it misses already; the next store seeds it).
const BUMP: &str = r#"
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('INCR', KEYS[1])
else
  redis.call('SET', KEYS[1], seed())
end
for i = 1, #ARGV do
  if redis.call('EXISTS', ARGV[i]) == 1 then redis.call('INCR', ARGV[i]) end
end
return 1
"#;

/// KEYS: content version. Its value, seeded when missing.
const CONTENT_VERSION: &str = r#"
local version = redis.call('GET', KEYS[1])
if not version then
  version = seed()
  redis.call('SET', KEYS[1], version)
end
return version
"#;

/// Entries and versions in Redis, shared by every instance (scaled mode).
pub struct RedisResponseStore {
    redis: Arc<RedisGuard>,
    /// `<prefix>rc:`: entries under `e:`, versions under `v:`, the clock at `clock`.
    prefix: String,
    lookup: redis::Script,
    store: redis::Script,
    bump: redis::Script,
    content: redis::Script,
    /// A bump did not reach Redis: until `content` has been bumped since, nothing is read or stored.
    unsettled: AtomicBool,
}

impl RedisResponseStore {
    pub fn new(redis: Arc<RedisGuard>, prefix: &str) -> Self {
        let script = |body: &str| redis::Script::new(&format!("{SEED}{body}"));
        RedisResponseStore {
            redis,
            prefix: format!("{prefix}rc:"),
            lookup: script(LOOKUP),
            store: script(STORE),
            bump: script(BUMP),
            content: script(CONTENT_VERSION),
            unsettled: AtomicBool::new(false),
        }
    }

    /// Retries a bump that failed once a second, so other instances stop
    /// serving what it invalidated even while this one gets no reads.
    pub fn spawn_settler(self: &Arc<Self>, shutdown: tokio_util::sync::CancellationToken) {
        let store = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut every_second = tokio::time::interval(Duration::from_secs(1));
            loop {
                tokio::select! {
                    _ = shutdown.cancelled() => return,
                    _ = every_second.tick() => match store.upgrade() {
                        Some(store) => { store.settled().await; }
                        None => return,
                    },
                }
            }
        });
    }

    fn version_key(&self, tag: &str) -> String {
        format!("{}v:{tag}", self.prefix)
    }

    async fn bump(&self, tags: &[CacheTag]) -> bool {
        let mut invocation = self.bump.key(format!("{}clock", self.prefix));
        for tag in tags {
            invocation.arg(self.version_key(&tag.name()));
        }
        self.redis
            .call(
                "response cache invalidation",
                |mut conn| async move { invocation.invoke_async::<i64>(&mut conn).await },
            )
            .await
            .is_ok()
    }

    /// True when no failed bump is outstanding (retrying it, as a bump of `content`, first).
    async fn settled(&self) -> bool {
        if !self.unsettled.load(Ordering::Acquire) {
            return true;
        }
        if self.bump(&[CacheTag::Content]).await {
            self.unsettled.store(false, Ordering::Release);
            tracing::info!("a response-cache invalidation that failed while Redis was away has been applied");
            return true;
        }
        false
    }
}

#[async_trait::async_trait]
impl ResponseStore for RedisResponseStore {
    async fn lookup(&self, key: &str) -> Lookup {
        if !self.settled().await {
            return Lookup::Off;
        }
        let mut invocation = self.lookup.key(format!("{}e:{key}", self.prefix));
        invocation
            .key(format!("{}clock", self.prefix))
            .key(self.version_key(&CacheTag::Content.name()))
            .arg(self.version_key(""));
        let found = self
            .redis
            .call("response cache read", |mut conn| async move {
                invocation.invoke_async::<(i64, Option<Vec<u8>>, Option<u64>, Option<u64>)>(&mut conn).await
            })
            .await;
        match found {
            Ok((1, Some(body), _, _)) => Lookup::Hit(Bytes::from(body)),
            Ok((_, _, clock, content)) => Lookup::Miss(Ticket { clock, content }),
            Err(_) => Lookup::Off,
        }
    }

    async fn store(&self, key: &str, clock: u64, tags: &[CacheTag], body: Bytes, ttl: Duration) {
        if !self.settled().await {
            return;
        }
        let mut invocation = self.store.key(format!("{}e:{key}", self.prefix));
        invocation
            .key(format!("{}clock", self.prefix))
            .arg(self.version_key(""))
            .arg(clock)
            .arg(ttl.as_millis().max(1) as u64)
            .arg(body.as_ref());
        for tag in tags {
            invocation.arg(tag.name());
        }
        // A failure is logged by the guard; the answer is simply not kept.
        let _ = self
            .redis
            .call("response cache write", |mut conn| async move { invocation.invoke_async::<i64>(&mut conn).await })
            .await;
    }

    async fn invalidate(&self, tags: &[CacheTag]) {
        if !self.bump(tags).await {
            self.unsettled.store(true, Ordering::Release);
        }
    }

    async fn content_version(&self) -> Option<u64> {
        if !self.settled().await {
            return None;
        }
        let invocation = self.content.key(self.version_key(&CacheTag::Content.name()));
        self.redis
            .call("response cache version", |mut conn| async move { invocation.invoke_async::<u64>(&mut conn).await })
            .await
            .ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(text: &str) -> Bytes {
        Bytes::from(text.to_owned())
    }

    async fn ticket(cache: &PublicCache, key: &str) -> Ticket {
        match cache.lookup(key).await {
            Lookup::Miss(ticket) => ticket,
            Lookup::Hit(_) => panic!("{key} hit"),
            Lookup::Off => panic!("the cache is off"),
        }
    }

    fn memory(ttl: u64) -> PublicCache {
        let ttl = Duration::from_secs(ttl);
        PublicCache::new(Arc::new(MemoryResponseStore::new(1 << 20, ttl)), ttl)
    }

    #[tokio::test]
    async fn an_entry_lives_until_one_of_its_tags_is_bumped() {
        let cache = memory(60);
        let (post, other) = (CacheTag::Post(Uuid::now_v7()), CacheTag::Post(Uuid::now_v7()));
        let at = ticket(&cache, "feed").await;
        cache.store("feed", at, &[post], body("one"), Duration::from_secs(60)).await;
        assert!(matches!(cache.lookup("feed").await, Lookup::Hit(b) if b == "one"));
        cache.invalidate(&[other]).await;
        assert!(matches!(cache.lookup("feed").await, Lookup::Hit(_)), "another post's activity leaves it");
        cache.invalidate(&[post]).await;
        let at = ticket(&cache, "feed").await;
        cache.store("feed", at, &[], body("two"), Duration::from_secs(60)).await;
        cache.invalidate(&[CacheTag::Content]).await;
        ticket(&cache, "feed").await;
    }

    #[tokio::test]
    async fn an_answer_computed_across_an_invalidation_is_not_stored() {
        let cache = memory(60);
        let at = ticket(&cache, "feed").await;
        // A comment commits while the answer is being computed from older rows.
        cache.invalidate(&[CacheTag::Post(Uuid::now_v7())]).await;
        cache.store("feed", at, &[], body("older"), Duration::from_secs(60)).await;
        ticket(&cache, "feed").await;
    }

    #[tokio::test]
    async fn entries_expire_and_a_zero_ttl_turns_everything_off() {
        let cache = memory(60);
        let at = ticket(&cache, "feed").await;
        cache.store("feed", at, &[], body("brief"), Duration::from_millis(30)).await;
        tokio::time::sleep(Duration::from_millis(60)).await;
        ticket(&cache, "feed").await;

        let off = memory(0);
        assert!(matches!(off.lookup("feed").await, Lookup::Off));
        assert_eq!(off.content_version().await, None);
    }

    #[test]
    fn memos_follow_the_version_and_their_deadline() {
        let memo = VersionedMemo::new(2);
        memo.put(3, "a", 10u64, None);
        assert_eq!(memo.get(3, "a"), Some(10));
        assert_eq!(memo.get(4, "a"), None, "another version");
        memo.put(2, "b", 20, None);
        assert_eq!(memo.get(2, "b"), None, "an older version's late value is dropped");
        memo.put(3, "b", 20, None);
        memo.put(3, "c", 30, None);
        assert_eq!(memo.get(3, "c"), None, "past its capacity, values are not kept");
        memo.put(3, "d", 40, Some(Utc::now() - chrono::Duration::seconds(1)));
        assert_eq!(memo.get(3, "d"), None);
        memo.put(4, "a", 11, None);
        assert_eq!((memo.get(4, "a"), memo.get(3, "a")), (Some(11), None));
    }
}

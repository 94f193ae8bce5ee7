//! Operations named by hash instead of carried in full: Apollo's automatic
//! persisted queries (`extensions.persistedQuery { version: 1, sha256Hash }`)
//! and trusted documents (the web app's operations, listed by hash in the
//! manifest `npm run codegen` writes).
//!
//! This lives at the HTTP layer, not in async-graphql's `ApolloPersistedQueries`
//! extension: the GET rule (queries only, 405 otherwise) and the trusted-only
//! rule must see the resolved document before anything runs, failures need
//! this server's stable codes and statuses, and the viewer (admins may send
//! any operation) is known here.
//!
//! Storage: Redis when `REDIS_URL` is set (every instance sees a hash one of
//! them learnt), a bounded in-process cache otherwise. A Redis failure is a
//! miss: the client sends the query again and the request is answered.

use std::{collections::HashMap, sync::Arc, time::Duration};

use anyhow::Context;
use axum::http::StatusCode;
use redis::{AsyncCommands, aio::ConnectionManager};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::{auth::Viewer, config::Config, error::code, infra::redis_guard::RedisGuard};
use entity::user::Role;

/// The in-process store's size (documents are weighed by their length).
const MEMORY_BYTES: u64 = 32 * 1024 * 1024;

/// Why a request naming an operation by hash is refused before anything runs.
#[derive(Debug)]
pub struct Refusal {
    pub code: &'static str,
    pub message: String,
    /// A fixed status, or `None` for a request error (400, or 200 for legacy `application/json`).
    pub status: Option<StatusCode>,
}

impl Refusal {
    fn request_error(code: &'static str, message: impl Into<String>) -> Self {
        Refusal { code, message: message.into(), status: None }
    }

    /// Not a GraphQL request at all: 400 whatever the media type, as for a body without `query`.
    fn malformed(message: impl Into<String>) -> Self {
        Refusal { code: code::BAD_REQUEST, message: message.into(), status: Some(StatusCode::BAD_REQUEST) }
    }
}

/// One operation after its hash was looked up: the document to run, and the
/// hash to remember it under once the request is allowed.
#[derive(Debug)]
pub struct Resolved {
    pub query: String,
    pub register: Option<String>,
    /// Named by hash alone (a GET of this kind is what a CDN may cache).
    pub by_hash: bool,
}

enum Store {
    Memory(moka::sync::Cache<String, Arc<str>>),
    /// Through the shared guard: a slow or down Redis is a miss, never a slow request.
    Redis {
        redis: Arc<RedisGuard>,
        prefix: String,
    },
}

pub struct PersistedQueries {
    store: Store,
    ttl: Duration,
    max_bytes: usize,
    /// The trusted documents by sha256 (hex), from `TRUSTED_DOCUMENTS`.
    trusted: HashMap<String, Arc<str>>,
    trusted_only: bool,
}

/// The sha256 of a document, as lowercase hex (what clients send as `sha256Hash`).
pub fn sha256_hex(document: &str) -> String {
    hex::encode(Sha256::digest(document.as_bytes()))
}

impl PersistedQueries {
    /// The store for this deployment, with the trusted manifest (when configured) loaded.
    pub fn from_config(config: &Config, redis: Option<Arc<RedisGuard>>) -> anyhow::Result<Self> {
        let settings = &config.persisted;
        let ttl = settings.ttl;
        let store = match redis {
            Some(redis) => Store::Redis { redis, prefix: format!("{}apq:", config.redis_prefix) },
            None => Store::Memory(
                moka::sync::Cache::builder()
                    .weigher(|k: &String, v: &Arc<str>| (k.len() + v.len()).try_into().unwrap_or(u32::MAX))
                    .max_capacity(MEMORY_BYTES)
                    .time_to_live(ttl)
                    .build(),
            ),
        };
        let trusted = match &settings.trusted_documents {
            Some(path) => load_manifest(path)?,
            None => HashMap::new(),
        };
        Ok(PersistedQueries {
            store,
            ttl,
            max_bytes: config.graphql.max_body_bytes,
            trusted,
            trusted_only: settings.trusted_only,
        })
    }

    /// The document a request runs: its `query`, or the one its
    /// `extensions.persistedQuery` hash names. `persistedQuery` is taken out
    /// of `extensions`, so GraphQL never sees it.
    pub async fn resolve(
        &self,
        query: Option<String>,
        extensions: Option<&mut serde_json::Map<String, Value>>,
    ) -> Result<Resolved, Refusal> {
        let persisted = extensions.and_then(|ext| ext.remove("persistedQuery"));
        let Some(persisted) = persisted else {
            return match query {
                Some(query) => Ok(Resolved { query, register: None, by_hash: false }),
                None => Err(Refusal::malformed("Every operation needs a `query` string")),
            };
        };
        let version = persisted.get("version").and_then(Value::as_i64);
        let hash = persisted.get("sha256Hash").and_then(Value::as_str).map(str::to_ascii_lowercase);
        let (Some(1), Some(hash)) = (version, hash) else {
            return Err(Refusal::malformed("`extensions.persistedQuery` must be { version: 1, sha256Hash }"));
        };
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Refusal::malformed("`sha256Hash` must be 64 hex digits"));
        }
        match query {
            Some(query) => {
                if sha256_hex(&query) != hash {
                    return Err(Refusal::request_error(
                        code::PERSISTED_QUERY_HASH_MISMATCH,
                        "The query's sha256 is not `sha256Hash`",
                    ));
                }
                let register = (!self.trusted.contains_key(&hash)).then_some(hash);
                Ok(Resolved { query, register, by_hash: false })
            }
            None => match self.lookup(&hash).await {
                Some(query) => Ok(Resolved { query: query.to_string(), register: None, by_hash: true }),
                // Apollo's and urql's clients look for exactly this message and code, then send the query.
                None => Err(Refusal::request_error(code::PERSISTED_QUERY_NOT_FOUND, "PersistedQueryNotFound")),
            },
        }
    }

    /// In trusted-only mode, refuses a document that is not in the manifest,
    /// unless the viewer is an admin (GraphiQL keeps working for them).
    pub fn check_trusted(&self, viewer: &Viewer, query: &str) -> Result<(), Refusal> {
        if !self.trusted_only || viewer.role() == Some(Role::Admin) || self.trusted.contains_key(&sha256_hex(query)) {
            return Ok(());
        }
        Err(Refusal {
            code: code::OPERATION_NOT_TRUSTED,
            message: "This server only runs the web app's operations".into(),
            status: Some(StatusCode::FORBIDDEN),
        })
    }

    /// Remembers a document under its (verified) hash, for later hash-only requests.
    pub async fn register(&self, hash: &str, query: &str) {
        if query.len() > self.max_bytes {
            return;
        }
        match &self.store {
            Store::Memory(cache) => cache.insert(hash.to_owned(), Arc::from(query)),
            Store::Redis { redis, prefix } => {
                let (key, ttl) = (format!("{prefix}{hash}"), self.ttl.as_secs().max(1));
                let write = |mut conn: ConnectionManager| async move { conn.set_ex::<_, _, ()>(key, query, ttl).await };
                // A failure is the guard's to log; the document is simply not remembered.
                let _ = redis.call("persisted query write", write).await;
            }
        }
    }

    async fn lookup(&self, hash: &str) -> Option<Arc<str>> {
        if let Some(document) = self.trusted.get(hash) {
            return Some(document.clone());
        }
        match &self.store {
            Store::Memory(cache) => cache.get(hash),
            Store::Redis { redis, prefix } => {
                let key = format!("{prefix}{hash}");
                let read = |mut conn: ConnectionManager| async move { conn.get::<_, Option<String>>(key).await };
                redis.call("persisted query read", read).await.ok().flatten().map(Arc::from)
            }
        }
    }
}

/// graphql-codegen's persisted documents manifest: `{ "sha256:<hex>": "<document>" }`
/// (the GraphQL-over-HTTP document identifier; a bare hex key is read too).
/// Every key must be the sha256 of its document, so a hand-edited manifest
/// cannot make one hash run another operation.
fn load_manifest(path: &std::path::Path) -> anyhow::Result<HashMap<String, Arc<str>>> {
    let raw = std::fs::read_to_string(path)
        .with_context(|| format!("Failed to read TRUSTED_DOCUMENTS={}", path.display()))?;
    let entries: HashMap<String, String> = serde_json::from_str(&raw)
        .with_context(|| format!("TRUSTED_DOCUMENTS={} is not a JSON object of hash -> document", path.display()))?;
    let mut trusted = HashMap::with_capacity(entries.len());
    for (hash, document) in entries {
        let actual = sha256_hex(&document);
        let hex = hash.strip_prefix("sha256:").unwrap_or(&hash).to_ascii_lowercase();
        if actual != hex {
            anyhow::bail!("TRUSTED_DOCUMENTS={}: the entry {hash} is not the sha256 of its document", path.display());
        }
        trusted.insert(actual, Arc::from(document));
    }
    Ok(trusted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_entries_must_match_their_hash() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("good.json");
        let doc = "query Tags { tags { slug } }";
        let key = format!("sha256:{}", sha256_hex(doc));
        std::fs::write(&good, serde_json::json!({ key: doc }).to_string()).unwrap();
        assert_eq!(load_manifest(&good).unwrap().len(), 1);
        let bad = dir.path().join("bad.json");
        std::fs::write(&bad, serde_json::json!({ sha256_hex(doc): "mutation { logout }" }).to_string()).unwrap();
        let err = load_manifest(&bad).unwrap_err().to_string();
        assert!(err.contains("TRUSTED_DOCUMENTS"), "{err}");
    }
}

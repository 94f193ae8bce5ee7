//! The response cache on the HTTP side (the store and its invalidation are
//! `infra::response_cache`): which requests may be answered from it, their
//! key, how long an answer may be kept, and `ETag`s for persisted GETs.
//!
//! A request may use the cache when it is anonymous (no `Authorization`),
//! single (not a batch), and a query whose root fields are all public reads
//! ([`PUBLIC_ROOTS`]): what it gets is what every anonymous reader gets.
//! Premium bodies are null and `viewer*` fields empty for them, so nothing of
//! one reader can reach another. Answers with errors are never stored.

use std::{collections::HashMap, time::Duration};

use async_graphql::{
    Request as GqlRequest,
    parser::types::{FragmentDefinition, OperationType, Selection, SelectionSet},
};
use axum::http::HeaderValue;
use sha2::{Digest, Sha256};

use super::graphql::MediaType;
use crate::{
    graphql::{DocumentKey, OperationKey, hash_part},
    infra::response_cache::{CacheTag, Ticket},
    state::AppState,
};

/// `hit` or `miss` on answers the response cache may hold (absent on the others).
pub const CACHE_HEADER: axum::http::HeaderName = axum::http::HeaderName::from_static("x-lectern-cache");

/// Root fields whose answers are the same for every anonymous reader and only
/// change with writes that invalidate them (see `infra::response_cache`). Not
/// search (rate-limited, ranked by a model), leaderboards, users and profiles,
/// `me`, comments by id, or introspection.
pub const PUBLIC_ROOTS: &[&str] = &["posts", "post", "series", "seriesList", "tags", "tag", "__typename"];

/// Which operations read only public roots, remembered per document and
/// operation name (so a document is parsed once, not on every request).
pub struct PublicOperations {
    known: moka::sync::Cache<DocumentKey, bool>,
}

impl Default for PublicOperations {
    fn default() -> Self {
        PublicOperations { known: moka::sync::Cache::new(10_000) }
    }
}

impl PublicOperations {
    /// The cache key of `request` when it may be answered from the cache: a
    /// SHA-256 over the media type (the two bodies differ) and the request's
    /// [`OperationKey`] (document, operation name, canonical variables).
    pub(super) fn key(&self, media: MediaType, request: &GqlRequest) -> Option<String> {
        let name = request.operation_name.as_deref();
        let document = DocumentKey::of(&request.query, name);
        if !self.known.get_with(document, || is_public(&request.query, name)) {
            return None;
        }
        let mut key = Sha256::new();
        hash_part(&mut key, b"lectern-response-v2");
        hash_part(&mut key, if media == MediaType::GraphqlResponse { b"graphql-response+json" } else { b"json" });
        hash_part(&mut key, OperationKey::with_variables(document, &request.variables).as_bytes());
        Some(hex::encode(key.finalize()))
    }
}

/// Whether the operation `name` of `query` is a query of public root fields only.
fn is_public(query: &str, name: Option<&str>) -> bool {
    let Ok(document) = async_graphql::parser::parse_query(query) else { return false };
    let mut operations = document.operations.iter();
    let operation = match name {
        Some(wanted) => operations.find(|(name, _)| name.is_some_and(|n| n.as_str() == wanted)).map(|(_, op)| op),
        None => match (operations.next(), operations.next()) {
            (Some((_, only)), None) => Some(only),
            _ => None,
        },
    };
    operation.is_some_and(|operation| {
        operation.node.ty == OperationType::Query
            && public_roots(&operation.node.selection_set.node, &document.fragments, 0)
    })
}

fn public_roots(
    set: &SelectionSet,
    fragments: &HashMap<async_graphql::Name, async_graphql::Positioned<FragmentDefinition>>,
    depth: usize,
) -> bool {
    // Fragments nest (validation refuses cycles, which this does not wait for).
    depth < 8
        && set.items.iter().all(|item| match &item.node {
            Selection::Field(field) => PUBLIC_ROOTS.contains(&field.node.name.node.as_str()),
            Selection::FragmentSpread(spread) => fragments
                .get(&spread.node.fragment_name.node)
                .is_some_and(|fragment| public_roots(&fragment.node.selection_set.node, fragments, depth + 1)),
            Selection::InlineFragment(inline) => public_roots(&inline.node.selection_set.node, fragments, depth + 1),
        })
}

/// Stores an answer computed after the lookup that gave `ticket`, depending on
/// `tags` (and `content`, as every entry): kept no longer than the configured
/// TTL nor past the moment the next scheduled post goes live, which changes
/// public reads with no write to invalidate them.
pub async fn keep(state: &AppState, key: &str, ticket: Ticket, tags: &[CacheTag], body: bytes::Bytes) {
    let cache = &state.public_cache;
    match crate::domains::posts::service::next_scheduled_at(state, ticket.content).await {
        Ok(due) => {
            if let Some(ttl) = ttl_until(cache.ttl(), due) {
                cache.store(key, ticket, tags, body, ttl).await;
            }
        }
        Err(err) => tracing::warn!(error = %err, "the next scheduled post could not be read; the answer is not cached"),
    }
}

/// How long an answer computed now may be kept: the configured TTL, but never
/// past the moment the next scheduled post goes live. None: do not keep it.
pub fn ttl_until(ttl: Duration, next_due: Option<chrono::DateTime<chrono::Utc>>) -> Option<Duration> {
    let ttl = match next_due {
        Some(due) => ttl.min((due - chrono::Utc::now()).to_std().ok()?),
        None => ttl,
    };
    (ttl >= Duration::from_millis(1)).then_some(ttl)
}

/// A weak validator for a body (compression may change the bytes on the wire, not what they say).
pub fn etag(body: &[u8]) -> HeaderValue {
    let digest = Sha256::digest(body);
    HeaderValue::from_str(&format!("W/\"{}\"", hex::encode(&digest[..16]))).unwrap_or(HeaderValue::from_static("*"))
}

/// Whether `If-None-Match` names `etag` (weak comparison, `*` for any).
pub fn not_modified(if_none_match: &HeaderValue, etag: &HeaderValue) -> bool {
    let (Ok(wanted), Ok(etag)) = (if_none_match.to_str(), etag.to_str()) else { return false };
    let opaque = |tag: &str| tag.trim().trim_start_matches("W/").to_owned();
    wanted.split(',').any(|tag| tag.trim() == "*" || opaque(tag) == opaque(etag))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(query: &str, name: Option<&str>, variables: serde_json::Value) -> Option<String> {
        let mut request = GqlRequest::new(query);
        request.operation_name = name.map(str::to_owned);
        request.variables = async_graphql::Variables::from_json(variables);
        PublicOperations::default().key(MediaType::Json, &request)
    }

    #[test]
    fn only_queries_of_public_roots_are_cacheable() {
        let feed = "query Feed($n: Int) { posts(first: $n) { edges { node { title } } } __typename }";
        assert!(key(feed, None, serde_json::json!({})).is_some());
        assert!(key("{ tags { slug } a: post(slug: \"x\") { title } }", None, serde_json::json!({})).is_some());
        assert!(
            key(
                "{ ...F } fragment F on QueryRoot { seriesList { edges { node { title } } } }",
                None,
                serde_json::json!({})
            )
            .is_some()
        );
        for uncacheable in [
            "{ me { id } }",
            "{ posts { totalCount } me { id } }",
            "{ ... on QueryRoot { search(query: \"x\") { totalCount } } }",
            "{ ...F } fragment F on QueryRoot { user(id: \"1\") { id } }",
            "{ __schema { types { name } } }",
            "mutation { logout }",
            "subscription { commentAdded(postId: \"1\") { id } }",
            "{ posts { ",
        ] {
            assert!(key(uncacheable, None, serde_json::json!({})).is_none(), "{uncacheable}");
        }
        let two = "query A { posts { totalCount } } query B { me { id } }";
        assert!(key(two, Some("A"), serde_json::json!({})).is_some());
        assert!(key(two, Some("B"), serde_json::json!({})).is_none());
        assert!(key(two, None, serde_json::json!({})).is_none(), "which one runs is an error");
    }

    #[test]
    fn keys_differ_by_every_part_and_not_by_variable_order() {
        let query = "query($a: Int, $b: Int) { posts(first: $a, last: $b) { totalCount } }";
        let one = key(query, None, serde_json::json!({ "a": 1, "b": 2 }));
        assert_eq!(one, key(query, None, serde_json::json!({ "b": 2, "a": 1 })));
        let nested = "query($f: PostFilterInput) { posts(filter: $f) { totalCount } }";
        assert_eq!(
            key(nested, None, serde_json::json!({ "f": { "tag": "rust", "authorId": "1" } })),
            key(nested, None, serde_json::json!({ "f": { "authorId": "1", "tag": "rust" } })),
            "nor by the order inside an object"
        );
        assert_ne!(one, key(query, None, serde_json::json!({ "a": 2, "b": 1 })));
        assert_ne!(one, key(&format!("{query} "), None, serde_json::json!({ "a": 1, "b": 2 })));
        let mut request = GqlRequest::new(query);
        request.variables = async_graphql::Variables::from_json(serde_json::json!({ "a": 1, "b": 2 }));
        let operations = PublicOperations::default();
        assert_ne!(operations.key(MediaType::Json, &request), operations.key(MediaType::GraphqlResponse, &request));
    }

    #[test]
    fn answers_are_not_kept_past_the_next_scheduled_post() {
        let minute = Duration::from_secs(60);
        assert_eq!(ttl_until(minute, None), Some(minute));
        let soon = chrono::Utc::now() + chrono::Duration::seconds(10);
        assert!(ttl_until(minute, Some(soon)).is_some_and(|ttl| ttl <= Duration::from_secs(10)));
        assert_eq!(ttl_until(minute, Some(chrono::Utc::now() - chrono::Duration::seconds(1))), None);
    }

    #[test]
    fn if_none_match_compares_weakly() {
        let tag = etag(b"{\"data\":{}}");
        assert!(tag.to_str().unwrap().starts_with("W/\""));
        assert!(not_modified(&tag, &tag));
        let strong = HeaderValue::from_str(tag.to_str().unwrap().trim_start_matches("W/")).unwrap();
        assert!(not_modified(&strong, &tag));
        let listed = HeaderValue::from_str(&format!("\"other\", {}", tag.to_str().unwrap())).unwrap();
        assert!(not_modified(&listed, &tag));
        assert!(not_modified(&HeaderValue::from_static("*"), &tag));
        assert!(!not_modified(&HeaderValue::from_static("W/\"other\""), &tag));
    }
}

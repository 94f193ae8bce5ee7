//! The resolvers' toolkit: what every domain's `schema.rs` and `loaders.rs`
//! use to turn GraphQL into service calls. What a resolver can take from its
//! context (state, viewer, request metadata, the request's DataLoader), guards,
//! the Relay connection side of pagination, `ID` parsing, and how an `AppError`
//! becomes a GraphQL error. It knows no domain; the schema is assembled in
//! `crate::schema`.

mod cache_scope;
mod errors;
pub mod guard;
pub mod loaders;
pub mod pagination;

use async_graphql::{Context, ID, dataloader::DataLoader};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{
    auth::{RequestMeta, Viewer},
    error::{AppError, AppResult},
    state::AppState,
};

pub use cache_scope::CacheScope;
pub use guard::Require;

/// An `ID` argument as the UUID it stands for, or BAD_USER_INPUT on `field`.
pub fn parse_id(field: &'static str, id: &ID) -> AppResult<Uuid> {
    Uuid::parse_str(id.as_str()).map_err(|_| AppError::bad_input(field, "This is not a valid id"))
}

/// An operation as its client sent it: the document, the operation's name and
/// the variables, hashed; equal variables hash alike whatever the order of
/// their keys. Websocket subscriptions whose items can be rendered once per
/// event for every subscriber running the same operation key the renderings
/// by it (only for selections every viewer reads alike), and the response
/// cache keys anonymous answers by it (`http::response_cache`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct OperationKey([u8; 32]);

/// The hash of an operation's document and name alone (what a document's
/// traits, such as reading only public fields, can be remembered by).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct DocumentKey([u8; 32]);

impl DocumentKey {
    pub fn of(query: &str, operation_name: Option<&str>) -> Self {
        let mut hash = Sha256::new();
        hash_part(&mut hash, operation_name.unwrap_or("").as_bytes());
        hash_part(&mut hash, query.as_bytes());
        DocumentKey(hash.finalize().into())
    }
}

impl OperationKey {
    pub fn of(query: &str, operation_name: Option<&str>, variables: &async_graphql::Variables) -> Self {
        Self::with_variables(DocumentKey::of(query, operation_name), variables)
    }

    pub fn with_variables(document: DocumentKey, variables: &async_graphql::Variables) -> Self {
        let mut canonical = String::new();
        canonical_json(&serde_json::to_value(variables).unwrap_or_default(), &mut canonical);
        let mut hash = Sha256::new();
        hash_part(&mut hash, &document.0);
        hash_part(&mut hash, canonical.as_bytes());
        OperationKey(hash.finalize().into())
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

/// Each part with its length first, so no two different inputs hash alike by shifting bytes between parts.
pub fn hash_part(hash: &mut Sha256, part: &[u8]) {
    hash.update((part.len() as u64).to_le_bytes());
    hash.update(part);
}

/// JSON with object keys sorted, so equal values give equal text whatever order their keys came in.
fn canonical_json(value: &serde_json::Value, out: &mut String) {
    match value {
        serde_json::Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (index, (key, value)) in entries.into_iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::Value::String(key.clone()).to_string());
                out.push(':');
                canonical_json(value, out);
            }
            out.push('}');
        }
        serde_json::Value::Array(items) => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                canonical_json(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// What every resolver can take from its context.
pub trait ContextExt {
    fn state(&self) -> &AppState;
    fn viewer(&self) -> &Viewer;
    fn meta(&self) -> &RequestMeta;
    /// The request's DataLoader; each domain adds `Loader<Key>` impls to it.
    fn loader(&self) -> &DataLoader<loaders::Loaders>;
    /// The websocket operation being run, when it is one.
    fn operation_key(&self) -> Option<OperationKey>;
    /// Records that the answer shows post `id`'s activity (comments, reactions,
    /// views), for the response cache (see [`CacheScope`]).
    fn depends_on_post(&self, id: Uuid);
    /// Keeps the answer out of the response cache: it shows something that
    /// changes without a write that would invalidate it.
    fn not_cacheable(&self);
}

impl ContextExt for Context<'_> {
    fn state(&self) -> &AppState {
        self.data_unchecked::<AppState>()
    }

    fn viewer(&self) -> &Viewer {
        self.data_opt::<Viewer>().unwrap_or(&Viewer::Anonymous)
    }

    fn meta(&self) -> &RequestMeta {
        static UNKNOWN: std::sync::LazyLock<RequestMeta> = std::sync::LazyLock::new(RequestMeta::unknown);
        self.data_opt::<RequestMeta>().unwrap_or(&UNKNOWN)
    }

    fn loader(&self) -> &DataLoader<loaders::Loaders> {
        self.data_unchecked::<loaders::RequestLoader>().get(self.state(), self.viewer())
    }

    fn operation_key(&self) -> Option<OperationKey> {
        self.data_opt::<OperationKey>().copied()
    }

    fn depends_on_post(&self, id: Uuid) {
        if let Some(scope) = self.data_opt::<CacheScope>() {
            scope.depends_on_post(id);
        }
    }

    fn not_cacheable(&self) {
        if let Some(scope) = self.data_opt::<CacheScope>() {
            scope.not_storable();
        }
    }
}

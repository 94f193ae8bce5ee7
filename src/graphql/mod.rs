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

/// The operation a websocket subscription runs, as its client sent it: the
/// document, the operation's name and the variables, hashed. Subscriptions
/// whose items can be rendered once per event for every subscriber running the
/// same operation key the renderings by it (only for selections every viewer
/// reads alike). Requests over HTTP have none.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct OperationKey([u8; 32]);

impl OperationKey {
    pub fn of(query: &str, operation_name: Option<&str>, variables: &async_graphql::Variables) -> Self {
        use sha2::{Digest, Sha256};
        let mut hash = Sha256::new();
        for part in [query, operation_name.unwrap_or("")] {
            hash.update(part.len().to_le_bytes());
            hash.update(part.as_bytes());
        }
        // Variables serialise in name order (a sorted map), so equal variables hash alike.
        hash.update(serde_json::to_vec(variables).unwrap_or_default());
        OperationKey(hash.finalize().into())
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

//! The resolvers' toolkit: what every domain's `schema.rs` and `loaders.rs`
//! use to turn GraphQL into service calls. What a resolver can take from its
//! context (state, viewer, request metadata, the request's DataLoader), guards,
//! the Relay connection side of pagination, `ID` parsing, and how an `AppError`
//! becomes a GraphQL error. It knows no domain; the schema is assembled in
//! `crate::schema`.

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

pub use guard::Require;

/// An `ID` argument as the UUID it stands for, or BAD_USER_INPUT on `field`.
pub fn parse_id(field: &'static str, id: &ID) -> AppResult<Uuid> {
    Uuid::parse_str(id.as_str()).map_err(|_| AppError::bad_input(field, "This is not a valid id"))
}

/// What every resolver can take from its context.
pub trait ContextExt {
    fn state(&self) -> &AppState;
    fn viewer(&self) -> &Viewer;
    fn meta(&self) -> &RequestMeta;
    /// The request's DataLoader; each domain adds `Loader<Key>` impls to it.
    fn loader(&self) -> &DataLoader<loaders::Loaders>;
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
        self.data_unchecked::<loaders::RequestLoader>()
    }
}

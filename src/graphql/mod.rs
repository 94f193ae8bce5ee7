//! Schema assembly: the merged query, mutation and subscription roots of every
//! domain, the limits every operation runs under, and what a resolver can take
//! from its context (state, viewer, request metadata).

pub mod guard;
mod introspection;
pub mod limits;
pub mod loaders;
pub mod pagination;
pub mod persisted;
pub mod viewer;

use async_graphql::{Context, ID, MergedObject, MergedSubscription, Schema, dataloader::DataLoader};
use uuid::Uuid;

use crate::{
    domains::{
        accounts, bookmarks, comments, newsletter, notifications, posts, progress, reactions, search, series, tags,
        views,
    },
    error::{AppError, AppResult},
    jobs,
    state::AppState,
};

pub use guard::Require;
pub use viewer::{RequestMeta, Viewer};

#[derive(MergedObject, Default)]
pub struct QueryRoot(
    accounts::schema::AccountsQuery,
    bookmarks::schema::BookmarksQuery,
    comments::schema::CommentsQuery,
    jobs::schema::JobsQuery,
    notifications::schema::NotificationsQuery,
    posts::schema::PostsQuery,
    search::schema::SearchQuery,
    series::schema::SeriesQuery,
    tags::schema::TagsQuery,
);

#[derive(MergedObject, Default)]
pub struct MutationRoot(
    accounts::schema::AccountsMutation,
    bookmarks::schema::BookmarksMutation,
    comments::schema::CommentsMutation,
    jobs::schema::JobsMutation,
    newsletter::schema::NewsletterMutation,
    notifications::schema::NotificationsMutation,
    posts::schema::PostsMutation,
    progress::schema::ProgressMutation,
    reactions::schema::ReactionsMutation,
    series::schema::SeriesMutation,
    tags::schema::TagsMutation,
    views::schema::ViewsMutation,
);

#[derive(MergedSubscription, Default)]
pub struct SubscriptionRoot(
    accounts::schema::AccountsSubscription,
    comments::schema::CommentsSubscription,
    notifications::schema::NotificationsSubscription,
    search::schema::SearchSubscription,
);

pub type AppSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// Builds the schema with the configured limits; `state` is shared by every request.
pub fn build_schema(state: Option<AppState>) -> AppSchema {
    let limits = state.as_ref().map(|s| s.config.graphql.clone());
    let mut builder = Schema::build(QueryRoot::default(), MutationRoot::default(), SubscriptionRoot::default())
        .enable_subscription_in_federation();
    // Registered before (so around) the limits extension, which codes every
    // parse-phase error it sees GRAPHQL_PARSE_FAILED.
    if limits.as_ref().is_some_and(|l| !l.introspection) {
        builder = builder.extension(introspection::RefuseIntrospection);
    }
    builder = builder.extension(limits::Limits {
        max_aliases: limits.as_ref().map_or(usize::MAX, |l| l.max_aliases),
        max_selections: limits.as_ref().map_or(usize::MAX, |l| l.max_complexity),
        max_tokens: limits.as_ref().map_or(usize::MAX, |l| l.max_tokens),
        validation: state.as_ref().map(|s| s.work.validation.clone()),
    });
    if let Some(limits) = &limits {
        builder =
            builder.limit_depth(limits.max_depth).limit_complexity(limits.max_complexity).limit_recursive_depth(64);
        if !limits.introspection {
            builder = builder.disable_introspection().disable_suggestions();
        }
    }
    if let Some(state) = state {
        builder = builder.data(state);
    }
    builder.finish()
}

/// The SDL `lectern schema` prints and `schema.graphql` holds.
pub fn sdl() -> String {
    build_schema(None).sdl()
}

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

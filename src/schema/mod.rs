//! Schema assembly, the leaf of the GraphQL side: the merged query, mutation
//! and subscription roots of every domain, and the limits every operation runs
//! under. Nothing but `http`, `lib.rs` and `main.rs` imports this module; the
//! resolvers' toolkit (context, viewer, pagination, loaders) is `crate::graphql`.

mod introspection;
pub mod limits;

use async_graphql::{MergedObject, MergedSubscription, Schema};

// Every domain by name, so a new one needs no import here: `cargo xtask new-domain`
// adds its roots above each `// new domains` line.
use crate::{domains::*, jobs, state::AppState};

#[derive(MergedObject, Default)]
pub struct QueryRoot(
    accounts::schema::AccountsQuery,
    billing::schema::BillingQuery,
    bookmarks::schema::BookmarksQuery,
    comments::schema::CommentsQuery,
    engagement::schema::EngagementQuery,
    jobs::schema::JobsQuery,
    notes::schema::NotesQuery,
    notifications::schema::NotificationsQuery,
    posts::schema::PostsQuery,
    progress::schema::ProgressQuery,
    reviews::schema::ReviewsQuery,
    search::schema::SearchQuery,
    series::schema::SeriesQuery,
    tags::schema::TagsQuery,
    certificates::schema::CertificatesQuery,
    // new domains: queries
);

#[derive(MergedObject, Default)]
pub struct MutationRoot(
    accounts::schema::AccountsMutation,
    billing::schema::BillingMutation,
    bookmarks::schema::BookmarksMutation,
    comments::schema::CommentsMutation,
    engagement::schema::EngagementMutation,
    jobs::schema::JobsMutation,
    newsletter::schema::NewsletterMutation,
    notes::schema::NotesMutation,
    notifications::schema::NotificationsMutation,
    posts::schema::PostsMutation,
    progress::schema::ProgressMutation,
    reactions::schema::ReactionsMutation,
    reviews::schema::ReviewsMutation,
    series::schema::SeriesMutation,
    tags::schema::TagsMutation,
    views::schema::ViewsMutation,
    certificates::schema::CertificatesMutation,
    // new domains: mutations
);

#[derive(MergedSubscription, Default)]
pub struct SubscriptionRoot(
    accounts::schema::AccountsSubscription,
    billing::schema::BillingSubscriptions,
    comments::schema::CommentsSubscription,
    engagement::schema::EngagementSubscription,
    notifications::schema::NotificationsSubscription,
    search::schema::SearchSubscription,
);

pub type AppSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// Builds the schema with the configured limits; `state` is shared by every
/// request. This is the guarded schema: its extensions check every document
/// as it is parsed and validated (see `limits`), and it runs the documents
/// [`limits::admit`] does not let onto the lean one.
pub fn build_schema(state: Option<AppState>) -> AppSchema {
    schema_with(state, true)
}

/// The schema most operations run on: the same types, limits and data, without
/// extensions. With any extension, async-graphql sends every field and list item
/// of an operation through the extensions' `resolve` chain (a boxed future per
/// field per extension, and a lookup of the field's type by name), although
/// Lectern's extensions only act on parsing and validation: on the home feed
/// that was a sizeable share of the server's CPU (BENCHMARKS.md, "Where the
/// server's time goes"). A document reaches this schema only once
/// [`limits::admit`] has made the extensions' checks on it; every other one runs
/// on the guarded schema, which refuses it exactly as before.
pub fn build_lean_schema(state: AppState) -> AppSchema {
    schema_with(Some(state), false)
}

fn schema_with(state: Option<AppState>, guarded: bool) -> AppSchema {
    let limits = state.as_ref().map(|s| s.config.graphql.clone());
    let mut builder = Schema::build(QueryRoot::default(), MutationRoot::default(), SubscriptionRoot::default())
        .enable_subscription_in_federation();
    if guarded {
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
    }
    if let Some(limits) = &limits {
        builder = builder
            .limit_depth(limits.max_depth)
            .limit_complexity(limits.max_complexity)
            .limit_recursive_depth(limits::RECURSIVE_DEPTH);
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

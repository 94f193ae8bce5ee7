//! Relay connections over [`crate::pagination`] pages: a list field declares
//! `first`/`after`/`last`/`before` (async-graphql has no argument flattening),
//! turns them into [`PageArgs`] with [`page_args`], asks its service for a
//! [`Page`] and wraps its rows into nodes with [`connection`].

use async_graphql::{Context, OutputType, SimpleObject, connection};

use crate::pagination::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, Page, PageArgs};

/// A connection field's complexity: the page it may return times each item's,
/// so `GRAPHQL_MAX_COMPLEXITY` sees a list's fan-out (the page size as the
/// client asks for it, capped like the page itself; out-of-range values are
/// refused later with BAD_USER_INPUT).
pub fn page_complexity(child_complexity: usize, first: Option<i32>, last: Option<i32>) -> usize {
    let size = first.or(last).unwrap_or(DEFAULT_PAGE_SIZE).clamp(1, MAX_PAGE_SIZE);
    (size as usize).saturating_mul(child_complexity)
}

/// Fields every connection carries beside edges and pageInfo.
#[derive(SimpleObject)]
pub struct ConnectionFields {
    /// How many items match, across all pages (counted only when asked for).
    pub total_count: u64,
}

/// What every list field returns (`<Node>Connection` in the schema).
pub type Connection<N> = connection::Connection<String, N, ConnectionFields>;

/// The Relay arguments of the connection field `ctx` resolves; the total is
/// counted only when the query selects `totalCount`.
pub fn page_args(
    ctx: &Context<'_>,
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
) -> PageArgs {
    let count_total = ctx.look_ahead().field("totalCount").exists();
    PageArgs { first, after, last, before, count_total }
}

/// `page` as a connection, each row wrapped into its node by `node`.
pub fn connection<T, N: OutputType>(page: Page<T>, node: impl FnMut(T) -> N) -> Connection<N> {
    let fields = ConnectionFields { total_count: page.total_count };
    connection_with(page, fields, node)
}

/// `page` as a connection whose extra fields are `fields` (a list with more
/// to say than `totalCount`, such as a leaderboard's `viewerEntry`).
pub fn connection_with<T, N: OutputType, F: async_graphql::ObjectType>(
    page: Page<T>,
    fields: F,
    mut node: impl FnMut(T) -> N,
) -> connection::Connection<String, N, F> {
    let mut connection =
        connection::Connection::with_additional_fields(page.has_previous_page, page.has_next_page, fields);
    connection.edges.extend(page.edges.into_iter().map(|edge| connection::Edge::new(edge.cursor, node(edge.node))));
    connection
}

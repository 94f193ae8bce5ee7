//! The one pagination helper: Relay connections over keyset pages. A page is
//! ordered by one key (a time, a text, or just the UUIDv7 id) with the id
//! breaking ties; cursors are opaque and carry both. `first`/`last` are capped.

use async_graphql::{
    SimpleObject,
    connection::{Connection, Edge},
};
use base64::Engine;
use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, Order, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    Select,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{AppError, AppResult};

/// Largest page a client may ask for.
pub const MAX_PAGE_SIZE: i32 = 100;
/// Page size when neither `first` nor `last` is given.
pub const DEFAULT_PAGE_SIZE: i32 = 20;

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

pub type Page<N> = Connection<String, N, ConnectionFields>;

/// Relay arguments as received.
#[derive(Debug, Default, Clone)]
pub struct PageArgs {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
    /// Whether the client asked for `totalCount` (counting costs a query over every match).
    pub count_total: bool,
}

impl PageArgs {
    /// The arguments of the connection field `ctx` resolves.
    pub fn new(
        ctx: &async_graphql::Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Self {
        let count_total = ctx.look_ahead().field("totalCount").exists();
        PageArgs { first, after, last, before, count_total }
    }
}

/// The value a row is ordered by.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Key {
    Id,
    Time(DateTime<Utc>),
    Text(String),
}

/// A row's place in an ordering: its key and its id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cursor {
    pub key: Key,
    pub id: Uuid,
}

impl Cursor {
    pub fn id(id: Uuid) -> Self {
        Cursor { key: Key::Id, id }
    }
}

/// What a cursor string holds: the row's place and the ordering it belongs to,
/// so a cursor from one ordering is refused by another.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Token {
    #[serde(rename = "o")]
    ordering: String,
    #[serde(rename = "k")]
    key: Key,
    #[serde(rename = "i")]
    id: Uuid,
}

fn encode(ordering: &str, cursor: Cursor) -> String {
    let token = Token { ordering: ordering.to_owned(), key: cursor.key, id: cursor.id };
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(serde_json::to_vec(&token).unwrap_or_default())
}

fn decode(field: &'static str, raw: &str) -> AppResult<Token> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(raw)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(|| AppError::bad_input(field, "The cursor is not valid"))
}

/// How a page is ordered: by `column` (None: by id alone), then by id.
pub struct Sort<C> {
    pub column: Option<C>,
    pub descending: bool,
}

impl<C: ColumnTrait> Sort<C> {
    /// Newest first by UUIDv7 id.
    pub fn newest() -> Self {
        Sort { column: None, descending: true }
    }

    fn name(&self) -> String {
        let column = self.column.as_ref().map_or("id", |c| c.as_str());
        format!("{column}:{}", if self.descending { "desc" } else { "asc" })
    }
}

/// A validated page request.
#[derive(Debug, Clone)]
struct Window {
    size: u64,
    after: Option<Token>,
    before: Option<Token>,
    backward: bool,
}

impl PageArgs {
    fn window(&self) -> AppResult<Window> {
        let check = |field: &'static str, value: Option<i32>| -> AppResult<Option<u64>> {
            match value {
                None => Ok(None),
                Some(n) if n < 0 => Err(AppError::bad_input(field, format!("`{field}` cannot be negative"))),
                Some(n) if n > MAX_PAGE_SIZE => {
                    Err(AppError::bad_input(field, format!("`{field}` can be at most {MAX_PAGE_SIZE}")))
                }
                Some(n) => Ok(Some(n as u64)),
            }
        };
        let first = check("first", self.first)?;
        let last = check("last", self.last)?;
        if first.is_some() && last.is_some() {
            return Err(AppError::bad_input("last", "Give `first` or `last`, not both"));
        }
        Ok(Window {
            size: first.or(last).unwrap_or(DEFAULT_PAGE_SIZE as u64),
            after: self.after.as_deref().map(|c| decode("after", c)).transpose()?,
            before: self.before.as_deref().map(|c| decode("before", c)).transpose()?,
            backward: last.is_some(),
        })
    }
}

/// Which kind of [`Key`] a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyType {
    Time,
    Text,
}

impl KeyType {
    fn of(column: &impl ColumnTrait) -> Option<KeyType> {
        use sea_orm::sea_query::ColumnType;
        match column.def().get_column_type() {
            ColumnType::DateTime | ColumnType::Timestamp | ColumnType::TimestampWithTimeZone => Some(KeyType::Time),
            ColumnType::String(_) | ColumnType::Text | ColumnType::Char(_) => Some(KeyType::Text),
            _ => None,
        }
    }
}

/// Rows strictly after (`later`) or before `cursor` in the sort order.
fn beyond<C: ColumnTrait>(
    sort: &Sort<C>,
    id_column: C,
    cursor: &Token,
    field: &'static str,
    later: bool,
) -> AppResult<Condition> {
    if cursor.ordering != sort.name() {
        return Err(AppError::bad_input(field, "The cursor belongs to another ordering"));
    }
    // In a descending order, "later" rows have smaller keys.
    let smaller = sort.descending == later;
    let past = |column: C, value: sea_orm::Value| if smaller { column.lt(value) } else { column.gt(value) };
    // The key must be of the column's type: a hand-made cursor with a text key
    // on a time column would otherwise reach the database as a comparison
    // PostgreSQL refuses (`character varying > timestamp`) where SQLite shrugs.
    let key_value: Option<sea_orm::Value> = match (&sort.column, &cursor.key) {
        (None, Key::Id) => None,
        (Some(column), Key::Time(t)) if KeyType::of(column) == Some(KeyType::Time) => Some((*t).into()),
        (Some(column), Key::Text(s)) if KeyType::of(column) == Some(KeyType::Text) && !s.contains('\0') => {
            Some(s.clone().into())
        }
        _ => return Err(AppError::bad_input(field, "The cursor belongs to another ordering")),
    };
    Ok(match (sort.column, key_value) {
        (Some(column), Some(value)) => Condition::any()
            .add(past(column, value.clone()))
            .add(Condition::all().add(column.eq(value)).add(past(id_column, cursor.id.into()))),
        _ => Condition::all().add(past(id_column, cursor.id.into())),
    })
}

/// Runs `select` as one page in `sort` order, with the total count.
pub async fn paginate<E, N>(
    db: &impl ConnectionTrait,
    select: Select<E>,
    id_column: E::Column,
    sort: Sort<E::Column>,
    cursor_of: impl Fn(&E::Model) -> Cursor,
    args: &PageArgs,
    to_node: impl Fn(E::Model) -> N,
) -> AppResult<Page<N>>
where
    E: EntityTrait,
    E::Model: Sync,
    N: async_graphql::OutputType,
{
    let window = args.window()?;
    let total_count = if args.count_total { select.clone().count(db).await? } else { 0 };

    let mut page = select;
    if let Some(after) = &window.after {
        page = page.filter(beyond(&sort, id_column, after, "after", true)?);
    }
    if let Some(before) = &window.before {
        page = page.filter(beyond(&sort, id_column, before, "before", false)?);
    }
    // Backward pages are read in reverse and flipped back.
    let descending = sort.descending != window.backward;
    let order = if descending { Order::Desc } else { Order::Asc };
    if let Some(column) = sort.column {
        page = page.order_by(column, order.clone());
    }
    page = page.order_by(id_column, order);
    let mut rows = page.limit(window.size + 1).all(db).await?;
    let has_more = rows.len() as u64 > window.size;
    rows.truncate(window.size as usize);
    if window.backward {
        rows.reverse();
    }

    let (has_previous, has_next) =
        if window.backward { (has_more, window.before.is_some()) } else { (window.after.is_some(), has_more) };
    let mut connection = Connection::with_additional_fields(has_previous, has_next, ConnectionFields { total_count });
    let ordering = sort.name();
    connection.edges.extend(rows.into_iter().map(|row| Edge::new(encode(&ordering, cursor_of(&row)), to_node(row))));
    Ok(connection)
}

/// The same page with every node swapped through `node_of` (typically from one
/// batch query over the page's keys); an edge whose node it cannot give is left out.
pub fn with_nodes<A, B>(page: Page<A>, mut node_of: impl FnMut(A) -> Option<B>) -> Page<B>
where
    A: async_graphql::OutputType,
    B: async_graphql::OutputType,
{
    let mut connection =
        Connection::with_additional_fields(page.has_previous_page, page.has_next_page, page.additional_fields);
    connection
        .edges
        .extend(page.edges.into_iter().filter_map(|edge| node_of(edge.node).map(|node| Edge::new(edge.cursor, node))));
    connection
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_bad_arguments_with_the_field() {
        let over = PageArgs { first: Some(101), ..Default::default() }.window().unwrap_err();
        assert!(matches!(over, AppError::BadUserInput { field: "first", .. }));
        let negative = PageArgs { last: Some(-1), ..Default::default() }.window().unwrap_err();
        assert!(matches!(negative, AppError::BadUserInput { field: "last", .. }));
        let cursor = PageArgs { after: Some("not a cursor!".into()), ..Default::default() }.window().unwrap_err();
        assert!(matches!(cursor, AppError::BadUserInput { field: "after", .. }));
        let both = PageArgs { first: Some(1), last: Some(1), ..Default::default() }.window().unwrap_err();
        assert!(matches!(both, AppError::BadUserInput { .. }));
    }

    #[test]
    fn a_cursor_key_must_match_its_column() {
        use entity::post;
        let newest = Sort { column: Some(post::Column::PublishedAt), descending: true };
        let title = Sort { column: Some(post::Column::Title), descending: false };
        let token = |sort: &Sort<post::Column>, key: Key| Token { ordering: sort.name(), key, id: Uuid::now_v7() };
        let refused = |sort: &Sort<post::Column>, key: Key| {
            matches!(
                beyond(sort, post::Column::Id, &token(sort, key), "after", true),
                Err(AppError::BadUserInput { field: "after", .. })
            )
        };
        assert!(refused(&newest, Key::Text("2024-01-01".into())), "a text key on a time column");
        assert!(refused(&title, Key::Time(Utc::now())), "a time key on a text column");
        assert!(refused(&title, Key::Text("a\0b".into())), "text no database compares the same way");
        assert!(refused(&newest, Key::Id));
        assert!(!refused(&newest, Key::Time(Utc::now())));
        assert!(!refused(&title, Key::Text("Rust".into())));
    }

    #[test]
    fn cursors_round_trip() {
        let (key, id) = (Key::Time(Utc::now()), Uuid::now_v7());
        let raw = encode("published_at:desc", Cursor { key: key.clone(), id });
        let window = PageArgs { first: Some(5), after: Some(raw), ..Default::default() }.window().unwrap();
        assert_eq!(window.after, Some(Token { ordering: "published_at:desc".into(), key, id }));
        assert_eq!(window.size, 5);
    }
}

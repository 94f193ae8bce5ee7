//! The one pagination helper: keyset pages, Relay-shaped (cursors both ways,
//! `first`/`last`, capped) but free of GraphQL, so a job, the CLI or a test
//! calls a service's list directly; `graphql::pagination` turns a [`Page`]
//! into a connection. A page is ordered by one key (a time, a text, or just
//! the UUIDv7 id) with the id breaking ties; cursors are opaque and carry both.

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

/// Relay arguments as received.
#[derive(Debug, Default, Clone)]
pub struct PageArgs {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
    /// Whether the caller wants `total_count` (counting costs a query over every match).
    pub count_total: bool,
}

/// One row of a page and the cursor that points at it.
#[derive(Debug, Clone, PartialEq)]
pub struct Edge<T> {
    pub cursor: String,
    pub node: T,
}

/// One page of rows in order, whether more lie either way, and (when asked
/// for) how many match across all pages.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub edges: Vec<Edge<T>>,
    pub has_previous_page: bool,
    pub has_next_page: bool,
    /// 0 unless [`PageArgs::count_total`].
    pub total_count: u64,
}

impl<T> Page<T> {
    /// The same page with every node turned into another (cursors and flags kept).
    pub fn map<U>(self, mut node: impl FnMut(T) -> U) -> Page<U> {
        self.filter_map(|n| Some(node(n)))
    }

    /// The same page with every node swapped through `node_of` (typically from one
    /// batch query over the page's keys); an edge whose node it cannot give is left out.
    pub fn filter_map<U>(self, mut node_of: impl FnMut(T) -> Option<U>) -> Page<U> {
        Page {
            edges: self
                .edges
                .into_iter()
                .filter_map(|edge| node_of(edge.node).map(|node| Edge { cursor: edge.cursor, node }))
                .collect(),
            has_previous_page: self.has_previous_page,
            has_next_page: self.has_next_page,
            total_count: self.total_count,
        }
    }
}

/// The value a row is ordered by.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Key {
    Id,
    Time(DateTime<Utc>),
    Text(String),
    /// A 0-based position in a ranked list (see [`Positions`]).
    Position(u64),
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

/// A forward window over a ranked list (a leaderboard), by position: rows
/// `offset` to `offset + size - 1`. Ranks move as scores change, so such lists
/// page forward only, from the position after the `after` cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Positions {
    pub offset: u64,
    pub size: u64,
}

impl PageArgs {
    /// The window of a ranked list named `ordering`; BAD_USER_INPUT for
    /// `last`/`before` and for a cursor of another list.
    pub fn positions(&self, ordering: &str) -> AppResult<Positions> {
        let window = self.window()?;
        if window.backward || window.before.is_some() {
            let field = if window.backward { "last" } else { "before" };
            return Err(AppError::bad_input(field, "This list pages forward only: use `first` and `after`"));
        }
        let offset = match window.after {
            None => 0,
            Some(Token { ordering: o, key: Key::Position(p), .. }) if o == ordering => p.saturating_add(1),
            Some(_) => return Err(AppError::bad_input("after", "The cursor belongs to another ordering")),
        };
        Ok(Positions { offset, size: window.size })
    }
}

/// A page of a ranked list from `rows`, read as `positions.size + 1` rows from
/// `positions.offset` (the extra one only tells whether more follow).
pub fn position_page<T>(ordering: &str, positions: Positions, mut rows: Vec<T>, total_count: u64) -> Page<T> {
    let has_next_page = rows.len() as u64 > positions.size;
    rows.truncate(positions.size as usize);
    let edges = rows
        .into_iter()
        .enumerate()
        .map(|(i, node)| Edge {
            cursor: encode(ordering, Cursor { key: Key::Position(positions.offset + i as u64), id: Uuid::nil() }),
            node,
        })
        .collect();
    Page { edges, has_previous_page: positions.offset > 0, has_next_page, total_count }
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

/// Runs `select` as one page in `sort` order, with the total count when asked for.
pub async fn paginate<E>(
    db: &impl ConnectionTrait,
    select: Select<E>,
    id_column: E::Column,
    sort: Sort<E::Column>,
    cursor_of: impl Fn(&E::Model) -> Cursor,
    args: &PageArgs,
) -> AppResult<Page<E::Model>>
where
    E: EntityTrait,
    E::Model: Sync,
{
    paginate_with(db, select, id_column, sort, cursor_of, args, |page| page.all(db)).await
}

/// [`paginate`], reading the page's rows with `fetch` (given the page's
/// statement: filtered, ordered and limited), so a caller can read more with
/// each row in the same statement (a joined table: `select_also`).
pub async fn paginate_with<E, T, F, Fut>(
    db: &impl ConnectionTrait,
    select: Select<E>,
    id_column: E::Column,
    sort: Sort<E::Column>,
    cursor_of: impl Fn(&T) -> Cursor,
    args: &PageArgs,
    fetch: F,
) -> AppResult<Page<T>>
where
    E: EntityTrait,
    E::Model: Sync,
    F: FnOnce(Select<E>) -> Fut,
    Fut: Future<Output = Result<Vec<T>, sea_orm::DbErr>>,
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
    let mut rows = fetch(page.limit(window.size + 1)).await?;
    let has_more = rows.len() as u64 > window.size;
    rows.truncate(window.size as usize);
    if window.backward {
        rows.reverse();
    }

    let (has_previous_page, has_next_page) =
        if window.backward { (has_more, window.before.is_some()) } else { (window.after.is_some(), has_more) };
    let ordering = sort.name();
    let edges = rows.into_iter().map(|row| Edge { cursor: encode(&ordering, cursor_of(&row)), node: row }).collect();
    Ok(Page { edges, has_previous_page, has_next_page, total_count })
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

    #[test]
    fn mapping_a_page_keeps_its_cursors_and_flags() {
        let edge = |cursor: &str, node: u32| Edge { cursor: cursor.into(), node };
        let page = Page {
            edges: vec![edge("a", 1), edge("b", 2), edge("c", 3)],
            has_previous_page: true,
            has_next_page: false,
            total_count: 7,
        };
        let doubled = page.clone().map(|n| n * 2);
        assert_eq!(doubled.edges, vec![edge("a", 2), edge("b", 4), edge("c", 6)]);
        assert_eq!((doubled.has_previous_page, doubled.has_next_page, doubled.total_count), (true, false, 7));
        let odd = page.filter_map(|n| (n % 2 == 1).then_some(n));
        assert_eq!(odd.edges, vec![edge("a", 1), edge("c", 3)], "a dropped node takes its cursor with it");
        assert_eq!((odd.has_previous_page, odd.has_next_page, odd.total_count), (true, false, 7));
    }
}

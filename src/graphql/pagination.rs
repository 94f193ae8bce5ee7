//! The one pagination helper: Relay connections over keyset pages, newest
//! first by the row's UUIDv7 id. Cursors are opaque; `first`/`last` are capped.

use async_graphql::{
    SimpleObject,
    connection::{Connection, Edge},
};
use base64::Engine;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select,
};
use uuid::Uuid;

use crate::error::{AppError, AppResult};

/// Largest page a client may ask for.
pub const MAX_PAGE_SIZE: i32 = 100;
/// Page size when neither `first` nor `last` is given.
pub const DEFAULT_PAGE_SIZE: i32 = 20;

/// Fields every connection carries beside edges and pageInfo.
#[derive(SimpleObject)]
pub struct ConnectionFields {
    /// How many items match, across all pages.
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
}

/// A validated page request.
#[derive(Debug, Clone, Copy)]
struct Window {
    size: u64,
    after: Option<Uuid>,
    before: Option<Uuid>,
    backward: bool,
}

pub fn encode_cursor(id: Uuid) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(id.as_bytes())
}

fn decode_cursor(field: &'static str, cursor: &str) -> AppResult<Uuid> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| Uuid::from_slice(&bytes).ok())
        .ok_or_else(|| AppError::bad_input(field, "The cursor is not valid"))
}

impl PageArgs {
    fn window(&self) -> AppResult<Window> {
        let check = |field: &'static str, value: Option<i32>| -> AppResult<Option<u64>> {
            match value {
                None => Ok(None),
                Some(n) if n < 0 => Err(AppError::bad_input(
                    field,
                    format!("`{field}` cannot be negative"),
                )),
                Some(n) if n > MAX_PAGE_SIZE => Err(AppError::bad_input(
                    field,
                    format!("`{field}` can be at most {MAX_PAGE_SIZE}"),
                )),
                Some(n) => Ok(Some(n as u64)),
            }
        };
        let first = check("first", self.first)?;
        let last = check("last", self.last)?;
        if first.is_some() && last.is_some() {
            return Err(AppError::bad_input(
                "last",
                "Give `first` or `last`, not both",
            ));
        }
        let after = self
            .after
            .as_deref()
            .map(|c| decode_cursor("after", c))
            .transpose()?;
        let before = self
            .before
            .as_deref()
            .map(|c| decode_cursor("before", c))
            .transpose()?;
        Ok(Window {
            size: first.or(last).unwrap_or(DEFAULT_PAGE_SIZE as u64),
            after,
            before,
            backward: last.is_some(),
        })
    }
}

/// Runs `select` as one page, newest first by `id_column`, with the total count.
pub async fn paginate<E, N>(
    db: &impl ConnectionTrait,
    select: Select<E>,
    id_column: E::Column,
    id_of: impl Fn(&E::Model) -> Uuid,
    args: &PageArgs,
    to_node: impl Fn(E::Model) -> N,
) -> AppResult<Page<N>>
where
    E: EntityTrait,
    E::Model: Sync,
    N: async_graphql::OutputType,
{
    let window = args.window()?;
    let total_count = select.clone().count(db).await?;

    let mut page = select;
    if let Some(after) = window.after {
        page = page.filter(id_column.lt(after));
    }
    if let Some(before) = window.before {
        page = page.filter(id_column.gt(before));
    }
    page = if window.backward {
        page.order_by_asc(id_column)
    } else {
        page.order_by_desc(id_column)
    };
    let mut rows = page.limit(window.size + 1).all(db).await?;
    let has_more = rows.len() as u64 > window.size;
    rows.truncate(window.size as usize);
    if window.backward {
        rows.reverse();
    }

    let (has_previous, has_next) = if window.backward {
        (has_more, window.before.is_some())
    } else {
        (window.after.is_some(), has_more)
    };
    let mut connection = Connection::with_additional_fields(
        has_previous,
        has_next,
        ConnectionFields { total_count },
    );
    connection.edges.extend(
        rows.into_iter()
            .map(|row| Edge::new(encode_cursor(id_of(&row)), to_node(row))),
    );
    Ok(connection)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_bad_arguments_with_the_field() {
        let over = PageArgs {
            first: Some(101),
            ..Default::default()
        }
        .window()
        .unwrap_err();
        assert!(matches!(
            over,
            AppError::BadUserInput { field: "first", .. }
        ));
        let negative = PageArgs {
            last: Some(-1),
            ..Default::default()
        }
        .window()
        .unwrap_err();
        assert!(matches!(
            negative,
            AppError::BadUserInput { field: "last", .. }
        ));
        let cursor = PageArgs {
            after: Some("not a cursor!".into()),
            ..Default::default()
        }
        .window()
        .unwrap_err();
        assert!(matches!(
            cursor,
            AppError::BadUserInput { field: "after", .. }
        ));
        let both = PageArgs {
            first: Some(1),
            last: Some(1),
            ..Default::default()
        }
        .window()
        .unwrap_err();
        assert!(matches!(both, AppError::BadUserInput { .. }));
    }

    #[test]
    fn cursors_round_trip() {
        let id = Uuid::now_v7();
        let window = PageArgs {
            first: Some(5),
            after: Some(encode_cursor(id)),
            ..Default::default()
        }
        .window()
        .unwrap();
        assert_eq!(window.after, Some(id));
        assert_eq!(window.size, 5);
    }
}

//! Posts as other domains and resolvers read them: by id, slug or series, their
//! tags, the filtered and ordered lists, and the live posts feeds, digests, the
//! sitemap and search ask for.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, Iterable, JoinType, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, RelationTrait, Select,
    sea_query::{Asterisk, Expr, ExprTrait, Func, Query, SelectStatement},
};
use uuid::Uuid;

use super::{can_read, live, readable_by};
use crate::{
    auth::Viewer,
    domains::{
        accounts::{Role, service as accounts},
        series::service as series,
        tags::service as tags,
    },
    error::{AppError, AppResult},
    pagination::{Cursor, Key, Page, PageArgs, Sort, paginate_with},
    state::AppState,
};
use entity::{
    post::{self, Difficulty, Status},
    post_count, post_tag, post_total, redirect, tag, user,
};

/// By current slug, or by an old slug that redirects to it.
pub async fn find_by_slug(db: &impl ConnectionTrait, viewer: &Viewer, slug: &str) -> AppResult<Option<post::Model>> {
    let readable = readable_by(viewer, db.get_database_backend());
    by_slug(db, slug, |select| {
        let select = select.filter(readable.clone());
        async move { Ok(select.one(db).await?) }
    })
    .await
}

/// A post with the rows a page shows beside it, read in the post's own
/// statement (left joins on their keys): its counters, its author and its
/// series. Each is `None` when it was not read (or the post has no series),
/// and the fields that show it then load it.
pub type Joined = (post::Model, Option<post_count::Model>, Option<user::Model>, Option<entity::series::Model>);

/// `select` with each post's counters, in the same statement (a left join on their key).
fn counted(select: Select<post::Entity>) -> sea_orm::SelectTwo<post::Entity, post_count::Entity> {
    select.join(JoinType::LeftJoin, post_count::Relation::Post.def().rev()).select_also(post_count::Entity)
}

/// `select` with each post's counters, author and series, in the same statement
/// (see [`Joined`]); the author and series joins are their domains' own.
fn joined(
    select: Select<post::Entity>,
) -> sea_orm::SelectFour<post::Entity, post_count::Entity, user::Entity, entity::series::Entity, sea_orm::TopologyStar>
{
    series::and_series(accounts::and_authors(counted(select)))
}

/// [`find_by_slug`] with what the post page shows beside the post: its
/// counters, its author and its series, read in the same statement, so they
/// cost no statement of their own.
pub async fn find_post_page(db: &impl ConnectionTrait, viewer: &Viewer, slug: &str) -> AppResult<Option<Joined>> {
    let readable = readable_by(viewer, db.get_database_backend());
    by_slug(db, slug, |select| {
        let select = joined(select.filter(readable.clone()));
        async move { Ok(select.one(db).await?) }
    })
    .await
}

/// `read` on the post with this slug, or else on the post an old slug redirects to.
async fn by_slug<T, F: Future<Output = AppResult<Option<T>>>>(
    db: &impl ConnectionTrait,
    slug: &str,
    read: impl Fn(Select<post::Entity>) -> F,
) -> AppResult<Option<T>> {
    if let Some(found) = read(post::Entity::find().filter(post::Column::Slug.eq(slug))).await? {
        return Ok(Some(found));
    }
    let Some(redirect) = redirect::Entity::find_by_id(slug.to_owned()).one(db).await? else {
        return Ok(None);
    };
    read(post::Entity::find_by_id(redirect.post_id)).await
}

/// `html_version` of a row read without its bodies (see [`without_bodies`]).
pub const BODIES_NOT_READ: i16 = -1;

/// The same rows without `body` and `body_html` (empty, and `html_version`
/// [`BODIES_NOT_READ`]): lists show titles and excerpts, and a body is
/// ~10 KB a post that only a post page needs. `Post.body`/`bodyHtml` read
/// them when asked (`PostBodies`, one statement per page).
pub fn without_bodies(select: Select<post::Entity>) -> Select<post::Entity> {
    use post::Column;
    select
        .select_only()
        .columns(Column::iter().filter(|c| !matches!(c, Column::Body | Column::BodyHtml | Column::HtmlVersion)))
        .column_as(Expr::cust("''"), "body")
        .column_as(Expr::cust("''"), "body_html")
        .column_as(Expr::cust(format!("CAST({BODIES_NOT_READ} AS smallint)")), "html_version")
}

/// Whether this row was read with its bodies.
pub fn has_bodies(post: &post::Model) -> bool {
    post.html_version != BODIES_NOT_READ
}

/// The markdown and HTML bodies of these posts, by id.
pub async fn bodies_of_posts(db: &impl ConnectionTrait, ids: &[Uuid]) -> AppResult<HashMap<Uuid, (String, String)>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(Uuid, String, String)> = post::Entity::find()
        .select_only()
        .columns([post::Column::Id, post::Column::Body, post::Column::BodyHtml])
        .filter(post::Column::Id.is_in(ids.iter().copied()))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|(id, body, html)| (id, (body, html))).collect())
}

pub async fn posts_by_ids(db: &impl ConnectionTrait, ids: &[Uuid]) -> AppResult<Vec<post::Model>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(post::Entity::find().filter(post::Column::Id.is_in(ids.iter().copied())).all(db).await?)
}

/// A post read for a change that must not interleave with another one on the
/// same post (search indexing): on PostgreSQL the row stays locked until the
/// transaction ends; SQLite's write transaction is exclusive already.
pub async fn lock_post(db: &impl ConnectionTrait, id: Uuid) -> AppResult<Option<post::Model>> {
    let mut query = post::Entity::find_by_id(id);
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        query = query.lock_exclusive();
    }
    Ok(query.one(db).await?)
}

/// The readable posts of each series, in reading order, without their bodies.
///
/// Every post of the series is read and the unreadable ones (drafts, posts
/// still scheduled) are left out here, by [`can_read`]: a series holds tens of
/// posts, and with the readability terms in the statement PostgreSQL planned
/// it again on every execution (its `OR`s over four indexes: 0.21 ms of
/// planning per post page, more than the rest of the statement; BENCHMARKS.md).
pub async fn posts_of_series(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    series_ids: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<post::Model>>> {
    if series_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let posts = without_bodies(post::Entity::find())
        .filter(post::Column::SeriesId.is_in(series_ids.iter().copied()))
        .order_by_asc(post::Column::SeriesPosition)
        .order_by_asc(post::Column::Id)
        .all(db)
        .await?;
    let mut by_series: HashMap<Uuid, Vec<post::Model>> = HashMap::new();
    for post in posts.into_iter().filter(|post| can_read(viewer, post)) {
        if let Some(series_id) = post.series_id {
            by_series.entry(series_id).or_default().push(post);
        }
    }
    Ok(by_series)
}

/// Tags of each post, alphabetically (one statement: the links joined to their tags).
pub async fn tags_of_posts(db: &impl ConnectionTrait, post_ids: &[Uuid]) -> AppResult<HashMap<Uuid, Vec<tag::Model>>> {
    if post_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let links = post_tag::Entity::find()
        .filter(post_tag::Column::PostId.is_in(post_ids.iter().copied()))
        .find_also_related(tag::Entity)
        .all(db)
        .await?;
    let mut result: HashMap<Uuid, Vec<tag::Model>> = HashMap::new();
    for (link, tag) in links {
        if let Some(tag) = tag {
            result.entry(link.post_id).or_default().push(tag);
        }
    }
    for tags in result.values_mut() {
        tags.sort_by(|a, b| a.name.cmp(&b.name));
    }
    Ok(result)
}

/// Each post's counters (visible comments, reactions of each kind), kept by the
/// database as comments and reactions come and go: one primary-key lookup for a
/// whole page instead of counting either table. A post missing from the map has none.
pub async fn counts_of_posts(
    db: &impl ConnectionTrait,
    post_ids: &[Uuid],
) -> AppResult<HashMap<Uuid, post_count::Model>> {
    if post_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows =
        post_count::Entity::find().filter(post_count::Column::PostId.is_in(post_ids.iter().copied())).all(db).await?;
    Ok(rows.into_iter().map(|row| (row.post_id, row)).collect())
}

/// How a list of posts is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, async_graphql::Enum, Default)]
pub enum PostOrder {
    /// Most recently published first (drafts: most recently created first).
    #[default]
    Newest,
    /// Oldest first.
    Oldest,
    /// By title, A to Z.
    Title,
    /// Most recently edited first.
    RecentlyUpdated,
}

#[derive(Debug, Default, Clone)]
pub struct PostFilter {
    pub tag: Option<String>,
    pub series: Option<Uuid>,
    pub difficulty: Option<Difficulty>,
    pub author_id: Option<Uuid>,
    pub status: Option<Status>,
    pub premium: Option<bool>,
}

impl PostFilter {
    /// Whether it narrows nothing but the status: the home feed.
    fn is_everything(&self) -> bool {
        let PostFilter { tag, series, difficulty, author_id, premium, status: _ } = self;
        tag.is_none() && series.is_none() && difficulty.is_none() && author_id.is_none() && premium.is_none()
    }
}

/// A page of posts (without their bodies: see [`without_bodies`]), each with
/// its counters when `with_counts` (a left join on their key: `commentCount`
/// and `reactions` cost the page no statement of their own; a page that shows
/// no counter does not pay for the join). Authors and series are not joined
/// here, unlike on the post page ([`find_post_page`]): PostgreSQL planned the
/// four-table page again on every execution (0.73 ms of planning against
/// 0.25 ms of execution; BENCHMARKS.md), more than the statements it saves. The total
/// count of the home feed (every live post) comes from the database's kept
/// totals ([`live_total`]); that of another public list (live posts, for
/// everyone alike) is kept per filter for the current version of `content`
/// (see [`public_count`]).
pub async fn list(
    state: &AppState,
    viewer: &Viewer,
    filter: &PostFilter,
    order: PostOrder,
    args: &PageArgs,
    with_counts: bool,
) -> AppResult<Page<Joined>> {
    let db = &state.db;
    let mut select = without_bodies(post::Entity::find());
    match filter.status {
        // The home feed and every public list: live posts only, for everyone.
        None | Some(Status::Published) => select = select.filter(live(db.get_database_backend())),
        Some(status) => {
            let viewer_id = viewer.require_role(Role::Author)?;
            select = select.filter(post::Column::Status.eq(status));
            if viewer.role() != Some(Role::Admin) {
                select = select.filter(post::Column::AuthorId.eq(viewer_id));
            }
        }
    }
    select = select.filter(filter_condition(db, filter).await?);

    let by_creation = filter.status == Some(Status::Draft);
    let sort = match order {
        PostOrder::Newest | PostOrder::Oldest => Sort {
            column: Some(if by_creation { post::Column::CreatedAt } else { post::Column::PublishedAt }),
            descending: order == PostOrder::Newest,
        },
        PostOrder::Title => Sort { column: Some(post::Column::Title), descending: false },
        PostOrder::RecentlyUpdated => Sort { column: Some(post::Column::UpdatedAt), descending: true },
    };
    let cursor_of = move |(p, ..): &Joined| Cursor {
        key: match order {
            PostOrder::Newest | PostOrder::Oldest if by_creation => Key::Time(p.created_at),
            PostOrder::Newest | PostOrder::Oldest => Key::Time(p.published_at.unwrap_or(p.created_at)),
            PostOrder::Title => Key::Text(p.title.clone()),
            PostOrder::RecentlyUpdated => Key::Time(p.updated_at),
        },
        id: p.id,
    };
    // A public list's total: the home feed's from the kept totals, another's
    // from the memo of this version of `content` when there is one.
    let public = matches!(filter.status, None | Some(Status::Published));
    let mut total = None;
    if public && args.count_total {
        if filter.is_everything() {
            total = Some(live_total(db).await?);
        } else if let Some(version) = state.public_cache.content_version().await {
            total = Some(public_count(state, version, filter, select.clone()).await?);
        }
    }
    let args = PageArgs { count_total: args.count_total && total.is_none(), ..args.clone() };
    let mut page = paginate_with(db, select, post::Column::Id, sort, cursor_of, &args, |page| async move {
        let rows = if with_counts {
            counted(page).all(db).await?
        } else {
            page.all(db).await?.into_iter().map(|post| (post, None)).collect()
        };
        Ok(rows.into_iter().map(|(post, counts)| (post, counts, None, None)).collect())
    })
    .await?;
    if let Some(total) = total {
        page.total_count = total;
    }
    Ok(page)
}

/// How many posts are live: the published ones, counted by the database as
/// they change (`post_totals`, kept by triggers), plus the scheduled ones
/// already due (the publishing job soon makes them published), which the
/// `(status, published_at)` index finds without reading any other post. One
/// statement that reads a row or two, where counting the live posts read them
/// all (~0.7 ms of SQLite work a request at 10,000 posts; BENCHMARKS.md).
pub async fn live_total(db: &impl ConnectionTrait) -> AppResult<u64> {
    let row = db
        .query_one(&live_total_statement())
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("post_totals has no row")))?;
    Ok(u64::try_from(row.try_get::<i64>("", "total")?).unwrap_or(0))
}

/// The statement of [`live_total`] (its plan is tested).
pub fn live_total_statement() -> SelectStatement {
    let due = Query::select()
        .expr(Func::count(Expr::col(Asterisk)))
        .from(post::Entity)
        .and_where(post::Column::Status.eq(Status::Scheduled))
        .and_where(post::Column::PublishedAt.lte(Utc::now()))
        .to_owned();
    Query::select()
        .expr_as(Expr::col(post_total::Column::Published).add(Expr::SubQuery(None, Box::new(due.into()))), "total")
        .from(post_total::Entity)
        .and_where(post_total::Column::Id.eq(1))
        .to_owned()
}

/// How many live posts `select` (the public list of `filter`, narrowed by a
/// tag, series, author …) holds: a count over every match, so kept in process per filter for this
/// version of `content` (any change to posts, series or tags moves it on) and
/// no longer than until the next scheduled post goes live. Exact, and the same
/// for every viewer: a public list is the live posts whoever asks.
async fn public_count(
    state: &AppState,
    version: u64,
    filter: &PostFilter,
    select: Select<post::Entity>,
) -> AppResult<u64> {
    let PostFilter { tag, series, difficulty, author_id, premium, status: _ } = filter;
    let key = format!("{tag:?}|{series:?}|{difficulty:?}|{author_id:?}|{premium:?}");
    if let Some(count) = state.public_cache.counts.get(version, &key) {
        return Ok(count);
    }
    let until = next_scheduled_at(state, Some(version)).await?;
    let count = select.count(&state.db).await?;
    state.public_cache.counts.put(version, &key, count, until);
    Ok(count)
}

/// When the next scheduled post goes live (the earliest still to come), if
/// any. It becomes visible then with no write at all, so nothing computed from
/// public content may be kept past it: cached answers and counts are capped
/// by it. Kept per version of `content` (a schedule change moves it on) when
/// one is given.
pub async fn next_scheduled_at(state: &AppState, content_version: Option<u64>) -> AppResult<Option<DateTime<Utc>>> {
    if let Some(version) = content_version
        && let Some(at) = state.public_cache.next_due.get(version, "")
    {
        return Ok(at);
    }
    let at: Option<DateTime<Utc>> = post::Entity::find()
        .select_only()
        .column(post::Column::PublishedAt)
        .filter(post::Column::Status.eq(Status::Scheduled))
        .filter(post::Column::PublishedAt.gt(Utc::now()))
        .order_by_asc(post::Column::PublishedAt)
        .into_tuple()
        .one(&state.db)
        .await?;
    if let Some(version) = content_version {
        state.public_cache.next_due.put(version, "", at, at);
    }
    Ok(at)
}

/// The tag, series, difficulty, author and premium parts of a filter (not the status).
async fn filter_condition(db: &impl ConnectionTrait, filter: &PostFilter) -> AppResult<Condition> {
    let mut condition = Condition::all();
    if let Some(slug) = &filter.tag {
        let tag_id = tags::find_by_slug(db, slug).await?.map(|t| t.id).unwrap_or_else(Uuid::nil);
        condition = condition.add(
            post::Column::Id.in_subquery(
                Query::select()
                    .column(post_tag::Column::PostId)
                    .from(post_tag::Entity)
                    .and_where(post_tag::Column::TagId.eq(tag_id))
                    .to_owned(),
            ),
        );
    }
    if let Some(series) = filter.series {
        condition = condition.add(post::Column::SeriesId.eq(series));
    }
    if let Some(difficulty) = filter.difficulty {
        condition = condition.add(post::Column::Difficulty.eq(difficulty));
    }
    if let Some(author) = filter.author_id {
        condition = condition.add(post::Column::AuthorId.eq(author));
    }
    if let Some(premium) = filter.premium {
        condition = condition.add(post::Column::IsPremium.eq(premium));
    }
    Ok(condition)
}

/// The ids of the live posts matching `filter` (its status is ignored), as a
/// subquery: search narrows its rankings with it.
pub async fn live_ids(db: &impl ConnectionTrait, filter: &PostFilter) -> AppResult<SelectStatement> {
    Ok(Query::select()
        .column(post::Column::Id)
        .from(post::Entity)
        .cond_where(live(db.get_database_backend()))
        .cond_where(filter_condition(db, filter).await?)
        .to_owned())
}

/// Every live post's id, oldest first (for re-indexing).
pub async fn live_post_ids(db: &impl ConnectionTrait) -> AppResult<Vec<Uuid>> {
    use sea_orm::QuerySelect;
    Ok(post::Entity::find()
        .select_only()
        .column(post::Column::Id)
        .filter(live(db.get_database_backend()))
        .order_by_asc(post::Column::PublishedAt)
        .order_by_asc(post::Column::Id)
        .into_tuple()
        .all(db)
        .await?)
}

/// Every post of a series (any status), in order; for the series editor.
pub async fn all_posts_of_series(db: &impl ConnectionTrait, series_id: Uuid) -> AppResult<Vec<post::Model>> {
    Ok(post::Entity::find()
        .filter(post::Column::SeriesId.eq(series_id))
        .order_by_asc(post::Column::SeriesPosition)
        .order_by_asc(post::Column::Id)
        .all(db)
        .await?)
}

/// The most recently published live posts, for feeds.
pub async fn recent_live(db: &impl ConnectionTrait, limit: u64) -> AppResult<Vec<post::Model>> {
    use sea_orm::QuerySelect;
    Ok(post::Entity::find()
        .filter(live(db.get_database_backend()))
        .order_by_desc(post::Column::PublishedAt)
        .limit(limit)
        .all(db)
        .await?)
}

/// Live posts published in (`since`, `until`], newest first (at most `limit`), for digests.
pub async fn published_between(
    db: &impl ConnectionTrait,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    limit: u64,
) -> AppResult<Vec<post::Model>> {
    use sea_orm::QuerySelect;
    Ok(post::Entity::find()
        .filter(live(db.get_database_backend()))
        .filter(post::Column::PublishedAt.gt(since))
        .filter(post::Column::PublishedAt.lte(until))
        .order_by_desc(post::Column::PublishedAt)
        .limit(limit)
        .all(db)
        .await?)
}

/// Slug and last change of every live post, for the sitemap (at most `limit`).
pub async fn live_slugs(db: &impl ConnectionTrait, limit: u64) -> AppResult<Vec<(String, DateTime<Utc>)>> {
    use sea_orm::QuerySelect;
    let rows: Vec<(String, DateTime<Utc>)> = post::Entity::find()
        .select_only()
        .column(post::Column::Slug)
        .column(post::Column::UpdatedAt)
        .filter(live(db.get_database_backend()))
        .order_by_desc(post::Column::PublishedAt)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows)
}

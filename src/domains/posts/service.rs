//! Post rules and queries. Who may see a post: everyone once it is published
//! (or scheduled and due); its author and admins always.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionSession, TransactionTrait,
    sea_query::{Expr, Query, SelectStatement},
};
use uuid::Uuid;

use super::markdown;
use crate::{
    auth::Viewer,
    domains::{
        accounts::Role,
        notifications::{self, service::Notice},
        progress::service as progress,
        series::service as series,
        tags::service as tags,
    },
    error::{AppError, AppResult, OnConstraint, Unique},
    jobs::Job,
    pagination::{Cursor, Key, Page, PageArgs, Sort, paginate},
    state::AppState,
    state::BeginWrite,
    values::{Excerpt, PostBody, Slug, Title, WebUrl, slugify},
    write::Write,
};
use entity::{
    post::{self, Difficulty, Status},
    post_tag, redirect, tag,
};

/// One post per slug, and one redirect per old slug.
const SLUG_KEY: Unique = Unique::new("posts_slug_key", "posts.slug");
const REDIRECT_KEY: Unique = Unique::new("redirects_pkey", "redirects.old_slug");

/// Posts everyone may read right now: published, or scheduled and due.
pub fn live() -> Condition {
    // Every live post has a publish time; saying so lets an index on `published_at`
    // skip the drafts (which have none) instead of stepping over them.
    Condition::all().add(post::Column::PublishedAt.is_not_null()).add(
        Condition::any().add(post::Column::Status.eq(Status::Published)).add(
            Condition::all()
                .add(post::Column::Status.eq(Status::Scheduled))
                .add(post::Column::PublishedAt.lte(Utc::now())),
        ),
    )
}

/// Posts `viewer` may open: live ones, their own, or any for admins.
pub fn readable_by(viewer: &Viewer) -> Condition {
    match viewer {
        Viewer::User { role: Role::Admin, .. } => Condition::all(),
        Viewer::User { id, .. } => Condition::any().add(live()).add(post::Column::AuthorId.eq(*id)),
        Viewer::Anonymous => live(),
    }
}

/// The ids of the posts `viewer` may open, as a subquery: other domains narrow
/// their own rows (bookmarks, …) to readable posts with it in the same query.
pub fn readable_ids(viewer: &Viewer) -> SelectStatement {
    Query::select().column(post::Column::Id).from(post::Entity).cond_where(readable_by(viewer)).to_owned()
}

pub fn is_live(post: &post::Model) -> bool {
    post.status == Status::Published
        || (post.status == Status::Scheduled && post.published_at.is_some_and(|at| at <= Utc::now()))
}

pub fn can_read(viewer: &Viewer, post: &post::Model) -> bool {
    is_live(post) || viewer.is_owner_or_admin(post.author_id)
}

/// A post the viewer may read, or NOT_FOUND (so unpublished posts do not reveal themselves).
pub async fn get_readable(db: &impl ConnectionTrait, viewer: &Viewer, id: Uuid) -> AppResult<post::Model> {
    post::Entity::find_by_id(id).filter(readable_by(viewer)).one(db).await?.ok_or(AppError::NotFound("Post"))
}

/// A post the viewer may edit: FORBIDDEN for other people's posts they can see, NOT_FOUND otherwise.
pub async fn get_editable(db: &impl ConnectionTrait, viewer: &Viewer, id: Uuid) -> AppResult<post::Model> {
    viewer.require_role(Role::Author)?;
    let post = post::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound("Post"))?;
    if viewer.is_owner_or_admin(post.author_id) {
        Ok(post)
    } else if can_read(viewer, &post) {
        Err(AppError::Forbidden)
    } else {
        Err(AppError::NotFound("Post"))
    }
}

/// By current slug, or by an old slug that redirects to it.
pub async fn find_by_slug(db: &impl ConnectionTrait, viewer: &Viewer, slug: &str) -> AppResult<Option<post::Model>> {
    let found = post::Entity::find().filter(post::Column::Slug.eq(slug)).filter(readable_by(viewer)).one(db).await?;
    if found.is_some() {
        return Ok(found);
    }
    let Some(redirect) = redirect::Entity::find_by_id(slug.to_owned()).one(db).await? else {
        return Ok(None);
    };
    Ok(post::Entity::find_by_id(redirect.post_id).filter(readable_by(viewer)).one(db).await?)
}

pub async fn posts_by_ids(db: &impl ConnectionTrait, ids: &[Uuid]) -> AppResult<Vec<post::Model>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(post::Entity::find().filter(post::Column::Id.is_in(ids.iter().copied())).all(db).await?)
}

/// The readable posts of each series, in reading order.
pub async fn posts_of_series(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    series_ids: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<post::Model>>> {
    if series_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let posts = post::Entity::find()
        .filter(post::Column::SeriesId.is_in(series_ids.iter().copied()))
        .filter(readable_by(viewer))
        .order_by_asc(post::Column::SeriesPosition)
        .order_by_asc(post::Column::Id)
        .all(db)
        .await?;
    let mut by_series: HashMap<Uuid, Vec<post::Model>> = HashMap::new();
    for post in posts {
        if let Some(series_id) = post.series_id {
            by_series.entry(series_id).or_default().push(post);
        }
    }
    Ok(by_series)
}

/// Tags of each post, alphabetically.
pub async fn tags_of_posts(db: &impl ConnectionTrait, post_ids: &[Uuid]) -> AppResult<HashMap<Uuid, Vec<tag::Model>>> {
    if post_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let links =
        post_tag::Entity::find().filter(post_tag::Column::PostId.is_in(post_ids.iter().copied())).all(db).await?;
    let tag_ids: Vec<Uuid> = links.iter().map(|l| l.tag_id).collect();
    let by_id: HashMap<Uuid, tag::Model> = tags::by_ids(db, &tag_ids).await?.into_iter().map(|t| (t.id, t)).collect();
    let mut result: HashMap<Uuid, Vec<tag::Model>> = HashMap::new();
    for link in links {
        if let Some(tag) = by_id.get(&link.tag_id) {
            result.entry(link.post_id).or_default().push(tag.clone());
        }
    }
    for tags in result.values_mut() {
        tags.sort_by(|a, b| a.name.cmp(&b.name));
    }
    Ok(result)
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

pub async fn list(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    filter: &PostFilter,
    order: PostOrder,
    args: &PageArgs,
) -> AppResult<Page<post::Model>> {
    let mut select = post::Entity::find();
    match filter.status {
        // The home feed and every public list: live posts only, for everyone.
        None | Some(Status::Published) => select = select.filter(live()),
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
    let cursor_of = move |p: &post::Model| Cursor {
        key: match order {
            PostOrder::Newest | PostOrder::Oldest if by_creation => Key::Time(p.created_at),
            PostOrder::Newest | PostOrder::Oldest => Key::Time(p.published_at.unwrap_or(p.created_at)),
            PostOrder::Title => Key::Text(p.title.clone()),
            PostOrder::RecentlyUpdated => Key::Time(p.updated_at),
        },
        id: p.id,
    };
    paginate(db, select, post::Column::Id, sort, cursor_of, args).await
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
        .cond_where(live())
        .cond_where(filter_condition(db, filter).await?)
        .to_owned())
}

/// Every live post's id, oldest first (for re-indexing).
pub async fn live_post_ids(db: &impl ConnectionTrait) -> AppResult<Vec<Uuid>> {
    use sea_orm::QuerySelect;
    Ok(post::Entity::find()
        .select_only()
        .column(post::Column::Id)
        .filter(live())
        .order_by_asc(post::Column::PublishedAt)
        .order_by_asc(post::Column::Id)
        .into_tuple()
        .all(db)
        .await?)
}

/// What an author writes; `None` leaves a field as it is (on update).
#[derive(Debug, Default, Clone)]
pub struct PostInput {
    pub title: Option<String>,
    pub slug: Option<String>,
    pub excerpt: Option<String>,
    pub body: Option<String>,
    pub difficulty: Option<Difficulty>,
    pub is_premium: Option<bool>,
    pub cover_image_url: Option<Option<String>>,
    pub tag_slugs: Option<Vec<String>>,
}

/// The HTML a body would publish as, for an editor's preview: the same
/// renderer and sanitiser as `bodyHtml`, so the preview cannot differ from the
/// published page. Writers only; the same size limit as a body.
pub fn preview(viewer: &Viewer, markdown: &str) -> AppResult<String> {
    viewer.require_role(Role::Author)?;
    if markdown.len() > PostBody::MAX {
        return Err(AppError::bad_input("markdown", format!("The text can have at most {} bytes", PostBody::MAX)));
    }
    Ok(markdown::render(markdown))
}

/// Most tags a post may carry.
pub const MAX_TAGS_PER_POST: usize = 10;

/// The ids of the tags `slugs` name, in their order, in one query; BAD_USER_INPUT
/// on `tagSlugs` for an unknown slug or more than `MAX_TAGS_PER_POST` tags.
async fn resolve_tags(db: &impl ConnectionTrait, slugs: &[String]) -> AppResult<Vec<Uuid>> {
    let mut wanted: Vec<String> = Vec::with_capacity(slugs.len());
    for slug in slugs {
        if !wanted.contains(slug) {
            wanted.push(slug.clone());
        }
    }
    if wanted.len() > MAX_TAGS_PER_POST {
        return Err(AppError::bad_input("tagSlugs", format!("A post has at most {MAX_TAGS_PER_POST} tags")));
    }
    let found = tags::find_by_slugs(db, &wanted).await?;
    wanted
        .iter()
        .map(|slug| {
            found
                .iter()
                .find(|tag| &tag.slug == slug)
                .map(|tag| tag.id)
                .ok_or_else(|| AppError::bad_input("tagSlugs", format!("There is no tag {slug:?}")))
        })
        .collect()
}

async fn set_tags(db: &impl ConnectionTrait, post_id: Uuid, tag_ids: &[Uuid]) -> AppResult<()> {
    post_tag::Entity::delete_many().filter(post_tag::Column::PostId.eq(post_id)).exec(db).await?;
    if !tag_ids.is_empty() {
        post_tag::Entity::insert_many(
            tag_ids.iter().map(|tag_id| post_tag::ActiveModel { post_id: Set(post_id), tag_id: Set(*tag_id) }),
        )
        .exec(db)
        .await?;
    }
    Ok(())
}

/// A slug no other post uses; an old slug of another post is taken over (its redirect goes).
async fn claim_slug(db: &impl ConnectionTrait, slug: &str) -> AppResult<()> {
    redirect::Entity::delete_by_id(slug.to_owned()).exec(db).await?;
    Ok(())
}

pub async fn create(
    db: &(impl ConnectionTrait + TransactionTrait),
    viewer: &Viewer,
    input: PostInput,
) -> AppResult<post::Model> {
    let author = viewer.require_role(Role::Author)?;
    let title = Title::parse("title", input.title.as_deref().unwrap_or(""))?;
    let body = PostBody::parse("body", input.body.as_deref().unwrap_or(""))?.into_inner();
    let slug = match &input.slug {
        Some(slug) => Slug::parse("slug", slug)?,
        None => Slug::parse("slug", &slugify(title.as_str()))
            .map_err(|_| AppError::bad_input("slug", "Give a slug: the title has no letters or digits"))?,
    };
    let excerpt = match &input.excerpt {
        Some(excerpt) => Excerpt::parse("excerpt", excerpt)?.into_inner(),
        None => markdown::excerpt(&body, 240),
    };
    let cover = input.cover_image_url.flatten().map(|u| WebUrl::parse("coverImageUrl", &u)).transpose()?;
    let txn = db.begin_write().await?;
    let tag_ids = resolve_tags(&txn, input.tag_slugs.as_deref().unwrap_or_default()).await?;
    claim_slug(&txn, slug.as_str()).await?;
    let now = Utc::now();
    let post = post::ActiveModel {
        id: Set(Uuid::now_v7()),
        author_id: Set(author),
        series_id: Set(None),
        series_position: Set(None),
        title: Set(title.into_inner()),
        slug: Set(slug.into_inner()),
        excerpt: Set(excerpt),
        body_html: Set(markdown::render(&body)),
        html_version: Set(markdown::RENDERER_VERSION),
        reading_minutes: Set(markdown::reading_minutes(&body)),
        body: Set(body),
        status: Set(Status::Draft),
        difficulty: Set(input.difficulty.unwrap_or(Difficulty::Beginner)),
        is_premium: Set(input.is_premium.unwrap_or(false)),
        cover_image_url: Set(cover.map(WebUrl::into_inner)),
        published_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await
    .on_unique(&[SLUG_KEY], "slug", "Another post already uses this slug")?;
    set_tags(&txn, post.id, &tag_ids).await?;
    txn.commit().await?;
    Ok(post)
}

pub async fn update(state: &AppState, viewer: &Viewer, id: Uuid, input: PostInput) -> AppResult<post::Model> {
    let txn = Write::begin(state).await?;
    let current = get_editable(&txn, viewer, id).await?;
    let old_slug = current.slug.clone();
    let mut post: post::ActiveModel = current.into();
    if let Some(title) = &input.title {
        post.title = Set(Title::parse("title", title)?.into_inner());
    }
    if let Some(body) = &input.body {
        let body = PostBody::parse("body", body)?.into_inner();
        post.body_html = Set(markdown::render(&body));
        post.html_version = Set(markdown::RENDERER_VERSION);
        post.reading_minutes = Set(markdown::reading_minutes(&body));
        if input.excerpt.is_none() {
            post.excerpt = Set(markdown::excerpt(&body, 240));
        }
        post.body = Set(body);
    }
    if let Some(excerpt) = &input.excerpt {
        post.excerpt = Set(Excerpt::parse("excerpt", excerpt)?.into_inner());
    }
    if let Some(difficulty) = input.difficulty {
        post.difficulty = Set(difficulty);
    }
    if let Some(premium) = input.is_premium {
        post.is_premium = Set(premium);
    }
    if let Some(cover) = input.cover_image_url {
        post.cover_image_url =
            Set(cover.map(|u| WebUrl::parse("coverImageUrl", &u).map(WebUrl::into_inner)).transpose()?);
    }
    let new_slug = input
        .slug
        .as_deref()
        .map(|slug| Slug::parse("slug", slug).map(Slug::into_inner))
        .transpose()?
        .filter(|s| *s != old_slug);
    if let Some(slug) = &new_slug {
        claim_slug(&txn, slug).await?;
        post.slug = Set(slug.clone());
    }
    if let Some(slugs) = &input.tag_slugs {
        let tag_ids = resolve_tags(&txn, slugs).await?;
        set_tags(&txn, id, &tag_ids).await?;
    }
    post.updated_at = Set(Utc::now());
    let post = post.update(&txn).await.on_unique(&[SLUG_KEY], "slug", "Another post already uses this slug")?;
    if new_slug.is_some() {
        // Old links keep working: the previous slug now redirects here.
        redirect::ActiveModel { old_slug: Set(old_slug), post_id: Set(id), created_at: Set(Utc::now()) }
            .insert(&txn)
            .await
            .on_unique(&[REDIRECT_KEY], "slug", "This slug already redirects elsewhere")?;
    }
    // Search re-reads the post (a draft's job only makes sure it has no passages).
    txn.enqueue(&Job::IndexPost { post: id }).await?;
    txn.commit().await?;
    Ok(post)
}

async fn set_status(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
    status: Status,
    at: Option<DateTime<Utc>>,
) -> AppResult<post::Model> {
    let mut post: post::ActiveModel = get_editable(db, viewer, id).await?.into();
    post.status = Set(status);
    post.published_at = Set(at);
    post.updated_at = Set(Utc::now());
    Ok(post.update(db).await?)
}

/// Publishes now (a post published before keeps its original date). A post
/// that was not published yet notifies the readers of its series, once the
/// change is committed.
pub async fn publish(state: &AppState, viewer: &Viewer, id: Uuid) -> AppResult<post::Model> {
    let txn = Write::begin(state).await?;
    let current = get_editable(&txn, viewer, id).await?;
    let newly_published = current.status != Status::Published;
    let at = match (current.status, current.published_at) {
        (Status::Published, Some(at)) => at,
        _ => Utc::now(),
    };
    let post = set_status(&txn, viewer, id, Status::Published, Some(at)).await?;
    let notices = if newly_published { series_notices(&txn, &post).await? } else { Vec::new() };
    notifications::service::store(&txn, notices).await?;
    if newly_published {
        txn.enqueue(&Job::RefreshSitemap).await?;
    }
    txn.enqueue(&Job::IndexPost { post: id }).await?;
    txn.commit().await?;
    Ok(post)
}

/// NEW_POST_IN_SERIES for everyone reading the post's series (with progress on
/// another of its posts), except the post's author.
async fn series_notices(db: &impl ConnectionTrait, post: &post::Model) -> AppResult<Vec<Notice>> {
    let Some(series_id) = post.series_id else {
        return Ok(Vec::new());
    };
    let others: Vec<Uuid> =
        all_posts_of_series(db, series_id).await?.into_iter().map(|p| p.id).filter(|&id| id != post.id).collect();
    let readers = progress::readers_of_posts(db, &others).await?;
    if readers.is_empty() {
        return Ok(Vec::new());
    }
    let series_title = series::by_ids(db, &[series_id]).await?.into_iter().next().map(|s| s.title);
    let title = format!("New in “{}”", series_title.as_deref().unwrap_or("a series you are reading"));
    Ok(readers
        .into_iter()
        .filter(|&reader| reader != post.author_id)
        .map(|user_id| Notice {
            user_id,
            kind: notifications::Kind::NewPostInSeries,
            title: title.clone(),
            message: post.title.clone(),
            link: Some(format!("/posts/{}", post.slug)),
        })
        .collect())
}

/// Back to draft; its passages leave the search index (a job).
pub async fn unpublish(state: &AppState, viewer: &Viewer, id: Uuid) -> AppResult<post::Model> {
    set_status_and_reindex(state, viewer, id, Status::Draft, None).await
}

async fn set_status_and_reindex(
    state: &AppState,
    viewer: &Viewer,
    id: Uuid,
    status: Status,
    at: Option<DateTime<Utc>>,
) -> AppResult<post::Model> {
    let txn = Write::begin(state).await?;
    let post = set_status(&txn, viewer, id, status, at).await?;
    txn.enqueue(&Job::IndexPost { post: id }).await?;
    txn.commit().await?;
    Ok(post)
}

/// Publishes at `at`, which must be in the future.
pub async fn schedule(state: &AppState, viewer: &Viewer, id: Uuid, at: DateTime<Utc>) -> AppResult<post::Model> {
    if at <= Utc::now() {
        return Err(AppError::bad_input("at", "A post can only be scheduled for the future; publish it now instead"));
    }
    set_status_and_reindex(state, viewer, id, Status::Scheduled, Some(at)).await
}

pub async fn delete(db: &impl ConnectionTrait, viewer: &Viewer, id: Uuid) -> AppResult<bool> {
    let post = get_editable(db, viewer, id).await?;
    post::Entity::delete_by_id(post.id).exec(db).await?;
    Ok(true)
}

/// Turns scheduled posts whose time has come into published ones (a scheduled
/// job) and notifies the readers of their series. Each post is flipped in a
/// transaction of its own, and only by the worker whose update changed it, so
/// readers hear about it once even when several workers run the job.
pub async fn publish_due(state: &AppState) -> AppResult<Vec<Uuid>> {
    let due = post::Entity::find()
        .filter(post::Column::Status.eq(Status::Scheduled))
        .filter(post::Column::PublishedAt.lte(Utc::now()))
        .all(&state.db)
        .await?;
    let mut published = Vec::with_capacity(due.len());
    for post in due {
        let txn = Write::begin(state).await?;
        let flipped = post::Entity::update_many()
            .col_expr(post::Column::Status, Expr::value(Status::Published))
            .filter(post::Column::Id.eq(post.id))
            .filter(post::Column::Status.eq(Status::Scheduled))
            .exec(&txn)
            .await?
            .rows_affected
            == 1;
        if !flipped {
            continue;
        }
        notifications::service::store(&txn, series_notices(&txn, &post).await?).await?;
        txn.enqueue(&Job::IndexPost { post: post.id }).await?;
        txn.commit().await?;
        published.push(post.id);
    }
    if !published.is_empty() {
        let txn = Write::begin(state).await?;
        txn.enqueue(&Job::RefreshSitemap).await?;
        txn.commit().await?;
    }
    Ok(published)
}

/// Puts a post into a series at `position` (1-based; the end when None), or takes it out.
pub async fn set_series(
    db: &impl ConnectionTrait,
    post_id: Uuid,
    series: Option<(Uuid, i32)>,
) -> AppResult<post::Model> {
    let mut post: post::ActiveModel =
        post::Entity::find_by_id(post_id).one(db).await?.ok_or(AppError::NotFound("Post"))?.into();
    post.series_id = Set(series.map(|s| s.0));
    post.series_position = Set(series.map(|s| s.1));
    post.updated_at = Set(Utc::now());
    Ok(post.update(db).await?)
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

/// Moves every post of a tag to another (tag merging).
pub async fn retag(db: &impl ConnectionTrait, from: Uuid, into: Uuid) -> AppResult<()> {
    // Posts that already carry both keep one link.
    post_tag::Entity::delete_many()
        .filter(post_tag::Column::TagId.eq(from))
        .filter(
            post_tag::Column::PostId.in_subquery(
                Query::select()
                    .column(post_tag::Column::PostId)
                    .from(post_tag::Entity)
                    .and_where(post_tag::Column::TagId.eq(into))
                    .to_owned(),
            ),
        )
        .exec(db)
        .await?;
    post_tag::Entity::update_many()
        .col_expr(post_tag::Column::TagId, Expr::value(into))
        .filter(post_tag::Column::TagId.eq(from))
        .exec(db)
        .await?;
    Ok(())
}

/// The most recently published live posts, for feeds.
pub async fn recent_live(db: &impl ConnectionTrait, limit: u64) -> AppResult<Vec<post::Model>> {
    use sea_orm::QuerySelect;
    Ok(post::Entity::find().filter(live()).order_by_desc(post::Column::PublishedAt).limit(limit).all(db).await?)
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
        .filter(live())
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
        .filter(live())
        .order_by_desc(post::Column::PublishedAt)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows)
}

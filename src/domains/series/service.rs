//! Series rules: authors curate their own series; admins any.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::{
    auth::Viewer,
    domains::{accounts::Role, posts::service as posts},
    error::{AppError, AppResult, OnConstraint, Unique},
    infra::response_cache::CacheTag,
    pagination::{Cursor, Page, PageArgs, Sort, paginate},
    state::AppState,
    values::{Description, Slug, Title, WebUrl, slugify},
    write::Write,
};
use entity::{post, series};

/// One series per slug.
const SLUG_KEY: Unique = Unique::new("series_slug_key", "series.slug");

#[derive(Debug, Default, Clone)]
pub struct SeriesInput {
    pub title: Option<String>,
    pub slug: Option<String>,
    pub description: Option<String>,
    pub cover_image_url: Option<Option<String>>,
}

pub async fn find_by_slug(db: &impl ConnectionTrait, slug: &str) -> AppResult<Option<series::Model>> {
    Ok(series::Entity::find().filter(series::Column::Slug.eq(slug)).one(db).await?)
}

pub async fn by_ids(db: &impl ConnectionTrait, ids: &[Uuid]) -> AppResult<Vec<series::Model>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(series::Entity::find().filter(series::Column::Id.is_in(ids.iter().copied())).all(db).await?)
}

/// `select` (posts, each with two more tables) with each post's series read
/// in the same statement (a left join): the post page shows it.
pub fn and_series<F, G>(
    select: sea_orm::SelectThree<post::Entity, F, G, sea_orm::TopologyStar>,
) -> sea_orm::SelectFour<post::Entity, F, G, series::Entity, sea_orm::TopologyStar>
where
    F: EntityTrait,
    G: EntityTrait,
{
    select.find_also(post::Entity, series::Entity)
}

pub async fn list(db: &impl ConnectionTrait, args: &PageArgs) -> AppResult<Page<series::Model>> {
    paginate(db, series::Entity::find(), series::Column::Id, Sort::newest(), |s| Cursor::id(s.id), args).await
}

async fn get_editable(db: &impl ConnectionTrait, viewer: &Viewer, id: Uuid) -> AppResult<series::Model> {
    viewer.require_role(Role::Author)?;
    let series = series::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound("Series"))?;
    viewer.require_owner_or_admin(series.author_id)?;
    Ok(series)
}

/// A new series (readers see it in `seriesList` at once).
pub async fn create(state: &AppState, viewer: &Viewer, input: SeriesInput) -> AppResult<series::Model> {
    let series = insert(&state.db, viewer, input).await?;
    state.public_cache.invalidate(&[CacheTag::Content]).await;
    Ok(series)
}

/// The row of a new series, without invalidating cached answers: for a caller
/// that writes in bulk and invalidates once at the end (the seed).
pub async fn insert(db: &impl ConnectionTrait, viewer: &Viewer, input: SeriesInput) -> AppResult<series::Model> {
    let author = viewer.require_role(Role::Author)?;
    let title = Title::parse_for_series("title", input.title.as_deref().unwrap_or(""))?;
    let slug = Slug::parse("slug", input.slug.as_deref().unwrap_or(&slugify(title.as_str())))?;
    let cover = input.cover_image_url.flatten().map(|u| WebUrl::parse("coverImageUrl", &u)).transpose()?;
    let now = Utc::now();
    series::ActiveModel {
        id: Set(Uuid::now_v7()),
        title: Set(title.into_inner()),
        slug: Set(slug.into_inner()),
        description: Set(Description::parse("description", input.description.as_deref().unwrap_or(""))?.into_inner()),
        cover_image_url: Set(cover.map(WebUrl::into_inner)),
        author_id: Set(author),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await
    .on_unique(&[SLUG_KEY], "slug", "Another series already uses this slug")
}

pub async fn update(state: &AppState, viewer: &Viewer, id: Uuid, input: SeriesInput) -> AppResult<series::Model> {
    let db = &state.db;
    let mut series: series::ActiveModel = get_editable(db, viewer, id).await?.into();
    if let Some(title) = &input.title {
        series.title = Set(Title::parse_for_series("title", title)?.into_inner());
    }
    if let Some(slug) = &input.slug {
        series.slug = Set(Slug::parse("slug", slug)?.into_inner());
    }
    if let Some(description) = &input.description {
        series.description = Set(Description::parse("description", description)?.into_inner());
    }
    if let Some(cover) = input.cover_image_url {
        series.cover_image_url =
            Set(cover.map(|u| WebUrl::parse("coverImageUrl", &u).map(WebUrl::into_inner)).transpose()?);
    }
    series.updated_at = Set(Utc::now());
    let series = series.update(db).await.on_unique(&[SLUG_KEY], "slug", "Another series already uses this slug")?;
    state.public_cache.invalidate(&[CacheTag::Content]).await;
    Ok(series)
}

/// Deletes the series; its posts stay, outside any series.
pub async fn delete(state: &AppState, viewer: &Viewer, id: Uuid) -> AppResult<bool> {
    let txn = Write::begin(state).await?;
    let series = get_editable(&txn, viewer, id).await?;
    for post in posts::all_posts_of_series(&txn, series.id).await? {
        posts::set_series(&txn, post.id, None).await?;
    }
    series::Entity::delete_by_id(series.id).exec(&txn).await?;
    txn.invalidate(CacheTag::Content);
    txn.commit().await?;
    Ok(true)
}

/// Writes positions 1..n in the given order.
async fn renumber(db: &impl ConnectionTrait, series_id: Uuid, ordered: &[Uuid]) -> AppResult<()> {
    for (index, post_id) in ordered.iter().enumerate() {
        posts::set_series(db, *post_id, Some((series_id, index as i32 + 1))).await?;
    }
    Ok(())
}

/// Adds a post (moving it from any other series) at `position` (1-based), or at the end.
pub async fn add_post(
    state: &AppState,
    viewer: &Viewer,
    series_id: Uuid,
    post_id: Uuid,
    position: Option<i32>,
) -> AppResult<series::Model> {
    let txn = Write::begin(state).await?;
    let series = get_editable(&txn, viewer, series_id).await?;
    let post = posts::get_editable(&txn, viewer, post_id).await?;
    let mut order: Vec<Uuid> = posts::all_posts_of_series(&txn, series_id)
        .await?
        .into_iter()
        .map(|p| p.id)
        .filter(|id| *id != post.id)
        .collect();
    if order.len() >= MAX_POSTS_PER_SERIES {
        return Err(AppError::bad_input("seriesId", format!("A series holds at most {MAX_POSTS_PER_SERIES} posts")));
    }
    let at = match position {
        None => order.len(),
        Some(p) if p >= 1 && p as usize <= order.len() + 1 => p as usize - 1,
        Some(_) => {
            return Err(AppError::bad_input("position", format!("The position is between 1 and {}", order.len() + 1)));
        }
    };
    order.insert(at, post.id);
    renumber(&txn, series_id, &order).await?;
    txn.invalidate(CacheTag::Content);
    txn.commit().await?;
    Ok(series)
}

/// Takes a post out of its series and closes the gap.
pub async fn remove_post(
    state: &AppState,
    viewer: &Viewer,
    series_id: Uuid,
    post_id: Uuid,
) -> AppResult<series::Model> {
    let txn = Write::begin(state).await?;
    let series = get_editable(&txn, viewer, series_id).await?;
    let members: Vec<post::Model> = posts::all_posts_of_series(&txn, series_id).await?;
    if !members.iter().any(|p| p.id == post_id) {
        return Err(AppError::bad_input("postId", "This post is not in the series"));
    }
    posts::set_series(&txn, post_id, None).await?;
    let order: Vec<Uuid> = members.into_iter().map(|p| p.id).filter(|id| *id != post_id).collect();
    renumber(&txn, series_id, &order).await?;
    txn.invalidate(CacheTag::Content);
    txn.commit().await?;
    Ok(series)
}

/// Most posts one series holds.
pub const MAX_POSTS_PER_SERIES: usize = 500;

/// Sets the reading order; `post_ids` must be exactly the series' posts.
pub async fn reorder(
    state: &AppState,
    viewer: &Viewer,
    series_id: Uuid,
    post_ids: &[Uuid],
) -> AppResult<series::Model> {
    if post_ids.len() > MAX_POSTS_PER_SERIES {
        return Err(AppError::bad_input("postIds", format!("A series holds at most {MAX_POSTS_PER_SERIES} posts")));
    }
    let txn = Write::begin(state).await?;
    let series = get_editable(&txn, viewer, series_id).await?;
    let mut current: Vec<Uuid> = posts::all_posts_of_series(&txn, series_id).await?.into_iter().map(|p| p.id).collect();
    let mut wanted = post_ids.to_vec();
    current.sort();
    wanted.sort();
    let has_duplicates = wanted.windows(2).any(|w| w[0] == w[1]);
    if current != wanted || has_duplicates {
        return Err(AppError::bad_input("postIds", "List every post of the series exactly once"));
    }
    renumber(&txn, series_id, post_ids).await?;
    txn.invalidate(CacheTag::Content);
    txn.commit().await?;
    Ok(series)
}

/// Slug and last change of every series, for the sitemap.
pub async fn list_slugs(db: &impl ConnectionTrait) -> AppResult<Vec<(String, chrono::DateTime<Utc>)>> {
    use sea_orm::QuerySelect;
    Ok(series::Entity::find()
        .select_only()
        .column(series::Column::Slug)
        .column(series::Column::UpdatedAt)
        .into_tuple()
        .all(db)
        .await?)
}

//! Tag rules: names are unique, slugs derive from names.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use crate::{
    error::{AppError, AppResult, OnConstraint, Unique},
    infra::response_cache::CacheTag,
    state::AppState,
    values::TagName,
    write::Write,
};
use entity::tag;

/// One tag per name, and per slug: a name that slugs like another tag's
/// ("Rust!" beside "Rust") is that tag's name to readers.
const NAME_KEYS: &[Unique] = &[Unique::new("tags_name_key", "tags.name"), Unique::new("tags_slug_key", "tags.slug")];

/// Every tag, alphabetically.
pub async fn list(db: &impl ConnectionTrait) -> AppResult<Vec<tag::Model>> {
    Ok(tag::Entity::find().order_by_asc(tag::Column::Name).all(db).await?)
}

/// A new tag (readers see it in `tags` at once).
pub async fn create(state: &AppState, name: &str) -> AppResult<tag::Model> {
    let tag = insert(&state.db, name).await?;
    state.public_cache.invalidate(&[CacheTag::Content]).await;
    Ok(tag)
}

/// The row of a new tag, without invalidating cached answers: for a caller
/// that writes in bulk and invalidates once at the end (the seed).
pub async fn insert(db: &impl ConnectionTrait, name: &str) -> AppResult<tag::Model> {
    let (name, slug) = TagName::parse("name", name)?.into_parts();
    tag::ActiveModel { id: Set(Uuid::now_v7()), name: Set(name), slug: Set(slug), created_at: Set(Utc::now()) }
        .insert(db)
        .await
        .on_unique(NAME_KEYS, "name", "A tag with this name already exists")
}

pub async fn by_ids(db: &impl ConnectionTrait, ids: &[Uuid]) -> AppResult<Vec<tag::Model>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(tag::Entity::find().filter(tag::Column::Id.is_in(ids.iter().copied())).all(db).await?)
}

pub async fn find_by_slug(db: &impl ConnectionTrait, slug: &str) -> AppResult<Option<tag::Model>> {
    Ok(tag::Entity::find().filter(tag::Column::Slug.eq(slug)).one(db).await?)
}

/// The tags with these slugs, in one query (missing slugs are skipped).
pub async fn find_by_slugs(db: &impl ConnectionTrait, slugs: &[String]) -> AppResult<Vec<tag::Model>> {
    if slugs.is_empty() {
        return Ok(Vec::new());
    }
    Ok(tag::Entity::find().filter(tag::Column::Slug.is_in(slugs.iter().map(String::as_str))).all(db).await?)
}

/// Renames a tag; its slug follows the name.
pub async fn rename(state: &AppState, id: Uuid, name: &str) -> AppResult<tag::Model> {
    let db = &state.db;
    let (name, slug) = TagName::parse("name", name)?.into_parts();
    let mut tag: tag::ActiveModel = tag::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound("Tag"))?.into();
    tag.name = Set(name);
    tag.slug = Set(slug);
    let tag = tag.update(db).await.on_unique(NAME_KEYS, "name", "A tag with this name already exists")?;
    state.public_cache.invalidate(&[CacheTag::Content]).await;
    Ok(tag)
}

/// Folds `from` into `into`: its posts move over and `from` is deleted.
pub async fn merge(state: &AppState, from: Uuid, into: Uuid) -> AppResult<tag::Model> {
    if from == into {
        return Err(AppError::bad_input("from", "A tag cannot be merged into itself"));
    }
    let txn = Write::begin(state).await?;
    let target = tag::Entity::find_by_id(into).one(&txn).await?.ok_or(AppError::NotFound("Tag"))?;
    tag::Entity::find_by_id(from).one(&txn).await?.ok_or(AppError::NotFound("Tag"))?;
    crate::domains::posts::service::retag(&txn, from, into).await?;
    tag::Entity::delete_by_id(from).exec(&txn).await?;
    txn.invalidate(CacheTag::Content);
    txn.commit().await?;
    Ok(target)
}

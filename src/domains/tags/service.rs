//! Tag rules: names are unique, slugs derive from names.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionSession,
    TransactionTrait,
};
use uuid::Uuid;

use crate::{
    error::{AppError, AppResult, OnConstraint, Unique},
    state::BeginWrite,
    values::TagName,
};
use entity::tag;

/// One tag per name, and per slug: a name that slugs like another tag's
/// ("Rust!" beside "Rust") is that tag's name to readers.
const NAME_KEYS: &[Unique] = &[Unique::new("tags_name_key", "tags.name"), Unique::new("tags_slug_key", "tags.slug")];

/// Every tag, alphabetically.
pub async fn list(db: &impl ConnectionTrait) -> AppResult<Vec<tag::Model>> {
    Ok(tag::Entity::find().order_by_asc(tag::Column::Name).all(db).await?)
}

pub async fn create(db: &impl ConnectionTrait, name: &str) -> AppResult<tag::Model> {
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
pub async fn rename(db: &impl ConnectionTrait, id: Uuid, name: &str) -> AppResult<tag::Model> {
    let (name, slug) = TagName::parse("name", name)?.into_parts();
    let mut tag: tag::ActiveModel = tag::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound("Tag"))?.into();
    tag.name = Set(name);
    tag.slug = Set(slug);
    tag.update(db).await.on_unique(NAME_KEYS, "name", "A tag with this name already exists")
}

/// Folds `from` into `into`: its posts move over and `from` is deleted.
pub async fn merge(db: &(impl ConnectionTrait + TransactionTrait), from: Uuid, into: Uuid) -> AppResult<tag::Model> {
    if from == into {
        return Err(AppError::bad_input("from", "A tag cannot be merged into itself"));
    }
    let txn = db.begin_write().await?;
    let target = tag::Entity::find_by_id(into).one(&txn).await?.ok_or(AppError::NotFound("Tag"))?;
    tag::Entity::find_by_id(from).one(&txn).await?.ok_or(AppError::NotFound("Tag"))?;
    crate::domains::posts::service::retag(&txn, from, into).await?;
    tag::Entity::delete_by_id(from).exec(&txn).await?;
    txn.commit().await?;
    Ok(target)
}

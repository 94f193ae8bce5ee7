//! Tag rules: names are unique, slugs derive from names.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, QueryOrder, Set};
use uuid::Uuid;

use crate::error::{AppError, AppResult, OnConstraint};
use entity::tag;

/// Every tag, alphabetically.
pub async fn list(db: &impl ConnectionTrait) -> AppResult<Vec<tag::Model>> {
    Ok(tag::Entity::find()
        .order_by_asc(tag::Column::Name)
        .all(db)
        .await?)
}

/// A URL-safe slug: lower-case ASCII letters and digits joined by single dashes.
pub fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').to_owned()
}

pub async fn create(db: &impl ConnectionTrait, name: &str) -> AppResult<tag::Model> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 64 {
        return Err(AppError::bad_input(
            "name",
            "A tag name has 1–64 characters",
        ));
    }
    let slug = slugify(name);
    if slug.is_empty() {
        return Err(AppError::bad_input(
            "name",
            "A tag name needs at least one letter or digit",
        ));
    }
    tag::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(name.to_owned()),
        slug: Set(slug),
        created_at: Set(Utc::now()),
    }
    .insert(db)
    .await
    .on_unique("name", "A tag with this name already exists")
}

#[cfg(test)]
mod tests {
    #[test]
    fn slugs() {
        assert_eq!(super::slugify("Rust & Async  I/O!"), "rust-async-i-o");
        assert_eq!(super::slugify("  --  "), "");
    }
}

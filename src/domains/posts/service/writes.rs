//! An author's edits: create, update (slug, redirects, tags), delete, and the
//! preview; plus series placement and tag merging for the series and tags domains.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set,
    sea_query::{Expr, Query},
};
use uuid::Uuid;

use super::get_editable;
use crate::{
    auth::Viewer,
    domains::{accounts::Role, posts::markdown, tags::service as tags},
    error::{AppError, AppResult, OnConstraint, Unique},
    infra::response_cache::CacheTag,
    jobs::Job,
    state::AppState,
    values::{Excerpt, PostBody, Slug, Title, WebUrl, slugify},
    write::Write,
};
use entity::{
    post::{self, Difficulty, Status},
    post_tag, redirect,
};

/// One post per slug, and one redirect per old slug.
const SLUG_KEY: Unique = Unique::new("posts_slug_key", "posts.slug");
const REDIRECT_KEY: Unique = Unique::new("redirects_pkey", "redirects.old_slug");

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

/// Characters of body text in an excerpt taken from the body.
pub const EXCERPT_CHARS: usize = 240;

/// The excerpt the author gave, or, when none or a blank one was given, the
/// body's first words (the field promises one "taken from the body").
fn excerpt_or_from_body(given: Option<&str>, body: &str) -> AppResult<String> {
    let given = given.map(|e| Excerpt::parse("excerpt", e)).transpose()?.map(Excerpt::into_inner);
    Ok(given.filter(|e| !e.is_empty()).unwrap_or_else(|| markdown::excerpt(body, EXCERPT_CHARS)))
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

/// A new draft. Readers do not see it, but its slug may take over another
/// post's old slug (that redirect goes), so cached answers are invalidated.
pub async fn create(state: &AppState, viewer: &Viewer, input: PostInput) -> AppResult<post::Model> {
    let author = viewer.require_role(Role::Author)?;
    let title = Title::parse("title", input.title.as_deref().unwrap_or(""))?;
    let body = PostBody::parse("body", input.body.as_deref().unwrap_or(""))?.into_inner();
    let slug = match &input.slug {
        Some(slug) => Slug::parse("slug", slug)?,
        None => Slug::parse("slug", &slugify(title.as_str()))
            .map_err(|_| AppError::bad_input("slug", "Give a slug: the title has no letters or digits"))?,
    };
    let excerpt = excerpt_or_from_body(input.excerpt.as_deref(), &body)?;
    let cover = input.cover_image_url.flatten().map(|u| WebUrl::parse("coverImageUrl", &u)).transpose()?;
    let txn = Write::begin(state).await?;
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
    txn.invalidate(CacheTag::Content);
    txn.commit().await?;
    Ok(post)
}

pub async fn update(state: &AppState, viewer: &Viewer, id: Uuid, input: PostInput) -> AppResult<post::Model> {
    let txn = Write::begin(state).await?;
    let current = get_editable(&txn, viewer, id).await?;
    let old_slug = current.slug.clone();
    // The excerpt follows the body while it is the one taken from it; one
    // the author wrote stays until the author changes it.
    let excerpt_was_derived =
        current.excerpt.is_empty() || current.excerpt == markdown::excerpt(&current.body, EXCERPT_CHARS);
    let current_body = current.body.clone();
    let mut post: post::ActiveModel = current.into();
    if let Some(title) = &input.title {
        post.title = Set(Title::parse("title", title)?.into_inner());
    }
    let body = match &input.body {
        Some(body) => {
            let body = PostBody::parse("body", body)?.into_inner();
            post.body_html = Set(markdown::render(&body));
            post.html_version = Set(markdown::RENDERER_VERSION);
            post.reading_minutes = Set(markdown::reading_minutes(&body));
            post.body = Set(body.clone());
            body
        }
        None => current_body,
    };
    if input.excerpt.is_some() || (input.body.is_some() && excerpt_was_derived) {
        post.excerpt = Set(excerpt_or_from_body(input.excerpt.as_deref(), &body)?);
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
    txn.invalidate(CacheTag::Content);
    txn.commit().await?;
    Ok(post)
}

pub async fn delete(state: &AppState, viewer: &Viewer, id: Uuid) -> AppResult<bool> {
    let post = get_editable(&state.db, viewer, id).await?;
    post::Entity::delete_by_id(post.id).exec(&state.db).await?;
    state.public_cache.invalidate(&[CacheTag::Content]).await;
    Ok(true)
}

/// Puts a post into a series at `position` (1-based; the end when None), or
/// takes it out (inside the series domain's change, which invalidates the cache).
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

/// Moves every post of a tag to another (tag merging, which invalidates the cache).
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

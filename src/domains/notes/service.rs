//! Study note rules: a note belongs to one reader and one post they may
//! open; its text is markdown (rendered like a comment when read); a quote
//! must be a passage of the post's text, and only a post the reader may read
//! in full can be quoted (checking a quote against a locked body would reveal
//! it a guess at a time).

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    Set,
    sea_query::{Expr, ExprTrait, Func},
};
use uuid::Uuid;

use crate::{
    auth::Viewer,
    domains::{
        entitlements::service as entitlements,
        posts::{markdown, service as posts},
    },
    error::{AppError, AppResult},
    pagination::{Cursor, Key, Page, PageArgs, Sort, paginate},
    state::AppState,
    values::multiline_text,
};
use entity::{post, study_note};

/// Longest note, in characters.
pub const MAX_BODY_CHARS: usize = 20_000;
/// Longest quote, in characters.
pub const MAX_QUOTE_CHARS: usize = 1_000;
/// Longest search text, in characters.
pub const MAX_SEARCH_CHARS: usize = 200;
/// Most notes one reader keeps (a bound on what an export reads at once).
pub const MAX_NOTES_PER_USER: u64 = 5_000;

/// What a reader writes: the note and, optionally, the passage it is about.
#[derive(Debug, Clone, Default)]
pub struct NoteInput {
    pub body: Option<String>,
    /// `Some(None)` removes the quote on update.
    pub quote: Option<Option<String>>,
}

fn parse_body(raw: &str) -> AppResult<String> {
    let body = multiline_text("body", raw, MAX_BODY_CHARS, "A note")?;
    if body.is_empty() {
        return Err(AppError::bad_input("body", "A note cannot be empty"));
    }
    Ok(body)
}

/// Whitespace runs as one space, so a passage quoted from the rendered page
/// matches the text however the markdown wrapped it.
fn squeeze(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The quote, checked against the post's text; None for an empty one.
async fn parse_quote(state: &AppState, viewer: &Viewer, post: &post::Model, raw: &str) -> AppResult<Option<String>> {
    let quote = multiline_text("quote", raw, MAX_QUOTE_CHARS, "A quote")?;
    if quote.is_empty() {
        return Ok(None);
    }
    let locked = post.is_premium
        && !viewer.is_owner_or_admin(post.author_id)
        && !entitlements::can_read_premium(state, viewer).await?;
    if locked {
        return Err(AppError::bad_input("quote", "This post is locked for you, so a note cannot quote it"));
    }
    let text = squeeze(&markdown::plain_text(&post.body));
    let quote = squeeze(&quote);
    if !text.contains(&quote) {
        return Err(AppError::bad_input("quote", "The quote is not a passage of this post"));
    }
    Ok(Some(quote))
}

/// A note of the viewer's, or NOT_FOUND (another reader's notes do not exist for them).
async fn get_own(db: &impl ConnectionTrait, viewer: &Viewer, id: Uuid) -> AppResult<study_note::Model> {
    let user_id = viewer.require_signed_in()?;
    study_note::Entity::find_by_id(id)
        .filter(study_note::Column::UserId.eq(user_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound("Study note"))
}

/// Writes a note on a post the viewer may open.
pub async fn create(
    state: &AppState,
    viewer: &Viewer,
    post_id: Uuid,
    input: NoteInput,
) -> AppResult<study_note::Model> {
    let user_id = viewer.require_signed_in()?;
    let body = parse_body(input.body.as_deref().unwrap_or_default())?;
    let post = posts::get_readable(&state.db, viewer, post_id).await?;
    let quote = match input.quote.flatten() {
        Some(raw) => parse_quote(state, viewer, &post, &raw).await?,
        None => None,
    };
    let kept = study_note::Entity::find().filter(study_note::Column::UserId.eq(user_id)).count(&state.db).await?;
    if kept >= MAX_NOTES_PER_USER {
        return Err(AppError::bad_input(
            "postId",
            format!("You have {MAX_NOTES_PER_USER} notes, the most one reader keeps: delete some first"),
        ));
    }
    let now = Utc::now();
    let note = study_note::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        post_id: Set(post.id),
        body: Set(body),
        quote: Set(quote),
        created_at: Set(now),
        updated_at: Set(now),
    };
    Ok(note.insert(&state.db).await?)
}

/// Changes a note's text or quote (what is not given stays).
pub async fn update(state: &AppState, viewer: &Viewer, id: Uuid, input: NoteInput) -> AppResult<study_note::Model> {
    let note = get_own(&state.db, viewer, id).await?;
    let body = input.body.as_deref().map(parse_body).transpose()?;
    let quote = match input.quote {
        None => None,
        Some(None) => Some(None),
        Some(Some(raw)) => {
            let post = posts::get_readable(&state.db, viewer, note.post_id).await?;
            Some(parse_quote(state, viewer, &post, &raw).await?)
        }
    };
    let mut active: study_note::ActiveModel = note.into();
    if let Some(body) = body {
        active.body = Set(body);
    }
    if let Some(quote) = quote {
        active.quote = Set(quote);
    }
    active.updated_at = Set(Utc::now());
    Ok(active.update(&state.db).await?)
}

/// Deletes a note of the viewer's; returns its id.
pub async fn delete(db: &impl ConnectionTrait, viewer: &Viewer, id: Uuid) -> AppResult<Uuid> {
    let note = get_own(db, viewer, id).await?;
    study_note::Entity::delete_by_id(note.id).exec(db).await?;
    Ok(note.id)
}

/// A search text as a LIKE pattern matching it anywhere, case-insensitively
/// (the text is lower-cased here and the column in SQL; `\` escapes `%` and `_`).
fn like_pattern(raw: &str) -> AppResult<Option<String>> {
    let text = multiline_text("search", raw, MAX_SEARCH_CHARS, "A search")?;
    if text.is_empty() {
        return Ok(None);
    }
    let escaped: String = text
        .to_lowercase()
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    Ok(Some(format!("%{escaped}%")))
}

fn matching(pattern: &str) -> Condition {
    let like = |column: study_note::Column| {
        Expr::expr(Func::lower(Expr::col(column))).like(sea_orm::sea_query::LikeExpr::new(pattern).escape('\\'))
    };
    Condition::any().add(like(study_note::Column::Body)).add(like(study_note::Column::Quote))
}

/// The viewer's notes on posts they can still open, latest change first,
/// optionally only those whose text or quote contains `search`.
pub async fn list(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    search: Option<&str>,
    args: &PageArgs,
) -> AppResult<Page<study_note::Model>> {
    let user_id = viewer.require_signed_in()?;
    let mut select = study_note::Entity::find()
        .filter(study_note::Column::UserId.eq(user_id))
        .filter(study_note::Column::PostId.in_subquery(posts::readable_ids(viewer, db.get_database_backend())));
    if let Some(pattern) = search.map(like_pattern).transpose()?.flatten() {
        select = select.filter(matching(&pattern));
    }
    let sort = Sort { column: Some(study_note::Column::UpdatedAt), descending: true };
    let cursor_of = |n: &study_note::Model| Cursor { key: Key::Time(n.updated_at), id: n.id };
    paginate(db, select, study_note::Column::Id, sort, cursor_of, args).await
}

/// `user_id`'s notes on each of these posts, oldest first.
pub async fn notes_on_posts(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    post_ids: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<study_note::Model>>> {
    if post_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let notes = study_note::Entity::find()
        .filter(study_note::Column::UserId.eq(user_id))
        .filter(study_note::Column::PostId.is_in(post_ids.iter().copied()))
        .order_by_asc(study_note::Column::CreatedAt)
        .order_by_asc(study_note::Column::Id)
        .all(db)
        .await?;
    let mut by_post: HashMap<Uuid, Vec<study_note::Model>> = HashMap::new();
    for note in notes {
        by_post.entry(note.post_id).or_default().push(note);
    }
    Ok(by_post)
}

/// Every note of the viewer's on posts they can still open, as one markdown
/// document: a section per post (in the order the posts were first noted),
/// each note under it oldest first, quotes as blockquotes.
pub async fn export_markdown(state: &AppState, viewer: &Viewer) -> AppResult<String> {
    let db = &state.db;
    let user_id = viewer.require_signed_in()?;
    let notes = study_note::Entity::find()
        .filter(study_note::Column::UserId.eq(user_id))
        .filter(study_note::Column::PostId.in_subquery(posts::readable_ids(viewer, db.get_database_backend())))
        .order_by_asc(study_note::Column::CreatedAt)
        .order_by_asc(study_note::Column::Id)
        .all(db)
        .await?;
    let mut post_ids: Vec<Uuid> = Vec::new();
    for note in &notes {
        if !post_ids.contains(&note.post_id) {
            post_ids.push(note.post_id);
        }
    }
    let posts: HashMap<Uuid, post::Model> =
        posts::posts_by_ids(db, &post_ids).await?.into_iter().map(|p| (p.id, p)).collect();
    Ok(render_export(&notes, &post_ids, &posts, |slug| state.link(&format!("/posts/{slug}"), None)))
}

fn render_export(
    notes: &[study_note::Model],
    post_order: &[Uuid],
    posts: &HashMap<Uuid, post::Model>,
    link: impl Fn(&str) -> String,
) -> String {
    let mut out = String::from("# Study notes\n");
    if notes.is_empty() {
        out.push_str("\nNo notes yet.\n");
        return out;
    }
    for post_id in post_order {
        let Some(post) = posts.get(post_id) else { continue };
        // A title is one line of plain text; `#` and `[` in it stay text.
        let title = post.title.replace(['\n', '\r'], " ").replace('[', "\\[").replace(']', "\\]");
        out.push_str(&format!("\n## [{title}](<{}>)\n", link(&post.slug)));
        for note in notes.iter().filter(|n| n.post_id == *post_id) {
            out.push_str(&format!("\n*{}*\n\n", note.updated_at.format("%Y-%m-%d %H:%M UTC")));
            if let Some(quote) = &note.quote {
                out.push_str(&format!("> {}\n\n", quote.replace('\n', "\n> ")));
            }
            out.push_str(note.body.trim_end());
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_text_is_a_literal_case_insensitive_pattern() {
        assert_eq!(like_pattern("  Ownership ").unwrap().as_deref(), Some("%ownership%"));
        assert_eq!(like_pattern("50%_off\\").unwrap().as_deref(), Some("%50\\%\\_off\\\\%"));
        assert_eq!(like_pattern("   ").unwrap(), None);
        assert!(like_pattern(&"x".repeat(MAX_SEARCH_CHARS + 1)).is_err());
        assert!(like_pattern("nul\0").is_err());
    }

    #[test]
    fn bodies_are_trimmed_bounded_and_free_of_control_characters() {
        assert_eq!(parse_body("  a\r\nb  ").unwrap(), "a\nb");
        assert!(parse_body("   ").is_err());
        assert!(parse_body("bell\u{7}").is_err());
        assert!(parse_body(&"x".repeat(MAX_BODY_CHARS)).is_ok());
        let err = parse_body(&"x".repeat(MAX_BODY_CHARS + 1)).unwrap_err();
        assert!(matches!(err, AppError::BadUserInput { field: "body", .. }));
    }

    #[test]
    fn the_export_groups_notes_by_post_with_quotes() {
        let now = Utc::now();
        let post = post::Model { title: "Ownership [explained]".into(), slug: "ownership".into(), ..test_post() };
        let note = |body: &str, quote: Option<&str>| study_note::Model {
            id: Uuid::now_v7(),
            user_id: Uuid::nil(),
            post_id: post.id,
            body: body.into(),
            quote: quote.map(Into::into),
            created_at: now,
            updated_at: now,
        };
        let notes = vec![note("First **note**", Some("a line\nand another")), note("Second", None)];
        let posts = HashMap::from([(post.id, post.clone())]);
        let link = |slug: &str| format!("https://lectern.example/posts/{slug}");
        let doc = render_export(&notes, &[post.id], &posts, link);
        assert!(doc.starts_with("# Study notes\n"));
        assert!(doc.contains("## [Ownership \\[explained\\]](<https://lectern.example/posts/ownership>)"), "{doc}");
        assert!(doc.contains("> a line\n> and another\n\nFirst **note**\n"), "{doc}");
        assert!(doc.find("First").unwrap() < doc.find("Second").unwrap());
        assert_eq!(render_export(&[], &[], &HashMap::new(), link), "# Study notes\n\nNo notes yet.\n");
    }

    fn test_post() -> post::Model {
        let now = Utc::now();
        post::Model {
            id: Uuid::now_v7(),
            author_id: Uuid::nil(),
            series_id: None,
            series_position: None,
            title: String::new(),
            slug: String::new(),
            excerpt: String::new(),
            body: String::new(),
            body_html: String::new(),
            cover_image_url: None,
            status: post::Status::Published,
            difficulty: post::Difficulty::Beginner,
            is_premium: false,
            reading_minutes: 1,
            published_at: Some(now),
            created_at: now,
            updated_at: now,
            html_version: 0,
        }
    }
}

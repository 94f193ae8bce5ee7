//! What a card shows: the review prompts the post's author wrote (what a reader
//! should recall), or without them the post's outline, its headings and
//! excerpt. A premium post the reader is no longer entitled to shows only its
//! excerpt, which every reader sees anyway.

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use crate::{
    auth::Viewer,
    domains::posts::{markdown, service as posts},
    error::{AppError, AppResult},
    state::{AppState, BeginWrite},
};
use entity::{post, review_prompt};

/// Most prompts one post may have.
pub const MAX_PROMPTS: usize = 10;
/// Longest prompt, in characters.
pub const MAX_PROMPT_CHARS: usize = 300;
/// Headings a card shows at most, and the deepest level it takes them from.
const MAX_HEADINGS: usize = 12;
const HEADING_LEVELS: usize = 3;

/// Where a card's key points come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, async_graphql::Enum)]
#[graphql(name = "ReviewKeyPointsSource")]
pub enum KeyPointsSource {
    /// The review prompts the post's author wrote.
    Prompts,
    /// The post's headings, then its excerpt (the author wrote no prompts).
    Outline,
    /// Only the excerpt: the post is premium and the reader is not entitled to it now.
    Excerpt,
}

/// The lines a card shows and where they come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPoints {
    pub points: Vec<String>,
    pub source: KeyPointsSource,
}

/// The key points of `post` for a reader: its `prompts` when it has any, its
/// outline otherwise, only its excerpt when `locked`.
pub fn key_points(post: &post::Model, prompts: &[String], locked: bool) -> KeyPoints {
    let excerpt = post.excerpt.trim();
    if locked {
        let points = if excerpt.is_empty() { Vec::new() } else { vec![excerpt.to_owned()] };
        return KeyPoints { points, source: KeyPointsSource::Excerpt };
    }
    if !prompts.is_empty() {
        return KeyPoints { points: prompts.to_vec(), source: KeyPointsSource::Prompts };
    }
    // The title usually opens the body as its first heading; the card shows the title anyway.
    let mut points: Vec<String> = Vec::new();
    for heading in markdown::headings(&post.body, HEADING_LEVELS) {
        if !heading.eq_ignore_ascii_case(post.title.trim()) && !points.contains(&heading) {
            points.push(heading);
        }
        if points.len() == MAX_HEADINGS {
            break;
        }
    }
    if !excerpt.is_empty() {
        points.push(excerpt.to_owned());
    }
    KeyPoints { points, source: KeyPointsSource::Outline }
}

/// Checks a list of prompts: at most [`MAX_PROMPTS`], each 1–[`MAX_PROMPT_CHARS`]
/// characters after trimming, with no control characters (line breaks included:
/// a prompt is one line). BAD_USER_INPUT on `prompts` otherwise.
pub fn parse_prompts(prompts: &[String]) -> AppResult<Vec<String>> {
    if prompts.len() > MAX_PROMPTS {
        return Err(AppError::bad_input("prompts", format!("A post has at most {MAX_PROMPTS} review prompts")));
    }
    prompts
        .iter()
        .enumerate()
        .map(|(index, prompt)| {
            let number = index + 1;
            if prompt.chars().any(char::is_control) {
                return Err(AppError::bad_input(
                    "prompts",
                    format!("Prompt {number} has a control character (prompts are one line of text)"),
                ));
            }
            let prompt = prompt.trim();
            if prompt.is_empty() {
                return Err(AppError::bad_input("prompts", format!("Prompt {number} is empty")));
            }
            if prompt.chars().count() > MAX_PROMPT_CHARS {
                return Err(AppError::bad_input(
                    "prompts",
                    format!("Prompt {number} is longer than {MAX_PROMPT_CHARS} characters"),
                ));
            }
            Ok(prompt.to_owned())
        })
        .collect()
}

/// Replaces the review prompts of a post the viewer may edit (its author or an
/// admin); an empty list removes them. Returns the prompts as stored.
pub async fn set_prompts(
    state: &AppState,
    viewer: &Viewer,
    post_id: Uuid,
    prompts: &[String],
) -> AppResult<Vec<String>> {
    let prompts = parse_prompts(prompts)?;
    let txn = state.db.begin_write().await?;
    let post = posts::get_editable(&txn, viewer, post_id).await?;
    review_prompt::Entity::delete_many().filter(review_prompt::Column::PostId.eq(post.id)).exec(&txn).await?;
    if !prompts.is_empty() {
        let now = Utc::now();
        let rows = prompts.iter().enumerate().map(|(position, text)| review_prompt::ActiveModel {
            post_id: Set(post.id),
            position: Set(position as i32),
            text: Set(text.clone()),
            updated_at: Set(now),
        });
        review_prompt::Entity::insert_many(rows).exec_without_returning(&txn).await?;
    }
    txn.commit().await?;
    Ok(prompts)
}

/// The review prompts of a post the viewer may edit, for the editor.
pub async fn prompts_for_editor(db: &impl ConnectionTrait, viewer: &Viewer, post_id: Uuid) -> AppResult<Vec<String>> {
    let post = posts::get_editable(db, viewer, post_id).await?;
    Ok(prompts_of_posts(db, &[post.id]).await?.remove(&post.id).unwrap_or_default())
}

/// The review prompts of each post, in order (posts without any are absent).
pub async fn prompts_of_posts(db: &impl ConnectionTrait, post_ids: &[Uuid]) -> AppResult<HashMap<Uuid, Vec<String>>> {
    if post_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = review_prompt::Entity::find()
        .filter(review_prompt::Column::PostId.is_in(post_ids.iter().copied()))
        .order_by_asc(review_prompt::Column::PostId)
        .order_by_asc(review_prompt::Column::Position)
        .all(db)
        .await?;
    let mut by_post: HashMap<Uuid, Vec<String>> = HashMap::new();
    for row in rows {
        by_post.entry(row.post_id).or_default().push(row.text);
    }
    Ok(by_post)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(title: &str, body: &str, excerpt: &str) -> post::Model {
        let now = Utc::now();
        post::Model {
            id: Uuid::now_v7(),
            author_id: Uuid::now_v7(),
            series_id: None,
            series_position: None,
            title: title.into(),
            slug: "a-post".into(),
            excerpt: excerpt.into(),
            body: body.into(),
            body_html: String::new(),
            html_version: markdown::RENDERER_VERSION,
            status: post::Status::Published,
            difficulty: post::Difficulty::Beginner,
            reading_minutes: 1,
            is_premium: false,
            cover_image_url: None,
            published_at: Some(now),
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn without_prompts_a_card_shows_the_outline() {
        let body = "# Ownership\n\nIntro.\n\n## Moves\n\n### Copy types\n\n#### Too deep\n\n## Moves\n\n## Borrowing";
        let post = sample("Ownership", body, "Who owns a value.");
        let outline = key_points(&post, &[], false);
        assert_eq!(outline.source, KeyPointsSource::Outline);
        assert_eq!(outline.points, ["Moves", "Copy types", "Borrowing", "Who owns a value."]);
        let prompts = vec!["What does a move do?".to_owned()];
        assert_eq!(key_points(&post, &prompts, false), KeyPoints { points: prompts, source: KeyPointsSource::Prompts });
        let locked = key_points(&post, &["Secret".to_owned()], true);
        assert_eq!(locked, KeyPoints { points: vec!["Who owns a value.".into()], source: KeyPointsSource::Excerpt });
        let bare = key_points(&sample("Bare", "Just text.", ""), &[], false);
        assert!(bare.points.is_empty());
    }

    #[test]
    fn prompts_are_bounded_single_lines() {
        assert_eq!(parse_prompts(&["  Why?  ".into()]).unwrap(), ["Why?"]);
        assert!(parse_prompts(&[]).unwrap().is_empty());
        let field = |r: AppResult<Vec<String>>| match r {
            Err(AppError::BadUserInput { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(parse_prompts(&vec!["Q".to_owned(); MAX_PROMPTS + 1])), "prompts");
        assert_eq!(field(parse_prompts(&["x".repeat(MAX_PROMPT_CHARS + 1)])), "prompts");
        assert!(parse_prompts(&["é".repeat(MAX_PROMPT_CHARS)]).is_ok(), "characters, not bytes");
        assert_eq!(field(parse_prompts(&["   ".into()])), "prompts");
        for control in ["a\nb", "a\u{0}b", "a\u{7}b", "tab\there", "a\u{9b}b"] {
            assert_eq!(field(parse_prompts(&[control.into()])), "prompts", "{control:?}");
        }
    }
}

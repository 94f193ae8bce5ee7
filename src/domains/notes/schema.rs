//! GraphQL surface of study notes: write, change and delete notes, list and
//! search them across posts, export them as markdown, and `Post.viewerNotes`.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{loaders::ViewerNotes, service};
use crate::{
    domains::posts::{loaders::ReadablePostById, markdown, schema::Post},
    error::AppError,
    graphql::{
        ContextExt, Require,
        pagination::{Connection, connection, page_args},
        parse_id,
    },
};
use entity::study_note;

/// The viewer's notes on a post, oldest first; empty when anonymous. Batched per page.
pub async fn viewer_notes(ctx: &Context<'_>, post_id: Uuid) -> Result<Vec<StudyNote>> {
    if ctx.viewer().id().is_none() {
        return Ok(Vec::new());
    }
    Ok(ctx.loader().load_one(ViewerNotes(post_id)).await?.unwrap_or_default().into_iter().map(StudyNote).collect())
}

/// A private note of the viewer's on a post.
pub struct StudyNote(pub study_note::Model);

#[Object]
impl StudyNote {
    /// The note's id (for `updateStudyNote` and `deleteStudyNote`).
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The post the note is on (null once the viewer can no longer open it).
    async fn post(&self, ctx: &Context<'_>) -> Result<Option<Post>> {
        Ok(ctx.loader().load_one(ReadablePostById(self.0.post_id)).await?.map(Post::from))
    }

    /// The note as written (markdown).
    async fn body(&self) -> &str {
        &self.0.body
    }

    /// The note rendered like a comment: a safe subset of markdown, sanitised.
    async fn body_html(&self) -> String {
        markdown::render_comment(&self.0.body)
    }

    /// The passage of the post the note is about, whitespace as one space; null when not anchored.
    async fn quote(&self) -> Option<&str> {
        self.0.quote.as_deref()
    }

    /// When the note was written.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When the text or quote last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// A new note.
#[derive(InputObject)]
pub struct CreateStudyNoteInput {
    /// A post the viewer may open.
    post_id: ID,
    /// Markdown, 1–20,000 characters, no control characters but line breaks and tabs.
    body: String,
    /// A passage of the post (as shown on the page, up to 1,000 characters) to anchor the note to.
    /// Only a post the viewer may read in full can be quoted.
    quote: Option<String>,
}

/// Changes to a note: what is left out stays.
#[derive(InputObject)]
pub struct UpdateStudyNoteInput {
    /// New markdown, 1–20,000 characters.
    body: Option<String>,
    /// A new passage to anchor the note to; null removes the anchor.
    quote: MaybeUndefined<String>,
}

#[derive(Default)]
pub struct NotesQuery;

#[Object]
impl NotesQuery {
    /// The viewer's study notes on posts they can still open, latest change first;
    /// `search` keeps the notes whose text or quote contains it (any case).
    #[graphql(
        guard = "Require::SignedIn",
        complexity = "crate::graphql::pagination::page_complexity(child_complexity, first, last)"
    )]
    async fn study_notes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Text the note or its quote contains, any case; up to 200 characters.")] search: Option<
            String,
        >,
        #[graphql(desc = "How many notes after `after`; at most 100.")] first: Option<i32>,
        #[graphql(desc = "A cursor from this list: notes after it.")] after: Option<String>,
        #[graphql(desc = "How many notes before `before`; at most 100.")] last: Option<i32>,
        #[graphql(desc = "A cursor from this list: notes before it.")] before: Option<String>,
    ) -> Result<Connection<StudyNote>> {
        let args = page_args(ctx, first, after, last, before);
        let page = service::list(&ctx.state().db, ctx.viewer(), search.as_deref(), &args).await?;
        Ok(connection(page, StudyNote))
    }

    /// Every study note of the viewer's as one markdown document: a section per
    /// post (with its link), quotes as blockquotes, oldest note first.
    #[graphql(guard = "Require::SignedIn")]
    async fn study_notes_markdown(&self, ctx: &Context<'_>) -> Result<String> {
        Ok(service::export_markdown(ctx.state(), ctx.viewer()).await?)
    }
}

#[derive(Default)]
pub struct NotesMutation;

#[Object]
impl NotesMutation {
    /// Writes a private note on a post (at most 5,000 notes per reader).
    #[graphql(guard = "Require::SignedIn")]
    async fn create_study_note(&self, ctx: &Context<'_>, input: CreateStudyNoteInput) -> Result<StudyNote> {
        let post_id = parse_id("postId", &input.post_id)?;
        let note = service::NoteInput { body: Some(input.body), quote: Some(input.quote) };
        Ok(StudyNote(service::create(ctx.state(), ctx.viewer(), post_id, note).await?))
    }

    /// Changes one of the viewer's notes; NOT_FOUND for anyone else's.
    #[graphql(guard = "Require::SignedIn")]
    async fn update_study_note(&self, ctx: &Context<'_>, id: ID, input: UpdateStudyNoteInput) -> Result<StudyNote> {
        let id = parse_id("id", &id)?;
        let quote = match input.quote {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(quote) => Some(Some(quote)),
        };
        if input.body.is_none() && quote.is_none() {
            return Err(AppError::bad_input("input", "Give a new body or quote").into());
        }
        let note = service::NoteInput { body: input.body, quote };
        Ok(StudyNote(service::update(ctx.state(), ctx.viewer(), id, note).await?))
    }

    /// Deletes one of the viewer's notes and returns its id; NOT_FOUND for anyone else's.
    #[graphql(guard = "Require::SignedIn")]
    async fn delete_study_note(&self, ctx: &Context<'_>, id: ID) -> Result<ID> {
        let id = parse_id("id", &id)?;
        Ok(ID(service::delete(&ctx.state().db, ctx.viewer(), id).await?.to_string()))
    }
}

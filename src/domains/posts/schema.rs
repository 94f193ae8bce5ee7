//! GraphQL surface of posts: the `Post` type, the feed and post queries, and
//! the authoring mutations.

use std::borrow::Cow;

use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object, Result};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{
    loaders::{PostBodies, PostsOfSeries, TagsOfPost},
    service::{self, PostFilter, PostInput, PostOrder},
};
use crate::{
    domains::{
        accounts::{loaders::UserById, schema::User},
        bookmarks,
        comments::schema::{self as comments, Comment},
        entitlements::{loaders::PremiumAccess, service::Plan},
        notes::{self, schema::StudyNote},
        progress::schema::ReadingProgress,
        reactions::{
            self,
            schema::{GqlReactionKind, ReactionCount},
        },
        reviews::{self, schema::ReviewCard},
        series::{loaders::SeriesById, schema::Series},
        tags::schema::Tag,
        views,
    },
    graphql::{
        ContextExt,
        pagination::{Connection, connection, page_args},
        parse_id,
    },
};
use entity::{post, post_count, series, user};

/// Where a post is in its life.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(name = "PostStatus", remote = "entity::post::Status")]
pub enum GqlPostStatus {
    /// Only its author and admins see it.
    Draft,
    /// Everyone sees it.
    Published,
    /// Becomes visible at `publishedAt`.
    Scheduled,
}

/// How much a reader should already know.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(name = "Difficulty", remote = "entity::post::Difficulty")]
pub enum GqlDifficulty {
    /// New to the topic.
    Beginner,
    /// Knows the basics.
    Intermediate,
    /// Wants the details.
    Advanced,
}

/// A post: an article readers read, possibly part of a series; with what was
/// read in its own statement ([`Read`]).
pub struct Post(pub post::Model, Read);

/// What was read with a post in its own statement, and how the rest is read.
#[derive(Default)]
struct Read {
    /// Its counters: a page of posts and the post page read them with their
    /// posts, else `commentCount` and `reactions` load them.
    counts: Option<post_count::Model>,
    /// Its author and its series: the post page reads them with the post, else
    /// `author` and `series` load them.
    author: Option<user::Model>,
    series: Option<series::Model>,
    /// Whether the request reads the series' posts (previous/next, the series'
    /// progress): the viewer's marks on this post then wait for them, so they
    /// are read in one statement with the marks on the series' posts.
    marks_with_series: bool,
}

impl From<post::Model> for Post {
    fn from(model: post::Model) -> Self {
        Post(model, Read::default())
    }
}

impl From<service::Joined> for Post {
    fn from((model, counts, author, series): service::Joined) -> Self {
        Post(model, Read { counts, author, series, marks_with_series: false })
    }
}

impl Post {
    /// The post page's post, with what was read with it.
    fn page(ctx: &Context<'_>, joined: service::Joined) -> Self {
        let mut post = Post::from(joined);
        let selection = ctx.look_ahead();
        let series = selection.field("series");
        post.1.marks_with_series = ctx.viewer().id().is_some()
            && post.0.series_id.is_some()
            && (selection.field("previousInSeries").exists()
                || selection.field("nextInSeries").exists()
                || SERIES_POSTS_FIELDS.iter().any(|field| series.field(field).exists()));
        post
    }

    /// Waits for the post's series' posts when the request reads them anyway
    /// (see [`Read::marks_with_series`]); the batch is the one the series and
    /// previous/next already ask for, so it costs no statement.
    async fn before_marks(&self, ctx: &Context<'_>) -> Result<()> {
        if let (true, Some(series_id)) = (self.1.marks_with_series, self.0.series_id) {
            ctx.loader().load_one(PostsOfSeries(series_id)).await?;
        }
        Ok(())
    }
}

/// The fields of a series that read its posts.
const SERIES_POSTS_FIELDS: [&str; 3] = ["posts", "postCount", "viewerProgress"];

/// Whether a connection of posts shows their counters (`commentCount`,
/// `reactions`), which the page then reads with its posts.
pub fn asks_for_counts(ctx: &Context<'_>) -> bool {
    let selection = ctx.look_ahead();
    [selection.field("edges").field("node"), selection.field("nodes")]
        .iter()
        .any(|node| node.field("commentCount").exists() || node.field("reactions").exists())
}

impl Post {
    /// Premium and the viewer is not entitled (authors and admins always are for their posts).
    async fn locked(&self, ctx: &Context<'_>) -> Result<bool> {
        if !self.0.is_premium || ctx.viewer().is_owner_or_admin(self.0.author_id) {
            return Ok(false);
        }
        let Some(viewer) = ctx.viewer().id() else { return Ok(true) };
        Ok(!ctx.loader().load_one(PremiumAccess(viewer)).await?.unwrap_or(false))
    }

    /// One of the bodies: from the row when it was read with them, else
    /// through `PostBodies` (lists read rows without them).
    async fn bodies(
        &self,
        ctx: &Context<'_>,
        pick: fn((String, String)) -> String,
        field: fn(&post::Model) -> &String,
    ) -> Result<Cow<'_, str>> {
        if service::has_bodies(&self.0) {
            return Ok(Cow::Borrowed(field(&self.0).as_str()));
        }
        let loaded = ctx.loader().load_one(PostBodies(self.0.id)).await?;
        Ok(Cow::Owned(loaded.map(pick).unwrap_or_default()))
    }

    async fn neighbour(&self, ctx: &Context<'_>, offset: isize) -> Result<Option<Post>> {
        let Some(series_id) = self.0.series_id else { return Ok(None) };
        let posts = ctx.loader().load_one(PostsOfSeries(series_id)).await?.unwrap_or_default();
        let Some(index) = posts.iter().position(|p| p.id == self.0.id) else { return Ok(None) };
        Ok(index.checked_add_signed(offset).and_then(|i| posts.get(i)).cloned().map(Post::from))
    }
}

#[Object]
impl Post {
    /// The post's stable id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The post's address: `/posts/<slug>`. Old slugs keep resolving through `post(slug:)`.
    async fn slug(&self) -> &str {
        &self.0.slug
    }

    /// The headline, 1–200 characters.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// A short summary, always shown (also for locked premium posts).
    async fn excerpt(&self) -> &str {
        &self.0.excerpt
    }

    /// The markdown source; null when the post is premium and the viewer is not entitled.
    async fn body(&self, ctx: &Context<'_>) -> Result<Option<Cow<'_, str>>> {
        if self.locked(ctx).await? {
            return Ok(None);
        }
        Ok(Some(self.bodies(ctx, |(body, _)| body, |post| &post.body).await?))
    }

    /// Rendered, sanitised HTML of the body; null when locked (see `isLocked`).
    async fn body_html(&self, ctx: &Context<'_>) -> Result<Option<Cow<'_, str>>> {
        if self.locked(ctx).await? {
            return Ok(None);
        }
        Ok(Some(self.bodies(ctx, |(_, html)| html, |post| &post.body_html).await?))
    }

    /// True when the body is withheld from this viewer; `requiredPlan` says what unlocks it.
    async fn is_locked(&self, ctx: &Context<'_>) -> Result<bool> {
        self.locked(ctx).await
    }

    /// The plan that unlocks this post, or null when it is free.
    async fn required_plan(&self) -> Option<Plan> {
        self.0.is_premium.then_some(Plan::Premium)
    }

    /// Whether the post is for premium readers.
    async fn is_premium(&self) -> bool {
        self.0.is_premium
    }

    /// Who wrote the post.
    async fn author(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        let author = match &self.1.author {
            Some(author) => Some(author.clone()),
            None => ctx.loader().load_one(UserById(self.0.author_id)).await?,
        };
        Ok(author.map(User::from))
    }

    /// Tags, alphabetically.
    async fn tags(&self, ctx: &Context<'_>) -> Result<Vec<Tag>> {
        Ok(ctx.loader().load_one(TagsOfPost(self.0.id)).await?.unwrap_or_default().into_iter().map(Tag::from).collect())
    }

    /// The series this post belongs to.
    async fn series(&self, ctx: &Context<'_>) -> Result<Option<Series>> {
        let Some(id) = self.0.series_id else { return Ok(None) };
        let series = async {
            match &self.1.series {
                Some(series) => Ok(Some(series.clone())),
                None => ctx.loader().load_one(SeriesById(id)).await,
            }
        };
        let selection = ctx.look_ahead();
        if !SERIES_POSTS_FIELDS.iter().any(|field| selection.field(field).exists()) {
            return Ok(series.await?.map(Series::from));
        }
        // The series' posts are asked for with the series itself, in the same
        // batch as `previousInSeries`/`nextInSeries` (which share the key), not
        // one batch later by the series' own fields.
        let (series, posts) = futures::try_join!(series, ctx.loader().load_one(PostsOfSeries(id)))?;
        Ok(series.map(|series| Series::with_posts(series, posts.unwrap_or_default())))
    }

    /// Position in its series, from 1.
    async fn series_position(&self) -> Option<i32> {
        self.0.series_position
    }

    /// The post before this one in its series (that the viewer may read).
    async fn previous_in_series(&self, ctx: &Context<'_>) -> Result<Option<Post>> {
        self.neighbour(ctx, -1).await
    }

    /// The post after this one in its series (that the viewer may read).
    async fn next_in_series(&self, ctx: &Context<'_>) -> Result<Option<Post>> {
        self.neighbour(ctx, 1).await
    }

    /// The discussion: root comments in order, each with its replies nested to any depth.
    /// Deleted or hidden comments that have replies keep their place.
    #[graphql(deprecation = "Loads the whole discussion at once; page through `thread` instead.")]
    async fn comments(&self, ctx: &Context<'_>) -> Result<Vec<Comment>> {
        ctx.depends_on_post(self.0.id);
        comments::comments_of_post(ctx, self.0.id).await
    }

    /// The discussion as a flat list, one page at a time: each comment is
    /// followed by its replies (oldest first) at any depth, and carries its
    /// `depth` and `parentId`, so a client indents rather than nests. Deleted
    /// or hidden comments that have readable replies keep their place as
    /// placeholders. A Relay connection like `posts` (`first`/`last` at most
    /// 100, default 20).
    #[graphql(complexity = "crate::graphql::pagination::page_complexity(child_complexity, first, last)")]
    async fn thread(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most 100.")] first: Option<i32>,
        #[graphql(desc = "A cursor from this thread.")] after: Option<String>,
        #[graphql(desc = "At most 100.")] last: Option<i32>,
        #[graphql(desc = "A cursor from this thread.")] before: Option<String>,
    ) -> Result<Connection<Comment>> {
        ctx.depends_on_post(self.0.id);
        comments::thread_of_post(ctx, self.0.id, page_args(ctx, first, after, last, before)).await
    }

    /// Visible comments on the post.
    async fn comment_count(&self, ctx: &Context<'_>) -> Result<i64> {
        ctx.depends_on_post(self.0.id);
        match &self.1.counts {
            Some(counts) => Ok(counts.comments),
            None => comments::comment_count(ctx, self.0.id).await,
        }
    }

    /// Whether the viewer bookmarked this post; false when anonymous.
    async fn viewer_has_bookmarked(&self, ctx: &Context<'_>) -> Result<bool> {
        self.before_marks(ctx).await?;
        bookmarks::schema::viewer_has_bookmarked(ctx, self.0.id).await
    }

    /// The viewer's private study notes on this post, oldest first; empty when anonymous.
    async fn viewer_notes(&self, ctx: &Context<'_>) -> Result<Vec<StudyNote>> {
        notes::schema::viewer_notes(ctx, self.0.id).await
    }

    /// The viewer's review card for this post (see `addToReview`); null when
    /// anonymous or the post is not in their review.
    async fn viewer_review_card(&self, ctx: &Context<'_>) -> Result<Option<ReviewCard>> {
        reviews::schema::viewer_card(ctx, self.0.id).await
    }

    /// The viewer's reading of this post; null when anonymous or not read yet.
    async fn viewer_progress(&self, ctx: &Context<'_>) -> Result<Option<ReadingProgress>> {
        self.before_marks(ctx).await?;
        ReadingProgress::of_post(ctx, self.0.id).await
    }

    /// How many readers reacted with each kind: every kind used at least once, in kind order.
    async fn reactions(&self, ctx: &Context<'_>) -> Result<Vec<ReactionCount>> {
        ctx.depends_on_post(self.0.id);
        match &self.1.counts {
            Some(counts) => Ok(reactions::schema::reaction_counts_in(counts)),
            None => reactions::schema::reaction_counts(ctx, self.0.id).await,
        }
    }

    /// The kinds the viewer reacted with, in kind order; empty when anonymous.
    async fn viewer_reactions(&self, ctx: &Context<'_>) -> Result<Vec<GqlReactionKind>> {
        self.before_marks(ctx).await?;
        reactions::schema::viewer_reactions(ctx, self.0.id).await
    }

    /// How many times the post was viewed, counting each viewer once a day.
    async fn view_count(&self, ctx: &Context<'_>) -> Result<u64> {
        // Views do not invalidate cached answers (one per reader per day would
        // empty the cache of every popular page): a cached count lags by at most
        // RESPONSE_CACHE_TTL_SECS. The post is recorded for its other activity.
        ctx.depends_on_post(self.0.id);
        views::schema::view_count(ctx, self.0.id).await
    }

    /// Estimated minutes to read, at 200 words a minute.
    async fn reading_minutes(&self) -> i32 {
        self.0.reading_minutes
    }

    /// The reading time, a reader's sessions added up (`markPostRead`), at which finishing this
    /// post earns XP: `XP_READ_MIN_PERCENT` of `readingMinutes`, never under 10 s.
    async fn seconds_for_xp(&self, ctx: &Context<'_>) -> i32 {
        let min_percent = ctx.state().config.engagement.read_min_percent;
        crate::domains::engagement::service::seconds_for_xp(self.0.reading_minutes, min_percent)
    }

    /// How much a reader should already know.
    async fn difficulty(&self) -> GqlDifficulty {
        self.0.difficulty.into()
    }

    /// Draft, published or scheduled (readers only ever see published posts).
    async fn status(&self) -> GqlPostStatus {
        self.0.status.into()
    }

    /// When the post went (or goes, when scheduled) live; null for drafts.
    async fn published_at(&self) -> Option<DateTime<Utc>> {
        self.0.published_at
    }

    /// An image shown above the post and in lists.
    async fn cover_image_url(&self) -> Option<&str> {
        self.0.cover_image_url.as_deref()
    }

    /// When the draft was started.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When the post last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// Narrows a list of posts.
#[derive(InputObject, Default)]
pub struct PostFilterInput {
    /// Only posts with this tag (slug).
    pub tag: Option<String>,
    /// Only posts in this series (slug).
    pub series: Option<String>,
    /// How much a reader should already know (BEGINNER when left out).
    pub difficulty: Option<GqlDifficulty>,
    /// Only posts by this author.
    pub author_id: Option<ID>,
    /// Drafts and scheduled posts: authors see their own, admins all. Readers may only ask for PUBLISHED.
    pub status: Option<GqlPostStatus>,
    /// Only premium (true) or only free (false) posts.
    pub premium: Option<bool>,
}

/// A new post; it starts as a draft.
#[derive(InputObject)]
pub struct CreatePostInput {
    /// 1–200 characters.
    pub title: String,
    /// Lower-case letters, digits and dashes; derived from the title when left out.
    pub slug: Option<String>,
    /// Up to 500 characters; taken from the body (its first 240 characters of
    /// text) when left out or blank.
    pub excerpt: Option<String>,
    /// Markdown. Raw HTML is allowed but sanitised: scripts and event handlers never reach `bodyHtml`.
    /// Fenced code in a known language (```rust, ```sql …) is highlighted with `hl-*` classes.
    pub body: String,
    /// How much a reader should already know (BEGINNER when left out).
    pub difficulty: Option<GqlDifficulty>,
    /// Premium posts show their body only to entitled readers (false when left out).
    pub is_premium: Option<bool>,
    /// An http(s) image URL.
    pub cover_image_url: Option<String>,
    /// Slugs of existing tags; at most 10.
    pub tag_slugs: Option<Vec<String>>,
}

/// Changes to a post; fields left out stay as they are. A new slug keeps the old one as a redirect.
#[derive(InputObject)]
pub struct UpdatePostInput {
    /// 1–200 characters.
    pub title: Option<String>,
    /// A new slug; the old one keeps working as a redirect.
    pub slug: Option<String>,
    /// Up to 500 characters; blank takes it from the body again. An excerpt taken
    /// from the body follows later body edits; one the author wrote stays.
    pub excerpt: Option<String>,
    /// Markdown; re-rendered and sanitised (fenced code in a known language is highlighted).
    pub body: Option<String>,
    /// How much a reader should already know (BEGINNER when left out).
    pub difficulty: Option<GqlDifficulty>,
    /// Premium posts show their body only to entitled readers (false when left out).
    pub is_premium: Option<bool>,
    /// Null removes the cover image.
    pub cover_image_url: MaybeUndefined<String>,
    /// Replaces the post's tags (slugs of existing tags; at most 10).
    pub tag_slugs: Option<Vec<String>>,
}

#[derive(Default)]
pub struct PostsQuery;

#[Object]
impl PostsQuery {
    /// Posts, newest first by default. Everyone sees published posts; `filter.status` lists drafts
    /// or scheduled posts for their authors (and admins).
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "crate::graphql::pagination::page_complexity(child_complexity, first, last)")]
    async fn posts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most 100.")] first: Option<i32>,
        after: Option<String>,
        #[graphql(desc = "At most 100.")] last: Option<i32>,
        before: Option<String>,
        filter: Option<PostFilterInput>,
        #[graphql(desc = "NEWEST when left out.")] order_by: Option<PostOrder>,
    ) -> Result<Connection<Post>> {
        let state = ctx.state();
        let filter = filter.unwrap_or_default();
        let series = match &filter.series {
            Some(slug) => Some(
                crate::domains::series::service::find_by_slug(&state.db, slug).await?.map_or(Uuid::nil(), |s| s.id),
            ),
            None => None,
        };
        let filter = PostFilter {
            tag: filter.tag,
            series,
            difficulty: filter.difficulty.map(Into::into),
            author_id: filter.author_id.as_ref().map(|id| parse_id("authorId", id)).transpose()?,
            status: filter.status.map(Into::into),
            premium: filter.premium,
        };
        let args = page_args(ctx, first, after, last, before);
        let page =
            service::list(state, ctx.viewer(), &filter, order_by.unwrap_or_default(), &args, asks_for_counts(ctx))
                .await?;
        Ok(connection(page, Post::from))
    }

    /// A post by its slug (an old slug resolves to the current post). NOT_FOUND when it does
    /// not exist or the viewer may not see it (yet).
    async fn post(&self, ctx: &Context<'_>, slug: String) -> Result<Option<Post>> {
        let found = service::find_post_page(&ctx.state().db, ctx.viewer(), &slug).await?;
        Ok(Some(Post::page(ctx, found.ok_or(crate::error::AppError::NotFound("Post"))?)))
    }

    /// The HTML a markdown body publishes as (the renderer and sanitiser behind `bodyHtml`),
    /// for an editor's live preview. Authors and admins; at most 200,000 bytes (BAD_USER_INPUT
    /// on `markdown` beyond).
    async fn preview_markdown(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The markdown to render, as it would be a post's `body`.")] markdown: String,
    ) -> Result<String> {
        Ok(service::preview(ctx.viewer(), &markdown)?)
    }
}

#[derive(Default)]
pub struct PostsMutation;

#[Object]
impl PostsMutation {
    /// Writes a new draft (authors and admins).
    async fn create_post(&self, ctx: &Context<'_>, input: CreatePostInput) -> Result<Post> {
        let input = PostInput {
            title: Some(input.title),
            slug: input.slug,
            excerpt: input.excerpt,
            body: Some(input.body),
            difficulty: input.difficulty.map(Into::into),
            is_premium: input.is_premium,
            cover_image_url: Some(input.cover_image_url),
            tag_slugs: input.tag_slugs,
        };
        Ok(Post::from(service::create(ctx.state(), ctx.viewer(), input).await?))
    }

    /// Edits a post (its author or an admin).
    async fn update_post(&self, ctx: &Context<'_>, id: ID, input: UpdatePostInput) -> Result<Post> {
        let id = parse_id("id", &id)?;
        let cover: Option<Option<String>> = input.cover_image_url.into();
        let input = PostInput {
            title: input.title,
            slug: input.slug,
            excerpt: input.excerpt,
            body: input.body,
            difficulty: input.difficulty.map(Into::into),
            is_premium: input.is_premium,
            cover_image_url: cover,
            tag_slugs: input.tag_slugs,
        };
        Ok(Post::from(service::update(ctx.state(), ctx.viewer(), id, input).await?))
    }

    /// Makes a post visible to everyone now.
    async fn publish_post(&self, ctx: &Context<'_>, id: ID) -> Result<Post> {
        Ok(Post::from(service::publish(ctx.state(), ctx.viewer(), parse_id("id", &id)?).await?))
    }

    /// Turns a post back into a draft.
    async fn unpublish_post(&self, ctx: &Context<'_>, id: ID) -> Result<Post> {
        Ok(Post::from(service::unpublish(ctx.state(), ctx.viewer(), parse_id("id", &id)?).await?))
    }

    /// Publishes a post at a future time.
    async fn schedule_post(&self, ctx: &Context<'_>, id: ID, at: DateTime<Utc>) -> Result<Post> {
        Ok(Post::from(service::schedule(ctx.state(), ctx.viewer(), parse_id("id", &id)?, at).await?))
    }

    /// Deletes a post with its comments, reactions and progress.
    async fn delete_post(&self, ctx: &Context<'_>, id: ID) -> Result<bool> {
        Ok(service::delete(ctx.state(), ctx.viewer(), parse_id("id", &id)?).await?)
    }
}

//! GraphQL surface of comments: thin resolvers over `service`, the live
//! `commentAdded` subscription for open post pages, and the two functions the
//! Post type resolves `comments` and `commentCount` with.

use std::{borrow::Cow, collections::HashMap, sync::Arc};

use async_graphql::{
    Context, ContextSelectionSet, Enum, ID, Object, OutputType, Positioned, Result, ServerResult, Subscription, Value,
    parser::types::Field, registry::Registry,
};
use chrono::{DateTime, Utc};
use futures::{StreamExt, stream::BoxStream};
use serde::Deserialize;
use uuid::Uuid;

use super::{
    loaders::CommentTreeOf,
    service::{self, CommentTree, CommentView},
};
use crate::{
    domains::{
        accounts::{loaders::UserById, schema::User, service as accounts},
        posts::loaders::CountsOfPost,
    },
    graphql::{
        ContextExt, OperationKey, Require,
        pagination::{Connection, connection, page_args},
        parse_id,
    },
    pagination::PageArgs,
    state::AppState,
};

/// Whether a comment can be read.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(name = "CommentStatus", remote = "entity::comment::Status")]
pub enum GqlCommentStatus {
    /// Everyone who can read the post can read it.
    Visible,
    /// Hidden by a moderator; readers see a placeholder, admins the text.
    Hidden,
    /// Deleted by its author or an admin; its text is gone.
    Deleted,
}

/// A comment, either read in its post's thread or returned by a mutation.
pub struct Comment(Place);

enum Place {
    /// Read as part of the thread: its replies are already at hand.
    InThread(Arc<CommentTree>, usize),
    /// Returned by a mutation: its replies are looked up in the post's thread when asked for.
    Alone(CommentView),
    /// Delivered by `commentAdded`, shared with the event's other subscribers.
    Live(Arc<LiveComment>, LiveView),
}

/// A `commentAdded` event as every subscriber in this process shares it:
/// decoded once, rendered once per operation when what is selected reads
/// alike for every viewer ([`Share`]; the author's public profile comes with
/// the event, so such a rendering runs no query), and for selections that
/// read more of the author, the author looked up once, by the first
/// subscriber that needs them (one statement per event, however many follow
/// the post). Each subscriber still checks that it may see the event
/// and picks the view its role gets; the author's other fields decide per
/// viewer what they show of the shared row.
struct LiveComment {
    added: service::CommentAdded,
    /// The comment as readers see it, and as viewers who read hidden comments do.
    views: [CommentView; 2],
    author: tokio::sync::OnceCell<Option<entity::user::Model>>,
    /// Renderings by operation and view, for selections every viewer reads alike.
    renders: std::sync::Mutex<HashMap<(OperationKey, bool), Rendering>>,
}

/// How one subscriber reads a live comment.
#[derive(Clone, Copy)]
struct LiveView {
    /// Whether this viewer reads hidden comments as written.
    reveal_hidden: bool,
    /// Whether the rendering is shared ([`Share`]): then only the author's public
    /// fields are read, and the profile that came with the event serves them.
    shared: bool,
}

/// One rendering of a live comment, made by the first subscriber that needs it.
type Rendering = Arc<tokio::sync::OnceCell<Value>>;

impl LiveComment {
    fn decode(payload: &serde_json::Value) -> Option<Arc<LiveComment>> {
        let added = service::CommentAdded::deserialize(payload).ok()?;
        let views = [false, true].map(|reveal_hidden| CommentView::new(added.comment.clone(), reveal_hidden));
        Some(Arc::new(LiveComment { added, views, author: tokio::sync::OnceCell::new(), renders: Default::default() }))
    }

    fn rendering(&self, key: OperationKey, reveal_hidden: bool) -> Rendering {
        let mut renders = self.renders.lock().unwrap_or_else(|p| p.into_inner());
        Arc::clone(renders.entry((key, reveal_hidden)).or_default())
    }

    async fn author(&self, state: &AppState) -> Result<Option<entity::user::Model>> {
        let author_id = self.added.comment.author_id;
        Ok(self.author.get_or_try_init(|| accounts::find_user(&state.db, author_id)).await?.clone())
    }
}

impl Comment {
    fn in_thread(tree: &Arc<CommentTree>, index: usize) -> Self {
        Comment(Place::InThread(Arc::clone(tree), index))
    }

    fn alone(ctx: &Context<'_>, model: entity::comment::Model) -> Self {
        Comment(Place::Alone(CommentView::new(model, service::reveals_hidden(ctx.viewer()))))
    }

    fn view(&self) -> &CommentView {
        match &self.0 {
            Place::InThread(tree, index) => tree.comment(*index),
            Place::Alone(view) => view,
            Place::Live(live, view) => &live.views[usize::from(view.reveal_hidden)],
        }
    }
}

/// Fields of a comment every viewer who may see it reads alike, given the view
/// their role gets (whether hidden comments read as written). `replies` is not
/// one: threads are read per viewer.
const SHARED_FIELDS: &[&str] = &[
    "__typename",
    "id",
    "postId",
    "depth",
    "parentId",
    "body",
    "bodyHtml",
    "status",
    "createdAt",
    "editedAt",
    "author",
];

/// How a `commentAdded` subscription shares its renderings: by its operation,
/// when it selects only [`SHARED_FIELDS`] and, of the author, only
/// [`User::PUBLIC_FIELDS`]; everything else is resolved per subscriber.
#[derive(Clone, Copy)]
struct Share {
    key: OperationKey,
    author: bool,
}

impl Share {
    fn of(ctx: &Context<'_>) -> Option<Share> {
        let key = ctx.operation_key()?;
        let mut author = false;
        // Fragments are walked whatever their conditions: a superset of what runs.
        for field in ctx.field().selection_set() {
            if !SHARED_FIELDS.contains(&field.name()) {
                return None;
            }
            if field.name() == "author" {
                author = true;
                if !field.selection_set().all(|field| User::PUBLIC_FIELDS.contains(&field.name())) {
                    return None;
                }
            }
        }
        Some(Share { key, author })
    }
}

/// An item of `commentAdded`: a `Comment`, rendered once per event for all the
/// subscribers that run the same operation and get the same view, when it
/// [`Share`]s.
struct LiveItem {
    comment: Comment,
    share: Option<Share>,
}

impl OutputType for LiveItem {
    fn type_name() -> Cow<'static, str> {
        <Comment as OutputType>::type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        <Comment as OutputType>::create_type_info(registry)
    }

    async fn resolve(&self, ctx: &ContextSelectionSet<'_>, field: &Positioned<Field>) -> ServerResult<Value> {
        let (Some(share), Place::Live(live, view)) = (self.share, &self.comment.0) else {
            return OutputType::resolve(&self.comment, ctx, field).await;
        };
        // The author first, when the event came without their profile: a failed lookup
        // is an error for each subscriber, never a null shared with all. Past it, the
        // shared fields cannot fail.
        if share.author && live.added.author.is_none() && live.author(ctx.data_unchecked::<AppState>()).await.is_err() {
            return OutputType::resolve(&self.comment, ctx, field).await;
        }
        let rendering = live.rendering(share.key, view.reveal_hidden);
        let value = rendering.get_or_try_init(|| OutputType::resolve(&self.comment, ctx, field)).await?;
        Ok(value.clone())
    }
}

fn roots(tree: &Arc<CommentTree>) -> Vec<Comment> {
    tree.roots().iter().map(|&index| Comment::in_thread(tree, index)).collect()
}

/// The comment thread of a post the viewer may read: comments on the post,
/// oldest first, each with its replies. Batched with every other post of the
/// request into one query.
pub async fn comments_of_post(ctx: &Context<'_>, post_id: Uuid) -> Result<Vec<Comment>> {
    let tree = ctx.loader().load_one(CommentTreeOf(post_id)).await?.unwrap_or_default();
    Ok(roots(&tree))
}

/// One page of a post's thread, flat and depth first (see `service::thread`);
/// the caller has checked that the viewer may read the post.
pub async fn thread_of_post(ctx: &Context<'_>, post_id: Uuid, args: PageArgs) -> Result<Connection<Comment>> {
    let page = service::thread(&ctx.state().db, ctx.viewer(), post_id, &args).await?;
    Ok(connection(page, |view| Comment(Place::Alone(view))))
}

/// How many visible comments a post has: from the post's counters, one lookup
/// per page shared with `reactions`.
pub async fn comment_count(ctx: &Context<'_>, post_id: Uuid) -> Result<i64> {
    Ok(ctx.loader().load_one(CountsOfPost(post_id)).await?.map_or(0, |counts| counts.comments))
}

/// A comment on a post, or a reply to another comment of the same post.
#[Object]
impl Comment {
    /// Identifies the comment, e.g. as the `parentId` of a reply.
    async fn id(&self) -> ID {
        ID(self.view().model.id.to_string())
    }

    /// The post the comment is on.
    async fn post_id(&self) -> ID {
        ID(self.view().model.post_id.to_string())
    }

    /// How deep in its thread the comment sits: 0 for a comment on the post,
    /// 1 for a reply to one, and so on.
    async fn depth(&self) -> i32 {
        self.view().model.depth
    }

    /// The comment this one replies to; null for a comment on the post itself.
    async fn parent_id(&self) -> Option<ID> {
        self.view().model.parent_id.map(|id| ID(id.to_string()))
    }

    /// The text as written, or "[deleted]" / "[hidden by a moderator]" for a removed
    /// comment that stays to hold its replies (admins read hidden comments as written).
    async fn body(&self) -> &str {
        self.view().body()
    }

    /// The body rendered from markdown, sanitised: emphasis, links (`rel="nofollow ugc"`),
    /// lists, quotes, inline code and highlighted code blocks. Headings read as
    /// paragraphs, images as links and HTML as text. A placeholder is one paragraph.
    async fn body_html(&self) -> String {
        self.view().body_html().to_string()
    }

    /// Who wrote it; null for a removed comment shown as a placeholder.
    async fn author(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        let Some(author_id) = self.view().author_id() else {
            return Ok(None);
        };
        let author = match &self.0 {
            Place::Live(live, view) => match (&live.added.author, view.shared) {
                (Some(profile), true) => Some(profile.clone().into_model()),
                _ => live.author(ctx.state()).await?,
            },
            Place::InThread(tree, index) => match tree.author(*index) {
                Some(author) => author.cloned(),
                None => ctx.loader().load_one(UserById(author_id)).await?,
            },
            _ => ctx.loader().load_one(UserById(author_id)).await?,
        };
        Ok(author.map(User::from))
    }

    /// Whether the comment is visible, hidden by a moderator, or deleted.
    async fn status(&self) -> GqlCommentStatus {
        self.view().model.status.into()
    }

    /// When it was written.
    async fn created_at(&self) -> DateTime<Utc> {
        self.view().model.created_at
    }

    /// When its author last changed it; null if never.
    async fn edited_at(&self) -> Option<DateTime<Utc>> {
        self.view().model.edited_at
    }

    /// Replies, oldest first, each with its own replies.
    async fn replies(&self, ctx: &Context<'_>) -> Result<Vec<Comment>> {
        match &self.0 {
            Place::InThread(tree, index) => {
                Ok(tree.replies(*index).iter().map(|&reply| Comment::in_thread(tree, reply)).collect())
            }
            Place::Alone(_) | Place::Live(..) => {
                let model = &self.view().model;
                let tree = ctx.loader().load_one(CommentTreeOf(model.post_id)).await?.unwrap_or_default();
                let Some(index) = tree.position(model.id) else {
                    return Ok(Vec::new());
                };
                Ok(tree.replies(index).iter().map(|&reply| Comment::in_thread(&tree, reply)).collect())
            }
        }
    }
}

#[derive(Default)]
pub struct CommentsQuery;

#[Object]
impl CommentsQuery {
    /// The discussion under a post: comments on the post itself, oldest first,
    /// each with its replies nested.
    #[graphql(deprecation = "Loads the whole discussion at once; page through `commentThread` instead.")]
    async fn comments(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The post whose comments to read.")] post_id: ID,
    ) -> Result<Vec<Comment>> {
        let post_id = parse_id("postId", &post_id)?;
        service::readable_post(&ctx.state().db, ctx.viewer(), post_id).await?;
        comments_of_post(ctx, post_id).await
    }

    /// The discussion under a post as a flat list, one page at a time (as
    /// `Post.thread`): each comment followed by its replies, oldest first, at
    /// any depth, with its `depth` and `parentId`. NOT_FOUND when the viewer
    /// cannot read the post; BAD_USER_INPUT on `postId`, `first`, `last`,
    /// `after` or `before`.
    #[graphql(complexity = "crate::graphql::pagination::page_complexity(child_complexity, first, last)")]
    async fn comment_thread(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The post whose comments to read.")] post_id: ID,
        #[graphql(desc = "At most 100.")] first: Option<i32>,
        #[graphql(desc = "A cursor from this thread.")] after: Option<String>,
        #[graphql(desc = "At most 100.")] last: Option<i32>,
        #[graphql(desc = "A cursor from this thread.")] before: Option<String>,
    ) -> Result<Connection<Comment>> {
        let post_id = parse_id("postId", &post_id)?;
        service::readable_post(&ctx.state().db, ctx.viewer(), post_id).await?;
        thread_of_post(ctx, post_id, page_args(ctx, first, after, last, before)).await
    }
}

#[derive(Default)]
pub struct CommentsMutation;

#[Object]
impl CommentsMutation {
    /// Comments on a post, or replies to one of its comments, as the viewer. RATE_LIMITED (with
    /// `retryAfter`) beyond `COMMENT_BURST` comments at once (20 unless configured), then one
    /// every 30 seconds, per account.
    #[graphql(guard = "Require::SignedIn")]
    async fn add_comment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The post to comment on.")] post_id: ID,
        #[graphql(desc = "The comment of the same post to reply to; omit to comment on the post itself.")]
        parent_id: Option<ID>,
        #[graphql(desc = "1–10,000 characters; surrounding whitespace is trimmed.")] body: String,
    ) -> Result<Comment> {
        let post_id = parse_id("postId", &post_id)?;
        let parent_id = parent_id.as_ref().map(|id| parse_id("parentId", id)).transpose()?;
        let comment = service::add(ctx.state(), ctx.viewer(), post_id, parent_id, &body).await?;
        Ok(Comment::alone(ctx, comment))
    }

    /// Rewrites one of the viewer's own comments and marks it edited.
    #[graphql(guard = "Require::SignedIn")]
    async fn edit_comment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The comment to rewrite.")] id: ID,
        #[graphql(desc = "1–10,000 characters; surrounding whitespace is trimmed.")] body: String,
    ) -> Result<Comment> {
        let id = parse_id("id", &id)?;
        let comment = service::edit(ctx.state(), ctx.viewer(), id, &body).await?;
        Ok(Comment::alone(ctx, comment))
    }

    /// Deletes a comment (its author, or an admin). Its replies stay, under a
    /// "[deleted]" placeholder. True once the comment is deleted.
    #[graphql(guard = "Require::SignedIn")]
    async fn delete_comment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The comment to delete.")] id: ID,
    ) -> Result<bool> {
        let id = parse_id("id", &id)?;
        Ok(service::delete(ctx.state(), ctx.viewer(), id).await?)
    }

    /// Hides a comment from readers, or shows it again (admins only).
    #[graphql(guard = "Require::Role(entity::user::Role::Admin)")]
    async fn moderate_comment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The comment to moderate.")] id: ID,
        #[graphql(desc = "VISIBLE or HIDDEN.")] status: GqlCommentStatus,
    ) -> Result<Comment> {
        let id = parse_id("id", &id)?;
        let comment = service::moderate(ctx.state(), ctx.viewer(), id, status.into()).await?;
        Ok(Comment::alone(ctx, comment))
    }
}

#[derive(Default)]
pub struct CommentsSubscription;

#[Subscription]
impl CommentsSubscription {
    /// New comments on a post as they are written, so an open post page stays current.
    /// NOT_FOUND when the viewer may not read the post.
    async fn comment_added(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The post whose new comments to receive.")] post_id: ID,
    ) -> Result<BoxStream<'static, LiveItem>> {
        let post_id = parse_id("postId", &post_id)?;
        // Boxed: async-graphql keeps this resolver's future for as long as the
        // subscription lives, and the query's state would stay with it, unused.
        Box::pin(service::readable_post(&ctx.state().db, ctx.viewer(), post_id)).await?;
        let reveal_hidden = service::reveals_hidden(ctx.viewer());
        let viewer = ctx.viewer().clone();
        let share = Share::of(ctx);
        Ok(ctx
            .state()
            .bus
            .subscribe_shared(&service::post_topic(post_id))
            .filter_map(move |delivery| {
                let live = delivery
                    .derived(LiveComment::decode)
                    .and_then(|live| Option::clone(&live))
                    .filter(|live| live.added.visible_to(&viewer) && live.views[usize::from(reveal_hidden)].shown);
                std::future::ready(live.map(|live| {
                    let view = LiveView { reveal_hidden, shared: share.is_some() };
                    LiveItem { comment: Comment(Place::Live(live, view)), share }
                }))
            })
            .boxed())
    }
}

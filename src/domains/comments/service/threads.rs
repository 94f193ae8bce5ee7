//! How a viewer sees a post's comments: each comment's view, the nested tree,
//! the flat paged thread and the `thread_path` layout it is read by, and counts.

use std::{collections::HashMap, sync::Arc};

use sea_orm::{
    ActiveEnum, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, sea_query::Expr,
};
use uuid::Uuid;

use crate::{
    auth::Viewer,
    domains::{
        accounts::{Role, service as accounts},
        posts::service as posts,
    },
    error::AppResult,
    pagination::{Cursor, Key, Page, PageArgs, Sort, paginate},
};
use entity::{
    comment::{self, Status},
    post, user,
};

/// What readers see in place of a comment its author deleted.
pub const DELETED_BODY: &str = "[deleted]";
/// What readers see in place of a comment a moderator hid.
pub const HIDDEN_BODY: &str = "[hidden by a moderator]";

/// Whether `viewer` may read hidden comments as written (admins, who moderate them).
pub fn reveals_hidden(viewer: &Viewer) -> bool {
    viewer.role() == Some(Role::Admin)
}

/// A comment as one viewer sees it: as written, or (`shown` false) only as the
/// place its replies hang from, with a placeholder body and no author.
#[derive(Debug, Clone, PartialEq)]
pub struct CommentView {
    pub model: comment::Model,
    pub shown: bool,
}

impl CommentView {
    pub fn new(model: comment::Model, reveal_hidden: bool) -> Self {
        let shown = match model.status {
            Status::Visible => true,
            Status::Hidden => reveal_hidden,
            Status::Deleted => false,
        };
        CommentView { model, shown }
    }

    pub fn body(&self) -> &str {
        match (self.shown, self.model.status) {
            (true, _) => &self.model.body,
            (false, Status::Hidden) => HIDDEN_BODY,
            (false, _) => DELETED_BODY,
        }
    }

    /// The body rendered from its markdown (`posts::markdown::render_comment`),
    /// or the placeholder as a paragraph.
    pub fn body_html(&self) -> std::sync::Arc<str> {
        if !self.shown {
            return format!("<p>{}</p>", self.body()).into();
        }
        rendered_comment(&self.model.body)
    }

    /// The author, unless the comment is only a placeholder.
    pub fn author_id(&self) -> Option<Uuid> {
        self.shown.then_some(self.model.author_id)
    }
}

/// Comment HTML is rendered when read, not stored: a comment is short, and the
/// renderer can change without a migration. A thread is read far more often
/// than it changes, so the HTML of recently read bodies is kept, keyed by the
/// body itself (an edit is a new key), up to `RENDERED_COMMENTS_BYTES` in all.
fn rendered_comment(body: &str) -> std::sync::Arc<str> {
    use std::sync::{Arc, LazyLock};
    const RENDERED_COMMENTS_BYTES: u64 = 32 * 1024 * 1024;
    static RENDERED: LazyLock<moka::sync::Cache<String, Arc<str>>> = LazyLock::new(|| {
        moka::sync::Cache::builder()
            .max_capacity(RENDERED_COMMENTS_BYTES)
            .weigher(|body: &String, html: &Arc<str>| u32::try_from(body.len() + html.len()).unwrap_or(u32::MAX))
            .build()
    });
    RENDERED.get_with_by_ref(body, || crate::domains::posts::markdown::render_comment(body).into())
}

/// The comments of one post as one viewer sees them, as a forest of threads.
///
/// Nodes live in one flat arena (in reading order) and refer to their replies
/// by index, so neither building, reading nor dropping a thread recurses,
/// however deep it goes.
#[derive(Debug, Default)]
pub struct CommentTree {
    nodes: Vec<CommentNode>,
    roots: Vec<usize>,
    /// The authors, when they were read with the comments ([`Threads`]).
    authors: Option<Arc<Authors>>,
}

/// Comment authors by id, as [`comments_of_posts`] read them.
pub type Authors = HashMap<Uuid, user::Model>;

#[derive(Debug)]
struct CommentNode {
    view: CommentView,
    replies: Vec<usize>,
}

impl CommentTree {
    /// Comments on the post itself, oldest first (indexes into this tree).
    pub fn roots(&self) -> &[usize] {
        &self.roots
    }

    pub fn comment(&self, index: usize) -> &CommentView {
        &self.nodes[index].view
    }

    /// Replies to the comment at `index`, oldest first.
    pub fn replies(&self, index: usize) -> &[usize] {
        &self.nodes[index].replies
    }

    /// Where the comment with this id sits, if the viewer sees it.
    pub fn position(&self, id: Uuid) -> Option<usize> {
        self.nodes.iter().position(|node| node.view.model.id == id)
    }

    /// How many comments the viewer sees, placeholders included.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The tree with the authors read with its comments.
    pub fn with_authors(mut self, authors: Arc<Authors>) -> Self {
        self.authors = Some(authors);
        self
    }

    /// The author of the comment at `index` when the authors were read with the
    /// tree (`Some(None)`: the comment is a placeholder, or its author is gone);
    /// `None` when they were not, and the caller looks them up.
    pub fn author(&self, index: usize) -> Option<Option<&user::Model>> {
        let authors = self.authors.as_ref()?;
        Some(self.comment(index).author_id().and_then(|id| authors.get(&id)))
    }
}

/// Assembles one post's comments into threads: roots and replies in creation
/// order, at any depth. A comment the viewer may not read as written stays as
/// a placeholder while something below it is readable, and is dropped
/// otherwise. A comment whose parent is missing is treated as a root, so no
/// readable reply is ever lost.
pub fn comment_tree(mut comments: Vec<comment::Model>, reveal_hidden: bool) -> CommentTree {
    comments.sort_by_key(|c| (c.created_at, c.id));
    let count = comments.len();
    let position: HashMap<Uuid, usize> = comments.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); count];
    let mut roots = Vec::new();
    for (i, comment) in comments.iter().enumerate() {
        match comment.parent_id.and_then(|parent| position.get(&parent)) {
            Some(&parent) => children[parent].push(i),
            None => roots.push(i),
        }
    }

    // Depth-first pre-order with an explicit stack: the reading order of the thread.
    let mut preorder = Vec::with_capacity(count);
    let mut stack: Vec<usize> = roots.iter().rev().copied().collect();
    while let Some(i) = stack.pop() {
        preorder.push(i);
        stack.extend(children[i].iter().rev());
    }

    // Backwards, every reply is settled before the comment it answers.
    let views: Vec<CommentView> = comments.into_iter().map(|c| CommentView::new(c, reveal_hidden)).collect();
    let mut kept = vec![false; count];
    for &i in preorder.iter().rev() {
        kept[i] = views[i].shown || children[i].iter().any(|&child| kept[child]);
    }

    let mut slot: Vec<Option<usize>> = vec![None; count];
    let mut views: Vec<Option<CommentView>> = views.into_iter().map(Some).collect();
    let mut nodes = Vec::with_capacity(count);
    for &i in preorder.iter().filter(|&&i| kept[i]) {
        if let Some(view) = views[i].take() {
            slot[i] = Some(nodes.len());
            nodes.push(CommentNode { view, replies: Vec::new() });
        }
    }
    for &i in &preorder {
        if let Some(node) = slot[i] {
            nodes[node].replies = children[i].iter().filter_map(|&child| slot[child]).collect();
        }
    }
    let roots = roots.iter().filter_map(|&root| slot[root]).collect();
    CommentTree { nodes, roots, authors: None }
}

/// The comments of some posts with their authors, as [`comments_of_posts`] reads them.
#[derive(Debug, Default)]
pub struct Threads {
    /// Each post's comments, oldest first.
    pub comments: HashMap<Uuid, Vec<comment::Model>>,
    /// Everyone who wrote one of them.
    pub authors: Arc<Authors>,
}

/// Every comment of these posts, oldest first, with its author, in one statement.
pub async fn comments_of_posts(db: &impl ConnectionTrait, post_ids: &[Uuid]) -> AppResult<Threads> {
    if post_ids.is_empty() {
        return Ok(Threads::default());
    }
    let rows = accounts::with_authors(
        comment::Entity::find()
            .filter(comment::Column::PostId.is_in(post_ids.iter().copied()))
            .order_by_asc(comment::Column::CreatedAt)
            .order_by_asc(comment::Column::Id),
    )
    .all(db)
    .await?;
    let mut comments: HashMap<Uuid, Vec<comment::Model>> = HashMap::new();
    let mut authors = Authors::new();
    for (comment, author) in rows {
        if let Some(author) = author {
            authors.entry(author.id).or_insert(author);
        }
        comments.entry(comment.post_id).or_default().push(comment);
    }
    Ok(Threads { comments, authors: Arc::new(authors) })
}

/// The post whose thread the viewer asks for, or NOT_FOUND when they may not read it.
pub async fn readable_post(db: &impl ConnectionTrait, viewer: &Viewer, post_id: Uuid) -> AppResult<post::Model> {
    posts::get_readable(db, viewer, post_id).await
}

/// Replies nest at most this deep (a reply to a comment at depth 63 is refused),
/// so a thread's paths stay short.
pub const MAX_DEPTH: i32 = 63;

/// Where a new comment `id` sits in its post's thread: its path and depth
/// under `parent` (see the `comments.thread_path` column).
pub fn thread_place(id: Uuid, parent: Option<(&str, i32)>) -> (String, i32) {
    match parent {
        Some((path, depth)) => (format!("{path}/{}", id.simple()), depth + 1),
        None => (id.simple().to_string(), 0),
    }
}

/// One page of a post's thread as a flat list, depth first: each comment
/// followed by its replies (oldest first) at any depth, each with its `depth`.
/// A comment the viewer may not read as written is a placeholder when a
/// readable comment sits below it, and left out otherwise, as in
/// [`comment_tree`]. The caller has checked the viewer may read the post.
pub async fn thread(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    post_id: Uuid,
    args: &PageArgs,
) -> AppResult<Page<CommentView>> {
    let reveal_hidden = reveals_hidden(viewer);
    let shown: Vec<Status> = if reveal_hidden { vec![Status::Visible, Status::Hidden] } else { vec![Status::Visible] };
    // The statuses are the enum's own constants, never input, so they are inlined.
    let shown_sql: Vec<String> = shown.iter().map(|s| format!("'{}'", s.to_value())).collect();
    // Descendants' paths start with the comment's own path and "/": they sort
    // between `path || '/'` and `path || '0'` ('0' follows '/').
    let has_shown_reply = Expr::cust(format!(
        "EXISTS (SELECT 1 FROM comments d WHERE d.post_id = comments.post_id \
         AND d.thread_path > comments.thread_path || '/' AND d.thread_path < comments.thread_path || '0' \
         AND d.status IN ({}))",
        shown_sql.join(", ")
    ));
    let select = comment::Entity::find()
        .filter(comment::Column::PostId.eq(post_id))
        .filter(Condition::any().add(comment::Column::Status.is_in(shown)).add(has_shown_reply));
    let sort = Sort { column: Some(comment::Column::ThreadPath), descending: false };
    let cursor_of = |c: &comment::Model| Cursor { key: Key::Text(c.thread_path.clone()), id: c.id };
    let page = paginate(db, select, comment::Column::Id, sort, cursor_of, args).await?;
    Ok(page.map(|c| CommentView::new(c, reveal_hidden)))
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Duration};

    use super::*;

    /// Comments of one post; each is (id, parent, status), created in this order.
    fn thread(rows: &[(u128, Option<u128>, Status)]) -> Vec<comment::Model> {
        let post_id = Uuid::from_u128(0xf00d);
        let author_id = Uuid::from_u128(0xa);
        let start = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").unwrap().to_utc();
        rows.iter()
            .enumerate()
            .map(|(n, &(id, parent, status))| comment::Model {
                id: Uuid::from_u128(id),
                post_id,
                author_id,
                parent_id: parent.map(Uuid::from_u128),
                body: if status == Status::Deleted { String::new() } else { format!("comment {id}") },
                status,
                edited_at: None,
                created_at: start + Duration::seconds(n as i64),
                // The tree is assembled from parents alone.
                thread_path: String::new(),
                depth: 0,
            })
            .collect()
    }

    /// The tree as nested (id, body, author shown, replies) for comparing.
    #[derive(Debug, PartialEq)]
    struct Shape(u128, String, bool, Vec<Shape>);

    fn shape(tree: &CommentTree) -> Vec<Shape> {
        fn node(tree: &CommentTree, index: usize) -> Shape {
            let view = tree.comment(index);
            let replies = tree.replies(index).iter().map(|&r| node(tree, r)).collect();
            Shape(view.model.id.as_u128(), view.body().to_owned(), view.author_id().is_some(), replies)
        }
        tree.roots().iter().map(|&r| node(tree, r)).collect()
    }

    fn visible(id: u128, replies: Vec<Shape>) -> Shape {
        Shape(id, format!("comment {id}"), true, replies)
    }

    use Status::{Deleted, Hidden, Visible};

    #[test]
    fn nests_replies_in_creation_order_at_any_depth() {
        let mut comments = thread(&[
            (1, None, Visible),
            (2, Some(1), Visible),
            (3, None, Visible),
            (4, Some(2), Visible),
            (5, Some(1), Visible),
            (6, Some(4), Visible),
        ]);
        // The input order does not matter; creation time does.
        comments.reverse();
        let tree = comment_tree(comments, false);
        assert_eq!(
            shape(&tree),
            vec![
                visible(1, vec![visible(2, vec![visible(4, vec![visible(6, vec![])])]), visible(5, vec![])]),
                visible(3, vec![]),
            ]
        );
        assert_eq!(tree.len(), 6);
        assert_eq!(tree.position(Uuid::from_u128(4)).map(|i| tree.comment(i).model.id), Some(Uuid::from_u128(4)));
    }

    #[test]
    fn removed_comments_hold_their_place_only_while_something_below_is_readable() {
        let comments = thread(&[
            (1, None, Deleted),     // keeps its place: 3 is visible, two levels down
            (2, Some(1), Deleted),  // keeps its place: 3 is visible
            (3, Some(2), Visible),  //
            (4, Some(1), Deleted),  // a deleted leaf: gone
            (5, None, Hidden),      // keeps its place for readers: 6 is visible
            (6, Some(5), Visible),  //
            (7, None, Hidden),      // a hidden leaf: gone for readers
            (8, None, Deleted),     // a deleted subtree of nothing readable: gone
            (9, Some(8), Hidden),   //
            (10, Some(9), Deleted), //
        ]);
        let deleted = |id, replies| Shape(id, DELETED_BODY.to_owned(), false, replies);
        let hidden = |id, replies| Shape(id, HIDDEN_BODY.to_owned(), false, replies);

        let reader = comment_tree(comments.clone(), false);
        assert_eq!(
            shape(&reader),
            vec![deleted(1, vec![deleted(2, vec![visible(3, vec![])])]), hidden(5, vec![visible(6, vec![])])]
        );

        // Admins read hidden comments as written, so hidden leaves and what hangs from them stay.
        let admin = comment_tree(comments, true);
        assert_eq!(
            shape(&admin),
            vec![
                deleted(1, vec![deleted(2, vec![visible(3, vec![])])]),
                visible(5, vec![visible(6, vec![])]),
                visible(7, vec![]),
                deleted(8, vec![visible(9, vec![])]),
            ]
        );
    }

    #[test]
    fn a_reply_whose_parent_is_missing_becomes_a_root() {
        let tree = comment_tree(thread(&[(1, None, Visible), (2, Some(99), Visible)]), false);
        assert_eq!(shape(&tree), vec![visible(1, vec![]), visible(2, vec![])]);
        assert!(comment_tree(Vec::new(), false).is_empty());
    }

    #[test]
    fn very_deep_threads_do_not_recurse() {
        let depth = 200_000u128;
        let rows: Vec<_> =
            (1..=depth).map(|id| (id, (id > 1).then(|| id - 1), if id == depth { Visible } else { Deleted })).collect();
        let tree = comment_tree(thread(&rows), false);
        assert_eq!(tree.len(), depth as usize, "every ancestor of the visible leaf keeps its place");
        let mut at = tree.roots()[0];
        for _ in 1..depth {
            at = tree.replies(at)[0];
        }
        assert_eq!(tree.comment(at).body(), format!("comment {depth}"));
    }
}

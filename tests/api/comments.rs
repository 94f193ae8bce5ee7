//! Comments, as readers, authors and moderators meet them.

use std::collections::HashMap;

use lectern::domains::{comments::loaders::CommentTreeOf, posts::loaders::CountsOfPost};
use serde_json::{Value, json};

use crate::harness::{TestApp, TestUser, error_code, error_field};

const ADD: &str = "mutation($post: ID!, $parent: ID, $body: String!) {
    addComment(postId: $post, parentId: $parent, body: $body) { id postId parentId body status editedAt author { id } }
}";
const EDIT: &str = "mutation($id: ID!, $body: String!) {
    editComment(id: $id, body: $body) { id body editedAt replies { id } }
}";
const DELETE: &str = "mutation($id: ID!) { deleteComment(id: $id) }";
const MODERATE: &str = "mutation($id: ID!, $status: CommentStatus!) {
    moderateComment(id: $id, status: $status) { id body status author { id } }
}";
const THREAD: &str = "query($post: ID!) {
    comments(postId: $post) { ...C replies { ...C replies { ...C replies { ...C replies { ...C } } } } }
}
fragment C on Comment { id postId parentId body status editedAt author { id } }";

async fn add(app: &TestApp, user: &TestUser, post: &str, parent: Option<&str>, body: &str) -> Value {
    app.graphql_as(user, ADD, json!({ "post": post, "parent": parent, "body": body })).await
}

/// Adds a comment that must succeed and returns its id.
async fn comment(app: &TestApp, user: &TestUser, post: &str, parent: Option<&str>, body: &str) -> String {
    let response = add(app, user, post, parent, body).await;
    response["data"]["addComment"]["id"].as_str().unwrap_or_else(|| panic!("addComment failed: {response}")).to_owned()
}

/// The whole response of the `comments` query, as `user` (anonymous when None).
async fn thread_response(app: &TestApp, user: Option<&TestUser>, post: &str) -> Value {
    app.graphql_with(user.map(|u| u.access_token.as_str()), THREAD, json!({ "post": post })).await
}

/// The thread of a post, as `user` sees it.
async fn thread(app: &TestApp, user: Option<&TestUser>, post: &str) -> Value {
    let response = thread_response(app, user, post).await;
    assert!(response["data"]["comments"].is_array(), "comments failed: {response}");
    response["data"]["comments"].clone()
}

/// The ids of a list of comments, in order.
fn ids(comments: &Value) -> Vec<&str> {
    comments.as_array().expect("a list of comments").iter().map(|c| c["id"].as_str().expect("an id")).collect()
}

async fn edit(app: &TestApp, user: &TestUser, id: &str, body: &str) -> Value {
    app.graphql_as(user, EDIT, json!({ "id": id, "body": body })).await
}

async fn delete(app: &TestApp, user: &TestUser, id: &str) -> Value {
    app.graphql_as(user, DELETE, json!({ "id": id })).await
}

async fn moderate(app: &TestApp, user: &TestUser, id: &str, status: &str) -> Value {
    app.graphql_as(user, MODERATE, json!({ "id": id, "status": status })).await
}

#[tokio::test]
async fn a_thread_comes_back_nested_in_creation_order() {
    let app = TestApp::spawn().await;
    let author = app.user_with_role("AUTHOR").await;
    let reader = app.register_verified("ada@example.com").await;
    let (post, _) = app.published_post(&author, "Ownership").await;

    let first = add(&app, &reader, &post, None, "  What about borrowing?  ").await;
    let created = &first["data"]["addComment"];
    assert_eq!(created["body"], "What about borrowing?", "the body is trimmed: {first}");
    assert_eq!(created["postId"], post.as_str());
    assert!(created["parentId"].is_null());
    assert_eq!(created["status"], "VISIBLE");
    assert!(created["editedAt"].is_null());
    assert_eq!(created["author"]["id"], reader.id.as_str());
    let root = created["id"].as_str().unwrap().to_owned();

    let level2 = comment(&app, &author, &post, Some(&root), "Chapter 4 covers it").await;
    let level3 = comment(&app, &reader, &post, Some(&level2), "Thanks!").await;
    let level4 = comment(&app, &author, &post, Some(&level3), "You are welcome").await;
    let second_root = comment(&app, &reader, &post, None, "Great post").await;
    let later_reply = comment(&app, &reader, &post, Some(&root), "Found it").await;

    let comments = thread(&app, None, &post).await;
    assert_eq!(ids(&comments), [root.as_str(), second_root.as_str()], "roots, oldest first");
    let first_root = &comments[0];
    assert_eq!(ids(&first_root["replies"]), [level2.as_str(), later_reply.as_str()], "replies, oldest first");
    let second = &first_root["replies"][0];
    assert_eq!(second["parentId"], root.as_str());
    assert_eq!(second["author"]["id"], author.id.as_str());
    assert_eq!(ids(&second["replies"]), [level3.as_str()]);
    let third = &second["replies"][0];
    assert_eq!(third["body"], "Thanks!");
    assert_eq!(ids(&third["replies"]), [level4.as_str()]);
    let fourth = &third["replies"][0];
    assert_eq!(fourth["body"], "You are welcome");
    assert_eq!(fourth["parentId"], level3.as_str());
    assert_eq!(fourth["postId"], post.as_str());
    assert_eq!(ids(&fourth["replies"]), Vec::<&str>::new());
    assert_eq!(ids(&comments[1]["replies"]), Vec::<&str>::new());

    // Signed-in readers see the same thread.
    assert_eq!(thread(&app, Some(&reader), &post).await, comments);
}

#[tokio::test]
async fn deleted_comments_keep_their_place_only_while_they_have_replies() {
    let app = TestApp::spawn().await;
    let author = app.user_with_role("AUTHOR").await;
    let ada = app.register_verified("ada@example.com").await;
    let bob = app.register_verified("bob@example.com").await;
    let (post, _) = app.published_post(&author, "Lifetimes").await;

    let question = comment(&app, &ada, &post, None, "Why 'a?").await;
    let answer = comment(&app, &bob, &post, Some(&question), "Because the borrow checker asks").await;
    let leaf = comment(&app, &ada, &post, None, "Never mind").await;

    for id in [&question, &leaf] {
        let deleted = delete(&app, &ada, id).await;
        assert_eq!(deleted["data"]["deleteComment"], true, "{deleted}");
    }
    let comments = thread(&app, Some(&bob), &post).await;
    assert_eq!(ids(&comments), [question.as_str()], "the deleted leaf is gone");
    let placeholder = &comments[0];
    assert_eq!(placeholder["body"], "[deleted]");
    assert_eq!(placeholder["status"], "DELETED");
    assert!(placeholder["author"].is_null(), "{placeholder}");
    assert_eq!(ids(&placeholder["replies"]), [answer.as_str()]);
    assert_eq!(placeholder["replies"][0]["body"], "Because the borrow checker asks");

    // Deleting twice is fine; a deleted comment takes no replies and no edits.
    assert_eq!(delete(&app, &ada, &question).await["data"]["deleteComment"], true);
    let reply = add(&app, &bob, &post, Some(&question), "Still here?").await;
    assert_eq!(error_code(&reply), "BAD_USER_INPUT");
    assert_eq!(error_field(&reply), "parentId");
    let rewrite = edit(&app, &ada, &question, "I take it back").await;
    assert_eq!(error_code(&rewrite), "BAD_USER_INPUT");
    assert_eq!(error_field(&rewrite), "id");

    // Once the last reply goes, so does the placeholder.
    assert_eq!(delete(&app, &bob, &answer).await["data"]["deleteComment"], true);
    assert_eq!(thread(&app, None, &post).await, json!([]));
}

#[tokio::test]
async fn only_its_author_edits_a_comment() {
    let app = TestApp::spawn().await;
    let author = app.user_with_role("AUTHOR").await;
    let admin = app.user_with_role("ADMIN").await;
    let ada = app.register_verified("ada@example.com").await;
    let bob = app.register_verified("bob@example.com").await;
    let (post, _) = app.published_post(&author, "Traits").await;
    let id = comment(&app, &ada, &post, None, "Traits are like interfacs").await;
    let reply = comment(&app, &bob, &post, Some(&id), "Mostly, yes").await;

    let edited = edit(&app, &ada, &id, " Traits are like interfaces ").await;
    let result = &edited["data"]["editComment"];
    assert_eq!(result["body"], "Traits are like interfaces", "{edited}");
    assert!(result["editedAt"].is_string(), "editing sets editedAt: {edited}");
    assert_eq!(ids(&result["replies"]), [reply.as_str()], "the edited comment keeps its replies");
    let comments = thread(&app, None, &post).await;
    assert_eq!(comments[0]["body"], "Traits are like interfaces");
    assert_eq!(comments[0]["editedAt"], result["editedAt"]);
    assert!(comments[0]["replies"][0]["editedAt"].is_null(), "the reply was never edited");

    let by_other = edit(&app, &bob, &id, "Traits are classes").await;
    assert_eq!(error_code(&by_other), "FORBIDDEN");
    let by_admin = edit(&app, &admin, &id, "Admins rewrite history").await;
    assert_eq!(error_code(&by_admin), "FORBIDDEN", "admins do not put words in someone's mouth");
    let anonymous = app.graphql(EDIT, json!({ "id": id, "body": "Anyone?" })).await;
    assert_eq!(error_code(&anonymous), "UNAUTHENTICATED");

    let empty = edit(&app, &ada, &id, "   ").await;
    assert_eq!(error_code(&empty), "BAD_USER_INPUT");
    assert_eq!(error_field(&empty), "body");
    let unknown = edit(&app, &ada, &uuid::Uuid::now_v7().to_string(), "Hello").await;
    assert_eq!(error_code(&unknown), "NOT_FOUND");
    let malformed = edit(&app, &ada, "42", "Hello").await;
    assert_eq!(error_code(&malformed), "BAD_USER_INPUT");
    assert_eq!(error_field(&malformed), "id");
    assert_eq!(thread(&app, None, &post).await[0]["body"], "Traits are like interfaces", "nothing else changed it");
}

#[tokio::test]
async fn comment_input_is_checked_field_by_field() {
    let app = TestApp::spawn().await;
    let author = app.user_with_role("AUTHOR").await;
    let reader = app.register_verified("ada@example.com").await;
    let (post, _) = app.published_post(&author, "Closures").await;
    let (other_post, _) = app.published_post(&author, "Iterators").await;
    let elsewhere = comment(&app, &reader, &other_post, None, "On another post").await;

    let cases = [
        ("an empty body", json!({ "post": post, "body": " \n\t " }), "body"),
        ("a 10,001-character body", json!({ "post": post, "body": "x".repeat(10_001) }), "body"),
        ("a reply to another post's comment", json!({ "post": post, "parent": elsewhere, "body": "Hi" }), "parentId"),
        ("a reply to no comment", json!({ "post": post, "parent": uuid::Uuid::now_v7(), "body": "Hi" }), "parentId"),
        ("a malformed parent id", json!({ "post": post, "parent": "not-an-id", "body": "Hi" }), "parentId"),
        ("a malformed post id", json!({ "post": "42", "body": "Hi" }), "postId"),
    ];
    for (name, vars, field) in cases {
        let response = app.graphql_as(&reader, ADD, vars).await;
        assert_eq!(error_code(&response), "BAD_USER_INPUT", "{name}: {response}");
        assert_eq!(error_field(&response), field, "{name}: {response}");
    }
    let longest = add(&app, &reader, &post, None, &"x".repeat(10_000)).await;
    assert!(longest["data"]["addComment"]["id"].is_string(), "10,000 characters fit: {longest}");

    let unknown_post = add(&app, &reader, &uuid::Uuid::now_v7().to_string(), None, "Hello?").await;
    assert_eq!(error_code(&unknown_post), "NOT_FOUND");
    let unknown_thread = thread_response(&app, Some(&reader), &uuid::Uuid::now_v7().to_string()).await;
    assert_eq!(error_code(&unknown_thread), "NOT_FOUND");
    let anonymous = app.graphql(ADD, json!({ "post": post, "body": "Hello" })).await;
    assert_eq!(error_code(&anonymous), "UNAUTHENTICATED");

    // A draft is not there for readers, whether they write, read or edit on it.
    use lectern::domains::posts::service as posts;
    let input =
        posts::PostInput { title: Some("Unsafe".into()), body: Some("Work in progress.".into()), ..Default::default() };
    let draft = posts::create(&app.state, &app.viewer_of(&author).await, input).await.expect("draft").id.to_string();
    let on_draft = add(&app, &reader, &draft, None, "First!").await;
    assert_eq!(error_code(&on_draft), "NOT_FOUND");
    assert_eq!(error_code(&thread_response(&app, Some(&reader), &draft).await), "NOT_FOUND");
    assert_eq!(error_code(&thread_response(&app, None, &draft).await), "NOT_FOUND");
    let note = comment(&app, &author, &draft, None, "Note to self").await;
    assert_eq!(ids(&thread(&app, Some(&author), &draft).await), [note.as_str()], "its author can");
    assert_eq!(error_code(&edit(&app, &reader, &note, "Peek").await), "NOT_FOUND");
    assert_eq!(error_code(&delete(&app, &reader, &note).await), "NOT_FOUND");
}

#[tokio::test]
async fn comments_are_deleted_by_their_author_or_an_admin() {
    let app = TestApp::spawn().await;
    let author = app.user_with_role("AUTHOR").await;
    let admin = app.user_with_role("ADMIN").await;
    let ada = app.register_verified("ada@example.com").await;
    let bob = app.register_verified("bob@example.com").await;
    let (post, _) = app.published_post(&author, "Macros").await;
    let spam = comment(&app, &ada, &post, None, "Buy my crate").await;
    let own = comment(&app, &bob, &post, None, "Macros are fun").await;

    assert_eq!(error_code(&delete(&app, &bob, &spam).await), "FORBIDDEN");
    assert_eq!(error_code(&app.graphql(DELETE, json!({ "id": spam })).await), "UNAUTHENTICATED");
    assert_eq!(error_code(&delete(&app, &bob, &uuid::Uuid::now_v7().to_string()).await), "NOT_FOUND");
    let malformed = delete(&app, &bob, "nope").await;
    assert_eq!(error_field(&malformed), "id");
    assert_eq!(ids(&thread(&app, None, &post).await), [spam.as_str(), own.as_str()], "nothing was deleted yet");

    assert_eq!(delete(&app, &admin, &spam).await["data"]["deleteComment"], true, "admins may");
    assert_eq!(delete(&app, &bob, &own).await["data"]["deleteComment"], true, "authors may");
    assert_eq!(thread(&app, None, &post).await, json!([]));
}

#[tokio::test]
async fn moderators_hide_comments_from_readers() {
    let app = TestApp::spawn().await;
    let author = app.user_with_role("AUTHOR").await;
    let admin = app.user_with_role("ADMIN").await;
    let ada = app.register_verified("ada@example.com").await;
    let bob = app.register_verified("bob@example.com").await;
    let (post, _) = app.published_post(&author, "Async").await;
    let rude = comment(&app, &ada, &post, None, "Something rude").await;
    let reply = comment(&app, &bob, &post, Some(&rude), "Please be kind").await;
    let leaf = comment(&app, &ada, &post, None, "Something ruder").await;

    assert_eq!(error_code(&moderate(&app, &bob, &rude, "HIDDEN").await), "FORBIDDEN");
    assert_eq!(error_code(&moderate(&app, &author, &rude, "HIDDEN").await), "FORBIDDEN");
    let anonymous = app.graphql(MODERATE, json!({ "id": rude, "status": "HIDDEN" })).await;
    assert_eq!(error_code(&anonymous), "UNAUTHENTICATED");
    let to_deleted = moderate(&app, &admin, &rude, "DELETED").await;
    assert_eq!(error_code(&to_deleted), "BAD_USER_INPUT");
    assert_eq!(error_field(&to_deleted), "status");

    for id in [&rude, &leaf] {
        let hidden = moderate(&app, &admin, id, "HIDDEN").await;
        assert_eq!(hidden["data"]["moderateComment"]["status"], "HIDDEN", "{hidden}");
        assert_eq!(hidden["data"]["moderateComment"]["author"]["id"], ada.id.as_str(), "admins see who wrote it");
    }

    // Readers (its author included) see a placeholder where replies need one, and nothing otherwise.
    for viewer in [None, Some(&bob), Some(&ada)] {
        let comments = thread(&app, viewer, &post).await;
        assert_eq!(ids(&comments), [rude.as_str()], "the hidden leaf is gone");
        assert_eq!(comments[0]["body"], "[hidden by a moderator]");
        assert_eq!(comments[0]["status"], "HIDDEN");
        assert!(comments[0]["author"].is_null());
        assert_eq!(ids(&comments[0]["replies"]), [reply.as_str()]);
    }
    let reply_to_hidden = add(&app, &bob, &post, Some(&rude), "What did it say?").await;
    assert_eq!(error_code(&reply_to_hidden), "BAD_USER_INPUT");
    assert_eq!(error_field(&reply_to_hidden), "parentId");

    // Admins read hidden comments as written, leaves included, so they can restore them.
    let for_admin = thread(&app, Some(&admin), &post).await;
    assert_eq!(ids(&for_admin), [rude.as_str(), leaf.as_str()]);
    assert_eq!(for_admin[0]["body"], "Something rude");
    assert_eq!(for_admin[0]["status"], "HIDDEN");
    assert_eq!(for_admin[0]["author"]["id"], ada.id.as_str());
    assert_eq!(for_admin[1]["body"], "Something ruder");

    let restored = moderate(&app, &admin, &rude, "VISIBLE").await;
    assert_eq!(restored["data"]["moderateComment"]["status"], "VISIBLE", "{restored}");
    assert_eq!(thread(&app, None, &post).await[0]["body"], "Something rude");

    // A deleted comment has nothing left to moderate.
    delete(&app, &ada, &leaf).await;
    let revive = moderate(&app, &admin, &leaf, "VISIBLE").await;
    assert_eq!(error_code(&revive), "BAD_USER_INPUT");
    assert_eq!(error_field(&revive), "id");
}

#[tokio::test]
async fn counts_and_threads_load_for_many_posts_at_once() {
    let app = TestApp::spawn().await;
    let author = app.user_with_role("AUTHOR").await;
    let admin = app.user_with_role("ADMIN").await;
    let reader = app.register_verified("ada@example.com").await;
    let (busy, _) = app.published_post(&author, "Busy").await;
    let (quiet, _) = app.published_post(&author, "Quiet").await;
    let (silent, _) = app.published_post(&author, "Silent").await;

    let first = comment(&app, &reader, &busy, None, "One").await;
    comment(&app, &reader, &busy, Some(&first), "Two").await;
    let removed = comment(&app, &reader, &busy, None, "Going away").await;
    comment(&app, &reader, &busy, Some(&removed), "Three").await;
    let hidden = comment(&app, &reader, &busy, None, "Hidden").await;
    comment(&app, &reader, &quiet, None, "Only one").await;
    delete(&app, &reader, &removed).await;
    moderate(&app, &admin, &hidden, "HIDDEN").await;

    let (loader, batches) = lectern::graphql::loaders::for_request();
    let reader_viewer = app.viewer_of(&reader).await;
    let loader = loader.get(&app.state, &reader_viewer);
    let posts: Vec<uuid::Uuid> = [&busy, &quiet, &silent].iter().map(|id| id.parse().unwrap()).collect();
    let (counts, trees) = batches
        .drive(async {
            let counts = loader.load_many(posts.iter().map(|&id| CountsOfPost(id))).await.expect("counts");
            let trees = loader.load_many(posts.iter().map(|&id| CommentTreeOf(id))).await.expect("trees");
            (counts, trees)
        })
        .await;
    let counts: HashMap<uuid::Uuid, i64> = counts.into_iter().map(|(key, counts)| (key.0, counts.comments)).collect();
    assert_eq!(counts, HashMap::from([(posts[0], 3), (posts[1], 1), (posts[2], 0)]), "visible comments only");

    let sizes: HashMap<uuid::Uuid, usize> = trees.iter().map(|(key, tree)| (key.0, tree.len())).collect();
    // Busy: One, Two, the [deleted] placeholder and Three; the hidden leaf is not the reader's to see.
    assert_eq!(sizes, HashMap::from([(posts[0], 4), (posts[1], 1), (posts[2], 0)]));
    assert_eq!(trees[&CommentTreeOf(posts[0])].roots().len(), 2);
}

#[tokio::test]
async fn a_flood_of_comments_is_rate_limited_per_account() {
    let app = TestApp::spawn().await;
    let author = app.user_with_role("AUTHOR").await;
    let flooder = app.register_verified("flood@example.com").await;
    let neighbour = app.register_verified("calm@example.com").await;
    let (post, _) = app.published_post(&author, "Lifetimes").await;

    for i in 0..20 {
        comment(&app, &flooder, &post, None, &format!("Comment {i}")).await;
    }
    let refused = add(&app, &flooder, &post, None, "One too many").await;
    assert_eq!(error_code(&refused), "RATE_LIMITED", "{refused}");
    assert!(
        refused["errors"][0]["extensions"]["retryAfter"].as_u64().is_some_and(|s| (1..=30).contains(&s)),
        "{refused}"
    );
    // Nothing half-written: the refused comment is not in the thread.
    let bodies: Vec<String> = thread(&app, None, &post)
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["body"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(bodies.len(), 20);
    assert!(!bodies.iter().any(|b| b == "One too many"));
    // Another account is not affected, and input errors do not spend its allowance.
    for _ in 0..25 {
        assert_eq!(error_code(&add(&app, &neighbour, &post, None, "  ").await), "BAD_USER_INPUT");
    }
    comment(&app, &neighbour, &post, None, "Still welcome").await;
}

const FLAT: &str = "query($post: ID!, $first: Int, $after: String, $last: Int, $before: String) {
    commentThread(postId: $post, first: $first, after: $after, last: $last, before: $before) {
        edges { cursor node { id parentId depth body status author { id } } }
        pageInfo { hasNextPage hasPreviousPage endCursor startCursor }
    }
}";

/// One page of the flat thread as `user` sees it.
async fn flat(app: &TestApp, user: Option<&TestUser>, post: &str, page: Value) -> Value {
    let mut variables = json!({ "post": post });
    variables.as_object_mut().unwrap().extend(page.as_object().unwrap().clone());
    let body = app.graphql_with(user.map(|u| u.access_token.as_str()), FLAT, variables).await;
    assert!(body["data"]["commentThread"].is_object(), "{body}");
    body["data"]["commentThread"].clone()
}

/// (id, depth) of each comment of a page.
fn places(page: &Value) -> Vec<(String, i64)> {
    page["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["node"]["id"].as_str().unwrap().to_owned(), e["node"]["depth"].as_i64().unwrap()))
        .collect()
}

#[tokio::test]
async fn the_thread_pages_flat_and_depth_first() {
    let app = TestApp::spawn_with(&[("COMMENT_BURST", "1000")]).await;
    let author = app.user_with_role("AUTHOR").await;
    let admin = app.user_with_role("ADMIN").await;
    let reader = app.register_verified("flat@example.com").await;
    let (post, _) = app.published_post(&author, "Threads").await;
    let a = comment(&app, &reader, &post, None, "A").await;
    let a1 = comment(&app, &author, &post, Some(&a), "A1").await;
    let a1a = comment(&app, &reader, &post, Some(&a1), "A1a").await;
    let b = comment(&app, &author, &post, None, "B").await;
    // Written after B, but it belongs under A.
    let a2 = comment(&app, &author, &post, Some(&a), "A2").await;
    let expected = vec![(a.clone(), 0), (a1.clone(), 1), (a1a.clone(), 2), (a2.clone(), 1), (b.clone(), 0)];

    let whole = flat(&app, None, &post, json!({})).await;
    assert_eq!(places(&whole), expected);
    assert_eq!(whole["edges"][2]["node"]["parentId"], a1.as_str());

    // Forward in pages of two, then backward from the end.
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = flat(&app, None, &post, json!({ "first": 2, "after": after })).await;
        seen.extend(places(&page));
        if page["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = page["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
    assert_eq!(seen, expected);
    let tail = flat(&app, None, &post, json!({ "last": 2 })).await;
    assert_eq!(places(&tail), expected[3..]);
    assert_eq!(tail["pageInfo"]["hasPreviousPage"], true);
    let before = tail["pageInfo"]["startCursor"].as_str().unwrap();
    let previous = flat(&app, None, &post, json!({ "last": 2, "before": before })).await;
    assert_eq!(places(&previous), expected[1..3]);

    // A deleted comment with a readable reply stays as a placeholder; without one it goes.
    assert_eq!(delete(&app, &author, &a1).await["data"]["deleteComment"], true);
    let page = flat(&app, None, &post, json!({})).await;
    assert_eq!(places(&page), expected);
    assert_eq!(page["edges"][1]["node"]["body"], "[deleted]");
    assert!(page["edges"][1]["node"]["author"].is_null());
    assert_eq!(delete(&app, &reader, &a1a).await["data"]["deleteComment"], true);
    let page = flat(&app, None, &post, json!({})).await;
    assert_eq!(places(&page), vec![(a.clone(), 0), (a2.clone(), 1), (b.clone(), 0)]);

    // Hidden: gone for readers (no replies), shown to admins as written.
    assert!(moderate(&app, &admin, &a2, "HIDDEN").await["errors"].is_null());
    assert_eq!(places(&flat(&app, Some(&reader), &post, json!({})).await), vec![(a.clone(), 0), (b.clone(), 0)]);
    let for_admin = flat(&app, Some(&admin), &post, json!({})).await;
    assert_eq!(places(&for_admin), vec![(a.clone(), 0), (a2.clone(), 1), (b.clone(), 0)]);
    assert_eq!(for_admin["edges"][1]["node"]["body"], "A2");

    // Post.thread is the same list.
    let body = app
        .graphql(
            "query($slug: String!) { post(slug: $slug) { thread(first: 10) { edges { node { id depth } } } } }",
            json!({ "slug": "threads" }),
        )
        .await;
    assert_eq!(body["data"]["post"]["thread"]["edges"].as_array().map(Vec::len), Some(2), "{body}");

    // Bad input names its field; a draft's thread is NOT_FOUND to others.
    for (variables, field) in [
        (json!({ "post": post, "first": 101 }), "first"),
        (json!({ "post": post, "after": "bm90LWEtY3Vyc29y" }), "after"),
        (json!({ "post": post, "first": 1, "last": 1 }), "last"),
        (json!({ "post": "nope" }), "postId"),
    ] {
        let body = app.graphql(FLAT, variables).await;
        assert_eq!((error_code(&body), error_field(&body)), ("BAD_USER_INPUT", field), "{body}");
    }
    let draft = app.draft_post(&author, "Draft").await;
    let body = app.graphql(FLAT, json!({ "post": draft.id.to_string() })).await;
    assert_eq!(error_code(&body), "NOT_FOUND");
}

#[tokio::test]
async fn replies_nest_at_most_63_deep_and_the_paths_rebuild_from_parents() {
    let app = TestApp::spawn_with(&[("COMMENT_BURST", "1000")]).await;
    let author = app.user_with_role("AUTHOR").await;
    let (post, _) = app.published_post(&author, "Deep").await;
    let mut parent: Option<String> = None;
    for depth in 0..=63 {
        parent = Some(comment(&app, &author, &post, parent.as_deref(), &format!("level {depth}")).await);
    }
    let too_deep = add(&app, &author, &post, parent.as_deref(), "level 64").await;
    assert_eq!((error_code(&too_deep), error_field(&too_deep)), ("BAD_USER_INPUT", "parentId"), "{too_deep}");
    let sibling = comment(&app, &author, &post, None, "another root").await;
    let page = flat(&app, None, &post, json!({ "first": 100 })).await;
    let depths: Vec<i64> = places(&page).iter().map(|(_, d)| *d).collect();
    assert_eq!(depths, (0..=63).chain([0]).collect::<Vec<i64>>());
    assert_eq!(places(&page).last().unwrap().0, sibling);

    // The migration's backfill derives the same paths from the parents alone.
    use sea_orm::{ConnectionTrait, EntityTrait, QueryOrder};
    let places_by_id = || async {
        entity::comment::Entity::find()
            .order_by_asc(entity::comment::Column::Id)
            .all(&app.state.db)
            .await
            .unwrap()
            .into_iter()
            .map(|c| (c.id, c.thread_path, c.depth))
            .collect::<Vec<_>>()
    };
    let before = places_by_id().await;
    app.state.db.execute_unprepared("UPDATE comments SET thread_path = '', depth = 0").await.unwrap();
    let backfill = migration::comment_thread_backfill(app.state.db.get_database_backend());
    app.state.db.execute_unprepared(&backfill).await.unwrap();
    let rebuilt = places_by_id().await;
    assert_eq!(rebuilt.len(), before.len());
    let differing = rebuilt.iter().zip(&before).filter(|(a, b)| a != b).count();
    assert_eq!(differing, 0, "the backfill derived other paths than the comments were written with");
    assert_eq!(places(&flat(&app, None, &post, json!({ "first": 100 })).await), places(&page));
}

#[tokio::test]
async fn an_unverified_account_cannot_comment_until_it_verifies() {
    let app = TestApp::spawn().await;
    let author = app.user_with_role("AUTHOR").await;
    let (post, _) = app.published_post(&author, "Ownership").await;
    let newcomer = app.register("new@example.com").await;

    let refused = add(&app, &newcomer, &post, None, "First!").await;
    assert_eq!(error_code(&refused), "EMAIL_NOT_VERIFIED", "{refused}");
    let message = refused["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("Verify your email"), "{message}");
    assert!(refused["data"].is_null() || refused["data"]["addComment"].is_null(), "{refused}");
    assert_eq!(thread(&app, None, &post).await, json!([]), "nothing was stored");

    // The resend link in the app calls requestEmailVerification; following the mailed link unlocks comments.
    let resent = app.graphql_as(&newcomer, "mutation { requestEmailVerification }", json!({})).await;
    assert_eq!(resent["data"]["requestEmailVerification"], true, "{resent}");
    // Two mails now: the one sent at registration and the one asked for (directory order is not time order).
    let mails = app.raw_mails_to("new@example.com", "Confirm your email", 2).await;
    let mut verified = 0;
    for raw in mails {
        let token = crate::harness::token_in(&crate::harness::mail_text(&mailparse::parse_mail(&raw).unwrap()));
        let body = app
            .graphql("mutation($t: String!) { verifyEmail(token: $t) { emailVerified } }", json!({ "t": token }))
            .await;
        if body["data"]["verifyEmail"]["emailVerified"] == true {
            verified += 1;
        }
    }
    assert!(verified >= 1, "a mailed link verifies the address");
    comment(&app, &newcomer, &post, None, "First!").await;
    assert_eq!(ids(&thread(&app, None, &post).await).len(), 1);
}

#[tokio::test]
async fn the_verified_email_rule_is_a_setting() {
    let app = TestApp::spawn_with(&[("COMMENTS_REQUIRE_VERIFIED_EMAIL", "false")]).await;
    let author = app.user_with_role("AUTHOR").await;
    let (post, _) = app.published_post(&author, "Ownership").await;
    let newcomer = app.register("new@example.com").await;
    comment(&app, &newcomer, &post, None, "Allowed here").await;
}

#[tokio::test]
async fn comment_markdown_is_rendered_safely_and_placeholders_stay_plain() {
    let app = TestApp::spawn().await;
    let author = app.user_with_role("AUTHOR").await;
    let admin = app.user_with_role("ADMIN").await;
    let reader = app.register_verified("ada@example.com").await;
    let (post, _) = app.published_post(&author, "Ownership").await;
    let body = "Try `Vec<u8>` and *this*:\n\n```rust\nlet x = 1;\n```\n\n<img src=x onerror=alert(1)> [me](javascript:alert(2))";
    let id = comment(&app, &reader, &post, None, body).await;
    let hidden = comment(&app, &reader, &post, None, "**rude**").await;
    // With a reply, a hidden comment keeps its place as a placeholder.
    comment(&app, &author, &post, Some(&hidden), "Please be kind").await;
    moderate(&app, &admin, &hidden, "HIDDEN").await;

    let query = "query($post: ID!) { comments(postId: $post) { id body bodyHtml } }";
    let read = app.graphql(query, json!({ "post": post })).await;
    let comments = read["data"]["comments"].as_array().unwrap_or_else(|| panic!("{read}"));
    let shown = comments.iter().find(|c| c["id"] == id.as_str()).unwrap();
    assert_eq!(shown["body"], body, "the markdown as written stays available");
    let html = shown["bodyHtml"].as_str().unwrap();
    assert!(html.contains("<code>Vec&lt;u8&gt;</code>") && html.contains("<em>this</em>"), "{html}");
    assert!(html.contains("<pre><code class=\"language-rust\"><span class=\"hl-"), "highlighted: {html}");
    assert!(!html.contains("<img") && html.contains("&lt;img src=x onerror=alert(1)&gt;"), "HTML as text: {html}");
    assert!(!html.contains("javascript:"), "{html}");
    let placeholder = comments.iter().find(|c| c["id"] == hidden.as_str()).unwrap();
    assert_eq!(placeholder["bodyHtml"], "<p>[hidden by a moderator]</p>", "{placeholder}");

    // An edit shows at once (the rendered HTML is keyed by the text).
    let edited = app
        .graphql_as(
            &reader,
            "mutation($id: ID!) { editComment(id: $id, body: \"now ~~struck~~\") { bodyHtml } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(edited["data"]["editComment"]["bodyHtml"], "<p>now <del>struck</del></p>\n", "{edited}");
}

/// Live comments fan out without a query per subscriber: the event is decoded
/// and its author looked up once for every subscriber of the post, so one event
/// costs the same statements for 2 subscribers as for 12, all of them
/// selecting the author. A selection every viewer reads alike is rendered once
/// per event; one with a field that depends on the viewer (the author's
/// address, only for the author themself and admins) is resolved per viewer.
#[tokio::test]
async fn a_live_comment_reaches_every_subscriber_with_a_fixed_number_of_statements() {
    use std::sync::atomic::Ordering;
    // No worker: its polling would add statements to the count.
    let app = TestApp::spawn_with(&[("IN_PROCESS_WORKER", "false"), ("COMMENT_BURST", "1000")]).await;
    let author = app.user_with_role("AUTHOR").await;
    let admin = app.user_with_role("ADMIN").await;
    let ada = app.register_verified("ada@example.com").await;
    let grace = app.register_verified("grace@example.com").await;
    let (post, _) = app.published_post(&author, "Fan-out").await;
    // Per viewer (the address), and shared (public fields only, through a fragment).
    const PRIVATE: &str =
        "subscription($post: ID!) { commentAdded(postId: $post) { id body author { id displayName email } } }";
    const PUBLIC: &str = "subscription($post: ID!) { commentAdded(postId: $post) { ...Live } }
        fragment Live on Comment { __typename id postId body bodyHtml status author { id displayName role } }";

    // Who follows the post: anonymous readers, other readers, an admin, and the commenter herself.
    let viewers = |n: usize| -> Vec<Option<&TestUser>> {
        (0..n).map(|i| [None, Some(&grace), Some(&admin), Some(&ada)][i % 4]).collect()
    };
    let mut per_event = Vec::new();
    for (round, n) in [2, 12].into_iter().enumerate() {
        let mut sockets = Vec::new();
        for viewer in viewers(n) {
            let mut ws = app.ws("graphql-transport-ws").await;
            ws.init(viewer.map(|u| u.access_token.as_str())).await;
            for (id, query) in [("private", PRIVATE), ("public", PUBLIC)] {
                let payload = json!({ "query": query, "variables": { "post": post } });
                ws.send(json!({ "id": id, "type": "subscribe", "payload": payload })).await;
            }
            sockets.push((viewer, ws));
        }
        // Give the subscriptions a moment to register; the first comment proves they did.
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let warm_up = comment(&app, &ada, &post, None, &format!("Warm-up {round}")).await;
        for (_, ws) in &mut sockets {
            for _ in 0..2 {
                assert_eq!(ws.message().await["payload"]["data"]["commentAdded"]["id"], warm_up.as_str());
            }
        }

        let before = app.state.sql_statements.load(Ordering::SeqCst);
        let id = comment(&app, &ada, &post, None, &format!("Counted *{round}*")).await;
        for (viewer, ws) in &mut sockets {
            let mut answers = HashMap::new();
            for _ in 0..2 {
                let next = ws.message().await;
                answers.insert(next["id"].as_str().unwrap_or_default().to_owned(), next);
            }
            let private = &answers["private"]["payload"]["data"]["commentAdded"];
            assert_eq!(private["id"], id.as_str(), "{private}");
            assert_eq!(private["author"]["id"], ada.id.as_str(), "{private}");
            assert_eq!(private["author"]["displayName"], "Test Reader", "{private}");
            let sees_address = viewer.is_some_and(|v| v.id == ada.id || v.id == admin.id);
            let expected = if sees_address { json!(ada.email) } else { Value::Null };
            assert_eq!(private["author"]["email"], expected, "per viewer: {viewer:?} got {private}");
            assert!(answers["private"]["payload"]["errors"].is_null(), "{:?}", answers["private"]);

            let public = &answers["public"]["payload"];
            assert!(public["errors"].is_null(), "{public}");
            assert_eq!(
                public["data"]["commentAdded"],
                json!({
                    "__typename": "Comment", "id": id, "postId": post, "body": format!("Counted *{round}*"),
                    "bodyHtml": format!("<p>Counted <em>{round}</em></p>\n"), "status": "VISIBLE",
                    "author": { "id": ada.id, "displayName": "Test Reader", "role": "READER" }
                }),
                "{viewer:?}"
            );
        }
        per_event.push(app.state.sql_statements.load(Ordering::SeqCst) - before);
        for (_, ws) in &mut sockets {
            for id in ["private", "public"] {
                ws.send(json!({ "id": id, "type": "complete" })).await;
            }
        }
    }
    println!("SQL statements per comment event: 2 subscribers -> {}, 12 -> {}", per_event[0], per_event[1]);
    assert_eq!(per_event[0], per_event[1], "fan-out runs no statement per subscriber");
}

/// A live comment carries its author's public profile, so subscribers that
/// select only public fields of the author cost no statement at all: a comment
/// followed by six of them runs as many statements as one nobody follows. The
/// profile is the one at the time of the comment (a rename shows in the next).
#[tokio::test]
async fn a_live_comment_with_public_author_fields_runs_no_query_for_its_subscribers() {
    use std::sync::atomic::Ordering;
    let app = TestApp::spawn_with(&[("IN_PROCESS_WORKER", "false"), ("COMMENT_BURST", "1000")]).await;
    let author = app.user_with_role("AUTHOR").await;
    let admin = app.user_with_role("ADMIN").await;
    let ada = app.register_verified("ada@example.com").await;
    let (post, _) = app.published_post(&author, "Fan-out, public").await;
    const PUBLIC: &str = "subscription($post: ID!) { commentAdded(postId: $post) { id body author { id displayName bio emailVerified } } }";

    // Unfollowed: what the mutation costs by itself (after a first comment warms the caches).
    comment(&app, &ada, &post, None, "Warm-up").await;
    let before = app.state.sql_statements.load(Ordering::SeqCst);
    comment(&app, &ada, &post, None, "Nobody listens").await;
    let alone = app.state.sql_statements.load(Ordering::SeqCst) - before;

    let mut sockets = Vec::new();
    for viewer in [None, Some(&ada), Some(&admin), None, Some(&author), Some(&ada)] {
        let mut ws = app.ws("graphql-transport-ws").await;
        ws.init(viewer.map(|u: &TestUser| u.access_token.as_str())).await;
        let payload = json!({ "query": PUBLIC, "variables": { "post": post } });
        ws.send(json!({ "id": "live", "type": "subscribe", "payload": payload })).await;
        sockets.push(ws);
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let warm_up = comment(&app, &ada, &post, None, "Warm-up, followed").await;
    for ws in &mut sockets {
        assert_eq!(ws.message().await["payload"]["data"]["commentAdded"]["id"], warm_up.as_str());
    }

    let before = app.state.sql_statements.load(Ordering::SeqCst);
    let id = comment(&app, &ada, &post, None, "Six listen").await;
    for ws in &mut sockets {
        let next = ws.message().await;
        assert!(next["payload"]["errors"].is_null(), "{next}");
        assert_eq!(
            next["payload"]["data"]["commentAdded"],
            json!({ "id": id, "body": "Six listen",
                    "author": { "id": ada.id, "displayName": "Test Reader", "bio": "", "emailVerified": true } })
        );
    }
    let followed = app.state.sql_statements.load(Ordering::SeqCst) - before;
    assert_eq!(followed, alone, "the subscribers ran no statement of their own");

    // A rename shows in the next comment's profile.
    let renamed = app
        .graphql_as(&ada, "mutation { updateProfile(input: { displayName: \"Ada L.\" }) { displayName } }", json!({}))
        .await;
    assert_eq!(renamed["data"]["updateProfile"]["displayName"], "Ada L.", "{renamed}");
    comment(&app, &ada, &post, None, "Renamed").await;
    for ws in &mut sockets {
        let next = ws.message().await;
        assert_eq!(next["payload"]["data"]["commentAdded"]["author"]["displayName"], "Ada L.", "{next}");
    }
}

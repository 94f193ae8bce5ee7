//! Spaced repetition as a reader meets it: adding posts and series to review,
//! the due queue, grading with FSRS (and replaying the log), XP, statistics in
//! the reader's time zone, the daily reminder, and every bad input: another
//! reader's card, removed cards, unreadable or premium posts, prompts out of
//! bounds, page sizes, anonymous viewers. Concurrent reviews of one card take
//! turns (row lock on PostgreSQL, the write lock on SQLite).

use chrono::{DateTime, Duration, TimeZone, Utc};
use lectern::domains::{
    billing::service as billing,
    posts::service::{self as posts, PostInput},
    reviews::{scheduling::Memory, service as reviews},
};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set};
use serde_json::{Value, json};

use crate::harness::{TestApp, TestUser, error_code, error_field};

const ADD_POST: &str =
    "mutation($p: ID) { addToReview(postId: $p) { id state keyPoints keyPointsSource post { id } } }";
const ADD_SERIES: &str = "mutation($s: ID) { addToReview(seriesId: $s) { id post { id title } } }";
const QUEUE: &str = "query($first: Int, $after: String) {
  reviewQueue(first: $first, after: $after) {
    totalCount
    edges { cursor node { id state due isDue post { id title } keyPoints keyPointsSource } }
    pageInfo { hasNextPage endCursor }
  }
}";
const REVIEW: &str = "mutation($c: ID!, $g: ReviewGrade!) {
  reviewCard(cardId: $c, grade: $g) {
    nextDue early xpAwarded
    card { id state due reps lapses stability difficulty lastReviewedAt isDue }
    review { grade early elapsedDays scheduledDays stateBefore stateAfter dueBefore dueAfter }
  }
}";
const REMOVE: &str = "mutation($c: ID!) { removeFromReview(cardId: $c) }";
const PROMPTS: &str = "mutation($p: ID!, $q: [String!]!) { setReviewPrompts(postId: $p, prompts: $q) }";

fn uuid(id: &str) -> uuid::Uuid {
    uuid::Uuid::parse_str(id).unwrap()
}

fn ok(body: &Value) {
    assert!(body["errors"].is_null(), "{body}");
}

/// A published post with a body of its own, by `author` (AUTHOR or ADMIN).
async fn post(app: &TestApp, author: &TestUser, title: &str, body: &str, premium: bool) -> entity::post::Model {
    let viewer = app.viewer_of(author).await;
    let input = PostInput {
        title: Some(title.into()),
        body: Some(body.into()),
        is_premium: Some(premium),
        ..Default::default()
    };
    let post = posts::create(&app.state, &viewer, input).await.expect("create post");
    posts::publish(&app.state, &viewer, post.id).await.expect("publish post")
}

/// A series of the given posts, in order.
async fn series(app: &TestApp, author: &TestUser, title: &str, post_ids: &[uuid::Uuid]) -> String {
    let made = app
        .graphql_as(
            author,
            "mutation($t: String!) { createSeries(input: { title: $t, description: \"A series\" }) { id } }",
            json!({ "t": title }),
        )
        .await;
    let id = made["data"]["createSeries"]["id"].as_str().unwrap_or_else(|| panic!("{made}")).to_owned();
    for post in post_ids {
        let added = app
            .graphql_as(
                author,
                "mutation($s: ID!, $p: ID!) { addPostToSeries(seriesId: $s, postId: $p) { id } }",
                json!({ "s": id, "p": post.to_string() }),
            )
            .await;
        ok(&added);
    }
    id
}

async fn add_post(app: &TestApp, reader: &TestUser, post_id: uuid::Uuid) -> Value {
    let body = app.graphql_as(reader, ADD_POST, json!({ "p": post_id.to_string() })).await;
    ok(&body);
    body["data"]["addToReview"][0].clone()
}

async fn grade(app: &TestApp, reader: &TestUser, card: &str, grade: &str) -> Value {
    let body = app.graphql_as(reader, REVIEW, json!({ "c": card, "g": grade })).await;
    ok(&body);
    body["data"]["reviewCard"].clone()
}

async fn queue(app: &TestApp, reader: &TestUser) -> Value {
    let body = app.graphql_as(reader, QUEUE, json!({ "first": 100 })).await;
    ok(&body);
    body["data"]["reviewQueue"].clone()
}

fn at(value: &Value) -> DateTime<Utc> {
    value.as_str().unwrap_or_else(|| panic!("not a time: {value}")).parse().unwrap()
}

async fn stored_card(app: &TestApp, id: &str) -> Option<entity::review_card::Model> {
    entity::review_card::Entity::find_by_id(uuid(id)).one(&app.state.db).await.unwrap()
}

async fn stored_log(app: &TestApp, card: &str) -> Vec<entity::review_log::Model> {
    reviews::log_of(&app.state.db, uuid(card)).await.unwrap()
}

/// Moves a card and its log `days` into the past, as if that long had gone by since.
async fn age_card(app: &TestApp, card: &str, days: i64) {
    let shift = Duration::days(days);
    let stored = stored_card(app, card).await.unwrap();
    let mut active = stored.clone().into_active_model();
    active.due = Set(stored.due - shift);
    active.created_at = Set(stored.created_at - shift);
    active.last_reviewed_at = Set(stored.last_reviewed_at.map(|t| t - shift));
    active.update(&app.state.db).await.unwrap();
    for log in stored_log(app, card).await {
        let mut active = log.clone().into_active_model();
        active.reviewed_at = Set(log.reviewed_at - shift);
        active.due_before = Set(log.due_before - shift);
        active.due_after = Set(log.due_after - shift);
        active.update(&app.state.db).await.unwrap();
    }
}

#[tokio::test]
async fn a_reader_adds_posts_and_series_and_works_through_the_queue() {
    let app = TestApp::spawn().await;
    let author = app.user_with_role("AUTHOR").await;
    let reader = app.register_verified("reviewer@example.com").await;
    let body = "# Ownership\n\nWho owns what.\n\n## Moves\n\nText.\n\n## Borrowing\n\n### Shared references\n\nMore.";
    let alone = post(&app, &author, "Ownership", body, false).await;
    let parts = [
        post(&app, &author, "Part one", "## Setup\n\nInstall it.", false).await,
        post(&app, &author, "Part two", "## Running\n\nRun it.", false).await,
        post(&app, &author, "Part three", "## Shipping\n\nShip it.", false).await,
    ];
    let draft = app.draft_post(&author, "Part four").await;
    let mut in_series: Vec<uuid::Uuid> = parts.iter().map(|p| p.id).collect();
    in_series.push(draft.id);
    let series_id = series(&app, &author, "Learn it", &in_series).await;

    // One post: a NEW card, due at once, showing the post's outline (headings, then the excerpt).
    let card = add_post(&app, &reader, alone.id).await;
    assert_eq!(card["state"], "NEW");
    assert_eq!(card["keyPointsSource"], "OUTLINE");
    assert_eq!(card["keyPoints"], json!(["Moves", "Borrowing", "Shared references", alone.excerpt]), "{card}");
    // Adding it again keeps the card.
    let again = add_post(&app, &reader, alone.id).await;
    assert_eq!(again["id"], card["id"]);

    // A series: its published posts, in reading order (the draft is not the reader's to review).
    let added = app.graphql_as(&reader, ADD_SERIES, json!({ "s": series_id })).await;
    ok(&added);
    let titles: Vec<&str> =
        added["data"]["addToReview"].as_array().unwrap().iter().map(|c| c["post"]["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["Part one", "Part two", "Part three"]);
    let again = app.graphql_as(&reader, ADD_SERIES, json!({ "s": series_id })).await;
    assert_eq!(again["data"]["addToReview"], added["data"]["addToReview"], "adding a series twice changes nothing");
    let cards = entity::review_card::Entity::find()
        .filter(entity::review_card::Column::UserId.eq(uuid(&reader.id)))
        .all(&app.state.db)
        .await
        .unwrap();
    assert_eq!(cards.len(), 4, "one card per post");

    // The queue: the longest due first (the single post was added first), with the due count.
    let due = queue(&app, &reader).await;
    assert_eq!(due["totalCount"], 4);
    let order: Vec<&str> =
        due["edges"].as_array().unwrap().iter().map(|e| e["node"]["post"]["title"].as_str().unwrap()).collect();
    assert_eq!(order[0], "Ownership", "{due}");
    let dues: Vec<DateTime<Utc>> = due["edges"].as_array().unwrap().iter().map(|e| at(&e["node"]["due"])).collect();
    assert!(dues.windows(2).all(|w| w[0] <= w[1]), "oldest due first: {dues:?}");
    // Paging with the cursor on (due, id).
    let first = app.graphql_as(&reader, QUEUE, json!({ "first": 3 })).await;
    let page = &first["data"]["reviewQueue"];
    assert_eq!((page["totalCount"].as_i64(), page["pageInfo"]["hasNextPage"].as_bool()), (Some(4), Some(true)));
    let rest = app.graphql_as(&reader, QUEUE, json!({ "first": 3, "after": page["pageInfo"]["endCursor"] })).await;
    let rest = &rest["data"]["reviewQueue"];
    assert_eq!(rest["edges"].as_array().unwrap().len(), 1, "{rest}");
    assert_eq!(rest["edges"][0]["node"]["id"], due["edges"][3]["node"]["id"]);
    assert_eq!(rest["pageInfo"]["hasNextPage"], false);

    // The author writes review prompts: the card shows them instead of the outline.
    let prompts = ["What does a move leave behind?", "  When may two references coexist?  "];
    let set = app.graphql_as(&author, PROMPTS, json!({ "p": alone.id.to_string(), "q": prompts })).await;
    assert_eq!(set["data"]["setReviewPrompts"], json!([prompts[0], prompts[1].trim()]), "{set}");
    let read = app
        .graphql_as(&author, "query($p: ID!) { reviewPrompts(postId: $p) }", json!({ "p": alone.id.to_string() }))
        .await;
    assert_eq!(read["data"]["reviewPrompts"], set["data"]["setReviewPrompts"]);
    let due = queue(&app, &reader).await;
    let node = &due["edges"][0]["node"];
    assert_eq!(
        (node["keyPointsSource"].as_str(), &node["keyPoints"]),
        (Some("PROMPTS"), &set["data"]["setReviewPrompts"])
    );
    // Clearing them brings the outline back.
    ok(&app.graphql_as(&author, PROMPTS, json!({ "p": alone.id.to_string(), "q": [] })).await);
    assert_eq!(queue(&app, &reader).await["edges"][0]["node"]["keyPointsSource"], "OUTLINE");

    // Removing a card takes it out of the queue (and adding the post again starts afresh).
    let removed = app.graphql_as(&reader, REMOVE, json!({ "c": card["id"] })).await;
    assert_eq!(removed["data"]["removeFromReview"], true, "{removed}");
    assert_eq!(queue(&app, &reader).await["totalCount"], 3);
    let fresh = add_post(&app, &reader, alone.id).await;
    assert_ne!(fresh["id"], card["id"]);
    let all =
        app.graphql_as(&reader, "{ reviewCards(first: 10) { totalCount edges { node { id } } } }", json!({})).await;
    assert_eq!(all["data"]["reviewCards"]["totalCount"], 4, "{all}");
}

#[tokio::test]
async fn grading_schedules_with_fsrs_logs_each_review_and_replays_exactly() {
    let app = TestApp::spawn_with(&[("XP_REVIEW", "7")]).await;
    let author = app.user_with_role("AUTHOR").await;
    let reader = app.register_verified("grader@example.com").await;
    let first = post(&app, &author, "Lifetimes", "## Elision\n\nText.", false).await;
    let second = post(&app, &author, "Traits", "## Objects\n\nText.", false).await;
    let card = add_post(&app, &reader, first.id).await;
    let card_id = card["id"].as_str().unwrap().to_owned();

    // A NEW card graded GOOD goes into its first step, ten minutes on; it was due, so not early.
    let good = grade(&app, &reader, &card_id, "GOOD").await;
    assert_eq!(good["card"]["state"], "LEARNING", "{good}");
    assert_eq!((good["early"].as_bool(), good["review"]["early"].as_bool()), (Some(false), Some(false)));
    let reviewed_at = at(&good["card"]["lastReviewedAt"]);
    assert_eq!(at(&good["nextDue"]), reviewed_at + Duration::minutes(10));
    assert_eq!(good["nextDue"], good["card"]["due"]);
    assert_eq!(good["card"]["reps"], 1);
    assert_eq!(good["card"]["isDue"], false);
    assert_eq!(
        (good["review"]["stateBefore"].as_str(), good["review"]["stateAfter"].as_str()),
        (Some("NEW"), Some("LEARNING"))
    );
    assert_eq!(good["xpAwarded"], 7, "the first review of the card today earns XP_REVIEW");
    // It has left the queue until it is due again.
    assert_eq!(queue(&app, &reader).await["totalCount"], 0);

    // Reviewing before it is due is allowed, and recorded as early; the same card again today earns nothing.
    let early = grade(&app, &reader, &card_id, "GOOD").await;
    assert_eq!((early["early"].as_bool(), early["review"]["early"].as_bool()), (Some(true), Some(true)));
    assert_eq!(early["card"]["state"], "REVIEW", "{early}");
    assert!(early["review"]["scheduledDays"].as_i64().unwrap() >= 1);
    assert_eq!(early["xpAwarded"], 0);
    // Another card: XP again.
    let other = add_post(&app, &reader, second.id).await;
    let other = grade(&app, &reader, other["id"].as_str().unwrap(), "EASY").await;
    assert_eq!((other["card"]["state"].as_str(), other["xpAwarded"].as_i64()), (Some("REVIEW"), Some(7)));
    let me = app.graphql_as(&reader, "{ me { xp recentActivity { source amount } } }", json!({})).await;
    assert_eq!(me["data"]["me"]["xp"], 14, "{me}");
    assert!(me["data"]["me"]["recentActivity"].as_array().unwrap().iter().all(|a| a["source"] == "REVIEW"), "{me}");

    // Ten days later the reader has forgotten it: a lapse, back to relearning.
    age_card(&app, &card_id, 10).await;
    let lapse = grade(&app, &reader, &card_id, "AGAIN").await;
    assert_eq!((lapse["card"]["state"].as_str(), lapse["card"]["lapses"].as_i64()), (Some("RELEARNING"), Some(1)));
    assert_eq!(lapse["review"]["elapsedDays"], 10, "{lapse}");
    assert_eq!(lapse["early"], false, "it was overdue");
    let recovered = grade(&app, &reader, &card_id, "GOOD").await;
    assert_eq!(recovered["card"]["state"], "REVIEW");

    // The log: four reviews in order, each starting where the one before ended.
    let log = stored_log(&app, &card_id).await;
    assert_eq!(log.iter().map(|l| l.seq).collect::<Vec<_>>(), [1, 2, 3, 4]);
    for pair in log.windows(2) {
        assert_eq!(
            (pair[1].state_before, pair[1].stability_before, pair[1].difficulty_before, pair[1].due_before),
            (pair[0].state_after, pair[0].stability_after, pair[0].difficulty_after, pair[0].due_after)
        );
    }
    let cards = app.graphql_as(&reader, "{ reviewCards(first: 10) { edges { node { id reviews(first: 10) { totalCount edges { node { grade early } } } } } } }", json!({})).await;
    let node = cards["data"]["reviewCards"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["node"]["id"] == card_id.as_str())
        .unwrap()["node"]
        .clone();
    assert_eq!(node["reviews"]["totalCount"], 4);
    let grades: Vec<&str> =
        node["reviews"]["edges"].as_array().unwrap().iter().map(|e| e["node"]["grade"].as_str().unwrap()).collect();
    assert_eq!(grades, ["GOOD", "AGAIN", "GOOD", "GOOD"], "newest first");

    // Replaying the stored log through the scheduler gives the stored card, to the bit.
    let stored = stored_card(&app, &card_id).await.unwrap();
    let replayed = reviews::replay(&app.state, &stored).await.unwrap();
    assert_eq!(replayed, Memory::of(&stored));
    assert_eq!(stored.version, 4);
    assert_eq!(stored.reps, 4);
}

#[tokio::test]
async fn reviews_of_one_card_sent_at_once_take_turns() {
    let app = TestApp::spawn().await;
    let author = app.user_with_role("AUTHOR").await;
    let reader = app.register_verified("double@example.com").await;
    let post = post(&app, &author, "Closures", "## Captures\n\nText.", false).await;
    let card = add_post(&app, &reader, post.id).await;
    let card_id = card["id"].as_str().unwrap().to_owned();

    // A double submit and then some: every review applies on the state the one before left.
    let sent = futures::future::join_all(
        (0..6).map(|_| app.graphql_as(&reader, REVIEW, json!({ "c": card_id, "g": "GOOD" }))),
    )
    .await;
    for body in &sent {
        ok(body);
    }
    let log = stored_log(&app, &card_id).await;
    assert_eq!(log.iter().map(|l| l.seq).collect::<Vec<_>>(), [1, 2, 3, 4, 5, 6]);
    assert_eq!(
        log.iter().filter(|l| l.state_before == entity::review_card::CardState::New).count(),
        1,
        "one review of the NEW card"
    );
    for pair in log.windows(2) {
        assert_eq!((pair[1].state_before, pair[1].due_before), (pair[0].state_after, pair[0].due_after));
        assert_eq!(pair[1].stability_before, pair[0].stability_after);
        assert!(pair[1].reviewed_at >= pair[0].reviewed_at);
    }
    let stored = stored_card(&app, &card_id).await.unwrap();
    assert_eq!((stored.version, stored.reps), (6, 6));
    assert_eq!(reviews::replay(&app.state, &stored).await.unwrap(), Memory::of(&stored));

    // The log itself refuses a second review of the same card version.
    let mut duplicate = log[5].clone().into_active_model();
    duplicate.id = Set(uuid::Uuid::now_v7());
    assert!(entity::review_log::Entity::insert(duplicate).exec(&app.state.db).await.is_err());
}

#[tokio::test]
async fn cards_follow_the_posts_readability_and_premium_plans() {
    let app = TestApp::spawn().await;
    let author = app.user_with_role("AUTHOR").await;
    let admin = app.user_with_role("ADMIN").await;
    let reader = app.register_verified("premium@example.com").await;
    let free = post(&app, &author, "Free", "## Basics\n\nText.", false).await;
    let premium = post(&app, &author, "Premium", "## Secrets\n\nDeep text.", true).await;
    let series_id = series(&app, &author, "Mixed", &[free.id, premium.id]).await;

    // Without a plan: the premium post is refused, and a series skips it.
    let refused = app.graphql_as(&reader, ADD_POST, json!({ "p": premium.id.to_string() })).await;
    assert_eq!(error_code(&refused), "PAYMENT_REQUIRED", "{refused}");
    let added = app.graphql_as(&reader, ADD_SERIES, json!({ "s": series_id })).await;
    let titles: Vec<&str> =
        added["data"]["addToReview"].as_array().unwrap().iter().map(|c| c["post"]["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["Free"], "{added}");

    // With a plan the premium post is added, and shows its outline; once the plan ends, only its excerpt.
    let admin_id = uuid(&admin.id);
    billing::grant_complimentary(&app.state, Some(admin_id), uuid(&reader.id), None).await.unwrap();
    let card = add_post(&app, &reader, premium.id).await;
    assert_eq!((card["keyPointsSource"].as_str(), &card["keyPoints"][0]), (Some("OUTLINE"), &json!("Secrets")));
    ok(&app.graphql_as(&author, PROMPTS, json!({ "p": premium.id.to_string(), "q": ["The secret?"] })).await);
    billing::revoke_complimentary(&app.state, uuid(&reader.id)).await.unwrap();
    let due = queue(&app, &reader).await;
    let node = due["edges"].as_array().unwrap().iter().find(|e| e["node"]["id"] == card["id"]).unwrap()["node"].clone();
    assert_eq!(node["keyPointsSource"], "EXCERPT");
    assert_eq!(node["keyPoints"], json!([premium.excerpt]), "neither prompts nor headings of a locked post");

    // An unpublished post's card leaves the queue and cannot be reviewed; published again, it is back.
    let free_card = due["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["node"]["post"]["id"] == free.id.to_string().as_str())
        .unwrap()["node"]["id"]
        .clone();
    let unpublish = "mutation($id: ID!) { unpublishPost(id: $id) { status } }";
    ok(&app.graphql_as(&author, unpublish, json!({ "id": free.id.to_string() })).await);
    assert_eq!(queue(&app, &reader).await["totalCount"], 1);
    let hidden = app.graphql_as(&reader, REVIEW, json!({ "c": free_card, "g": "GOOD" })).await;
    assert_eq!(error_code(&hidden), "NOT_FOUND", "{hidden}");
    ok(&app
        .graphql_as(
            &author,
            "mutation($id: ID!) { publishPost(id: $id) { status } }",
            json!({ "id": free.id.to_string() }),
        )
        .await);
    assert_eq!(queue(&app, &reader).await["totalCount"], 2);

    // A deleted post takes its cards with it.
    ok(&app
        .graphql_as(&author, "mutation($id: ID!) { deletePost(id: $id) }", json!({ "id": free.id.to_string() }))
        .await);
    assert!(stored_card(&app, free_card.as_str().unwrap()).await.is_none());
    let gone = app.graphql_as(&reader, REMOVE, json!({ "c": free_card })).await;
    assert_eq!(error_code(&gone), "NOT_FOUND", "{gone}");
}

#[tokio::test]
async fn bad_review_input_is_refused_with_its_code_and_field() {
    let app = TestApp::spawn().await;
    let author = app.user_with_role("AUTHOR").await;
    let other_author = app.user_with_role("AUTHOR").await;
    let reader = app.register_verified("careful@example.com").await;
    let stranger = app.register_verified("stranger@example.com").await;
    let post = post(&app, &author, "Macros", "## Hygiene\n\nText.", false).await;
    let card = add_post(&app, &reader, post.id).await;
    let card_id = card["id"].as_str().unwrap().to_owned();

    // Grades outside the enum never reach the scheduler.
    for bad in [json!("PERFECT"), json!(5), json!("good"), json!(null)] {
        let body = app.graphql_as(&reader, REVIEW, json!({ "c": card_id, "g": bad })).await;
        assert_eq!(error_code(&body), "GRAPHQL_VALIDATION_FAILED", "{bad}: {body}");
    }
    let literal = app
        .graphql_as(
            &reader,
            &format!("mutation {{ reviewCard(cardId: \"{card_id}\", grade: 5) {{ early }} }}"),
            json!({}),
        )
        .await;
    assert_eq!(error_code(&literal), "GRAPHQL_VALIDATION_FAILED", "{literal}");

    // Another reader's card does not exist for them; a malformed id is bad input.
    for query in [REVIEW, REMOVE] {
        let body = app.graphql_as(&stranger, query, json!({ "c": card_id, "g": "GOOD" })).await;
        assert_eq!(error_code(&body), "NOT_FOUND", "{body}");
        let body = app.graphql_as(&reader, query, json!({ "c": "not-an-id", "g": "GOOD" })).await;
        assert_eq!((error_code(&body), error_field(&body)), ("BAD_USER_INPUT", "cardId"), "{body}");
    }
    assert_eq!(stored_card(&app, &card_id).await.unwrap().version, 0, "the stranger changed nothing");

    // A removed card can be neither reviewed nor removed again.
    ok(&app.graphql_as(&reader, REMOVE, json!({ "c": card_id })).await);
    for query in [REVIEW, REMOVE] {
        let body = app.graphql_as(&reader, query, json!({ "c": card_id, "g": "GOOD" })).await;
        assert_eq!(error_code(&body), "NOT_FOUND", "{body}");
    }

    // Posts the reader cannot read, series that do not exist, and neither or both ids.
    let draft = app.draft_post(&author, "Unfinished").await;
    let body = app.graphql_as(&reader, ADD_POST, json!({ "p": draft.id.to_string() })).await;
    assert_eq!(error_code(&body), "NOT_FOUND", "{body}");
    let body = app.graphql_as(&reader, ADD_POST, json!({ "p": uuid::Uuid::now_v7().to_string() })).await;
    assert_eq!(error_code(&body), "NOT_FOUND", "{body}");
    let body = app.graphql_as(&reader, ADD_SERIES, json!({ "s": uuid::Uuid::now_v7().to_string() })).await;
    assert_eq!(error_code(&body), "NOT_FOUND", "{body}");
    let empty_series = series(&app, &author, "Nothing yet", &[draft.id]).await;
    let body = app.graphql_as(&reader, ADD_SERIES, json!({ "s": empty_series })).await;
    assert_eq!((error_code(&body), error_field(&body)), ("BAD_USER_INPUT", "seriesId"), "{body}");
    let both = app
        .graphql_as(
            &reader,
            "mutation($p: ID, $s: ID) { addToReview(postId: $p, seriesId: $s) { id } }",
            json!({ "p": post.id.to_string(), "s": empty_series }),
        )
        .await;
    assert_eq!((error_code(&both), error_field(&both)), ("BAD_USER_INPUT", "postId"), "{both}");
    let neither = app.graphql_as(&reader, "mutation { addToReview { id } }", json!({})).await;
    assert_eq!((error_code(&neither), error_field(&neither)), ("BAD_USER_INPUT", "postId"), "{neither}");
    let malformed = app.graphql_as(&reader, ADD_SERIES, json!({ "s": "series-1" })).await;
    assert_eq!((error_code(&malformed), error_field(&malformed)), ("BAD_USER_INPUT", "seriesId"), "{malformed}");

    // Prompts: bounded in count and length, one line each, by the post's author (or an admin) only.
    let target = post.id.to_string();
    ok(&app.graphql_as(&author, PROMPTS, json!({ "p": target, "q": ["Kept?"] })).await);
    let too_many = vec!["Why?"; 11];
    let too_long = vec!["x".repeat(301)];
    for prompts in [json!(too_many), json!(too_long), json!(["two\nlines"]), json!(["bell\u{7}"]), json!(["   "])] {
        let body = app.graphql_as(&author, PROMPTS, json!({ "p": target, "q": prompts })).await;
        assert_eq!((error_code(&body), error_field(&body)), ("BAD_USER_INPUT", "prompts"), "{prompts}: {body}");
    }
    // A NUL byte is refused before any resolver runs (on the variable that carries it).
    let body = app.graphql_as(&author, PROMPTS, json!({ "p": target, "q": ["nul\u{0}byte"] })).await;
    assert_eq!((error_code(&body), error_field(&body)), ("BAD_USER_INPUT", "q"), "{body}");
    let body = app.graphql_as(&author, "query($p: ID!) { reviewPrompts(postId: $p) }", json!({ "p": target })).await;
    assert_eq!(body["data"]["reviewPrompts"], json!(["Kept?"]), "a refused list changes nothing: {body}");
    for someone in [&reader, &other_author] {
        let body = app.graphql_as(someone, PROMPTS, json!({ "p": target, "q": ["Mine now"] })).await;
        assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    }
    let body = app.graphql_as(&author, PROMPTS, json!({ "p": uuid::Uuid::now_v7().to_string(), "q": [] })).await;
    assert_eq!(error_code(&body), "NOT_FOUND", "{body}");

    // Page sizes and cursors.
    let body = app.graphql_as(&reader, QUEUE, json!({ "first": 101 })).await;
    assert_eq!((error_code(&body), error_field(&body)), ("BAD_USER_INPUT", "first"), "{body}");
    let body = app.graphql_as(&reader, QUEUE, json!({ "first": -1 })).await;
    assert_eq!((error_code(&body), error_field(&body)), ("BAD_USER_INPUT", "first"), "{body}");
    let body = app.graphql_as(&reader, QUEUE, json!({ "after": "not a cursor" })).await;
    assert_eq!((error_code(&body), error_field(&body)), ("BAD_USER_INPUT", "after"), "{body}");

    // Anonymous viewers get nothing.
    for (query, variables) in [
        (QUEUE, json!({})),
        ("{ reviewStats { dueNow } }", json!({})),
        ("{ reviewCards { totalCount } }", json!({})),
        ("{ reviewSettings { reminders } }", json!({})),
        ("query($p: ID!) { reviewPrompts(postId: $p) }", json!({ "p": target })),
        (ADD_POST, json!({ "p": target })),
        (REVIEW, json!({ "c": card_id, "g": "GOOD" })),
        (REMOVE, json!({ "c": card_id })),
        (PROMPTS, json!({ "p": target, "q": [] })),
        ("mutation { setReviewReminders(enabled: true) { reminders } }", json!({})),
    ] {
        assert_eq!(error_code(&app.graphql(query, variables).await), "UNAUTHENTICATED", "{query}");
    }
}

#[tokio::test]
async fn stats_count_reviews_on_the_readers_own_days() {
    let app = TestApp::spawn().await;
    let author = app.user_with_role("AUTHOR").await;
    let reader = app.register_verified("stats@example.com").await;
    let zone: chrono_tz::Tz = "Pacific/Auckland".parse().unwrap();
    let profile =
        "mutation { updateProfile(input: { displayName: \"Reader\", timeZone: \"Pacific/Auckland\" }) { timeZone } }";
    ok(&app.graphql_as(&reader, profile, json!({})).await);
    let posts = [
        post(&app, &author, "One", "## A\n\nText.", false).await,
        post(&app, &author, "Two", "## B\n\nText.", false).await,
        post(&app, &author, "Three", "## C\n\nText.", false).await,
    ];
    let mut cards = Vec::new();
    for p in &posts {
        cards.push(add_post(&app, &reader, p.id).await["id"].as_str().unwrap().to_owned());
    }
    // Card one: learned, then remembered; card two: learned (EASY), then forgotten; card three stays NEW.
    grade(&app, &reader, &cards[0], "GOOD").await;
    grade(&app, &reader, &cards[0], "GOOD").await;
    grade(&app, &reader, &cards[1], "EASY").await;
    grade(&app, &reader, &cards[0], "GOOD").await;
    grade(&app, &reader, &cards[1], "AGAIN").await;

    // Two more reviews, logged a local day ago and just before that day began (in Auckland).
    let now = Utc::now();
    let today = now.with_timezone(&zone).date_naive();
    let noon_yesterday = zone.from_local_datetime(&(today - Duration::days(1)).and_hms_opt(12, 0, 0).unwrap()).unwrap();
    let late_before = zone.from_local_datetime(&(today - Duration::days(2)).and_hms_opt(23, 59, 0).unwrap()).unwrap();
    let template = stored_log(&app, &cards[0]).await[0].clone();
    for (seq, when) in [(100, noon_yesterday.with_timezone(&Utc)), (101, late_before.with_timezone(&Utc))] {
        let mut row = template.clone().into_active_model();
        row.id = Set(uuid::Uuid::now_v7());
        row.seq = Set(seq);
        row.reviewed_at = Set(when);
        row.insert(&app.state.db).await.unwrap();
    }

    let stats = app
        .graphql_as(
            &reader,
            "{ reviewStats { days { date reviews again } reviewCount matureReviewCount retention
               cardsByState { new learning review relearning total } dueNow dueToday timeZone } }",
            json!({}),
        )
        .await;
    ok(&stats);
    let stats = &stats["data"]["reviewStats"];
    assert_eq!(stats["timeZone"], "Pacific/Auckland");
    let days = stats["days"].as_array().unwrap();
    assert_eq!(days.len(), 30);
    assert_eq!(days[29]["date"], today.to_string());
    assert_eq!(days[0]["date"], (today - Duration::days(29)).to_string());
    assert_eq!((days[29]["reviews"].as_i64(), days[29]["again"].as_i64()), (Some(5), Some(1)), "{stats}");
    assert_eq!(days[28]["reviews"], 1, "noon yesterday, Auckland time");
    assert_eq!(days[27]["reviews"], 1, "23:59 the day before, Auckland time");
    assert_eq!(stats["reviewCount"], 7);
    // Reviews of cards in REVIEW state: card one's third (GOOD) and card two's second (AGAIN).
    assert_eq!((stats["matureReviewCount"].as_i64(), stats["retention"].as_f64()), (Some(2), Some(0.5)));
    assert_eq!(stats["cardsByState"], json!({ "new": 1, "learning": 0, "review": 1, "relearning": 1, "total": 3 }));
    // Due now: the NEW card; due today also holds the relearning card (minutes away).
    assert_eq!(stats["dueNow"], 1);
    assert!(stats["dueToday"].as_u64().unwrap() >= 1);
    let due_today =
        reviews::stats(&app.state.db, &app.viewer_of(&reader).await, now + Duration::minutes(30)).await.unwrap();
    assert_eq!(due_today.due_now, 2, "half an hour on, the relearning step is due too");
}

/// `Post.viewerReviewCard` of the post `slug`, as `who` sees it (anonymous for None).
async fn viewer_card(app: &TestApp, who: Option<TestUser>, slug: String) -> Value {
    const CARD_ON: &str = "query($s: String!) { post(slug: $s) { viewerReviewCard { id state due isDue } } }";
    let body = match who {
        Some(who) => app.graphql_as(&who, CARD_ON, json!({ "s": slug })).await,
        None => app.graphql(CARD_ON, json!({ "s": slug })).await,
    };
    ok(&body);
    body["data"]["post"]["viewerReviewCard"].clone()
}

#[tokio::test]
async fn a_post_shows_the_viewers_card_and_the_stats_say_when_the_next_is_due() {
    let app = TestApp::spawn().await;
    let author = app.user_with_role("AUTHOR").await;
    let reader = app.register_verified("next@example.com").await;
    let other = app.register_verified("other-next@example.com").await;
    let first = post(&app, &author, "First", "## A\n\nText.", false).await;
    let second = post(&app, &author, "Second", "## B\n\nText.", false).await;
    const NEXT: &str = "{ reviewStats { dueNow nextDue } }";
    let card_on = |who: Option<&TestUser>, slug: String| viewer_card(&app, who.cloned(), slug);

    // Without cards: nothing on the post, and no next due time.
    assert!(card_on(Some(&reader), first.slug.clone()).await.is_null());
    let stats = app.graphql_as(&reader, NEXT, json!({})).await;
    ok(&stats);
    assert_eq!(stats["data"]["reviewStats"], json!({ "dueNow": 0, "nextDue": null }));

    // Added: the post carries the reader's card (not another reader's, nor an anonymous viewer's).
    let card = add_post(&app, &reader, first.id).await;
    let seen = card_on(Some(&reader), first.slug.clone()).await;
    assert_eq!((&seen["id"], seen["state"].as_str(), seen["isDue"].as_bool()), (&card["id"], Some("NEW"), Some(true)));
    assert!(card_on(Some(&reader), second.slug.clone()).await.is_null(), "a post not in review has no card");
    assert!(card_on(Some(&other), first.slug.clone()).await.is_null(), "cards are the reader's own");
    assert!(card_on(None, first.slug.clone()).await.is_null());
    // Due now: the next due time is the card's, already past.
    let stats = app.graphql_as(&reader, NEXT, json!({})).await;
    assert_eq!(stats["data"]["reviewStats"]["dueNow"], 1);
    assert_eq!(at(&stats["data"]["reviewStats"]["nextDue"]), at(&seen["due"]));

    // Graded, it is due later: nothing is due now, and the next due time is the new one.
    let outcome = grade(&app, &reader, card["id"].as_str().unwrap(), "GOOD").await;
    let stats = app.graphql_as(&reader, NEXT, json!({})).await;
    assert_eq!(stats["data"]["reviewStats"]["dueNow"], 0);
    assert_eq!(at(&stats["data"]["reviewStats"]["nextDue"]), at(&outcome["nextDue"]));
    assert!(at(&outcome["nextDue"]) > Utc::now());
    // A second card, due now, comes first.
    let newer = add_post(&app, &reader, second.id).await;
    let stats = app.graphql_as(&reader, NEXT, json!({})).await;
    let newer_due = at(&card_on(Some(&reader), second.slug.clone()).await["due"]);
    assert_eq!(at(&stats["data"]["reviewStats"]["nextDue"]), newer_due);

    // Removed: the post has no card any more.
    ok(&app.graphql_as(&reader, REMOVE, json!({ "c": newer["id"] })).await);
    assert!(card_on(Some(&reader), second.slug.clone()).await.is_null());
    let stats = app.graphql_as(&reader, NEXT, json!({})).await;
    assert_eq!(at(&stats["data"]["reviewStats"]["nextDue"]), at(&outcome["nextDue"]));
}

#[tokio::test]
async fn the_daily_reminder_comes_once_per_reader_and_local_day() {
    let app = TestApp::spawn().await;
    let author = app.user_with_role("AUTHOR").await;
    let kiwi = app.register_verified("kiwi-reminder@example.com").await;
    let quiet = app.register_verified("quiet@example.com").await;
    let idle = app.register_verified("idle@example.com").await;
    let zone: chrono_tz::Tz = "Pacific/Auckland".parse().unwrap();
    let profile =
        "mutation { updateProfile(input: { displayName: \"Kiwi\", timeZone: \"Pacific/Auckland\" }) { timeZone } }";
    ok(&app.graphql_as(&kiwi, profile, json!({})).await);
    let p = post(&app, &author, "Iterators", "## Adapters\n\nText.", false).await;
    add_post(&app, &kiwi, p.id).await;
    add_post(&app, &quiet, p.id).await; // due cards, but no reminders asked for

    let settings = "mutation($on: Boolean!) { setReviewReminders(enabled: $on) { reminders reminderHour } }";
    let on = app.graphql_as(&kiwi, settings, json!({ "on": true })).await;
    assert_eq!(on["data"]["setReviewReminders"], json!({ "reminders": true, "reminderHour": 9 }), "{on}");
    ok(&app.graphql_as(&idle, settings, json!({ "on": true })).await); // asked, but nothing is due
    let read = app.graphql_as(&kiwi, "{ reviewSettings { reminders } }", json!({})).await;
    assert_eq!(read["data"]["reviewSettings"]["reminders"], true);

    // Local times in Auckland, tomorrow (the card is due by then).
    let tomorrow = Utc::now().with_timezone(&zone).date_naive() + Duration::days(1);
    let local = |date: chrono::NaiveDate, hour: u32| {
        zone.from_local_datetime(&date.and_hms_opt(hour, 0, 0).unwrap()).unwrap().with_timezone(&Utc)
    };
    assert_eq!(reviews::send_reminders(&app.state, local(tomorrow, 7)).await.unwrap(), 0, "before 9 o'clock local");
    assert_eq!(reviews::send_reminders(&app.state, local(tomorrow, 10)).await.unwrap(), 1);
    assert_eq!(reviews::send_reminders(&app.state, local(tomorrow, 11)).await.unwrap(), 0, "once a day");
    assert_eq!(reviews::send_reminders(&app.state, local(tomorrow + Duration::days(1), 10)).await.unwrap(), 1);

    // One reminder a day, each with its notification and its mail. (The hourly cron
    // may remind the reader for today as well while the test runs: count by day.)
    let days: Vec<chrono::NaiveDate> = entity::review_reminder::Entity::find()
        .filter(entity::review_reminder::Column::UserId.eq(uuid(&kiwi.id)))
        .all(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.day)
        .collect();
    assert!(days.contains(&tomorrow) && days.contains(&(tomorrow + Duration::days(1))), "{days:?}");
    let notes = app.graphql_as(&kiwi, "{ notifications(first: 10) { nodes { kind title link } } }", json!({})).await;
    let nodes = notes["data"]["notifications"]["nodes"].as_array().unwrap_or_else(|| panic!("{notes}"));
    assert_eq!(nodes.len(), days.len(), "{notes}");
    assert!(
        nodes
            .iter()
            .all(|n| n["kind"] == "REVIEW_REMINDER" && n["title"] == "1 card to review" && n["link"] == "/review"),
        "{notes}"
    );
    for someone in [&quiet, &idle] {
        let notes = app.graphql_as(someone, "{ notifications(first: 10) { nodes { kind } } }", json!({})).await;
        assert_eq!(notes["data"]["notifications"]["nodes"], json!([]), "{notes}");
    }
    let mails = app.raw_mails_to(&kiwi.email, "to review", days.len()).await;
    for raw in &mails {
        let text = crate::harness::mail_text(&mailparse::parse_mail(raw).unwrap());
        assert!(text.contains("http://lectern.test/review"), "{text}");
        assert!(!text.contains("token"), "a reminder grants nothing: {text}");
    }
    let keys: Vec<String> = entity::job::Entity::find()
        .filter(entity::job::Column::Kind.eq("send_mail"))
        .order_by_asc(entity::job::Column::CreatedAt)
        .all(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|j| j.dedupe_key.filter(|k| k.starts_with("review-reminder:")))
        .collect();
    for day in [tomorrow, tomorrow + Duration::days(1)] {
        assert!(keys.contains(&format!("review-reminder:{}:{day}", kiwi.id)), "{keys:?}");
    }

    // Turned off: no more reminders.
    ok(&app.graphql_as(&kiwi, settings, json!({ "on": false })).await);
    assert_eq!(reviews::send_reminders(&app.state, local(tomorrow + Duration::days(2), 10)).await.unwrap(), 0);
}

#[tokio::test]
async fn the_reminder_job_runs_from_the_queue_once_per_day() {
    // From midnight on, so the reader's day has always reached the reminder hour.
    let app = TestApp::spawn_with(&[("REVIEW_REMINDER_HOUR", "0")]).await;
    let author = app.user_with_role("AUTHOR").await;
    let reader = app.register_verified("job-reminder@example.com").await;
    let p = post(&app, &author, "Generics", "## Bounds\n\nText.", false).await;
    add_post(&app, &reader, p.id).await;
    ok(&app.graphql_as(&reader, "mutation { setReviewReminders(enabled: true) { reminders } }", json!({})).await);
    for tick in 0..2 {
        let write = lectern::write::Write::begin(&app.state).await.unwrap();
        let hour = Utc::now() + Duration::hours(tick);
        write.enqueue(&lectern::jobs::Job::SendReviewReminders { hour }).await.unwrap();
        write.commit().await.unwrap();
        app.jobs_done("send_review_reminders").await;
    }
    app.jobs_done("send_mail").await;
    let notes = app.graphql_as(&reader, "{ notifications(first: 10) { nodes { kind } } }", json!({})).await;
    let kinds = notes["data"]["notifications"]["nodes"].as_array().unwrap_or_else(|| panic!("{notes}"));
    assert_eq!(kinds.iter().filter(|n| n["kind"] == "REVIEW_REMINDER").count(), 1, "{notes}");
    let mail = app.mail_to(&reader.email, "1 card to review").await;
    assert!(mail.contains("Review now"), "{mail}");
}

/// The queue leaves out the posts a reader may not open by listing those
/// (`posts::unreadable_ids`): that list must be exactly the complement of
/// what `posts::readable_ids` lets them open, for every kind of viewer and post.
#[tokio::test]
async fn unreadable_posts_are_exactly_the_ones_not_readable() {
    use lectern::auth::Viewer;
    use sea_orm::{PaginatorTrait, sea_query::Expr};
    let app = TestApp::spawn().await;
    let author = app.user_with_role("AUTHOR").await;
    let admin = app.user_with_role("ADMIN").await;
    let reader = app.register_verified("complement@example.com").await;
    let published = post(&app, &author, "Out", "Text.", false).await;
    let draft = app.draft_post(&author, "Draft").await;
    let later = app.draft_post(&author, "Later").await;
    let due = app.draft_post(&author, "Due").await;
    let never = post(&app, &author, "Odd", "Text.", false).await;
    let set = |id: uuid::Uuid, status: entity::post::Status, at: Option<DateTime<Utc>>| {
        let db = app.state.db.clone();
        async move {
            entity::post::Entity::update_many()
                .col_expr(entity::post::Column::Status, Expr::value(status))
                .col_expr(entity::post::Column::PublishedAt, Expr::value(at))
                .filter(entity::post::Column::Id.eq(id))
                .exec(&db)
                .await
                .unwrap();
        }
    };
    set(later.id, entity::post::Status::Scheduled, Some(Utc::now() + Duration::days(1))).await;
    set(due.id, entity::post::Status::Scheduled, Some(Utc::now() - Duration::minutes(1))).await;
    // Published without a publish time: not live (the feeds' rule), whatever its status says.
    set(never.id, entity::post::Status::Published, None).await;
    let everyone =
        [Viewer::Anonymous, app.viewer_of(&reader).await, app.viewer_of(&author).await, app.viewer_of(&admin).await];
    let total = entity::post::Entity::find().count(&app.state.db).await.unwrap();
    for viewer in &everyone {
        let readable: Vec<uuid::Uuid> = entity::post::Entity::find()
            .filter(
                entity::post::Column::Id.in_subquery(posts::readable_ids(viewer, app.state.db.get_database_backend())),
            )
            .all(&app.state.db)
            .await
            .unwrap()
            .into_iter()
            .map(|p| p.id)
            .collect();
        let unreadable: Vec<uuid::Uuid> = entity::post::Entity::find()
            .filter(entity::post::Column::Id.in_subquery(posts::unreadable_ids(viewer)))
            .all(&app.state.db)
            .await
            .unwrap()
            .into_iter()
            .map(|p| p.id)
            .collect();
        assert_eq!(readable.len() + unreadable.len(), total as usize, "{viewer:?}");
        assert!(readable.iter().all(|id| !unreadable.contains(id)), "{viewer:?}");
        let expected_hidden = match viewer {
            Viewer::Anonymous => vec![draft.id, later.id, never.id],
            Viewer::User { id, .. } if *id == uuid(&reader.id) => vec![draft.id, later.id, never.id],
            _ => vec![],
        };
        let mut hidden = unreadable.clone();
        hidden.sort();
        let mut expected = expected_hidden;
        expected.sort();
        assert_eq!(hidden, expected, "{viewer:?}");
        assert!(readable.contains(&published.id) && readable.contains(&due.id), "{viewer:?}");
    }
}

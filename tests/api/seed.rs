//! The demo dataset (`seed::demo`, loaded on first start) and the synthetic
//! benchmark dataset (`lectern seed --scale N`).

use std::collections::HashMap;

use lectern::{domains::posts::markdown, seed};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde_json::json;
use uuid::Uuid;

use crate::harness::TestApp;
use entity::{bookmark, comment, post, post_tag, reaction, reading_progress, series, tag, user};

async fn row_counts(db: &DatabaseConnection) -> Vec<(&'static str, u64)> {
    vec![
        ("users", user::Entity::find().count(db).await.unwrap()),
        ("tags", tag::Entity::find().count(db).await.unwrap()),
        ("series", series::Entity::find().count(db).await.unwrap()),
        ("posts", post::Entity::find().count(db).await.unwrap()),
        ("post_tags", post_tag::Entity::find().count(db).await.unwrap()),
        ("comments", comment::Entity::find().count(db).await.unwrap()),
        ("bookmarks", bookmark::Entity::find().count(db).await.unwrap()),
        ("reading_progress", reading_progress::Entity::find().count(db).await.unwrap()),
        ("reactions", reaction::Entity::find().count(db).await.unwrap()),
    ]
}

fn count_of(counts: &[(&str, u64)], table: &str) -> u64 {
    counts.iter().find(|(name, _)| *name == table).map(|(_, n)| *n).unwrap()
}

/// How deep each comment sits (1 for a comment on the post itself).
fn depths(comments: &[comment::Model]) -> HashMap<Uuid, usize> {
    let parents: HashMap<Uuid, Option<Uuid>> = comments.iter().map(|c| (c.id, c.parent_id)).collect();
    comments
        .iter()
        .map(|c| {
            let (mut depth, mut at) = (1, c.parent_id);
            while let Some(parent) = at {
                depth += 1;
                at = parents[&parent];
            }
            (c.id, depth)
        })
        .collect()
}

#[tokio::test]
async fn the_demo_loads_once_with_series_premium_posts_and_deep_threads() {
    let app = TestApp::spawn().await;
    let db = &app.state.db;
    assert!(seed::is_empty(&app.state).await.unwrap());
    seed::demo(&app.state).await.unwrap();
    let first = row_counts(db).await;
    seed::demo(&app.state).await.unwrap();
    assert_eq!(row_counts(db).await, first, "a second run changes nothing");
    for (table, count) in &first {
        assert!(*count > 0, "the demo has {table}");
    }
    assert!(count_of(&first, "users") >= 5);

    // Series hold their posts in reading order, positions 1..n.
    let all_series = series::Entity::find().all(db).await.unwrap();
    assert!(all_series.len() >= 2);
    for s in &all_series {
        let positions: Vec<Option<i32>> = post::Entity::find()
            .filter(post::Column::SeriesId.eq(s.id))
            .order_by_asc(post::Column::SeriesPosition)
            .all(db)
            .await
            .unwrap()
            .iter()
            .map(|p| p.series_position)
            .collect();
        assert!(positions.len() >= 3, "{} has {} posts", s.title, positions.len());
        assert_eq!(positions, (1..=positions.len() as i32).map(Some).collect::<Vec<_>>(), "{}", s.title);
    }

    // Every post is published, in the past, on different days; some are premium.
    let posts = post::Entity::find().all(db).await.unwrap();
    assert!(posts.iter().all(|p| p.status == post::Status::Published));
    let mut days: Vec<_> = posts.iter().map(|p| p.published_at.expect("published_at").date_naive()).collect::<Vec<_>>();
    days.sort();
    days.dedup();
    assert!(days.len() >= 8, "publication dates are spread out: {days:?}");
    assert!(posts.iter().all(|p| p.published_at.unwrap() < chrono::Utc::now()));
    assert!(posts.iter().filter(|p| p.is_premium).count() >= 2);
    assert!(posts.iter().filter(|p| p.series_id.is_none()).count() >= 4);

    // Threads go at least three levels deep, and a deleted comment keeps its replies.
    let comments = comment::Entity::find().all(db).await.unwrap();
    let depth = depths(&comments);
    assert!(depth.values().copied().max().unwrap() >= 3);
    let deleted: Vec<_> = comments.iter().filter(|c| c.status == comment::Status::Deleted).collect();
    assert!(!deleted.is_empty());
    assert!(
        deleted.iter().any(|d| d.body.is_empty() && comments.iter().any(|c| c.parent_id == Some(d.id))),
        "a deleted comment (its text gone) still has replies"
    );
    assert!(comments.iter().all(|c| {
        let post = posts.iter().find(|p| p.id == c.post_id).unwrap();
        c.created_at > post.published_at.unwrap()
    }));

    // The demo reader has finished part of a series, so series progress shows something.
    let reader = user::Entity::find().filter(user::Column::Email.eq("reader@lectern.dev")).one(db).await.unwrap();
    let finished = reading_progress::Entity::find()
        .filter(reading_progress::Column::UserId.eq(reader.unwrap().id))
        .filter(reading_progress::Column::CompletedAt.is_not_null())
        .all(db)
        .await
        .unwrap();
    assert!(finished.iter().any(|p| posts.iter().any(|post| post.id == p.post_id && post.series_id.is_some())));
}

#[tokio::test]
async fn the_demo_is_what_graphql_serves() {
    let app = TestApp::spawn().await;
    seed::demo(&app.state).await.unwrap();

    let feed = app.graphql("{ posts(first: 5) { totalCount edges { node { title } } } }", json!({})).await;
    assert!(feed["errors"].is_null(), "{feed}");
    let total = feed["data"]["posts"]["totalCount"].as_u64().unwrap();
    assert!(total >= 10, "{feed}");
    let titles: Vec<&str> = feed["data"]["posts"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles.len(), 5);
    assert_eq!(titles[0], "Writing a Good Bug Report", "newest first");

    let list = app.graphql("{ seriesList { edges { node { title posts { title } } } } }", json!({})).await;
    assert!(list["errors"].is_null(), "{list}");
    let series = list["data"]["seriesList"]["edges"].as_array().unwrap();
    assert!(series.len() >= 2, "{list}");
    let rust = series.iter().find(|e| e["node"]["title"] == "Rust from Zero").expect("Rust from Zero");
    assert_eq!(
        rust["node"]["posts"],
        json!([
            { "title": "Installing Rust and Writing Your First Program" },
            { "title": "Ownership and Borrowing, Explained" },
            { "title": "Error Handling with Result and the ? Operator" },
            { "title": "Traits and Generics in Practice" },
        ])
    );
    assert!(series.iter().any(|e| e["node"]["title"] == "Databases in Practice"));

    // The printed demo credentials work, and premium posts are locked for the demo reader.
    let reader = app.login("reader@lectern.dev", "lectern-reader-demo-2026").await;
    let premium = app
        .graphql_as(
            &reader,
            "query($slug: String!) { post(slug: $slug) { isPremium isLocked bodyHtml nextInSeries { slug } } }",
            json!({ "slug": "keyset-pagination" }),
        )
        .await;
    assert_eq!(premium["data"]["post"]["isPremium"], true, "{premium}");
    assert_eq!(premium["data"]["post"]["isLocked"], true, "{premium}");
}

#[tokio::test]
async fn a_synthetic_batch_has_the_promised_shape_and_a_second_batch_adds_to_it() {
    let app = TestApp::spawn().await;
    let db = &app.state.db;
    let report = seed::synthetic(&app.state, 50).await.unwrap();
    assert_eq!(report.posts, 50);
    assert_eq!(report.users, 200);
    assert_eq!(report.tags_created, 30);
    assert_eq!(report.series, 2);
    let counts = row_counts(db).await;
    assert_eq!(
        counts,
        vec![
            ("users", 200),
            ("tags", 30),
            ("series", 2),
            ("posts", 50),
            ("post_tags", report.post_tags),
            ("comments", report.comments),
            ("bookmarks", report.bookmarks),
            ("reading_progress", report.reading_progress),
            ("reactions", report.reactions),
        ]
    );
    assert!((5 * report.published_posts..=15 * report.published_posts).contains(&report.comments), "{report:?}");
    assert!(report.bookmarks > 0 && report.reading_progress > 0 && report.reactions > 0);

    // Every post: 1–3 tags, a valid slug, and HTML rendered from its markdown.
    let posts = post::Entity::find().all(db).await.unwrap();
    let links = post_tag::Entity::find().all(db).await.unwrap();
    for post in &posts {
        let tags = links.iter().filter(|l| l.post_id == post.id).count();
        assert!((1..=3).contains(&tags), "{} has {tags} tags", post.slug);
        assert!(lectern::values::Slug::parse("slug", &post.slug).is_ok(), "{}", post.slug);
        assert_eq!(post.body_html, markdown::render(&post.body), "{}", post.slug);
        assert!(post.body_html.contains("<h2>") && !post.excerpt.is_empty());
        assert_eq!(post.reading_minutes, markdown::reading_minutes(&post.body));
    }
    let in_series = posts.iter().filter(|p| p.series_id.is_some()).count();
    assert!(in_series >= 6, "{in_series} posts in series");

    // Threads nest, but never deeper than four levels.
    let comments = comment::Entity::find().all(db).await.unwrap();
    let deepest = depths(&comments).values().copied().max().unwrap();
    assert!((3..=4).contains(&deepest), "deepest thread: {deepest}");

    // The synthetic users can sign in with the shared password.
    let author = user::Entity::find().filter(user::Column::Role.eq(user::Role::Author)).one(db).await.unwrap().unwrap();
    app.login(&author.email, seed::SYNTHETIC_PASSWORD).await;

    // Another run adds a second batch with fresh slugs and emails, reusing the tags.
    let again = seed::synthetic(&app.state, 50).await.unwrap();
    assert_ne!(again.batch, report.batch);
    assert_eq!(again.tags_created, 0);
    let counts = row_counts(db).await;
    assert_eq!(count_of(&counts, "users"), 400);
    assert_eq!(count_of(&counts, "posts"), 100);
    assert_eq!(count_of(&counts, "tags"), 30);
    assert_eq!(count_of(&counts, "comments"), report.comments + again.comments);

    let feed = app.graphql("{ posts(first: 5) { totalCount edges { node { title } } } }", json!({})).await;
    assert_eq!(feed["data"]["posts"]["totalCount"].as_u64(), Some(report.published_posts + again.published_posts));
}

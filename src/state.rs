//! The shared state every request and job sees: the database and one adapter
//! per concern (bus, mail, rate limits), picked once from config.

use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use anyhow::Context;
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection};
use secrecy::ExposeSecret;
use tokio_util::sync::CancellationToken;

use crate::{
    auth::JwtKeys,
    config::Config,
    infra::{
        bus::{EventBus, InProcessBus, RedisBus},
        cache::{Cache, MemoryCache, RedisCache},
        embeddings::{self, Embedder},
        files::{DiskFiles, FileStore},
        leaderboard::{Leaderboard, MemoryLeaderboard, Ranked, RedisLeaderboard},
        llm::ChatClient,
        mail::{self, Mailer},
        rate_limit::{InProcessRateLimiter, RateLimiter, RedisRateLimiter},
        redis_guard::RedisGuard,
        response_cache::{MemoryResponseStore, PublicCache, RedisResponseStore, ResponseStore},
        signing::Ed25519Key,
        stripe::StripeApi,
        watches::Watches,
        work::Work,
    },
};

/// The adapters that Redis replaces when configured.
type Adapters = (
    Option<(redis::aio::ConnectionManager, Arc<RedisGuard>)>,
    Arc<dyn RateLimiter>,
    Arc<dyn EventBus>,
    Arc<dyn Cache>,
    Arc<dyn Leaderboard>,
    Arc<dyn ResponseStore>,
);

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub db: DatabaseConnection,
    pub jwt: Arc<JwtKeys>,
    /// Signs and verifies certificates (`CERTIFICATE_SIGNING_KEY`).
    pub certificate_key: Arc<Ed25519Key>,
    /// Generated files kept for download (certificate PDFs): on disk under `DATA_DIR`.
    pub files: Arc<dyn FileStore>,
    pub mailer: Arc<dyn Mailer>,
    pub limiter: Arc<dyn RateLimiter>,
    pub bus: Arc<dyn EventBus>,
    pub cache: Arc<dyn Cache>,
    /// Answers to anonymous reads of public content, and the memos beside them
    /// (Redis when scaled, in process otherwise); writes invalidate through it.
    pub public_cache: Arc<PublicCache>,
    /// XP leaderboards: Redis sorted sets when scaled, in process otherwise.
    pub boards: Arc<dyn Leaderboard>,
    /// Live leaderboard tops shared by this process's subscribers (one producer per period).
    pub live_boards: Arc<Watches<Arc<Vec<Ranked>>>>,
    pub embedder: Arc<dyn Embedder>,
    /// The OpenAI-compatible chat model that writes "ask AI" answers (`LLM_BASE_URL`);
    /// without one, answers are extractive.
    pub chat: Option<Arc<ChatClient>>,
    /// Stripe's API (`STRIPE_SECRET_KEY`); without it, payments are off.
    pub stripe: Option<Arc<StripeApi>>,
    pub redis: Option<redis::aio::ConnectionManager>,
    /// Every request-path Redis call goes through this: one deadline, one breaker.
    pub redis_guard: Option<Arc<RedisGuard>>,
    /// Semaphores around CPU-heavy work (password hashing, embedding, validation).
    pub work: Work,
    /// Cancelled when the process shuts down; background tasks watch it.
    pub shutdown: CancellationToken,
    /// Wakes this process's queue worker when a committed [`Write`](crate::write::Write)
    /// enqueued a job (workers elsewhere poll).
    pub job_wake: Arc<tokio::sync::Notify>,
    /// SQL statements run since start-up (tests and benchmarks read it to prove batching).
    pub sql_statements: Arc<AtomicU64>,
}

impl AppState {
    /// Connects to the database and the configured services.
    pub async fn connect(config: Config) -> anyhow::Result<Self> {
        let sql_statements = Arc::new(AtomicU64::new(0));
        let mut db = connect_database(&config).await?;
        let counter = sql_statements.clone();
        db.set_metric_callback(move |info| {
            tracing::trace!(target: "lectern::sql", sql = %info.statement.sql, elapsed = ?info.elapsed);
            counter.fetch_add(1, Ordering::Relaxed);
        });
        let shutdown = CancellationToken::new();

        let (redis, limiter, bus, cache, boards, responses): Adapters = match &config.redis_url {
            Some(url) => {
                let client = redis::Client::open(url.expose_secret()).context("REDIS_URL is not a valid Redis URL")?;
                // Requests never wait longer than the guard's deadline; the manager's own
                // timeouts keep its background reconnects from queueing up behind a dead socket.
                let timeout = config.redis_guard.timeout;
                let manager_config = redis::aio::ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(timeout.max(Duration::from_secs(1))))
                    .set_response_timeout(Some(timeout.max(Duration::from_secs(1))))
                    .set_number_of_retries(2);
                let manager = tokio::time::timeout(
                    Duration::from_secs(10),
                    redis::aio::ConnectionManager::new_with_config(client.clone(), manager_config),
                )
                .await
                .context("Timed out connecting to Redis (REDIS_URL)")?
                .context("Failed to connect to Redis (REDIS_URL)")?;
                let guard = Arc::new(RedisGuard::new(manager.clone(), &config.redis_guard));
                let bus = RedisBus::start(client, guard.clone(), &config.redis_prefix, shutdown.clone()).await?;
                let fallback = Arc::new(InProcessRateLimiter::default());
                spawn_limiter_cleanup(fallback.clone(), shutdown.clone());
                let limiter = RedisRateLimiter::new(guard.clone(), &config.redis_prefix, fallback);
                let cache = RedisCache::new(guard.clone(), &config.redis_prefix);
                let boards = RedisLeaderboard::new(guard.clone(), &config.redis_prefix);
                let responses = Arc::new(RedisResponseStore::new(guard.clone(), &config.redis_prefix));
                responses.spawn_settler(shutdown.clone());
                (
                    Some((manager, guard)),
                    Arc::new(limiter) as _,
                    Arc::new(bus) as _,
                    Arc::new(cache) as _,
                    Arc::new(boards) as _,
                    responses as _,
                )
            }
            None => {
                let limiter = Arc::new(InProcessRateLimiter::default());
                spawn_limiter_cleanup(limiter.clone(), shutdown.clone());
                let cache = MemoryCache::new(64 * 1024 * 1024, Duration::from_secs(24 * 3600));
                let responses = MemoryResponseStore::new(config.response_cache.max_bytes, config.response_cache.ttl);
                (
                    None,
                    limiter as _,
                    Arc::new(InProcessBus::default()) as _,
                    Arc::new(cache) as _,
                    Arc::new(MemoryLeaderboard::default()) as _,
                    Arc::new(responses) as _,
                )
            }
        };

        let work = Work::from_config(&config.work);
        let embedder = embeddings::from_config(&config.embeddings, &config.data_dir, work.embeddings.clone())?;
        let chat = match &config.ai.llm_base_url {
            Some(url) => Some(Arc::new(ChatClient::new(
                url,
                config.ai.llm_model.clone(),
                config.ai.llm_api_key.clone(),
                config.ai.llm_idle_timeout,
            )?)),
            None => None,
        };
        let stripe = config.billing.stripe.as_ref().map(StripeApi::new).transpose()?.map(Arc::new);
        let certificate_key = Ed25519Key::from_seed(config.certificate_signing_key.expose_secret())
            .context("CERTIFICATE_SIGNING_KEY must be a 32-byte seed")?;
        let public_cache = Arc::new(PublicCache::new(responses, config.response_cache.ttl));
        Ok(AppState {
            certificate_key: Arc::new(certificate_key),
            files: Arc::new(DiskFiles::new(config.data_dir.clone())),
            stripe,
            jwt: Arc::new(JwtKeys::from_config(&config)),
            mailer: mail::from_config(&config)?,
            config: Arc::new(config),
            db,
            limiter,
            bus,
            cache,
            public_cache,
            boards,
            live_boards: Arc::new(Watches::default()),
            embedder,
            chat,
            redis: redis.as_ref().map(|(manager, _)| manager.clone()),
            redis_guard: redis.map(|(_, guard)| guard),
            work,
            shutdown,
            job_wake: Arc::new(tokio::sync::Notify::new()),
            sql_statements,
        })
    }

    /// An absolute link under `PUBLIC_URL` (in mails, feeds and the sitemap),
    /// with a `token` query parameter when given.
    pub fn link(&self, path: &str, token: Option<&str>) -> String {
        let mut url = self.config.public_url.clone();
        url.set_path(path);
        if let Some(token) = token {
            url.query_pairs_mut().append_pair("token", token);
        }
        url.to_string()
    }

    /// Whether the database and (when configured) Redis answer.
    pub async fn readiness(&self) -> Result<(), String> {
        self.db.execute_unprepared("SELECT 1").await.map_err(|e| format!("database: {e}"))?;
        if let Some(redis) = &self.redis {
            let mut conn = redis.clone();
            tokio::time::timeout(Duration::from_secs(2), redis::cmd("PING").query_async::<String>(&mut conn))
                .await
                .map_err(|_| "redis: timed out".to_owned())?
                .map_err(|e| format!("redis: {e}"))?;
        }
        Ok(())
    }
}

async fn connect_database(config: &Config) -> anyhow::Result<DatabaseConnection> {
    let url = config.database_url();
    let mut options = ConnectOptions::new(url);
    options
        .sqlx_logging(false)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        .max_connections(config.database_pool_size)
        // A connection that has just been used is alive: pinging it before
        // every statement doubled each statement's round trips. One idle for
        // a second or more (it may have outlived a database restart) is still
        // checked before it is handed out.
        .test_before_acquire_if_idle_for(Duration::from_secs(1));
    if let crate::config::Database::Sqlite(path) = &config.database {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("Failed to create {}", dir.display()))?;
        }
        // Before the pool's first connection: SQLite takes these once per process.
        if crate::infra::sqlite::configure().is_err() {
            tracing::warn!("SQLite was initialised before its settings could apply: it keeps its own allocator");
        }
        options.map_sqlx_sqlite_opts(|opts| {
            opts.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
        });
    } else {
        options.min_connections(1);
    }
    Database::connect(options).await.context("Failed to connect to the database (DATABASE_URL)")
}

fn spawn_limiter_cleanup(limiter: Arc<InProcessRateLimiter>, shutdown: CancellationToken) {
    tokio::spawn(async move {
        let mut every_minute = tokio::time::interval(Duration::from_secs(60));
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = every_minute.tick() => limiter.forget_idle_keys(),
            }
        }
    });
}

/// Starts a transaction that will write. On SQLite it is `BEGIN IMMEDIATE`: a
/// deferred transaction that reads first and writes later fails with
/// SQLITE_BUSY_SNAPSHOT when another connection (the in-process worker, say)
/// wrote in between, and no busy timeout helps; taking the write lock up front
/// makes it wait its turn instead. PostgreSQL ignores the option.
#[async_trait::async_trait]
pub trait BeginWrite: sea_orm::TransactionTrait {
    async fn begin_write(&self) -> Result<Self::Transaction, sea_orm::DbErr> {
        self.begin_with_options(sea_orm::TransactionOptions {
            sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
            ..Default::default()
        })
        .await
    }
}

impl<T: sea_orm::TransactionTrait> BeginWrite for T {}

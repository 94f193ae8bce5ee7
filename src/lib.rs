//! Lectern: one GraphQL schema for a learning platform, served by axum over
//! SQLite (embedded) or PostgreSQL + Redis (scaled). See ARCHITECTURE.md.

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
        // SQLite has no autovacuum/autoanalyze: refresh the planner statistics the
        // feed's index choice depends on (cheap when they are current).
        db.execute_unprepared("PRAGMA optimize=0x10002").await.context("Failed to optimise the SQLite database")?;
    }
    Ok(())
}

/// Structured logs: text for people, JSON for log pipelines. Every line inside
/// a request carries its request id through the request span.
pub fn init_tracing(format: LogFormat) {
    use tracing_subscriber::{EnvFilter, fmt, prelude::*};
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn,apalis=warn,tower_http=info"));
    let registry = tracing_subscriber::registry().with(filter);
    let _ = match format {
        LogFormat::Text => registry.with(fmt::layer()).try_init(),
        LogFormat::Json => registry.with(fmt::layer().json().with_current_span(true).with_span_list(false)).try_init(),
    };
}

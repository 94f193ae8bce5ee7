//! One error type for the whole server, with a stable `extensions.code` per variant.
//!
//! Clients branch on the code, never on the message. Internal causes are logged
//! with the request id and replaced by a masked message carrying that id.

use sea_orm::{DbErr, RuntimeErr, SqlErr};

/// Error codes clients can rely on (`extensions.code`).
pub mod code {
    pub const UNAUTHENTICATED: &str = "UNAUTHENTICATED";
    pub const FORBIDDEN: &str = "FORBIDDEN";
    pub const NOT_FOUND: &str = "NOT_FOUND";
    pub const BAD_USER_INPUT: &str = "BAD_USER_INPUT";
    pub const CONFLICT: &str = "CONFLICT";
    pub const RATE_LIMITED: &str = "RATE_LIMITED";
    pub const UNAVAILABLE: &str = "UNAVAILABLE";
    pub const PAYMENT_REQUIRED: &str = "PAYMENT_REQUIRED";
    pub const QUERY_TOO_DEEP: &str = "QUERY_TOO_DEEP";
    pub const QUERY_TOO_COMPLEX: &str = "QUERY_TOO_COMPLEX";
    pub const TOO_MANY_ALIASES: &str = "TOO_MANY_ALIASES";
    pub const TOO_MANY_TOKENS: &str = "TOO_MANY_TOKENS";
    pub const BATCH_TOO_LARGE: &str = "BATCH_TOO_LARGE";
    pub const PAYLOAD_TOO_LARGE: &str = "PAYLOAD_TOO_LARGE";
    pub const UNSUPPORTED_MEDIA_TYPE: &str = "UNSUPPORTED_MEDIA_TYPE";
    pub const METHOD_NOT_ALLOWED: &str = "METHOD_NOT_ALLOWED";
    pub const BAD_REQUEST: &str = "BAD_REQUEST";
    pub const GRAPHQL_PARSE_FAILED: &str = "GRAPHQL_PARSE_FAILED";
    pub const GRAPHQL_VALIDATION_FAILED: &str = "GRAPHQL_VALIDATION_FAILED";
    pub const INTERNAL_SERVER_ERROR: &str = "INTERNAL_SERVER_ERROR";
    /// A hash-only request whose hash this server does not know: send the query with it.
    pub const PERSISTED_QUERY_NOT_FOUND: &str = "PERSISTED_QUERY_NOT_FOUND";
    /// A query sent with a `sha256Hash` that is not its sha256.
    pub const PERSISTED_QUERY_HASH_MISMATCH: &str = "PERSISTED_QUERY_HASH_MISMATCH";
    /// Trusted-only mode: the operation is not one of the web app's.
    pub const OPERATION_NOT_TRUSTED: &str = "OPERATION_NOT_TRUSTED";
    /// This server takes no payments (no `STRIPE_SECRET_KEY`).
    pub const PAYMENTS_DISABLED: &str = "PAYMENTS_DISABLED";
    /// The account must verify its email address first.
    pub const EMAIL_NOT_VERIFIED: &str = "EMAIL_NOT_VERIFIED";
    /// A service this server depends on (Stripe) failed or could not be reached; try again later.
    pub const UPSTREAM_UNAVAILABLE: &str = "UPSTREAM_UNAVAILABLE";
    /// Search by meaning cannot run: the embedding model is not installed (or the
    /// embeddings endpoint is down). KEYWORD search still works.
    pub const SEMANTIC_SEARCH_UNAVAILABLE: &str = "SEMANTIC_SEARCH_UNAVAILABLE";
}

pub type AppResult<T> = Result<T, AppError>;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("You must be signed in to do this")]
    Unauthenticated,
    #[error("{0}")]
    UnauthenticatedBecause(&'static str),
    #[error("You are not allowed to do this")]
    Forbidden,
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{message}")]
    BadUserInput { field: &'static str, message: String },
    #[error("{message}")]
    Conflict { field: &'static str, message: String },
    #[error("Too many attempts; try again in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    #[error("{0}")]
    PaymentRequired(String),
    /// The server is at capacity for some bounded work (src/infra/work.rs); not the client's doing.
    #[error("{0}")]
    Unavailable(Busy),
    #[error("Payments are not configured on this server")]
    PaymentsDisabled,
    #[error("{0}")]
    EmailNotVerified(&'static str),
    /// A service this server depends on failed; the cause is logged, the client sees `what` only.
    #[error("{what} could not be reached; try again in a minute")]
    Upstream {
        what: &'static str,
        #[source]
        cause: anyhow::Error,
    },
    /// The embedder could not embed the query (model missing and not fetchable,
    /// endpoint down); `fix` says what an operator does about it.
    #[error("Search by meaning is unavailable: {fix}")]
    SemanticSearchUnavailable {
        fix: String,
        #[source]
        cause: anyhow::Error,
    },
    #[error("Internal server error")]
    Internal(#[source] anyhow::Error),
}

/// No permit came free within the wait: the server is at capacity for some
/// bounded work (`infra::work`).
#[derive(Debug, thiserror::Error)]
#[error("The server is busy {what}; try again in a moment")]
pub struct Busy {
    pub what: &'static str,
}

/// An error from below becomes INTERNAL_SERVER_ERROR, except a [`Busy`]
/// refusal, which keeps its meaning through any `.context()` around it.
impl From<anyhow::Error> for AppError {
    fn from(err: anyhow::Error) -> Self {
        match err.downcast::<Busy>() {
            Ok(busy) => AppError::Unavailable(busy),
            Err(err) => AppError::Internal(err),
        }
    }
}

/// Seconds a client told UNAVAILABLE should wait before trying again.
pub const UNAVAILABLE_RETRY_AFTER_SECS: u64 = 1;
/// Seconds a client told UPSTREAM_UNAVAILABLE should wait before trying again.
pub const UPSTREAM_RETRY_AFTER_SECS: u64 = 30;

impl AppError {
    pub fn bad_input(field: &'static str, message: impl Into<String>) -> Self {
        AppError::BadUserInput { field, message: message.into() }
    }

    pub fn conflict(field: &'static str, message: impl Into<String>) -> Self {
        AppError::Conflict { field, message: message.into() }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthenticated | AppError::UnauthenticatedBecause(_) => code::UNAUTHENTICATED,
            AppError::Forbidden => code::FORBIDDEN,
            AppError::NotFound(_) => code::NOT_FOUND,
            AppError::BadUserInput { .. } => code::BAD_USER_INPUT,
            AppError::Conflict { .. } => code::CONFLICT,
            AppError::RateLimited { .. } => code::RATE_LIMITED,
            AppError::PaymentRequired(_) => code::PAYMENT_REQUIRED,
            AppError::Unavailable(_) => code::UNAVAILABLE,
            AppError::PaymentsDisabled => code::PAYMENTS_DISABLED,
            AppError::EmailNotVerified(_) => code::EMAIL_NOT_VERIFIED,
            AppError::Upstream { .. } => code::UPSTREAM_UNAVAILABLE,
            AppError::SemanticSearchUnavailable { .. } => code::SEMANTIC_SEARCH_UNAVAILABLE,
            AppError::Internal(_) => code::INTERNAL_SERVER_ERROR,
        }
    }
}

/// A unique key, by the names the two databases give it when a write breaks
/// it: PostgreSQL names the constraint or index (`posts_slug_key`, the default
/// for a column's UNIQUE; `redirects_pkey` for a primary key), SQLite lists
/// its columns (`posts.slug`; `jobs.kind, jobs.dedupe_key` for several).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unique {
    pub name: &'static str,
    pub columns: &'static str,
}

impl Unique {
    pub const fn new(name: &'static str, columns: &'static str) -> Self {
        Unique { name, columns }
    }

    /// Whether what a unique violation reports (see [`reported_key`]) is this key.
    fn named_in(&self, reported: &str) -> bool {
        // PostgreSQL: the constraint's name, or failing that its message,
        // `duplicate key value violates unique constraint "posts_slug_key"`.
        let mut quoted = reported.split('"').skip(1).step_by(2);
        reported == self.name
            || quoted.any(|name| name == self.name)
            // SQLite: `UNIQUE constraint failed: posts.slug`.
            || reported.strip_prefix("UNIQUE constraint failed: ") == Some(self.columns)
    }
}

/// What names the key a unique violation broke: PostgreSQL reports the
/// constraint apart from its message (which the server may translate);
/// SQLite only has the message.
fn reported_key(err: &DbErr) -> Option<String> {
    use sea_orm::sqlx::error::DatabaseError;
    let Some(SqlErr::UniqueConstraintViolation(message)) = err.sql_err() else { return None };
    let constraint = match err {
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => {
            e.as_database_error().and_then(DatabaseError::constraint).map(str::to_owned)
        }
        _ => None,
    };
    Some(constraint.unwrap_or(message))
}

/// Turns the violation of a known unique key into CONFLICT on `field`; any
/// other error, another key's violation included, stays internal (a client
/// told "this slug is taken" about some other column would be misled).
pub trait OnConstraint<T> {
    fn on_unique(self, keys: &[Unique], field: &'static str, message: &str) -> AppResult<T>;
}

impl<T> OnConstraint<T> for Result<T, DbErr> {
    fn on_unique(self, keys: &[Unique], field: &'static str, message: &str) -> AppResult<T> {
        self.map_err(|err| match reported_key(&err) {
            Some(key) if keys.iter().any(|known| known.named_in(&key)) => AppError::conflict(field, message),
            _ => AppError::Internal(anyhow::Error::new(err).context(format!("Failed to write {field}"))),
        })
    }
}

impl From<DbErr> for AppError {
    fn from(err: DbErr) -> Self {
        AppError::Internal(anyhow::Error::new(err).context("Database operation failed"))
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::{ConnectionTrait, Database};

    use super::*;

    const POST_SLUG: Unique = Unique::new("posts_slug_key", "posts.slug");
    const JOB_DEDUPE: Unique = Unique::new("idx_jobs_dedupe", "jobs.kind, jobs.dedupe_key");

    #[test]
    fn keys_are_matched_by_their_postgres_name() {
        assert!(POST_SLUG.named_in("posts_slug_key"));
        assert!(JOB_DEDUPE.named_in("idx_jobs_dedupe"));
        let message = |name: &str| format!("duplicate key value violates unique constraint \"{name}\"");
        assert!(POST_SLUG.named_in(&message("posts_slug_key")));
        assert!(JOB_DEDUPE.named_in(&message("idx_jobs_dedupe")));
        for other in ["posts_pkey", "posts_slug_key2", "old_posts_slug_key", "series_slug_key"] {
            assert!(!POST_SLUG.named_in(other) && !POST_SLUG.named_in(&message(other)), "{other}");
        }
    }

    #[test]
    fn keys_are_matched_by_their_sqlite_columns() {
        assert!(POST_SLUG.named_in("UNIQUE constraint failed: posts.slug"));
        assert!(JOB_DEDUPE.named_in("UNIQUE constraint failed: jobs.kind, jobs.dedupe_key"));
        for other in [
            "UNIQUE constraint failed: posts.id",
            "UNIQUE constraint failed: posts.slug_old",
            "UNIQUE constraint failed: series.slug",
            "UNIQUE constraint failed: jobs.kind",
            "posts.slug",
        ] {
            assert!(!POST_SLUG.named_in(other) && !JOB_DEDUPE.named_in(other), "{other}");
        }
    }

    /// Both databases: SQLite in memory, and PostgreSQL in the service pass.
    #[tokio::test]
    async fn only_the_named_keys_become_conflicts() {
        let url = std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| "sqlite::memory:".into());
        let mut options = sea_orm::ConnectOptions::new(url);
        // One connection, so the temporary table stays in view.
        options.max_connections(1).sqlx_logging(false);
        let db = Database::connect(options).await.unwrap();
        db.execute_unprepared("CREATE TEMPORARY TABLE posts (id INTEGER PRIMARY KEY, slug TEXT NOT NULL UNIQUE)")
            .await
            .unwrap();
        let insert = async |sql: &str| db.execute_unprepared(sql).await.map(drop);
        insert("INSERT INTO posts (id, slug) VALUES (1, 'taken')").await.unwrap();

        let taken = insert("INSERT INTO posts (id, slug) VALUES (2, 'taken')").await;
        let reported = reported_key(taken.as_ref().unwrap_err()).expect("a unique violation");
        match db.get_database_backend() {
            sea_orm::DatabaseBackend::Postgres => assert_eq!(reported, "posts_slug_key"),
            _ => assert_eq!(reported, "UNIQUE constraint failed: posts.slug"),
        }
        let err = taken.on_unique(&[POST_SLUG], "slug", "Taken").unwrap_err();
        assert!(matches!(&err, AppError::Conflict { field: "slug", message } if message == "Taken"), "{err:?}");

        // The primary key is not the slug: not the client's conflict to fix.
        let same_id = insert("INSERT INTO posts (id, slug) VALUES (1, 'free')").await;
        assert!(matches!(same_id.on_unique(&[POST_SLUG], "slug", "Taken"), Err(AppError::Internal(_))));
        let no_table = insert("INSERT INTO nowhere (id) VALUES (1)").await;
        assert!(matches!(no_table.on_unique(&[POST_SLUG], "slug", "Taken"), Err(AppError::Internal(_))));
        let free = insert("INSERT INTO posts (id, slug) VALUES (3, 'free')").await;
        assert!(free.on_unique(&[POST_SLUG], "slug", "Taken").is_ok());
    }
}

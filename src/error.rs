//! One error type for the whole server, with a stable `extensions.code` per variant.
//!
//! Clients branch on the code, never on the message. Internal causes are logged
//! with the request id and replaced by a masked message carrying that id.

use sea_orm::{DbErr, SqlErr};

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
            AppError::Internal(_) => code::INTERNAL_SERVER_ERROR,
        }
    }
}

/// Turns a unique-key violation into CONFLICT on `field`; anything else stays internal.
pub trait OnConstraint<T> {
    fn on_unique(self, field: &'static str, message: &str) -> AppResult<T>;
}

impl<T> OnConstraint<T> for Result<T, DbErr> {
    fn on_unique(self, field: &'static str, message: &str) -> AppResult<T> {
        self.map_err(|err| match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => AppError::conflict(field, message),
            _ => AppError::Internal(anyhow::Error::new(err).context(format!("Failed to write {field}"))),
        })
    }
}

impl From<DbErr> for AppError {
    fn from(err: DbErr) -> Self {
        AppError::Internal(anyhow::Error::new(err).context("Database operation failed"))
    }
}

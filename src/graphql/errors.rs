//! How an `AppError` reaches a GraphQL client: its message, its stable code
//! in `extensions.code`, and the field or retry time where it has one.

use async_graphql::ErrorExtensions;

use crate::error::{AppError, UNAVAILABLE_RETRY_AFTER_SECS, UPSTREAM_RETRY_AFTER_SECS};

// async-graphql's `custom-error-conversion` feature is on, so this is the only
// way an error becomes a GraphQL error: every one carries its code.
impl From<AppError> for async_graphql::Error {
    fn from(err: AppError) -> Self {
        err.extend()
    }
}

impl ErrorExtensions for AppError {
    fn extend(&self) -> async_graphql::Error {
        match self {
            // The request span carries the request id; the handler adds it to the response.
            AppError::Internal(cause) => tracing::error!(error = ?cause, "internal error"),
            AppError::Upstream { what, cause } => tracing::error!(error = ?cause, upstream = what, "upstream failed"),
            AppError::SemanticSearchUnavailable { cause, .. } => {
                tracing::warn!(error = ?cause, "search by meaning unavailable")
            }
            _ => {}
        }
        async_graphql::Error::new(self.to_string()).extend_with(|_, ext| {
            ext.set("code", self.code());
            match self {
                AppError::BadUserInput { field, .. } | AppError::Conflict { field, .. } => ext.set("field", *field),
                AppError::RateLimited { retry_after_secs } => ext.set("retryAfter", *retry_after_secs),
                AppError::Unavailable(_) => ext.set("retryAfter", UNAVAILABLE_RETRY_AFTER_SECS),
                AppError::Upstream { .. } => ext.set("retryAfter", UPSTREAM_RETRY_AFTER_SECS),
                _ => {}
            }
        })
    }
}

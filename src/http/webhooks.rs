//! `POST /webhooks/stripe`: Stripe's webhook deliveries. The raw body is
//! checked against the `Stripe-Signature` header before anything is parsed
//! (billing::service::receive); a genuine event is stored with its job and
//! answered 200 at once, a repeated one is a 200 no-op, and anything else is
//! a 400 with a stable code (404 while payments are off), with nothing stored.

use axum::{
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};

use super::{Http, REQUEST_ID, auth::app_error};
use crate::domains::billing::service::{self as billing, Delivery, Refusal};

/// The largest delivery taken (Stripe's events are a few KB).
pub const MAX_BODY: usize = 256 * 1024;

pub async fn stripe(State(http): State<Http>, headers: HeaderMap, body: Bytes) -> Response {
    let signature = headers.get("stripe-signature").and_then(|v| v.to_str().ok());
    let request_id = headers.get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
    match billing::receive(&http.state, signature, &body).await {
        Ok(delivery) => {
            let body = serde_json::json!({ "received": true, "duplicate": delivery == Delivery::Duplicate });
            (StatusCode::OK, axum::Json(body)).into_response()
        }
        Err(Refusal::Failed(err)) => app_error(&err, request_id),
        Err(refusal) => {
            let (status, code) = match &refusal {
                Refusal::Disabled => (StatusCode::NOT_FOUND, "PAYMENTS_DISABLED"),
                Refusal::Signature(_) => (StatusCode::BAD_REQUEST, "BAD_SIGNATURE"),
                _ => (StatusCode::BAD_REQUEST, "BAD_EVENT"),
            };
            tracing::warn!(reason = %refusal, "a Stripe webhook delivery was refused");
            let body = serde_json::json!({ "error": { "code": code, "message": refusal.to_string() } });
            (status, axum::Json(body)).into_response()
        }
    }
}

//! `/_standin/…`: the control operations of [`crate::Standin`] as JSON over
//! HTTP, for a browser e2e (TypeScript) driving the `stripe-standin` binary.
//!
//! | method + path | body / answer |
//! |---|---|
//! | `GET /_standin/config` | `{"base_url", "prices": [...]}` |
//! | `POST /_standin/delivery` | `{"on": false}` — off: events are recorded, not sent |
//! | `POST /_standin/webhook_url` | `{"url": "http://…"}` |
//! | `POST /_standin/fault` | `{"fault": "server_error" \| "hang" \| "rate_limited" \| null, "times": 2}` (times optional: only the next N calls) |
//! | `GET /_standin/events` | every event, in order |
//! | `POST /_standin/events/{id}/deliver` | (re)sends it now → `{"status": 200}` |
//! | `GET /_standin/deliveries` | every delivery attempt |
//! | `GET /_standin/requests` | every API call |
//! | `POST /_standin/settle` | waits until queued events are delivered → `{}` |
//! | `POST /_standin/checkout/sessions/{id}/complete` | → `{"subscription": "sub_…"}` |
//! | `GET /_standin/subscriptions`, `GET /_standin/subscriptions/{id}` | subscription JSON |
//! | `POST /_standin/subscriptions/{id}/advance` | period end → the subscription |
//! | `POST /_standin/subscriptions/{id}/fail_renewal` | failed renewal → the subscription |
//!
//! Errors: 404 / 409 with `{"error": "<message>"}`.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::{Fault, Shared, Standin, StandinError};

pub(crate) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/config", get(config))
        .route("/delivery", post(delivery))
        .route("/webhook_url", post(webhook_url))
        .route("/fault", post(fault))
        .route("/events", get(events))
        .route("/events/{id}/deliver", post(deliver))
        .route("/deliveries", get(deliveries))
        .route("/requests", get(requests))
        .route("/settle", post(settle))
        .route("/checkout/sessions/{id}/complete", post(complete))
        .route("/subscriptions", get(subscriptions))
        .route("/subscriptions/{id}", get(subscription))
        .route("/subscriptions/{id}/advance", post(advance))
        .route("/subscriptions/{id}/fail_renewal", post(fail_renewal))
}

fn standin(shared: Arc<Shared>) -> Standin {
    Standin { shared }
}

fn failure(e: StandinError) -> Response {
    let status = match e {
        StandinError::NotFound(_) => StatusCode::NOT_FOUND,
        StandinError::Conflict(_) => StatusCode::CONFLICT,
    };
    (status, Json(json!({ "error": e.to_string() }))).into_response()
}

fn answer(result: Result<Value, StandinError>) -> Response {
    match result {
        Ok(v) => Json(v).into_response(),
        Err(e) => failure(e),
    }
}

async fn config(State(shared): State<Arc<Shared>>) -> Json<Value> {
    Json(json!({ "base_url": shared.base_url, "prices": shared.prices }))
}

#[derive(Deserialize)]
struct DeliveryBody {
    on: bool,
}

async fn delivery(State(shared): State<Arc<Shared>>, Json(body): Json<DeliveryBody>) -> Json<Value> {
    standin(shared).set_delivery(body.on);
    Json(json!({ "on": body.on }))
}

#[derive(Deserialize)]
struct UrlBody {
    url: String,
}

async fn webhook_url(State(shared): State<Arc<Shared>>, Json(body): Json<UrlBody>) -> Json<Value> {
    standin(shared).set_webhook_url(&body.url);
    Json(json!({ "url": body.url }))
}

#[derive(Deserialize)]
struct FaultBody {
    fault: Option<Fault>,
    times: Option<u32>,
}

async fn fault(State(shared): State<Arc<Shared>>, Json(body): Json<FaultBody>) -> Json<Value> {
    let standin = standin(shared);
    match (body.fault, body.times) {
        (Some(fault), Some(times)) => standin.set_fault_times(fault, times),
        (fault, _) => standin.set_fault(fault),
    }
    Json(json!({ "fault": body.fault, "times": body.times }))
}

async fn events(State(shared): State<Arc<Shared>>) -> Json<Vec<Value>> {
    Json(standin(shared).events())
}

async fn deliver(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    answer(crate::webhook::deliver_now(&shared, &id).await.map(|status| json!({ "status": status })))
}

async fn deliveries(State(shared): State<Arc<Shared>>) -> Response {
    Json(standin(shared).deliveries()).into_response()
}

async fn requests(State(shared): State<Arc<Shared>>) -> Response {
    Json(standin(shared).requests()).into_response()
}

async fn settle(State(shared): State<Arc<Shared>>) -> Json<Value> {
    standin(shared).settle().await;
    Json(json!({}))
}

async fn complete(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    answer(standin(shared).try_complete_checkout(&id).await.map(|sub| json!({ "subscription": sub })))
}

async fn subscriptions(State(shared): State<Arc<Shared>>) -> Json<Vec<Value>> {
    Json(standin(shared).subscriptions())
}

fn current(standin: &Standin, id: &str) -> Result<Value, StandinError> {
    standin.subscription(id).ok_or_else(|| StandinError::NotFound(format!("No such subscription: '{id}'")))
}

async fn subscription(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    answer(current(&standin(shared), &id))
}

async fn advance(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let s = standin(shared);
    answer(s.try_advance_period(&id).await.and_then(|()| current(&s, &id)))
}

async fn fail_renewal(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let s = standin(shared);
    answer(s.try_fail_renewal(&id).await.and_then(|()| current(&s, &id)))
}

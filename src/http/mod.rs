//! The HTTP surface: `/graphql` (GraphQL over HTTP, GraphiQL for browsers),
//! `/graphql/ws` (subscriptions), the web app's cookie sessions under `/auth`,
//! `/webhooks/stripe` (payments), `/healthz` and `/readyz`, feeds, certificate PDFs and the
//! certificate signing key, and the web app at `/` for everything
//! else, with request ids, tracing, CORS, timeouts, response compression and
//! security headers around all of it.

mod app;
mod auth;
mod certificates;
pub mod feeds;
pub mod forwarded;
mod graphiql;
mod graphql;
mod page_meta;
pub mod persisted;
mod response_cache;
pub mod security;
mod unsubscribe;
mod webhooks;
mod ws;

use persisted::PersistedQueries;

use std::{net::SocketAddr, sync::Arc, time::Duration};

use axum::{
    Json, Router,
    extract::{ConnectInfo, State},
    http::{HeaderMap, HeaderName, HeaderValue, Method, Request, StatusCode, header},
    response::IntoResponse,
    routing::get,
};
use tower::ServiceBuilder;
use tower_http::{
    compression::{
        CompressionLayer, Predicate,
        predicate::{NotForContentType, SizeAbove},
    },
    cors::{AllowOrigin, CorsLayer},
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    timeout::TimeoutLayer,
    trace::{DefaultOnResponse, TraceLayer},
};
use tracing::Level;

use crate::{auth::RequestMeta, schema::AppSchema, state::AppState};

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Everything a handler needs.
#[derive(Clone)]
pub struct Http {
    pub state: AppState,
    /// The guarded schema: documents `limits::admit` refuses run here.
    pub schema: AppSchema,
    /// The same schema without extensions, for every admitted document (`build_lean_schema`).
    pub lean: AppSchema,
    /// Documents named by hash: learnt ones (APQ) and the trusted manifest.
    pub persisted: Arc<PersistedQueries>,
    /// Which operations may be answered from the response cache.
    pub public_operations: Arc<response_cache::PublicOperations>,
}

pub fn router(state: AppState, schema: AppSchema) -> anyhow::Result<Router> {
    let config = state.config.clone();
    let persisted = Arc::new(PersistedQueries::from_config(&config, state.redis_guard.clone())?);
    let lean = crate::schema::build_lean_schema(state.clone());
    let http = Http { state, schema, lean, persisted, public_operations: Default::default() };

    let trace = TraceLayer::new_for_http()
        .make_span_with(|request: &Request<_>| {
            let id = request.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", request_id = %id, method = %request.method(), path = %request.uri().path())
        })
        .on_response(DefaultOnResponse::new().level(Level::INFO));

    let router = Router::new()
        .route("/graphql", get(graphql::get).post(graphql::post))
        .route("/graphql/ws", get(ws::upgrade))
        .route("/graphiql/{hash}/{name}", get(graphiql_asset))
        .route("/feed.xml", get(feeds::rss))
        .route("/atom.xml", get(feeds::atom))
        .route("/sitemap.xml", get(feeds::sitemap))
        .route("/unsubscribe", get(unsubscribe::confirm_page).post(unsubscribe::one_click))
        .route("/certificates/{code}/pdf", get(certificates::pdf))
        .route("/.well-known/lectern-certificate-key", get(certificates::signing_key))
        .route(
            "/webhooks/stripe",
            axum::routing::post(webhooks::stripe).layer(axum::extract::DefaultBodyLimit::max(webhooks::MAX_BODY)),
        )
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .merge(auth::routes())
        .merge(app::routes(&config.frontend_dir))
        .with_state(http)
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
                .layer(trace)
                .layer(PropagateRequestIdLayer::new(REQUEST_ID))
                .layer(cors(&config.cors_origins))
                .layer(compression())
                .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, config.request_timeout)),
        );
    // Outermost, so timeouts and every other early answer carry the headers too.
    Ok(security::apply(router, &config))
}

/// gzip, brotli or zstd, as the client's `Accept-Encoding` prefers, for bodies
/// worth it: not small ones (the framing would outweigh the saving), not
/// images (already compressed, except SVG), not event streams, and never a
/// websocket upgrade (its `101` has no body to compress, and the socket after
/// it is not HTTP).
fn compression() -> CompressionLayer<impl Predicate> {
    let not_an_upgrade = |status: StatusCode, _: http::Version, _: &HeaderMap, _: &http::Extensions| {
        status != StatusCode::SWITCHING_PROTOCOLS
    };
    CompressionLayer::new().compress_when(
        SizeAbove::new(1024)
            .and(NotForContentType::GRPC)
            .and(NotForContentType::IMAGES)
            .and(NotForContentType::SSE)
            .and(not_an_upgrade),
    )
}

/// `/graphiql/<hash>/<name>`: GraphiQL's files, unless GraphiQL is turned off.
async fn graphiql_asset(
    State(http): State<Http>,
    path: axum::extract::Path<(String, String)>,
) -> axum::response::Response {
    if !http.state.config.graphiql {
        return graphiql::disabled();
    }
    graphiql::asset(path).await
}

fn cors(origins: &[String]) -> CorsLayer {
    let base = CorsLayer::new()
        .allow_methods([Method::GET, Method::POST, Method::DELETE])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT, REQUEST_ID, auth::CSRF_HEADER])
        .expose_headers([REQUEST_ID])
        .max_age(Duration::from_secs(600));
    if origins.iter().any(|o| o == "*") {
        // Any origin may call the API with bearer tokens, never with the session cookie.
        base.allow_origin(AllowOrigin::any())
    } else {
        let list: Vec<HeaderValue> =
            origins.iter().filter_map(|o| HeaderValue::from_str(o.trim_end_matches('/')).ok()).collect();
        // Listed origins may use the cookie session (`/auth/session`), which needs credentials.
        base.allow_origin(AllowOrigin::list(list)).allow_credentials(true)
    }
}

/// The process is up.
async fn healthz() -> &'static str {
    "ok"
}

/// The process can serve: the database (and Redis, when configured) answer.
async fn readyz(State(http): State<Http>) -> impl IntoResponse {
    match http.state.readiness().await {
        Ok(()) => (StatusCode::OK, Json(serde_json::json!({ "status": "ready" }))),
        Err(reason) => {
            tracing::warn!(%reason, "not ready");
            (StatusCode::SERVICE_UNAVAILABLE, Json(serde_json::json!({ "status": "unavailable", "reason": reason })))
        }
    }
}

/// Request id and client address, for rate limits and masked errors.
fn request_meta(http: &Http, headers: &HeaderMap, ConnectInfo(peer): ConnectInfo<SocketAddr>) -> RequestMeta {
    let request_id = headers.get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-").to_owned();
    let client_ip = forwarded::client_address(&http.state.config.proxies, peer.ip(), headers);
    RequestMeta { request_id, client_ip }
}

impl Http {
    /// The schema `requests` (one, or a batch's) run on: the lean one when
    /// `limits::admit` lets every one of them (parsing each document once,
    /// kept in its request), else the guarded one.
    pub fn schema_for<'r>(&self, requests: impl IntoIterator<Item = &'r mut async_graphql::Request>) -> &AppSchema {
        let limits = &self.state.config.graphql;
        if requests.into_iter().all(|request| crate::schema::limits::admit(request, limits)) {
            &self.lean
        } else {
            &self.schema
        }
    }
}

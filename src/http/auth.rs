//! The web app's sessions: the refresh token lives in an `HttpOnly; Secure;
//! SameSite=Strict` cookie that no script can read, scoped to `/auth/session`,
//! and the access token comes back in the JSON body (the app keeps it in
//! memory only). API clients keep the bearer tokens of the GraphQL `login`,
//! `register` and `refreshToken` mutations; these endpoints run the same
//! service functions, so rate limits, rotation, reuse detection and the
//! session's absolute lifetime are the same.
//!
//! - `POST /auth/session` `{email, password}`: signs in (and ends the session
//!   of a cookie the browser still presents).
//! - `POST /auth/register` `{email, password, displayName}`: creates the
//!   account and signs it in.
//! - `POST /auth/session/refresh`: rotates the cookie and returns a new access token.
//! - `DELETE /auth/session`: ends the cookie's session and clears the cookie.
//!
//! The cookie's path covers the refresh and sign-out endpoints (both need it)
//! and nothing else, so it never rides along with GraphQL or page requests.
//!
//! A browser attaches cookies by itself, so every endpoint here refuses
//! requests another site could make a browser send: only `application/json`
//! bodies (415 otherwise; a form cannot send that type without a CORS
//! preflight), a custom `X-Lectern-CSRF` header (403 without it; no
//! cross-site form or simple request can carry one), and, when the browser
//! says where the request comes from (`Sec-Fetch-Site`, `Origin`), the same
//! origin, `PUBLIC_URL`'s or one listed in `CORS_ORIGINS` (403 otherwise).
//! SameSite=Strict keeps the cookie off cross-site requests as well.
//!
//! `Secure` is always set, whatever `PUBLIC_URL`'s scheme: browsers accept a
//! Secure cookie from `http://localhost` (and loopback addresses), which
//! covers development and the tests, and anywhere else a long-lived
//! credential must not travel in clear text.

use std::net::SocketAddr;

use axum::{
    Router,
    body::Body,
    extract::{ConnectInfo, State},
    http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::post,
};
use chrono::Utc;
use cookie::{Cookie, SameSite};
use serde::{Deserialize, de::DeserializeOwned};
use tower_http::set_header::SetResponseHeaderLayer;
use url::Url;

use super::{
    Http,
    graphql::{MediaType, error_response},
    request_meta,
};
use crate::{
    config::Config,
    domains::accounts::service::{self, Registration, Session},
    error::{AppError, code},
};

/// The refresh cookie's name and path.
pub const COOKIE: &str = "lectern_refresh";
pub const COOKIE_PATH: &str = "/auth/session";
/// The header every request here must carry; its value is not checked, only
/// that a script on an allowed origin (which needs a CORS preflight to set it) sent it.
pub const CSRF_HEADER: HeaderName = HeaderName::from_static("x-lectern-csrf");
const SEC_FETCH_SITE: HeaderName = HeaderName::from_static("sec-fetch-site");
/// Sign-in and registration bodies are a few short strings.
const MAX_BODY_BYTES: usize = 16 * 1024;

/// The cookie endpoints, none of whose answers may be cached.
pub fn routes() -> Router<Http> {
    Router::new()
        .route("/auth/session", post(sign_in).delete(sign_out))
        .route("/auth/session/refresh", post(refresh))
        .route("/auth/register", post(register))
        .layer(SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
}

#[derive(Deserialize)]
struct SignInInput {
    email: String,
    password: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RegisterInput {
    email: String,
    password: String,
    display_name: String,
    #[serde(default)]
    referral_code: Option<String>,
}

async fn sign_in(State(http): State<Http>, peer: ConnectInfo<SocketAddr>, headers: HeaderMap, body: Body) -> Response {
    if let Err(refused) = guard(&http.state.config, &headers) {
        return refused.into_response();
    }
    let input: SignInInput = match json_body(body, "`email` and `password`").await {
        Ok(input) => input,
        Err(refused) => return refused.into_response(),
    };
    let meta = request_meta(&http, &headers, peer);
    match service::login(&http.state, &input.email, &input.password, &meta).await {
        Ok(session) => {
            end_presented_session(&http, &headers).await;
            signed_in(&http, session)
        }
        Err(err) => app_error(&err, &meta.request_id),
    }
}

async fn register(State(http): State<Http>, peer: ConnectInfo<SocketAddr>, headers: HeaderMap, body: Body) -> Response {
    if let Err(refused) = guard(&http.state.config, &headers) {
        return refused.into_response();
    }
    let input: RegisterInput = match json_body(body, "`email`, `password` and `displayName`").await {
        Ok(input) => input,
        Err(refused) => return refused.into_response(),
    };
    let meta = request_meta(&http, &headers, peer);
    let registration = Registration {
        email: &input.email,
        password: &input.password,
        display_name: &input.display_name,
        referral_code: input.referral_code.as_deref(),
    };
    match service::register(&http.state, registration, &meta).await {
        Ok(session) => signed_in(&http, session),
        Err(err) => app_error(&err, &meta.request_id),
    }
}

async fn refresh(State(http): State<Http>, peer: ConnectInfo<SocketAddr>, headers: HeaderMap) -> Response {
    if let Err(refused) = guard(&http.state.config, &headers) {
        return refused.into_response();
    }
    let Some(token) = presented_token(&headers) else {
        return Refusal::new(StatusCode::UNAUTHORIZED, code::UNAUTHENTICATED, "No session cookie; sign in")
            .into_response();
    };
    let meta = request_meta(&http, &headers, peer);
    match service::refresh(&http.state, &token, &meta).await {
        Ok(session) => signed_in(&http, session),
        Err(err) => {
            let mut response = app_error(&err, &meta.request_id);
            // A cookie the server refused can never work again; a rate limit or an outage keeps it.
            if matches!(err, AppError::Unauthenticated | AppError::UnauthenticatedBecause(_)) {
                set_cookie(&mut response, cleared_cookie());
            }
            response
        }
    }
}

async fn sign_out(State(http): State<Http>, headers: HeaderMap) -> Response {
    if let Err(refused) = guard(&http.state.config, &headers) {
        return refused.into_response();
    }
    let ended = match presented_token(&headers) {
        Some(token) => match service::logout(&http.state, None, Some(&token)).await {
            Ok(ended) => ended,
            Err(err) => {
                let request_id = headers.get(super::REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
                return app_error(&err, request_id);
            }
        },
        None => false,
    };
    let mut response = json_response(StatusCode::OK, serde_json::json!({ "ended": ended }));
    set_cookie(&mut response, cleared_cookie());
    response
}

/// Refuses what another site could make a browser send with our cookie.
fn guard(config: &Config, headers: &HeaderMap) -> Result<(), Refusal> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if essence != "application/json" {
        return Err(Refusal::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            code::UNSUPPORTED_MEDIA_TYPE,
            "Requests to /auth must be application/json",
        ));
    }
    if !headers.contains_key(CSRF_HEADER) {
        return Err(Refusal::new(StatusCode::FORBIDDEN, code::FORBIDDEN, "The X-Lectern-CSRF header is required"));
    }
    if !from_allowed_origin(config, headers) {
        return Err(Refusal::new(StatusCode::FORBIDDEN, code::FORBIDDEN, "Cross-site requests are not allowed here"));
    }
    Ok(())
}

/// Whether the browser's own account of where the request comes from is
/// acceptable. Browsers set both headers themselves (no script can); a client
/// that sends neither is not a browser, so no cookie was attached on its behalf.
fn from_allowed_origin(config: &Config, headers: &HeaderMap) -> bool {
    let site = headers.get(SEC_FETCH_SITE).and_then(|v| v.to_str().ok()).map(str::to_ascii_lowercase);
    // Same origin as the page, even through a development proxy whose address differs from PUBLIC_URL.
    if site.as_deref() == Some("same-origin") {
        return true;
    }
    match headers.get(header::ORIGIN) {
        Some(origin) => {
            let Some(origin) = origin.to_str().ok().and_then(normalised_origin) else { return false };
            normalised_origin(config.public_url.as_str()).as_deref() == Some(origin.as_str())
                || config
                    .cors_origins
                    .iter()
                    .filter(|allowed| *allowed != "*")
                    .any(|allowed| normalised_origin(allowed).as_deref() == Some(origin.as_str()))
        }
        None => site.is_none(),
    }
}

/// `scheme://host[:port]` as browsers serialise origins; None for `null` and non-URLs.
fn normalised_origin(raw: &str) -> Option<String> {
    let origin = Url::parse(raw.trim()).ok()?.origin();
    origin.is_tuple().then(|| origin.ascii_serialization())
}

async fn json_body<T: DeserializeOwned>(body: Body, fields: &str) -> Result<T, Refusal> {
    let bytes = axum::body::to_bytes(body, MAX_BODY_BYTES).await.map_err(|_| {
        Refusal::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            code::PAYLOAD_TOO_LARGE,
            format!("The request body is larger than {MAX_BODY_BYTES} bytes"),
        )
    })?;
    // serde's message could quote the password, so the answer only names what is expected.
    serde_json::from_slice(&bytes).map_err(|_| {
        Refusal::new(
            StatusCode::BAD_REQUEST,
            code::BAD_REQUEST,
            format!("The body must be a JSON object with {fields} strings"),
        )
    })
}

/// The refresh token of the cookie the browser presented, if any.
fn presented_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|cookie| cookie.name() == COOKIE && !cookie.value().is_empty())
        .map(|cookie| cookie.value().to_owned())
}

/// A new sign-in replaces the browser's previous session: end it, so a copy of
/// its cookie taken earlier dies with it.
async fn end_presented_session(http: &Http, headers: &HeaderMap) {
    if let Some(token) = presented_token(headers)
        && let Err(err) = service::logout(&http.state, None, Some(&token)).await
    {
        tracing::warn!(error = %err, "failed to end the session a new sign-in replaces");
    }
}

/// The new access token in the body, the new refresh token in the cookie only.
fn signed_in(http: &Http, session: Session) -> Response {
    let now = Utc::now();
    let access_ttl = chrono::Duration::from_std(http.state.jwt.access_ttl()).unwrap_or_default();
    let body = serde_json::json!({
        "accessToken": session.access_token,
        "accessTokenExpiresAt": (now + access_ttl).to_rfc3339(),
        "user": { "id": session.user.id },
    });
    // Whole seconds, rounded down, so the browser drops the cookie no later than the server does.
    let max_age = (session.refresh_expires_at - now).num_seconds().max(0);
    let cookie = session_cookie(session.refresh_token, cookie::time::Duration::seconds(max_age));
    let mut response = json_response(StatusCode::OK, body);
    set_cookie(&mut response, cookie);
    response
}

fn session_cookie(value: String, max_age: cookie::time::Duration) -> Cookie<'static> {
    Cookie::build((COOKIE, value))
        .path(COOKIE_PATH)
        .http_only(true)
        .secure(true)
        .same_site(SameSite::Strict)
        .max_age(max_age)
        .build()
}

fn cleared_cookie() -> Cookie<'static> {
    session_cookie(String::new(), cookie::time::Duration::ZERO)
}

fn set_cookie(response: &mut Response, cookie: Cookie<'_>) {
    if let Ok(value) = HeaderValue::from_str(&cookie.to_string()) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

fn json_response(status: StatusCode, body: serde_json::Value) -> Response {
    (status, [(header::CONTENT_TYPE, MediaType::Json.content_type())], body.to_string()).into_response()
}

/// An HTTP-level refusal before any account work, in the error shape of the rest of the HTTP surface.
struct Refusal {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl Refusal {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Refusal { status, code, message: message.into() }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        error_response(self.status, MediaType::Json, self.code, &self.message)
    }
}

/// A service error with the status that fits its code, in the same shape and
/// with the same extensions (`code`, `field`, `retryAfter`) GraphQL gives it.
pub(super) fn app_error(err: &AppError, request_id: &str) -> Response {
    use async_graphql::ErrorExtensions;
    let status = match err {
        AppError::Unauthenticated | AppError::UnauthenticatedBecause(_) => StatusCode::UNAUTHORIZED,
        AppError::Forbidden => StatusCode::FORBIDDEN,
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        AppError::BadUserInput { .. } => StatusCode::BAD_REQUEST,
        AppError::Conflict { .. } => StatusCode::CONFLICT,
        AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
        AppError::PaymentRequired(_) => StatusCode::PAYMENT_REQUIRED,
        AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        AppError::PaymentsDisabled => StatusCode::NOT_FOUND,
        AppError::EmailNotVerified(_) => StatusCode::FORBIDDEN,
        AppError::Upstream { .. } => StatusCode::BAD_GATEWAY,
        AppError::SemanticSearchUnavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
        AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    };
    // `extend` logs an internal cause (the request span carries the request id).
    let error = err.extend();
    let mut extensions = error.extensions.unwrap_or_default();
    if matches!(err, AppError::Internal(_) | AppError::Upstream { .. }) {
        extensions.set("requestId", request_id);
    }
    let body = serde_json::json!({ "errors": [{ "message": error.message, "extensions": extensions }] });
    let mut response = json_response(status, body);
    if let AppError::RateLimited { retry_after_secs } = err {
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
    }
    if matches!(err, AppError::Unavailable(_)) {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(crate::error::UNAVAILABLE_RETRY_AFTER_SECS));
    }
    response
}

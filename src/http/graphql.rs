//! GraphQL over HTTP as the GraphQL-over-HTTP spec says: POST with
//! `application/json` bodies (single or batched), GET for queries only,
//! `application/graphql-response+json` with 4xx for request errors, and
//! GraphiQL for browsers (see `graphiql.rs`) unless `GRAPHIQL=false`.
//!
//! Only `application/json` POSTs are accepted: a form, multipart or text/plain
//! POST (which a browser may send cross-site without a preflight) is refused
//! with 415 before anything runs, which is the CSRF protection.

use std::net::SocketAddr;

use async_graphql::{BatchRequest, BatchResponse, Request as GqlRequest, Variables};
use axum::{
    body::Body,
    extract::{ConnectInfo, Query, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Deserialize;

use super::{Http, request_meta, response_cache};
use crate::{
    auth::Viewer,
    error::{AppError, code},
    graphql::CacheScope,
    http::persisted::Refusal,
    infra::response_cache::Lookup,
    schema::limits,
};

const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";
const APPLICATION_JSON: &str = "application/json";
/// Which media type the client reads.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum MediaType {
    /// `application/graphql-response+json`: request errors get 4xx statuses.
    GraphqlResponse,
    /// Legacy `application/json`: 200 for anything the server could parse.
    Json,
}

impl MediaType {
    pub(super) fn content_type(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            MediaType::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
            MediaType::Json => "application/json; charset=utf-8",
        })
    }
}

/// Picks the response media type from `Accept`, or `None` when the client accepts neither.
fn negotiate(headers: &HeaderMap) -> Option<MediaType> {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).filter(|v| !v.trim().is_empty())
    else {
        return Some(MediaType::Json);
    };
    let types: Vec<String> =
        accept.split(',').map(|part| part.split(';').next().unwrap_or("").trim().to_ascii_lowercase()).collect();
    if types.iter().any(|t| t == GRAPHQL_RESPONSE_JSON) {
        Some(MediaType::GraphqlResponse)
    } else if types.iter().any(|t| t == APPLICATION_JSON || t == "application/*" || t == "*/*") {
        Some(MediaType::Json)
    } else {
        None
    }
}

/// A response that is only errors, with a stable code, for failures before GraphQL runs.
pub(super) fn error_response(status: StatusCode, media: MediaType, code: &str, message: &str) -> Response {
    let body = serde_json::json!({ "errors": [{ "message": message, "extensions": { "code": code } }] });
    (status, [(header::CONTENT_TYPE, media.content_type())], body.to_string()).into_response()
}

fn viewer(http: &Http, headers: &HeaderMap) -> Result<Viewer, AppError> {
    let authorization = headers.get(header::AUTHORIZATION).map(|v| v.to_str().unwrap_or("invalid"));
    Viewer::from_bearer(&http.state.jwt, authorization)
}

/// A bad `Authorization` header refuses the whole request, public operations
/// included, so clients learn to refresh instead of silently seeing the
/// anonymous view. The message says so, since the fix (send a fresh token,
/// or none) is not obvious from "invalid token" when all one ran was `login`.
fn unauthenticated(media: MediaType, err: &AppError) -> Response {
    let message = format!(
        "{}. The access token in the Authorization header was not accepted, so nothing ran: send a fresh token, \
         or no Authorization header at all (public operations such as `login` work without one).",
        err.to_string().trim_end_matches('.')
    );
    let mut response = error_response(StatusCode::UNAUTHORIZED, media, err.code(), &message);
    response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer error=\"invalid_token\""));
    response
}

#[derive(Deserialize)]
pub struct GetParams {
    query: Option<String>,
    #[serde(rename = "operationName")]
    operation_name: Option<String>,
    variables: Option<String>,
    extensions: Option<String>,
}

pub async fn get(
    State(http): State<Http>,
    peer: ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    params: Result<Query<GetParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let wants_html =
        headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|accept| accept.contains("text/html"));
    let params = match params {
        Ok(Query(params)) => params,
        Err(_) => {
            return error_response(
                StatusCode::BAD_REQUEST,
                MediaType::Json,
                code::BAD_REQUEST,
                "Malformed query string",
            );
        }
    };
    if wants_html && params.query.is_none() {
        return if http.state.config.graphiql {
            super::graphiql::page(&http.state.config)
        } else {
            super::graphiql::disabled()
        };
    }
    let Some(media) = negotiate(&headers) else {
        return error_response(
            StatusCode::NOT_ACCEPTABLE,
            MediaType::Json,
            code::BAD_REQUEST,
            "Accept application/graphql-response+json or application/json",
        );
    };
    let parse_json = |raw: Option<String>| raw.map(|raw| serde_json::from_str::<serde_json::Value>(&raw)).transpose();
    let (Ok(variables), Ok(mut extensions)) = (parse_json(params.variables), parse_json(params.extensions)) else {
        return error_response(
            StatusCode::BAD_REQUEST,
            media,
            code::BAD_REQUEST,
            "`variables` and `extensions` must be JSON objects",
        );
    };
    // A hash alone names a query learnt earlier; the GET rule below applies to what it names.
    let resolved = match http.persisted.resolve(params.query, extensions.as_mut().and_then(|e| e.as_object_mut())).await
    {
        Ok(resolved) => resolved,
        Err(refusal) => return refused(media, refusal),
    };
    let query = resolved.query;
    // GET must never change anything: only queries run over GET.
    if let Ok(document) = async_graphql::parser::parse_query(&query) {
        let operation = document.operations.iter().find(|(name, _)| match (&params.operation_name, name) {
            (Some(wanted), Some(name)) => wanted == name.as_str(),
            (None, _) => true,
            _ => false,
        });
        if let Some((_, operation)) = operation
            && operation.node.ty != async_graphql::parser::types::OperationType::Query
        {
            let mut response = error_response(
                StatusCode::METHOD_NOT_ALLOWED,
                media,
                code::METHOD_NOT_ALLOWED,
                "Only queries can be sent with GET; use POST",
            );
            response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("POST"));
            return response;
        }
    }
    let mut request = GqlRequest::new(query);
    request.operation_name = params.operation_name;
    if let Some(variables) = variables {
        request.variables = Variables::from_json(variables);
    }
    if let Some(serde_json::Value::Object(map)) = extensions {
        for (key, value) in map {
            if let Ok(value) = async_graphql::Value::from_json(value) {
                request.extensions.insert(key, value);
            }
        }
    }
    let viewer = match viewer(&http, &headers) {
        Ok(viewer) => viewer,
        Err(err) => return unauthenticated(media, &err),
    };
    if let Err(refusal) = http.persisted.check_trusted(&viewer, &request.query) {
        return refused(media, refusal);
    }
    if let Some(hash) = &resolved.register {
        http.persisted.register(hash, &request.query).await;
    }
    // Only what any anonymous client would get may sit in a shared cache: a
    // hash-only GET (a stable URL) without credentials.
    let max_age = http.state.config.persisted.get_max_age;
    let cacheable = (resolved.by_hash && viewer == Viewer::Anonymous && !max_age.is_zero()).then_some(max_age);
    let meta = request_meta(&http, &headers, peer);
    let if_none_match = headers.get(header::IF_NONE_MATCH).filter(|_| cacheable.is_some());
    execute(&http, media, BatchRequest::Single(request), viewer, meta, cacheable, if_none_match).await
}

pub async fn post(State(http): State<Http>, peer: ConnectInfo<SocketAddr>, headers: HeaderMap, body: Body) -> Response {
    let media = negotiate(&headers);
    let Some(media) = media else {
        return error_response(
            StatusCode::NOT_ACCEPTABLE,
            MediaType::Json,
            code::BAD_REQUEST,
            "Accept application/graphql-response+json or application/json",
        );
    };
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if essence != APPLICATION_JSON {
        return error_response(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            media,
            code::UNSUPPORTED_MEDIA_TYPE,
            "POST bodies must be application/json",
        );
    }

    let limit = http.state.config.graphql.max_body_bytes;
    let too_large = || {
        error_response(
            StatusCode::PAYLOAD_TOO_LARGE,
            media,
            code::PAYLOAD_TOO_LARGE,
            &format!("The request body is larger than {limit} bytes"),
        )
    };
    let declared =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|len| len > limit) {
        return too_large();
    }
    // Stops reading as soon as the limit is passed, so a huge body is never held whole.
    let bytes = match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => bytes,
        Err(_) => return too_large(),
    };

    let mut body: serde_json::Value = match serde_json::from_slice(&bytes) {
        Ok(body) => body,
        Err(err) => {
            return error_response(
                StatusCode::BAD_REQUEST,
                media,
                code::BAD_REQUEST,
                &format!("The body is not JSON: {err}"),
            );
        }
    };
    let mut register = Vec::new();
    let operations: Vec<&mut serde_json::Value> = match &mut body {
        serde_json::Value::Array(many) if many.len() <= http.state.config.graphql.max_batch => {
            many.iter_mut().collect()
        }
        serde_json::Value::Array(_) => Vec::new(),
        one => vec![one],
    };
    for operation in operations {
        let Some(operation) = operation.as_object_mut() else { continue };
        let named = operation.get("extensions").and_then(|e| e.get("persistedQuery")).is_some();
        if !named {
            continue;
        }
        let query = operation.remove("query").and_then(|q| q.as_str().map(str::to_owned));
        let extensions = operation.get_mut("extensions").and_then(|e| e.as_object_mut());
        match http.persisted.resolve(query, extensions).await {
            Ok(resolved) => {
                if let Some(hash) = resolved.register {
                    register.push((hash, resolved.query.clone()));
                }
                operation.insert("query".into(), resolved.query.into());
            }
            Err(refusal) => return refused(media, refusal),
        }
    }
    let batch = match parse_body(body) {
        Ok(batch) => batch,
        Err(reason) => {
            return error_response(StatusCode::BAD_REQUEST, media, code::BAD_REQUEST, &reason);
        }
    };
    let max_batch = http.state.config.graphql.max_batch;
    if let BatchRequest::Batch(requests) = &batch
        && (requests.is_empty() || requests.len() > max_batch)
    {
        return error_response(
            StatusCode::BAD_REQUEST,
            media,
            code::BATCH_TOO_LARGE,
            &format!("A batch holds 1 to {max_batch} operations"),
        );
    }
    let viewer = match viewer(&http, &headers) {
        Ok(viewer) => viewer,
        Err(err) => return unauthenticated(media, &err),
    };
    let queries: Vec<&str> = match &batch {
        BatchRequest::Single(one) => vec![one.query.as_str()],
        BatchRequest::Batch(many) => many.iter().map(|one| one.query.as_str()).collect(),
    };
    for query in queries {
        if let Err(refusal) = http.persisted.check_trusted(&viewer, query) {
            return refused(media, refusal);
        }
    }
    for (hash, query) in register {
        http.persisted.register(&hash, &query).await;
    }
    execute(&http, media, batch, viewer, request_meta(&http, &headers, peer), None, None).await
}

/// A persisted-query refusal: a request error (400, or 200 for legacy JSON) unless it has its own status.
fn refused(media: MediaType, refusal: Refusal) -> Response {
    let status = refusal.status.unwrap_or(match media {
        MediaType::GraphqlResponse => StatusCode::BAD_REQUEST,
        MediaType::Json => StatusCode::OK,
    });
    let mut response = error_response(status, media, refusal.code, &refusal.message);
    // A miss must never be cached: the next request (with the query) teaches the server the hash.
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Runs the operation(s) and answers. `cache_max_age` is set for a persisted
/// anonymous GET (a stable URL a CDN may cache: `Cache-Control: public` and an
/// `ETag`, with 304 for a matching `If-None-Match`). An anonymous single query
/// of public roots is answered from the response cache when it holds a current
/// answer, and its answer stored otherwise (see `response_cache`).
async fn execute(
    http: &Http,
    media: MediaType,
    batch: BatchRequest,
    viewer: Viewer,
    meta: crate::auth::RequestMeta,
    cache_max_age: Option<std::time::Duration>,
    if_none_match: Option<&HeaderValue>,
) -> Response {
    let cache = &http.state.public_cache;
    let key = match &batch {
        BatchRequest::Single(one) if viewer == Viewer::Anonymous && cache.enabled() => {
            http.public_operations.key(media, one)
        }
        _ => None,
    };
    let mut ticket = None;
    if let Some(key) = &key {
        match cache.lookup(key).await {
            Lookup::Hit(body) => {
                return answer(StatusCode::OK, media, body, cache_max_age, if_none_match, Some("hit"));
            }
            Lookup::Miss(missed) => ticket = Some(missed),
            Lookup::Off => {}
        }
    }
    let scope = ticket.map(|_| CacheScope::default());

    let request_id = meta.request_id.clone();
    let (loader, batches) = crate::graphql::loaders::for_request();
    let mut batch = batch.data(viewer).data(meta).data(loader);
    if let Some(scope) = &scope {
        batch = batch.data(scope.clone());
    }
    let schema = http.schema_for(batch.iter_mut());
    let mut response = batches.drive(schema.execute_batch(batch)).await;
    let mut status = StatusCode::OK;
    match &mut response {
        BatchResponse::Single(single) => {
            limits::finalize(single, &request_id);
            if media == MediaType::GraphqlResponse && limits::is_request_error(single) {
                status = StatusCode::BAD_REQUEST;
            }
        }
        BatchResponse::Batch(many) => many.iter_mut().for_each(|one| limits::finalize(one, &request_id)),
    }
    let body = match serialize_body(&response) {
        Ok(body) => bytes::Bytes::from(body),
        Err(err) => {
            tracing::error!(error = %err, "failed to serialise a GraphQL response");
            return error_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                media,
                code::INTERNAL_SERVER_ERROR,
                "Internal server error",
            );
        }
    };
    let succeeded =
        status == StatusCode::OK && matches!(&response, BatchResponse::Single(one) if one.errors.is_empty());
    if let (Some(key), Some(ticket), Some(tags), true) = (&key, ticket, scope.and_then(|s| s.tags()), succeeded) {
        response_cache::keep(&http.state, key, ticket, &tags, body.clone()).await;
    }
    let cache_state = key.as_ref().and(ticket).map(|_| "miss");
    answer(status, media, body, cache_max_age.filter(|_| succeeded), if_none_match, cache_state)
}

/// The HTTP response for a GraphQL body: `public_max_age` when a shared cache
/// may keep it (then with an `ETag`, and 304 for a matching `If-None-Match`),
/// `no-store` otherwise.
fn answer(
    status: StatusCode,
    media: MediaType,
    body: bytes::Bytes,
    public_max_age: Option<std::time::Duration>,
    if_none_match: Option<&HeaderValue>,
    cache_state: Option<&'static str>,
) -> Response {
    let cache_control = match public_max_age {
        Some(age) => HeaderValue::from_str(&format!("public, max-age={}", age.as_secs()))
            .unwrap_or(HeaderValue::from_static("no-store")),
        None => HeaderValue::from_static("no-store"),
    };
    let etag = public_max_age.map(|_| response_cache::etag(&body));
    let unchanged =
        etag.as_ref().zip(if_none_match).is_some_and(|(etag, wanted)| response_cache::not_modified(wanted, etag));
    let mut response = if unchanged {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (status, [(header::CONTENT_TYPE, media.content_type())], body).into_response()
    };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, cache_control);
    // The body depends on the media type asked for, and a signed-in viewer must never get the anonymous copy.
    headers.insert(header::VARY, HeaderValue::from_static("Accept, Authorization"));
    if let Some(etag) = etag {
        headers.insert(header::ETAG, etag);
    }
    if let Some(state) = cache_state {
        headers.insert(response_cache::CACHE_HEADER, HeaderValue::from_static(state));
    }
    response
}

/// The response's body. Nothing ran for a request error, so its entry has no
/// `data` at all; every other response is written straight to text, without a
/// `serde_json::Value` tree between (a feed page is thousands of values).
fn serialize_body(response: &BatchResponse) -> serde_json::Result<String> {
    let rejected: Vec<bool> = match response {
        BatchResponse::Single(one) => vec![limits::is_request_error(one)],
        BatchResponse::Batch(many) => many.iter().map(limits::is_request_error).collect(),
    };
    if !rejected.contains(&true) {
        return serde_json::to_string(response);
    }
    let mut value = serde_json::to_value(response)?;
    let entries: Vec<&mut serde_json::Value> = match &mut value {
        serde_json::Value::Array(many) => many.iter_mut().collect(),
        one => vec![one],
    };
    for (entry, rejected) in entries.into_iter().zip(rejected) {
        if let (true, Some(object)) = (rejected, entry.as_object_mut()) {
            object.remove("data");
        }
    }
    Ok(value.to_string())
}

/// A single operation (object) or a batch (array of objects), each with a `query` string.
fn parse_body(value: serde_json::Value) -> Result<BatchRequest, String> {
    let has_query = |v: &serde_json::Value| v.get("query").is_some_and(serde_json::Value::is_string);
    let well_formed = match &value {
        serde_json::Value::Object(_) => has_query(&value),
        serde_json::Value::Array(items) => items.iter().all(has_query),
        _ => false,
    };
    if !well_formed {
        return Err("Every operation needs a `query` string".into());
    }
    serde_json::from_value(value).map_err(|e| format!("The body is not a GraphQL request: {e}"))
}

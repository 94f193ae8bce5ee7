//! Syndication endpoints: `/feed.xml` (RSS 2.0), `/atom.xml` (Atom 1.0) and
//! `/sitemap.xml`, built by `domains::feeds`.

use axum::{
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use bytes::Bytes;

use super::{Http, response_cache};
use crate::{domains::feeds::service as feeds, infra::response_cache::Lookup};

/// Feeds and the sitemap may be kept by shared caches for five minutes.
const CACHE_CONTROL: &str = "public, max-age=300";

fn xml(content_type: &'static str, body: impl Into<axum::body::Body>) -> Response {
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, CACHE_CONTROL)], body.into()).into_response()
}

fn failed(err: impl std::fmt::Debug) -> Response {
    tracing::error!(error = ?err, "failed to build a feed");
    (StatusCode::INTERNAL_SERVER_ERROR, "Internal server error").into_response()
}

/// A feed from the response cache while it holds a current copy, built and
/// stored otherwise. A feed shows the newest live posts with their authors
/// and tags, all of which bump `content`, the tag every entry depends on, and
/// a stored feed expires when the next scheduled post goes live. Feed readers
/// poll: each answer carries an `ETag`, and a matching `If-None-Match` gets a
/// 304 with no body.
async fn feed<E: std::fmt::Debug>(
    http: &Http,
    key: &'static str,
    content_type: &'static str,
    headers: &HeaderMap,
    build: impl Future<Output = Result<String, E>>,
) -> Response {
    let cache = &http.state.public_cache;
    let ticket = match cache.lookup(key).await {
        Lookup::Hit(body) => return conditional(content_type, body, headers, Some("hit")),
        Lookup::Miss(ticket) => Some(ticket),
        Lookup::Off => None,
    };
    let body = match build.await {
        Ok(body) => Bytes::from(body),
        Err(err) => return failed(err),
    };
    if let Some(ticket) = ticket {
        response_cache::keep(&http.state, key, ticket, &[], body.clone()).await;
    }
    conditional(content_type, body, headers, ticket.map(|_| "miss"))
}

fn conditional(content_type: &'static str, body: Bytes, headers: &HeaderMap, cache: Option<&'static str>) -> Response {
    let etag = response_cache::etag(&body);
    let unchanged =
        headers.get(header::IF_NONE_MATCH).is_some_and(|wanted| response_cache::not_modified(wanted, &etag));
    let mut response = if unchanged {
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(CACHE_CONTROL));
        response
    } else {
        xml(content_type, body)
    };
    response.headers_mut().insert(header::ETAG, etag);
    if let Some(state) = cache {
        response.headers_mut().insert(response_cache::CACHE_HEADER, HeaderValue::from_static(state));
    }
    response
}

pub async fn rss(State(http): State<Http>, headers: HeaderMap) -> Response {
    let build = feeds::rss(&http.state);
    feed(&http, "lectern-feed-v1:rss", "application/rss+xml; charset=utf-8", &headers, build).await
}

pub async fn atom(State(http): State<Http>, headers: HeaderMap) -> Response {
    let build = feeds::atom(&http.state);
    feed(&http, "lectern-feed-v1:atom", "application/atom+xml; charset=utf-8", &headers, build).await
}

/// Serves the stored sitemap, building and storing it first if there is none yet.
/// The `refresh_sitemap` job rebuilds it after each publish and on a schedule.
pub async fn sitemap(State(http): State<Http>) -> Response {
    let stored = match feeds::stored_sitemap(&http.state).await {
        Ok(stored) => stored,
        Err(err) => return failed(err),
    };
    match stored {
        Some(body) => xml("application/xml; charset=utf-8", body),
        None => match feeds::refresh_sitemap(&http.state).await {
            Ok(body) => xml("application/xml; charset=utf-8", body),
            Err(err) => failed(err),
        },
    }
}

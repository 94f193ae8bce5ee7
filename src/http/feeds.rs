//! Syndication endpoints: `/feed.xml` (RSS 2.0), `/atom.xml` (Atom 1.0) and
//! `/sitemap.xml`, built by `domains::feeds`.

use axum::{
    extract::State,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};

use super::Http;
use crate::domains::feeds::service as feeds;

fn xml(content_type: &'static str, body: String) -> Response {
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "public, max-age=300")], body).into_response()
}

fn failed(err: impl std::fmt::Debug) -> Response {
    tracing::error!(error = ?err, "failed to build a feed");
    (StatusCode::INTERNAL_SERVER_ERROR, "Internal server error").into_response()
}

pub async fn rss(State(http): State<Http>) -> Response {
    match feeds::rss(&http.state).await {
        Ok(body) => xml("application/rss+xml; charset=utf-8", body),
        Err(err) => failed(err),
    }
}

pub async fn atom(State(http): State<Http>) -> Response {
    match feeds::atom(&http.state).await {
        Ok(body) => xml("application/atom+xml; charset=utf-8", body),
        Err(err) => failed(err),
    }
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

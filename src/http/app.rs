//! The web app at `/`: the production build in `FRONTEND_DIR`. Hashed files
//! under `/assets/` are cached for a year; a missing one is a plain 404 that
//! caches must revalidate (never `index.html`, which a browser would run as
//! a script or style). Every other path that is not the API's gets a file from
//! the build if there is one, else `index.html` (the app routes on the client),
//! which browsers must revalidate so a deploy is picked up at once. Without a
//! build, `/` explains how to make one.

use std::path::Path;

use axum::{
    Router,
    body::Body,
    http::{HeaderValue, Response, StatusCode, Uri, header},
    response::{Html, IntoResponse},
};
use tower::ServiceBuilder;
use tower_http::{
    services::{ServeDir, ServeFile},
    set_header::SetResponseHeaderLayer,
};

use super::security;

const IMMUTABLE: HeaderValue = HeaderValue::from_static("public, max-age=31536000, immutable");
const REVALIDATE: HeaderValue = HeaderValue::from_static("no-cache");

/// Routes for the app, to merge under the API's (which take precedence).
pub fn routes<S: Clone + Send + Sync + 'static>(dir: &Path) -> Router<S> {
    let index = dir.join("index.html");
    if !index.is_file() {
        tracing::info!(dir = %dir.display(), "no web app build; `/` shows how to build it");
        return Router::new().fallback(not_built);
    }
    // Only a file found is immutable: a 404 cached for a year (say, an asset asked of an
    // instance a rolling deploy has not reached yet) would outlive the fix.
    let assets = ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, |response: &Response<_>| {
            let found = response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED;
            Some(if found { IMMUTABLE } else { REVALIDATE })
        }))
        .service(ServeDir::new(dir.join("assets")));
    let pages = ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, REVALIDATE))
        .service(ServeDir::new(dir).append_index_html_on_directories(true).fallback(ServeFile::new(index)));
    Router::new().nest_service("/assets", assets).fallback_service(pages)
}

/// The "not built" page's only styling, allowed by its hash in the page's policy.
const NOT_BUILT_CSS: &str = "body{font-family:system-ui;max-width:40rem;margin:3rem auto;line-height:1.5}";

async fn not_built(uri: Uri) -> Response<Body> {
    if uri.path() != "/" {
        return (StatusCode::NOT_FOUND, Html("<!doctype html><title>Not found</title><p>Not found.</p>"))
            .into_response();
    }
    let html = format!(
        "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Lectern</title><style>{NOT_BUILT_CSS}</style>\
         <body><h1>Lectern is running</h1>\
         <p>The web app has not been built. Build it with \
         <code>npm --prefix frontend ci &amp;&amp; npm --prefix frontend run build</code> \
         and restart, or set <code>FRONTEND_DIR</code> to a build.</p>\
         <p>The API is at <a href=\"/graphql\">/graphql</a> (GraphiQL in a browser).</p></body></html>"
    );
    ([(header::CONTENT_SECURITY_POLICY, security::static_page_policy(NOT_BUILT_CSS))], Html(html)).into_response()
}

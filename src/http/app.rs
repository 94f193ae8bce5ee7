//! The web app at `/`: the production build in `FRONTEND_DIR`. Hashed files
//! under `/assets/` are cached for a year; a missing one is a plain 404 that
//! caches must revalidate (never `index.html`, which a browser would run as
//! a script or style). Every other path that is not the API's gets a file from
//! the build if there is one, else `index.html` (the app routes on the client),
//! which browsers must revalidate so a deploy is picked up at once. Without a
//! build, `/` explains how to make one.
//!
//! `/posts/<slug>` and `/series/<slug>` get `index.html` with the page's own
//! title, description, canonical address, Open Graph and Twitter tags and
//! JSON-LD written in (see `page_meta`), for crawlers and link previews; a
//! slug that names nothing a visitor may see is a 404 that still serves the
//! app (which then says so).

use std::{
    path::{Path, PathBuf},
    sync::Arc,
};

use axum::{
    Router,
    body::Body,
    extract::{Path as UrlPath, State},
    http::{HeaderValue, Response, StatusCode, Uri, header},
    response::{Html, IntoResponse},
    routing::get,
};
use tower::ServiceBuilder;
use tower_http::{
    services::{ServeDir, ServeFile},
    set_header::SetResponseHeaderLayer,
};

use super::{
    Http,
    page_meta::{self, PageMeta},
    security,
};
use crate::{
    auth::Viewer,
    domains::{accounts::service as accounts, posts::service as posts, series::service as series},
    error::AppResult,
};

const IMMUTABLE: HeaderValue = HeaderValue::from_static("public, max-age=31536000, immutable");
const REVALIDATE: HeaderValue = HeaderValue::from_static("no-cache");

/// Routes for the app, to merge under the API's (which take precedence).
pub fn routes(dir: &Path) -> Router<Http> {
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
        .service(ServeDir::new(dir).append_index_html_on_directories(true).fallback(ServeFile::new(&index)));
    let index = Arc::new(index);
    let for_posts = index.clone();
    Router::new()
        .route(
            "/posts/{slug}",
            get(move |State(http): State<Http>, UrlPath(slug): UrlPath<String>| {
                shareable(http, for_posts.clone(), Shareable::Post(slug))
            }),
        )
        .route(
            "/series/{slug}",
            get(move |State(http): State<Http>, UrlPath(slug): UrlPath<String>| {
                shareable(http, index.clone(), Shareable::Series(slug))
            }),
        )
        .nest_service("/assets", assets)
        .fallback_service(pages)
}

enum Shareable {
    Post(String),
    Series(String),
}

/// `index.html` with the page's metadata, or as built with a 404 when there is no such page.
async fn shareable(http: Http, index: Arc<PathBuf>, page: Shareable) -> Response<Body> {
    let html = match tokio::fs::read_to_string(index.as_path()).await {
        Ok(html) => html,
        Err(err) => {
            tracing::error!(error = %err, path = %index.display(), "cannot read the web app's index.html");
            return (StatusCode::INTERNAL_SERVER_ERROR, "Internal server error").into_response();
        }
    };
    let (status, body) = match metadata(&http, &page).await {
        Ok(Some(meta)) => (StatusCode::OK, page_meta::inject(&html, &meta)),
        Ok(None) => (StatusCode::NOT_FOUND, html),
        Err(err) => {
            // The app still works without the tags; say so in the logs.
            tracing::error!(error = ?err, "cannot look up a page's metadata");
            (StatusCode::OK, html)
        }
    };
    (status, [(header::CACHE_CONTROL, REVALIDATE)], Html(body)).into_response()
}

/// What a visitor (never signed in, as a crawler is) may see of the page.
async fn metadata(http: &Http, page: &Shareable) -> AppResult<Option<PageMeta>> {
    let state = &http.state;
    let db = &state.db;
    let base = &state.config.public_url;
    let absolute = |url: &str| base.join(url).map(|u| u.to_string()).ok();
    match page {
        Shareable::Post(slug) => {
            let Some(post) = posts::find_by_slug(db, &Viewer::Anonymous, slug).await? else { return Ok(None) };
            let author = accounts::find_user(db, post.author_id).await?;
            let canonical = absolute(&format!("posts/{}", post.slug)).unwrap_or_default();
            Ok(Some(page_meta::article(
                &post.title,
                &post.excerpt,
                canonical,
                post.cover_image_url.as_deref().and_then(absolute),
                author.as_ref().map(|a| a.display_name.as_str()),
                post.published_at,
                post.updated_at,
            )))
        }
        Shareable::Series(slug) => {
            let Some(found) = series::find_by_slug(db, slug).await? else { return Ok(None) };
            let author = accounts::find_user(db, found.author_id).await?;
            let canonical = absolute(&format!("series/{}", found.slug)).unwrap_or_default();
            Ok(Some(page_meta::series(
                &found.title,
                &found.description,
                canonical,
                found.cover_image_url.as_deref().and_then(absolute),
                author.as_ref().map(|a| a.display_name.as_str()),
                found.updated_at,
            )))
        }
    }
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

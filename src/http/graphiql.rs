//! GraphiQL, served entirely from the binary: the page, Lectern's script and
//! stylesheet, and GraphiQL with React and graphql-ws (vendored from npm by
//! `scripts/vendor-graphiql`). Nothing comes from a CDN, so it works offline
//! and a compromised CDN cannot run code next to an admin's token.
//!
//! Each file is served under `/graphiql/<hash>/<name>`, where the hash is of
//! its bytes, so it can be cached for a year; the page names every script and
//! stylesheet with `integrity="sha384-…"` computed from the same bytes when
//! the server starts, so the two cannot drift apart.

use std::sync::LazyLock;

use axum::{
    extract::Path,
    http::{HeaderValue, StatusCode, header},
    response::{Html, IntoResponse, Response},
};
use base64::Engine;
use sha2::{Digest, Sha256, Sha384};

use super::security;
use crate::config::Config;

/// Where the files live: `/graphiql/<hash>/<name>`.
const PREFIX: &str = "/graphiql";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Script,
    Style,
}

struct Asset {
    name: &'static str,
    kind: Kind,
    bytes: &'static [u8],
    /// The first 16 hex digits of the SHA-256 of `bytes`: the version in the path.
    hash: String,
    /// `sha384-<base64>`, for the `integrity` attribute.
    integrity: String,
}

impl Asset {
    fn new(name: &'static str, kind: Kind, bytes: &'static [u8]) -> Asset {
        let hash = hex::encode(Sha256::digest(bytes))[..16].to_owned();
        let integrity = format!("sha384-{}", base64::engine::general_purpose::STANDARD.encode(Sha384::digest(bytes)));
        Asset { name, kind, bytes, hash, integrity }
    }

    fn path(&self) -> String {
        format!("{PREFIX}/{}/{}", self.hash, self.name)
    }

    fn tag(&self) -> String {
        match self.kind {
            Kind::Style => {
                format!("<link rel=\"stylesheet\" href=\"{}\" integrity=\"{}\">", self.path(), self.integrity)
            }
            // `defer` keeps the order and runs after the body is parsed, which
            // Lectern's script needs (it mounts GraphiQL and wires the form).
            Kind::Script => format!("<script defer src=\"{}\" integrity=\"{}\"></script>", self.path(), self.integrity),
        }
    }
}

/// In the order the page loads them: React before GraphiQL, Lectern's script last.
static ASSETS: LazyLock<Vec<Asset>> = LazyLock::new(|| {
    vec![
        Asset::new("graphiql.min.css", Kind::Style, include_bytes!("graphiql/vendor/graphiql.min.css")),
        Asset::new("lectern.css", Kind::Style, include_bytes!("graphiql/lectern.css")),
        Asset::new("react.production.min.js", Kind::Script, include_bytes!("graphiql/vendor/react.production.min.js")),
        Asset::new(
            "react-dom.production.min.js",
            Kind::Script,
            include_bytes!("graphiql/vendor/react-dom.production.min.js"),
        ),
        Asset::new("graphiql.min.js", Kind::Script, include_bytes!("graphiql/vendor/graphiql.min.js")),
        Asset::new("graphql-ws.min.js", Kind::Script, include_bytes!("graphiql/vendor/graphql-ws.min.js")),
        Asset::new("lectern-graphiql.js", Kind::Script, include_bytes!("graphiql/lectern-graphiql.js")),
    ]
});

static PAGE: LazyLock<String> = LazyLock::new(|| {
    let tags: Vec<String> = ASSETS.iter().map(Asset::tag).collect();
    include_str!("graphiql/index.html").replace("<!-- assets -->", &tags.join("\n  "))
});

/// The GraphiQL page. It may change with every release, so browsers revalidate it.
pub fn page(config: &Config) -> Response {
    (
        [
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            (header::CONTENT_SECURITY_POLICY, security::graphiql_policy(config)),
        ],
        Html(PAGE.as_str()),
    )
        .into_response()
}

/// The answer when GraphiQL is turned off (`GRAPHIQL=false`).
pub fn disabled() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"))],
        Html(
            "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>GraphiQL is off</title>\
             <h1>GraphiQL is turned off on this server</h1>\
             <p>The API still answers at <code>/graphql</code>: POST <code>application/json</code> \
             requests to it. An operator can turn GraphiQL on with <code>GRAPHIQL=true</code>.</p></html>",
        ),
    )
        .into_response()
}

/// `/graphiql/<hash>/<name>`: a file of the page, immutable under its hash.
pub async fn asset(Path((hash, name)): Path<(String, String)>) -> Response {
    let Some(asset) = ASSETS.iter().find(|a| a.name == name && a.hash == hash) else {
        return (StatusCode::NOT_FOUND, [(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"))], "Not found")
            .into_response();
    };
    let content_type = match asset.kind {
        Kind::Script => "text/javascript; charset=utf-8",
        Kind::Style => "text/css; charset=utf-8",
    };
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable")),
        ],
        asset.bytes,
    )
        .into_response()
}

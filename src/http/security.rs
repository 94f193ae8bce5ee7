//! Headers that lock down what a browser does with every response (the API's,
//! the web app's, GraphiQL's, feeds, errors and 404s alike):
//!
//! - `Content-Security-Policy`: scripts, styles, fonts and connections only
//!   from this origin (plus its own websocket), no inline script, no plugins,
//!   no `<base>`, forms only to this origin, and no framing. Images may come
//!   from anywhere, since authors link them (cover images are any http(s)
//!   URL); an image cannot run code. A handler that serves a page needing
//!   something else sets its own policy, which wins.
//! - `X-Frame-Options: DENY` for browsers older than `frame-ancestors`.
//! - `X-Content-Type-Options: nosniff`, so nothing is run as a script or
//!   style unless its content type says so.
//! - `Referrer-Policy: no-referrer`: mailed links carry one-time tokens in
//!   their query string (`/verify-email?token=…`, `/reset-password?token=…`,
//!   `/unsubscribe?token=…`), and the page they open requests its assets and
//!   the API with the address as `Referer`, where proxies and access logs keep
//!   it. Nothing here needs the header, and post links already carry
//!   `rel="noreferrer"`.
//! - `Cross-Origin-Opener-Policy: same-origin`: a page that opens ours gets no
//!   handle on its window.
//! - `Strict-Transport-Security` when `HSTS_MAX_AGE_SECS` (by default a year
//!   for an https `PUBLIC_URL`) says so.

use axum::{
    Router,
    http::{HeaderName, HeaderValue, header},
};
use base64::Engine;
use sha2::{Digest, Sha256};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::config::Config;

/// The stylesheet GraphiQL's dialogs (settings, shortcuts) inject to stop the
/// page scrolling behind them (react-remove-scroll-bar, with no scrollbar to
/// make up for, which is always the case on a page that never scrolls). It is
/// the only inline style GraphiQL uses, so its hash is allowed on GraphiQL's
/// page rather than `'unsafe-inline'`. The browser test opens a dialog and
/// fails on any CSP violation, so a GraphiQL update that changes it is caught.
const GRAPHIQL_SCROLL_LOCK_STYLE: &str = "'sha256-Y/huXlwoYkVyQlxwSVcCi1RCDGDCSVBzDt0hYP9qlTc='";

/// The policy for the web app, the API and everything else without a policy of its own.
pub fn content_security_policy(config: &Config) -> String {
    policy(config, "'self'")
}

/// The policy for the GraphiQL page: the app's, plus GraphiQL's one inline stylesheet.
pub fn graphiql_policy(config: &Config) -> HeaderValue {
    let policy = policy(config, &format!("'self' {GRAPHIQL_SCROLL_LOCK_STYLE}"));
    HeaderValue::from_str(&policy)
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'; frame-ancestors 'none'"))
}

fn policy(config: &Config, style_src: &str) -> String {
    // CSP 3 lets 'self' match the same host over ws:/wss:, but Safari before
    // 15.4 does not, so the public origin's websocket is named as well.
    let origin = config.public_url.origin().ascii_serialization();
    let websocket = if let Some(rest) = origin.strip_prefix("https://") {
        format!("wss://{rest}")
    } else if let Some(rest) = origin.strip_prefix("http://") {
        format!("ws://{rest}")
    } else {
        String::new()
    };
    [
        "default-src 'self'".to_owned(),
        "script-src 'self'".to_owned(),
        format!("style-src {style_src}"),
        "img-src 'self' data: https: http:".to_owned(),
        "font-src 'self' data:".to_owned(),
        format!("connect-src 'self' {websocket}").trim_end().to_owned(),
        "object-src 'none'".to_owned(),
        "base-uri 'none'".to_owned(),
        "form-action 'self'".to_owned(),
        "frame-ancestors 'none'".to_owned(),
    ]
    .join("; ")
}

/// The policy for a small server-rendered page with no script and one `<style>`
/// element, which is allowed by its hash.
pub fn static_page_policy(css: &str) -> HeaderValue {
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(css.as_bytes()));
    let policy = format!(
        "default-src 'none'; style-src 'sha256-{hash}'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    );
    // A base64 digest and fixed text are always a valid header value.
    HeaderValue::from_str(&policy).unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'"))
}

/// Adds the security headers to every response of `router`.
pub fn apply(router: Router, config: &Config) -> Router {
    let csp = HeaderValue::from_str(&content_security_policy(config))
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'; frame-ancestors 'none'"));
    let hsts = config.hsts_max_age.and_then(|age| HeaderValue::from_str(&format!("max-age={}", age.as_secs())).ok());
    router
        .layer(SetResponseHeaderLayer::if_not_present(header::CONTENT_SECURITY_POLICY, csp))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::overriding(header::STRICT_TRANSPORT_SECURITY, hsts))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_static_page_policy_allows_exactly_its_style() {
        let policy = static_page_policy("body{margin:0}");
        let policy = policy.to_str().unwrap();
        // echo -n 'body{margin:0}' | openssl dgst -sha256 -binary | base64
        assert!(policy.contains("style-src 'sha256-IAdwN3biDCQ3brrgp1m8kBEsPQYyqfREKOEfeoREopc='"), "{policy}");
        assert!(policy.starts_with("default-src 'none'"), "no script at all: {policy}");
    }
}

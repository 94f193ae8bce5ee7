//! `/unsubscribe?token=…`, the link in every bulk mail and its
//! `List-Unsubscribe` header. POST unsubscribes at once (RFC 8058 one-click:
//! mail clients send `List-Unsubscribe=One-Click`); GET, which link scanners
//! and prefetchers also send, only shows a page with a button that POSTs.

use axum::{
    extract::{Query, State},
    http::{HeaderValue, StatusCode, header},
    response::{Html, IntoResponse, Response},
};
use serde::Deserialize;

use super::{Http, security};
use crate::{
    domains::newsletter::service::{self, MailingList},
    error::AppError,
    infra::mail::escape_html,
};

#[derive(Deserialize)]
pub struct Params {
    #[serde(default)]
    token: String,
}

/// The page's only styling: one `<style>` element that its policy allows by hash
/// (style attributes would need `'unsafe-inline'`).
const PAGE_CSS: &str = "body{font:17px/1.5 system-ui,sans-serif;max-width:34rem;margin:4rem auto;padding:0 1rem}\
                        h1{font-size:1.5rem}button{font:inherit;padding:.5rem 1rem}";

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <title>{title} · Lectern</title><style>{PAGE_CSS}</style></head><body>\
         <h1>{title}</h1>{body}</body></html>",
        title = escape_html(title)
    );
    (
        status,
        [
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            (header::CONTENT_SECURITY_POLICY, security::static_page_policy(PAGE_CSS)),
        ],
        Html(html),
    )
        .into_response()
}

pub async fn confirm_page(Query(params): Query<Params>) -> Response {
    page(
        StatusCode::OK,
        "Unsubscribe",
        &format!(
            "<p>Stop receiving this mail from Lectern?</p><form method=\"post\" action=\"/unsubscribe?token={}\">\
             <input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">\
             <button type=\"submit\">Unsubscribe</button></form>",
            escape_html(&urlencode(&params.token))
        ),
    )
}

pub async fn one_click(State(http): State<Http>, Query(params): Query<Params>) -> Response {
    match service::unsubscribe(&http.state, &params.token).await {
        Ok(done) => {
            let list = match done.list {
                MailingList::Newsletter => "the Lectern newsletter",
                MailingList::Digest => "the Lectern digest",
            };
            page(
                StatusCode::OK,
                "You are unsubscribed",
                &format!("<p>{} will get no more mail from {list}.</p>", escape_html(&done.email)),
            )
        }
        Err(AppError::BadUserInput { message, .. }) => {
            page(StatusCode::BAD_REQUEST, "This link does not work", &format!("<p>{}</p>", escape_html(&message)))
        }
        Err(err) => {
            tracing::error!(error = ?err, "unsubscribe failed");
            page(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong", "<p>Please try again in a moment.</p>")
        }
    }
}

fn urlencode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

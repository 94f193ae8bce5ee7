//! The hosted pages a browser is sent to: checkout (`{base}checkout/{id}`),
//! the billing portal (`{base}portal/{id}`) and invoices. Plain HTML forms,
//! no JavaScript. Stable ids for an e2e: `#pay`, `#cancel` (checkout),
//! `#cancel-plan`, `#resume-plan`, `#return` (portal).

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::DateTime;

use crate::state::{Cause, now};
use crate::{Price, Shared, StandinError, api};

pub(crate) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/checkout/{id}", get(checkout_page))
        .route("/checkout/{id}/pay", post(pay))
        .route("/portal/{id}", get(portal_page))
        .route("/portal/{id}/subscriptions/{sub}/cancel", post(portal_cancel))
        .route("/portal/{id}/subscriptions/{sub}/resume", post(portal_resume))
        .route("/invoice/{id}", get(invoice_page))
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title>\
         <style>body{{font-family:sans-serif;max-width:36rem;margin:3rem auto}}</style></head>\
         <body><p><small>Stripe stand-in (test mode)</small></p><h1>{t}</h1>\n{body}\n</body></html>\n",
        t = escape(title)
    )
}

fn message(status: StatusCode, title: &str, text: &str) -> Response {
    (status, Html(page(title, &format!("<p id=\"message\">{}</p>", escape(text))))).into_response()
}

pub(crate) fn money(amount: i64, currency: &str) -> String {
    format!("{}.{:02} {}", amount / 100, amount % 100, currency.to_uppercase())
}

fn price_text(price: &Price, quantity: i64) -> String {
    let each = money(price.unit_amount * quantity, &price.currency);
    format!("{each} / {}", price.interval)
}

fn date(t: i64) -> String {
    DateTime::from_timestamp(t, 0).map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default()
}

async fn checkout_page(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let inner = shared.lock();
    let Some(session) = inner.sessions.get(&id) else {
        return message(StatusCode::NOT_FOUND, "Checkout not found", "There is no such checkout session.");
    };
    let price = shared.price(&session.price_id).expect("sessions only reference configured prices");
    match session.status {
        "open" if now() <= session.expires_at => {
            let cancel = session
                .cancel_url
                .as_ref()
                .map(|u| format!("<p><a id=\"cancel\" href=\"{}\">Cancel</a></p>", escape(u)))
                .unwrap_or_default();
            let email = session.payer_email.as_deref().map(|e| format!("<p id=\"email\">{}</p>", escape(e)));
            let body = format!(
                "<p id=\"plan\">{name}</p>\n<p id=\"price\">{price}</p>\n{email}\
                 <form method=\"post\" action=\"/checkout/{id}/pay\">\
                 <button id=\"pay\" type=\"submit\">Pay and subscribe</button></form>\n{cancel}",
                name = escape(&price.product_name),
                price = escape(&price_text(price, session.quantity)),
                email = email.unwrap_or_default(),
                id = escape(&id),
            );
            Html(page(&format!("Subscribe to {}", price.product_name), &body)).into_response()
        }
        "complete" => message(StatusCode::OK, "Already paid", "This checkout session is complete."),
        _ => message(StatusCode::GONE, "Checkout expired", "This checkout session has expired."),
    }
}

async fn pay(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let outcome = shared.lock().complete_checkout(&shared, &id);
    match outcome {
        Ok((_subscription, events)) => {
            let _ = shared.enqueue(events).await;
            let success_url = shared.lock().sessions.get(&id).map(|s| s.success_url.clone()).unwrap_or_default();
            Redirect::to(&success_url.replace("{CHECKOUT_SESSION_ID}", &id)).into_response()
        }
        Err(StandinError::NotFound(m)) => message(StatusCode::NOT_FOUND, "Checkout not found", &m),
        Err(StandinError::Conflict(m)) => message(StatusCode::CONFLICT, "Cannot pay", &m),
    }
}

async fn portal_page(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let inner = shared.lock();
    let Some(session) = inner.portal_sessions.get(&id) else {
        return message(StatusCode::NOT_FOUND, "Portal not found", "There is no such billing portal session.");
    };
    let customer = session["customer"].as_str().unwrap_or_default();
    let mut rows = String::new();
    for sub_id in inner.subscription_order.iter().rev() {
        let sub = &inner.subscriptions[sub_id];
        if sub.customer != customer {
            continue;
        }
        let price = shared.price(&sub.price_id).expect("subscriptions only reference configured prices");
        let (state, button) = match (sub.status, sub.cancel_at_period_end) {
            ("canceled", _) => (format!("Canceled on {}", date(sub.ended_at.unwrap_or(sub.period_end))), String::new()),
            (_, true) => (
                format!("Cancels on {}", date(sub.period_end)),
                format!(
                    "<form method=\"post\" action=\"/portal/{p}/subscriptions/{s}/resume\">\
                     <button id=\"resume-plan\" type=\"submit\">Renew plan</button></form>",
                    p = escape(&id),
                    s = escape(sub_id)
                ),
            ),
            (status, false) => (
                format!(
                    "{} — renews on {}",
                    if status == "past_due" { "Payment failed" } else { "Active" },
                    date(sub.period_end)
                ),
                format!(
                    "<form method=\"post\" action=\"/portal/{p}/subscriptions/{s}/cancel\">\
                     <button id=\"cancel-plan\" type=\"submit\">Cancel plan</button></form>",
                    p = escape(&id),
                    s = escape(sub_id)
                ),
            ),
        };
        rows.push_str(&format!(
            "<section class=\"subscription\" data-id=\"{sid}\"><h2>{name}</h2><p>{price}</p>\
             <p class=\"status\">{state}</p>{button}</section>\n",
            sid = escape(sub_id),
            name = escape(&price.product_name),
            price = escape(&price_text(price, sub.quantity)),
            state = escape(&state),
        ));
    }
    if rows.is_empty() {
        rows.push_str("<p id=\"no-subscriptions\">No subscriptions.</p>\n");
    }
    let back = session["return_url"]
        .as_str()
        .map(|u| format!("<p><a id=\"return\" href=\"{}\">Return</a></p>", escape(u)))
        .unwrap_or_default();
    Html(page("Your subscription", &format!("{rows}{back}"))).into_response()
}

async fn portal_change(shared: Arc<Shared>, id: String, sub: String, cancel: bool) -> Response {
    let outcome = {
        let mut inner = shared.lock();
        let owner = inner.portal_sessions.get(&id).map(|s| s["customer"].as_str().unwrap_or_default().to_owned());
        match owner {
            None => {
                return message(StatusCode::NOT_FOUND, "Portal not found", "There is no such billing portal session.");
            }
            Some(owner) if inner.subscriptions.get(&sub).is_none_or(|s| s.customer != owner) => {
                return message(StatusCode::NOT_FOUND, "Not found", "This customer has no such subscription.");
            }
            Some(_) => api::update_subscription(&shared, &mut inner, &sub, Some(cancel), None, &Cause::default()),
        }
    };
    match outcome {
        Ok((_, events)) => {
            let _ = shared.enqueue(events).await;
            Redirect::to(&format!("/portal/{id}")).into_response()
        }
        Err(_) => message(StatusCode::CONFLICT, "Cannot change", "This subscription cannot be changed."),
    }
}

async fn portal_cancel(State(shared): State<Arc<Shared>>, Path((id, sub)): Path<(String, String)>) -> Response {
    portal_change(shared, id, sub, true).await
}

async fn portal_resume(State(shared): State<Arc<Shared>>, Path((id, sub)): Path<(String, String)>) -> Response {
    portal_change(shared, id, sub, false).await
}

async fn invoice_page(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let inner = shared.lock();
    let Some(invoice) = inner.invoices.iter().find(|i| i["id"] == id.as_str()) else {
        return message(StatusCode::NOT_FOUND, "Invoice not found", "There is no such invoice.");
    };
    let amount =
        money(invoice["amount_due"].as_i64().unwrap_or_default(), invoice["currency"].as_str().unwrap_or("usd"));
    let body = format!(
        "<p id=\"number\">{}</p><p id=\"amount\">{}</p><p id=\"status\">{}</p>",
        escape(invoice["number"].as_str().unwrap_or_default()),
        escape(&amount),
        escape(invoice["status"].as_str().unwrap_or_default()),
    );
    Html(page("Invoice", &body)).into_response()
}

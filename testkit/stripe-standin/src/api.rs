//! `/v1/…`: Stripe's API as far as Lectern uses it. One handler does what
//! every Stripe call goes through (recording, injected faults, auth,
//! idempotency, the error envelope) and dispatches on method and path.
//!
//! Parameters the stand-in does not implement are refused like Stripe refuses
//! unknown ones (400 `parameter_unknown`), so a request the stand-in would
//! silently misread cannot pass a test.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use serde_json::{Value, json};

use crate::state::{Cause, CustomerRec, IdempotentResponse, Inner, Metadata, SessionRec, new_id, now};
use crate::{Fault, Recorded, Shared, StandinError, objects};

pub(crate) fn router() -> Router<Arc<Shared>> {
    Router::new().route("/v1/{*rest}", any(handle))
}

pub(crate) struct ApiError {
    status: u16,
    body: Value,
}

impl ApiError {
    fn new(status: u16, kind: &str, code: Option<&str>, message: &str, param: Option<&str>) -> ApiError {
        ApiError { status, body: objects::error(kind, code, message, param) }
    }

    fn invalid(code: Option<&str>, message: &str, param: Option<&str>) -> ApiError {
        ApiError::new(400, "invalid_request_error", code, message, param)
    }

    fn missing_object(kind: &str, id: &str) -> ApiError {
        ApiError::new(
            404,
            "invalid_request_error",
            Some("resource_missing"),
            &format!("No such {kind}: '{id}'"),
            Some("id"),
        )
    }

    fn missing_param(param: &str) -> ApiError {
        ApiError::invalid(Some("parameter_missing"), &format!("Missing required param: {param}."), Some(param))
    }

    fn from_standin(e: StandinError) -> ApiError {
        match e {
            StandinError::NotFound(m) => {
                ApiError::new(404, "invalid_request_error", Some("resource_missing"), &m, Some("id"))
            }
            StandinError::Conflict(m) => ApiError::invalid(None, &m, None),
        }
    }
}

/// The decoded parameters (form body or query string), in order.
pub(crate) struct Params(pub Vec<(String, String)>);

impl Params {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// `prefix[key]=value` pairs in order: `Some(value)` sets, `None` (an empty
    /// value) unsets, as on Stripe; `prefix=` (empty) unsets everything, given
    /// as the key `""`. `None` when the request has no such parameter.
    fn updates(&self, prefix: &str) -> Option<Vec<(String, Option<String>)>> {
        let mut updates = Vec::new();
        for (k, v) in &self.0 {
            if k == prefix && v.is_empty() {
                updates.push((String::new(), None));
            } else if let Some(key) =
                k.strip_prefix(prefix).and_then(|r| r.strip_prefix('[')).and_then(|r| r.strip_suffix(']'))
            {
                updates.push((key.to_owned(), (!v.is_empty()).then(|| v.clone())));
            }
        }
        (!updates.is_empty()).then_some(updates)
    }

    /// The map `prefix[…]` parameters describe on an object being created.
    fn map(&self, prefix: &str) -> Metadata {
        let mut map = Metadata::new();
        apply(&mut map, self.updates(prefix).unwrap_or_default());
        map
    }

    /// Refuses any parameter that is not `exact` and does not start with one of `prefixes`.
    fn allow(&self, exact: &[&str], prefixes: &[&str]) -> Result<(), ApiError> {
        for (k, _) in &self.0 {
            let known = exact.contains(&k.as_str())
                || prefixes.iter().any(|p| k.starts_with(p))
                || k == "expand"
                || k.starts_with("expand[");
            if !known {
                return Err(ApiError::invalid(
                    Some("parameter_unknown"),
                    &format!("Received unknown parameter: {k} (the Stripe stand-in does not implement it)"),
                    Some(k),
                ));
            }
        }
        Ok(())
    }

    fn bool(&self, key: &str) -> Result<Option<bool>, ApiError> {
        match self.get(key) {
            None => Ok(None),
            Some("true") => Ok(Some(true)),
            Some("false") => Ok(Some(false)),
            Some(v) => {
                Err(ApiError::invalid(Some("parameter_invalid_boolean"), &format!("Invalid boolean: {v}"), Some(key)))
            }
        }
    }

    fn positive(&self, key: &str, default: i64) -> Result<i64, ApiError> {
        match self.get(key) {
            None => Ok(default),
            Some(v) => v.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| {
                ApiError::invalid(
                    Some("parameter_invalid_integer"),
                    &format!("Invalid positive integer: {v}"),
                    Some(key),
                )
            }),
        }
    }
}

fn apply(map: &mut Metadata, updates: Vec<(String, Option<String>)>) {
    for (key, value) in updates {
        match value {
            Some(value) => {
                map.insert(key, value);
            }
            None if key.is_empty() => map.clear(),
            None => {
                map.remove(&key);
            }
        }
    }
}

fn decode(raw: &[u8]) -> Result<Vec<(String, String)>, ApiError> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(raw)
        .map_err(|e| ApiError::invalid(None, &format!("Invalid form encoding: {e}"), None))
}

fn json_response(status: u16, body: &Value, request_id: &str, replayed: bool) -> Response {
    let mut response = (
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        [("content-type", "application/json")],
        serde_json::to_vec_pretty(body).unwrap_or_default(),
    )
        .into_response();
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(request_id) {
        headers.insert("request-id", v);
    }
    headers.insert("stripe-version", HeaderValue::from_static(crate::API_VERSION));
    if replayed {
        headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    if status == 429 || status >= 500 {
        headers.insert("stripe-should-retry", HeaderValue::from_static("true"));
    }
    response
}

fn masked(key: &str) -> String {
    let tail: String = key.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
    let head: String = key.chars().take(8).collect();
    format!("{head}********{tail}")
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_owned();
    let request_id = new_id("req");
    let idempotency_key = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let query = decode(uri.query().unwrap_or_default().as_bytes());
    let form = decode(&body);
    let index = {
        let mut inner = shared.lock();
        inner.requests.push(Recorded {
            method: method.to_string(),
            path: path.clone(),
            query: query.as_ref().map(Clone::clone).unwrap_or_default(),
            idempotency_key: idempotency_key.clone(),
            stripe_version: headers.get("stripe-version").and_then(|v| v.to_str().ok()).map(str::to_owned),
            form: form.as_ref().map(Clone::clone).unwrap_or_default(),
            status: 0,
            replayed: false,
        });
        inner.requests.len() - 1
    };
    let finish = |status: u16, body: &Value, replayed: bool| {
        let mut inner = shared.lock();
        if let Some(r) = inner.requests.get_mut(index) {
            r.status = status;
            r.replayed = replayed;
        }
        json_response(status, body, &request_id, replayed)
    };

    let fault = shared.lock().take_fault();
    match fault {
        Some(Fault::Hang) => return std::future::pending::<Response>().await,
        Some(Fault::ServerError) => {
            let body = objects::error(
                "api_error",
                None,
                "An unknown error occurred while processing your request (injected by the Stripe stand-in).",
                None,
            );
            return finish(500, &body, false);
        }
        Some(Fault::RateLimited) => {
            let body = objects::error(
                "invalid_request_error",
                Some("rate_limit"),
                "Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.",
                None,
            );
            return finish(429, &body, false);
        }
        None => {}
    }

    // Authorization: Bearer <key> (Stripe also takes the key as the Basic user).
    let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default();
    let given = auth.strip_prefix("Bearer ").map(str::trim);
    if given != Some(shared.api_key.as_str()) {
        let message = match given {
            Some(k) if !k.is_empty() => format!("Invalid API Key provided: {}", masked(k)),
            _ => "You did not provide an API key. You need to provide your API key in the Authorization header, \
                  using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY')."
                .to_owned(),
        };
        let body = objects::error("invalid_request_error", None, &message, None);
        return finish(401, &body, false);
    }

    let params = match (&method, query, form) {
        (&Method::GET, Ok(q), _) => Params(q),
        (_, Ok(q), Ok(f)) => Params(q.into_iter().chain(f).collect()),
        (_, Err(e), _) | (_, _, Err(e)) => return finish(e.status, &e.body, false),
    };

    let idempotent = idempotency_key.as_ref().filter(|_| method == Method::POST || method == Method::DELETE);
    let mut inner = shared.lock();
    if let Some(key) = idempotent
        && let Some(stored) = inner.idempotency.get(key)
    {
        let mut sorted = params.0.clone();
        sorted.sort();
        if stored.method != method.as_str() || stored.path != path {
            let body = objects::error(
                "idempotency_error",
                None,
                &format!(
                    "Keys for idempotent requests can only be used for the same endpoint they were first used for \
                     ('{} {}' vs '{} {}'). Try using a key other than '{key}' if you meant to execute a different request.",
                    stored.method, stored.path, method, path
                ),
                None,
            );
            drop(inner);
            return finish(400, &body, false);
        }
        if stored.params != sorted {
            let body = objects::error(
                "idempotency_error",
                None,
                &format!(
                    "Keys for idempotent requests can only be used with the same parameters they were first used with. \
                     Try using a key other than '{key}' if you meant to execute a different request."
                ),
                None,
            );
            drop(inner);
            return finish(400, &body, false);
        }
        let (status, body) = (stored.status, stored.body.clone());
        drop(inner);
        return finish(status, &body, true);
    }

    let cause = Cause { request_id: Some(request_id.clone()), idempotency_key: idempotency_key.clone() };
    let outcome = dispatch(&shared, &mut inner, &method, &path, &params, &cause);
    match outcome {
        Ok((status, body, events)) => {
            if let Some(key) = idempotent {
                let mut sorted = params.0.clone();
                sorted.sort();
                inner.idempotency.insert(
                    key.clone(),
                    IdempotentResponse {
                        method: method.to_string(),
                        path: path.clone(),
                        params: sorted,
                        status,
                        body: body.clone(),
                    },
                );
            }
            drop(inner);
            if !events.is_empty() {
                // In the background: the caller may be holding locks its webhook handler needs.
                drop(shared.enqueue(events));
            }
            finish(status, &body, false)
        }
        Err(e) => {
            drop(inner);
            finish(e.status, &e.body, false)
        }
    }
}

type Outcome = Result<(u16, Value, Vec<String>), ApiError>;

fn ok(body: Value) -> Outcome {
    Ok((200, body, Vec::new()))
}

fn dispatch(
    shared: &Shared,
    inner: &mut Inner,
    method: &Method,
    path: &str,
    params: &Params,
    cause: &Cause,
) -> Outcome {
    let segments: Vec<&str> = path.trim_start_matches("/v1/").trim_end_matches('/').split('/').collect();
    match (method.as_str(), segments.as_slice()) {
        ("POST", ["customers"]) => create_customer(inner, params),
        ("GET", ["customers", id]) => {
            params.allow(&[], &[])?;
            let c = inner.customers.get(*id).ok_or_else(|| ApiError::missing_object("customer", id))?;
            ok(objects::customer(c))
        }
        ("POST", ["checkout", "sessions"]) => create_checkout_session(shared, inner, params),
        ("GET", ["checkout", "sessions", id]) => {
            params.allow(&[], &[])?;
            let s = inner.sessions.get(*id).ok_or_else(|| ApiError::missing_object("checkout.session", id))?;
            ok(objects::checkout_session(shared, s))
        }
        ("POST", ["checkout", "sessions", id, "expire"]) => {
            params.allow(&[], &[])?;
            let s = inner.sessions.get_mut(*id).ok_or_else(|| ApiError::missing_object("checkout.session", id))?;
            if s.status != "open" {
                return Err(ApiError::invalid(
                    None,
                    &format!(
                        "Only Checkout Sessions with a status of `open` can be expired. This session has a status of `{}`.",
                        s.status
                    ),
                    None,
                ));
            }
            s.status = "expired";
            let json = objects::checkout_session(shared, s);
            let event = inner.emit("checkout.session.expired", json.clone(), None, cause);
            Ok((200, json, vec![event]))
        }
        ("POST", ["billing_portal", "sessions"]) => {
            params.allow(&["customer", "return_url", "configuration", "locale"], &[])?;
            let customer = params.get("customer").ok_or_else(|| ApiError::missing_param("customer"))?;
            if !inner.customers.contains_key(customer) {
                return Err(ApiError::invalid(
                    Some("resource_missing"),
                    &format!("No such customer: '{customer}'"),
                    Some("customer"),
                ));
            }
            let id = new_id("bps");
            let json = objects::portal_session(shared, &id, customer, params.get("return_url"), now());
            inner.portal_sessions.insert(id, json.clone());
            ok(json)
        }
        ("GET", ["subscriptions"]) => list_subscriptions(shared, inner, params),
        ("GET", ["subscriptions", id]) => {
            params.allow(&[], &[])?;
            let s = inner.subscriptions.get(*id).ok_or_else(|| ApiError::missing_object("subscription", id))?;
            ok(objects::subscription(shared, s))
        }
        ("POST", ["subscriptions", id]) => {
            params.allow(&["cancel_at_period_end"], &["metadata"])?;
            let cancel = params.bool("cancel_at_period_end")?;
            let metadata = params.updates("metadata");
            let (json, events) = update_subscription(shared, inner, id, cancel, metadata, cause)?;
            Ok((200, json, events))
        }
        ("DELETE", ["subscriptions", id]) => {
            params.allow(&["invoice_now", "prorate"], &["cancellation_details["])?;
            if !inner.subscriptions.contains_key(*id) {
                return Err(ApiError::missing_object("subscription", id));
            }
            let (json, events) = inner.cancel_now(shared, id, cause).map_err(ApiError::from_standin)?;
            Ok((200, json, events))
        }
        ("GET", ["invoices", id]) => {
            params.allow(&[], &[])?;
            let invoice = inner
                .invoices
                .iter()
                .find(|i| i["id"] == *id)
                .ok_or_else(|| ApiError::missing_object("invoice", id))?;
            ok(invoice.clone())
        }
        _ => Err(ApiError::new(
            404,
            "invalid_request_error",
            None,
            &format!("Unrecognized request URL ({method}: {path}). The Stripe stand-in does not implement it."),
            None,
        )),
    }
}

fn create_customer(inner: &mut Inner, params: &Params) -> Outcome {
    params.allow(&["email", "name", "description"], &["metadata["])?;
    let id = new_id("cus");
    let customer = CustomerRec {
        id: id.clone(),
        created: now(),
        email: params.get("email").filter(|e| !e.is_empty()).map(str::to_owned),
        name: params.get("name").filter(|e| !e.is_empty()).map(str::to_owned),
        metadata: params.map("metadata"),
    };
    let json = objects::customer(&customer);
    inner.customers.insert(id.clone(), customer);
    inner.customer_order.push(id);
    ok(json)
}

fn create_checkout_session(shared: &Shared, inner: &mut Inner, params: &Params) -> Outcome {
    params.allow(
        &[
            "mode",
            "customer",
            "customer_email",
            "client_reference_id",
            "success_url",
            "cancel_url",
            "line_items[0][price]",
            "line_items[0][quantity]",
            "expires_at",
            "locale",
            "allow_promotion_codes",
            "billing_address_collection",
            "payment_method_types[0]",
        ],
        &["metadata", "subscription_data[metadata]"],
    )?;
    match params.get("mode") {
        Some("subscription") => {}
        Some(other) => {
            return Err(ApiError::invalid(
                Some("parameter_invalid_string"),
                &format!("The Stripe stand-in implements mode=subscription only, not `{other}`."),
                Some("mode"),
            ));
        }
        None => return Err(ApiError::missing_param("mode")),
    }
    let price_id = params.get("line_items[0][price]").ok_or_else(|| ApiError::missing_param("line_items[0][price]"))?;
    let price = shared.price(price_id).ok_or_else(|| {
        ApiError::invalid(
            Some("resource_missing"),
            &format!("No such price: '{price_id}'"),
            Some("line_items[0][price]"),
        )
    })?;
    let quantity = params.positive("line_items[0][quantity]", 1)?;
    let success_url = params.get("success_url").ok_or_else(|| ApiError::missing_param("success_url"))?;
    let customer = params.get("customer").filter(|c| !c.is_empty());
    if let Some(customer) = customer
        && !inner.customers.contains_key(customer)
    {
        return Err(ApiError::invalid(
            Some("resource_missing"),
            &format!("No such customer: '{customer}'"),
            Some("customer"),
        ));
    }
    if customer.is_some() && params.get("customer_email").is_some() {
        return Err(ApiError::invalid(
            None,
            "You may only specify one of these parameters: customer, customer_email.",
            Some("customer_email"),
        ));
    }
    let created = now();
    let expires_at = match params.get("expires_at") {
        None => created + 24 * 3600,
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|t| *t >= created + 30 * 60 - 60 && *t <= created + 24 * 3600 + 60)
            .ok_or_else(|| {
                ApiError::invalid(
                    Some("parameter_invalid_integer"),
                    "The `expires_at` timestamp must be between 30 minutes and 24 hours from Checkout Session creation.",
                    Some("expires_at"),
                )
            })?,
    };
    let session = SessionRec {
        id: new_id("cs_test"),
        created,
        expires_at,
        price_id: price.id.clone(),
        quantity,
        customer: customer.map(str::to_owned),
        customer_email: params.get("customer_email").map(str::to_owned),
        payer_email: params
            .get("customer_email")
            .map(str::to_owned)
            .or_else(|| customer.and_then(|c| inner.customers.get(c)).and_then(|c| c.email.clone())),
        client_reference_id: params.get("client_reference_id").map(str::to_owned),
        success_url: success_url.to_owned(),
        cancel_url: params.get("cancel_url").map(str::to_owned),
        metadata: params.map("metadata"),
        subscription_metadata: params.map("subscription_data[metadata]"),
        status: "open",
        subscription: None,
        invoice: None,
    };
    let json = objects::checkout_session(shared, &session);
    inner.sessions.insert(session.id.clone(), session);
    ok(json)
}

fn list_subscriptions(shared: &Shared, inner: &Inner, params: &Params) -> Outcome {
    params.allow(&["customer", "status", "limit", "starting_after", "ending_before", "price"], &[])?;
    let limit = params.positive("limit", 10)?;
    if limit > 100 {
        return Err(ApiError::invalid(
            Some("parameter_invalid_integer"),
            "This value must be less than or equal to 100.",
            Some("limit"),
        ));
    }
    let status = params.get("status");
    const STATUSES: [&str; 10] = [
        "all",
        "ended",
        "active",
        "past_due",
        "unpaid",
        "canceled",
        "incomplete",
        "incomplete_expired",
        "trialing",
        "paused",
    ];
    if let Some(s) = status
        && !STATUSES.contains(&s)
    {
        return Err(ApiError::invalid(
            Some("parameter_invalid_string"),
            &format!("Invalid status: {s}"),
            Some("status"),
        ));
    }
    // Newest first, as on Stripe.
    let matching: Vec<&String> = inner
        .subscription_order
        .iter()
        .rev()
        .filter(|id| {
            let s = &inner.subscriptions[*id];
            params.get("customer").is_none_or(|c| s.customer == c)
                && params.get("price").is_none_or(|p| s.price_id == p)
                && match status {
                    None => s.status != "canceled",
                    Some("all") => true,
                    Some("ended") => s.status == "canceled",
                    Some(wanted) => s.status == wanted,
                }
        })
        .collect();
    let window: Vec<&String> = if let Some(after) = params.get("starting_after") {
        let at = matching
            .iter()
            .position(|id| *id == after)
            .ok_or_else(|| ApiError::missing_object("subscription", after))?;
        matching[at + 1..].to_vec()
    } else if let Some(before) = params.get("ending_before") {
        let at = matching
            .iter()
            .position(|id| *id == before)
            .ok_or_else(|| ApiError::missing_object("subscription", before))?;
        let start = at.saturating_sub(limit as usize);
        matching[start..at].to_vec()
    } else {
        matching
    };
    let has_more = window.len() > limit as usize;
    let data: Vec<Value> =
        window.iter().take(limit as usize).map(|id| objects::subscription(shared, &inner.subscriptions[*id])).collect();
    ok(json!({ "object": "list", "data": data, "has_more": has_more, "url": "/v1/subscriptions" }))
}

/// POST /v1/subscriptions/{id} and the portal's buttons: emits
/// customer.subscription.updated when something changed.
pub(crate) fn update_subscription(
    shared: &Shared,
    inner: &mut Inner,
    id: &str,
    cancel_at_period_end: Option<bool>,
    metadata: Option<Vec<(String, Option<String>)>>,
    cause: &Cause,
) -> Result<(Value, Vec<String>), ApiError> {
    let sub = inner.subscriptions.get_mut(id).ok_or_else(|| ApiError::missing_object("subscription", id))?;
    if sub.status == "canceled" && cancel_at_period_end.is_some() {
        return Err(ApiError::invalid(
            None,
            "A canceled subscription can only update its cancellation_details and metadata.",
            None,
        ));
    }
    let before = objects::subscription(shared, sub);
    if let Some(on) = cancel_at_period_end
        && on != sub.cancel_at_period_end
    {
        sub.cancel_at_period_end = on;
        sub.canceled_at = on.then(now);
        sub.cancellation_reason = on.then_some("cancellation_requested");
    }
    if let Some(metadata) = metadata {
        apply(&mut sub.metadata, metadata);
    }
    let after = objects::subscription(shared, sub);
    let changed = objects::previous_attributes(&before, &after);
    let mut events = Vec::new();
    if changed.as_object().is_some_and(|m| !m.is_empty()) {
        events.push(inner.emit("customer.subscription.updated", after.clone(), Some(changed), cause));
    }
    Ok((after, events))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(raw: &str) -> Params {
        Params(decode(raw.as_bytes()).unwrap_or_else(|_| panic!("decodes")))
    }

    #[test]
    fn bracketed_maps_set_and_unset() {
        let p = params("metadata%5Ba%5D=1&metadata[b]=2&subscription_data[metadata][c]=3");
        assert_eq!(p.map("metadata"), Metadata::from([("a".into(), "1".into()), ("b".into(), "2".into())]));
        assert_eq!(p.map("subscription_data[metadata]"), Metadata::from([("c".into(), "3".into())]));

        let mut existing = Metadata::from([("a".into(), "1".into()), ("b".into(), "2".into())]);
        apply(&mut existing, params("metadata[a]=&metadata[c]=3").updates("metadata").unwrap());
        assert_eq!(existing, Metadata::from([("b".into(), "2".into()), ("c".into(), "3".into())]));
        apply(&mut existing, params("metadata=").updates("metadata").unwrap());
        assert!(existing.is_empty());
        assert!(params("email=a").updates("metadata").is_none());
    }

    #[test]
    fn unknown_parameters_are_named() {
        let p = params("email=a&expand[0]=x&metadata[k]=v&phone=1");
        let err = p.allow(&["email"], &["metadata["]).expect_err("phone is unknown");
        assert_eq!(err.status, 400);
        assert_eq!(err.body["error"]["param"], "phone");
        assert_eq!(err.body["error"]["code"], "parameter_unknown");
        assert!(params("email=a&expand[0]=x").allow(&["email"], &[]).is_ok());
    }

    #[test]
    fn api_keys_are_masked_in_errors() {
        assert_eq!(masked("sk_test_abcdefghijkl"), "sk_test_********ijkl");
    }
}

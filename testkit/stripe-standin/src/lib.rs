//! A stand-in for Stripe: the slice of Stripe's API that Lectern's payments use,
//! spoken on Stripe's real wire protocol (form-encoded requests with bracketed
//! keys, JSON responses and error envelopes, `Idempotency-Key`), the hosted
//! checkout and billing-portal pages (plain HTML), and signed webhook
//! deliveries. The production client (async-stripe) points at
//! [`Standin::base_url`] and cannot tell the difference for what it uses.
//!
//! In-process use (Lectern's tests):
//! ```no_run
//! # async fn demo() {
//! use stripe_standin::{Config, Price, Standin};
//! let standin = Standin::start(Config {
//!     api_key: "sk_test_standin".into(),
//!     webhook_url: Some("http://127.0.0.1:3000/webhooks/stripe".into()),
//!     webhook_secrets: vec!["whsec_test".into()],
//!     prices: vec![Price::new("price_monthly", 900, "usd", "month", "Monthly")],
//! })
//! .await;
//! // STRIPE_API_BASE = standin.base_url(); the server creates a checkout session …
//! // standin.complete_checkout(&session_id).await;  // what the hosted page's Pay does
//! # }
//! ```
//! The binary (`stripe-standin`) serves the same thing for a browser e2e and
//! exposes the control operations as JSON under `/_standin/` (see [`control`]).
//!
//! What the stand-in does on its own, and what only happens when asked:
//! - Webhooks are queued and delivered by one task, in the order the events
//!   were generated (Stripe does not promise order; tests want determinism).
//!   Events raised by API calls are delivered in the background, so a server
//!   that holds a lock while it calls Stripe cannot deadlock against its own
//!   webhook handler. [`Standin::complete_checkout`], [`Standin::advance_period`],
//!   [`Standin::fail_renewal`] and the hosted pages' buttons wait until their
//!   events have been delivered; [`Standin::settle`] waits for all queued ones.
//! - Time does not pass by itself: periods end when [`Standin::advance_period`]
//!   or [`Standin::fail_renewal`] is called.
//! - Idempotency: only successful (2xx) responses are stored for replay; a
//!   request refused by validation, or by an injected [`Fault`], is treated as
//!   never having run, so a retry with the same key executes it.

// The objects are large `json!` literals.
#![recursion_limit = "256"]

use std::sync::{Arc, Mutex, MutexGuard};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::{mpsc, oneshot};

mod api;
pub mod control;
mod objects;
mod pages;
mod state;
mod webhook;

pub use webhook::sign;

use state::Inner;

/// The API version async-stripe 1.0.0-rc.10 pins (`stripe_shared::VERSION`):
/// the `api_version` of every event.
pub const API_VERSION: &str = "2026-09-30.endive";

/// A recurring price the stand-in knows (Stripe prices are created in the
/// dashboard; here they are configured).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Price {
    pub id: String,
    /// Minor units (cents).
    pub unit_amount: i64,
    /// ISO code, lowercase.
    pub currency: String,
    /// `"month"` or `"year"`.
    pub interval: String,
    /// Shown on the hosted pages and used as the product's name.
    pub product_name: String,
}

impl Price {
    pub fn new(id: &str, unit_amount: i64, currency: &str, interval: &str, product_name: &str) -> Price {
        Price {
            id: id.to_owned(),
            unit_amount,
            currency: currency.to_owned(),
            interval: interval.to_owned(),
            product_name: product_name.to_owned(),
        }
    }

    /// Parses the `STANDIN_PRICES` list:
    /// `price_monthly:900:usd:month:Monthly,price_yearly:9000:usd:year:Yearly`.
    pub fn parse_list(list: &str) -> Result<Vec<Price>, String> {
        let mut prices = Vec::new();
        for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let parts: Vec<&str> = entry.split(':').collect();
            let [id, amount, currency, interval, name] = parts[..] else {
                return Err(format!("price `{entry}`: expected id:amount:currency:interval:name"));
            };
            let unit_amount =
                amount.parse::<i64>().map_err(|_| format!("price `{entry}`: amount `{amount}` is not an integer"))?;
            if interval != "month" && interval != "year" {
                return Err(format!("price `{entry}`: interval must be month or year, not `{interval}`"));
            }
            prices.push(Price::new(id, unit_amount, &currency.to_lowercase(), interval, name));
        }
        Ok(prices)
    }
}

/// How to start a stand-in.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The secret key clients must send as `Authorization: Bearer <key>`.
    pub api_key: String,
    /// Where events are POSTed; `None` = nowhere (events are still recorded).
    pub webhook_url: Option<String>,
    /// Each configured secret adds one `v1=` signature to `Stripe-Signature`.
    pub webhook_secrets: Vec<String>,
    pub prices: Vec<Price>,
}

/// A failure injected into every `/v1/` API call (the hosted pages and the
/// control endpoints keep working).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fault {
    /// 500 `api_error`, `Stripe-Should-Retry: true`.
    ServerError,
    /// The request is read and never answered.
    Hang,
    /// 429 `rate_limit` error.
    RateLimited,
}

/// One API call as the stand-in received it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recorded {
    pub method: String,
    /// Without the query string, e.g. `/v1/checkout/sessions`.
    pub path: String,
    /// The decoded query string (GET list calls).
    pub query: Vec<(String, String)>,
    pub idempotency_key: Option<String>,
    /// The `Stripe-Version` header the client pinned, if any.
    pub stripe_version: Option<String>,
    /// The decoded form body, keys with their literal brackets.
    pub form: Vec<(String, String)>,
    /// The status answered; 0 while unanswered (and forever under [`Fault::Hang`]).
    pub status: u16,
    /// Whether the answer was an idempotent replay.
    pub replayed: bool,
}

/// One attempt to deliver an event to the webhook url.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Delivery {
    pub event_id: String,
    pub event_type: String,
    /// The receiver's HTTP status; 0 when the request failed (refused, timed out).
    pub status: u16,
    /// Why the request failed, when it did.
    pub error: Option<String>,
}

/// Why a control operation cannot be done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StandinError {
    NotFound(String),
    Conflict(String),
}

impl std::fmt::Display for StandinError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StandinError::NotFound(m) | StandinError::Conflict(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for StandinError {}

pub(crate) enum QueueItem {
    /// Deliver these events (if delivery is on when they come up), then notify.
    Deliver(Vec<String>, Option<oneshot::Sender<()>>),
    /// Notify once everything queued before has been handled.
    Flush(oneshot::Sender<()>),
}

pub(crate) struct Shared {
    pub(crate) api_key: String,
    pub(crate) secrets: Vec<String>,
    pub(crate) prices: Vec<Price>,
    pub(crate) base_url: String,
    pub(crate) state: Mutex<Inner>,
    pub(crate) queue: mpsc::UnboundedSender<QueueItem>,
    pub(crate) http: reqwest::Client,
}

impl Shared {
    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves plain data behind; keep serving.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(crate) fn price(&self, id: &str) -> Option<&Price> {
        self.prices.iter().find(|p| p.id == id)
    }

    /// Queues events for delivery, unless delivery is off (then they are
    /// missed: recorded, never sent by themselves); the receiver fires once
    /// they were handled.
    pub(crate) fn enqueue(&self, event_ids: Vec<String>) -> oneshot::Receiver<()> {
        let event_ids = if self.lock().delivery { event_ids } else { Vec::new() };
        let (tx, rx) = oneshot::channel();
        // The worker lives as long as the server task; if it is gone, the
        // receiver simply reports the sender dropped, which waiters ignore.
        let _ = self.queue.send(QueueItem::Deliver(event_ids, Some(tx)));
        rx
    }
}

/// A running stand-in. Cheap to clone (all clones share the one server).
#[derive(Clone)]
pub struct Standin {
    pub(crate) shared: Arc<Shared>,
}

impl Standin {
    /// Binds 127.0.0.1 on any free port and serves in a tokio task.
    pub async fn start(config: Config) -> Standin {
        Standin::start_on(config, 0).await.expect("binding 127.0.0.1:0")
    }

    /// Binds 127.0.0.1:`port` (0 = any) and serves in a tokio task.
    pub async fn start_on(config: Config, port: u16) -> std::io::Result<Standin> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        let port = listener.local_addr()?.port();
        let (tx, rx) = mpsc::unbounded_channel();
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .map_err(std::io::Error::other)?;
        let shared = Arc::new(Shared {
            api_key: config.api_key,
            secrets: config.webhook_secrets,
            prices: config.prices,
            base_url: format!("http://127.0.0.1:{port}/"),
            state: Mutex::new(Inner::new(config.webhook_url)),
            queue: tx,
            http,
        });
        tokio::spawn(webhook::worker(Arc::downgrade(&shared), rx));
        let app = api::router().merge(pages::router()).nest("/_standin", control::router()).with_state(shared.clone());
        tokio::spawn(async move {
            // Serving ends with the runtime; an accept error ends it early.
            let _ = axum::serve(listener, app).await;
        });
        Ok(Standin { shared })
    }

    /// `http://127.0.0.1:PORT/` (ends with '/'): the client's API base.
    pub fn base_url(&self) -> String {
        self.shared.base_url.clone()
    }

    pub fn set_webhook_url(&self, url: &str) {
        self.shared.lock().webhook_url = Some(url.to_owned());
    }

    /// Every API call so far, in arrival order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.lock().requests.clone()
    }

    /// Off: events are still generated and recorded but not sent (missed
    /// webhooks; send them later with [`Standin::deliver`]). On by default.
    pub fn set_delivery(&self, on: bool) {
        self.shared.lock().delivery = on;
    }

    /// Every event generated, in order (full JSON as it is sent).
    pub fn events(&self) -> Vec<Value> {
        self.shared.lock().events.clone()
    }

    /// Every delivery attempt, in order.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.shared.lock().deliveries.clone()
    }

    /// (Re)sends one stored event now, freshly signed, whatever the delivery
    /// switch says; the receiver's status (0 when the request failed).
    /// Panics when the event is unknown or no webhook url is set.
    pub async fn deliver(&self, event_id: &str) -> u16 {
        match webhook::deliver_now(&self.shared, event_id).await {
            Ok(status) => status,
            Err(e) => panic!("stripe-standin: cannot deliver {event_id}: {e}"),
        }
    }

    /// Waits until every event queued so far has been delivered (or skipped).
    pub async fn settle(&self) {
        let (tx, rx) = oneshot::channel();
        if self.shared.queue.send(QueueItem::Flush(tx)).is_ok() {
            let _ = rx.await;
        }
    }

    /// What the hosted page's Pay button does: creates the subscription and its
    /// paid invoice, completes the session and delivers checkout.session.completed,
    /// customer.subscription.created, invoice.paid (when delivery is on), waiting
    /// for the deliveries. Returns the subscription id. Panics when the session
    /// is unknown or not open (see [`Standin::try_complete_checkout`]).
    pub async fn complete_checkout(&self, session_id: &str) -> String {
        match self.try_complete_checkout(session_id).await {
            Ok(id) => id,
            Err(e) => panic!("stripe-standin: cannot complete checkout: {e}"),
        }
    }

    pub async fn try_complete_checkout(&self, session_id: &str) -> Result<String, StandinError> {
        let (subscription, events) = self.shared.lock().complete_checkout(&self.shared, session_id)?;
        let _ = self.shared.enqueue(events).await;
        Ok(subscription)
    }

    /// The period ends: a subscription set to cancel at period end becomes
    /// canceled (customer.subscription.deleted); otherwise it renews — a new
    /// period, a paid invoice (invoice.paid, billing_reason subscription_cycle)
    /// and customer.subscription.updated (status back to active if it was
    /// past_due). Waits for the deliveries. Panics on an unknown or canceled
    /// subscription (see [`Standin::try_advance_period`]).
    pub async fn advance_period(&self, subscription_id: &str) {
        if let Err(e) = self.try_advance_period(subscription_id).await {
            panic!("stripe-standin: cannot advance the period: {e}");
        }
    }

    pub async fn try_advance_period(&self, subscription_id: &str) -> Result<(), StandinError> {
        let events = self.shared.lock().advance_period(&self.shared, subscription_id)?;
        let _ = self.shared.enqueue(events).await;
        Ok(())
    }

    /// The renewal payment fails: an open invoice (invoice.payment_failed,
    /// amount_paid 0) and the subscription past_due (customer.subscription.updated);
    /// the period does not move. Waits for the deliveries. Panics on an unknown
    /// or canceled subscription (see [`Standin::try_fail_renewal`]).
    pub async fn fail_renewal(&self, subscription_id: &str) {
        if let Err(e) = self.try_fail_renewal(subscription_id).await {
            panic!("stripe-standin: cannot fail the renewal: {e}");
        }
    }

    pub async fn try_fail_renewal(&self, subscription_id: &str) -> Result<(), StandinError> {
        let events = self.shared.lock().fail_renewal(&self.shared, subscription_id)?;
        let _ = self.shared.enqueue(events).await;
        Ok(())
    }

    /// Injects (or, with `None`, clears) a failure of every API call.
    pub fn set_fault(&self, fault: Option<Fault>) {
        let mut inner = self.shared.lock();
        inner.fault = fault;
        inner.fault_remaining = None;
    }

    /// Injects a failure of the next `times` API calls only (then they
    /// succeed again): for retry logic. `times` 0 clears the fault.
    pub fn set_fault_times(&self, fault: Fault, times: u32) {
        let mut inner = self.shared.lock();
        inner.fault = (times > 0).then_some(fault);
        inner.fault_remaining = (times > 0).then_some(times);
    }

    /// The subscription as the API would return it.
    pub fn subscription(&self, id: &str) -> Option<Value> {
        let inner = self.shared.lock();
        inner.subscriptions.get(id).map(|s| objects::subscription(&self.shared, s))
    }

    /// Every subscription, oldest first.
    pub fn subscriptions(&self) -> Vec<Value> {
        let inner = self.shared.lock();
        inner
            .subscription_order
            .iter()
            .map(|id| objects::subscription(&self.shared, &inner.subscriptions[id]))
            .collect()
    }

    /// The checkout session as the API would return it.
    pub fn checkout_session(&self, id: &str) -> Option<Value> {
        let inner = self.shared.lock();
        inner.sessions.get(id).map(|s| objects::checkout_session(&self.shared, s))
    }

    /// The customer as the API would return it.
    pub fn customer(&self, id: &str) -> Option<Value> {
        self.shared.lock().customers.get(id).map(objects::customer)
    }

    /// Every invoice, oldest first.
    pub fn invoices(&self) -> Vec<Value> {
        self.shared.lock().invoices.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn price_lists_parse() {
        let prices =
            Price::parse_list("price_monthly:900:usd:month:Monthly, price_yearly:9000:EUR:year:Yearly").unwrap();
        assert_eq!(
            prices,
            [
                Price::new("price_monthly", 900, "usd", "month", "Monthly"),
                Price::new("price_yearly", 9000, "eur", "year", "Yearly")
            ]
        );
        assert!(Price::parse_list("price_x:900:usd:week:Weekly").unwrap_err().contains("interval"));
        assert!(Price::parse_list("price_x:9.00:usd:month:M").unwrap_err().contains("9.00"));
        assert!(Price::parse_list("price_x:900:usd").unwrap_err().contains("expected"));
        assert_eq!(Price::parse_list("").unwrap(), []);
    }
}

//! The stand-in's memory and the state changes Stripe would make on its own
//! (checkout completion, renewals, cancellations), each returning the events
//! it raised (already recorded; the caller queues them for delivery).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Months};
use rand::Rng;
use rand::distributions::Alphanumeric;
use serde_json::{Value, json};

use crate::{Delivery, Fault, Recorded, Shared, StandinError, objects};

pub(crate) type Metadata = BTreeMap<String, String>;

pub(crate) struct CustomerRec {
    pub id: String,
    pub created: i64,
    pub email: Option<String>,
    pub name: Option<String>,
    pub metadata: Metadata,
}

pub(crate) struct SessionRec {
    pub id: String,
    pub created: i64,
    pub expires_at: i64,
    pub price_id: String,
    pub quantity: i64,
    pub customer: Option<String>,
    /// As given (Stripe leaves it null when `customer` is given).
    pub customer_email: Option<String>,
    /// The email the payer is known by: customer_email or the customer's.
    pub payer_email: Option<String>,
    pub client_reference_id: Option<String>,
    pub success_url: String,
    pub cancel_url: Option<String>,
    pub metadata: Metadata,
    pub subscription_metadata: Metadata,
    /// open | complete | expired
    pub status: &'static str,
    pub subscription: Option<String>,
    pub invoice: Option<String>,
}

#[derive(Clone)]
pub(crate) struct SubRec {
    pub id: String,
    pub item_id: String,
    pub item_created: i64,
    pub customer: String,
    pub price_id: String,
    pub quantity: i64,
    pub created: i64,
    pub period_start: i64,
    pub period_end: i64,
    /// active | past_due | canceled
    pub status: &'static str,
    pub cancel_at_period_end: bool,
    pub canceled_at: Option<i64>,
    pub ended_at: Option<i64>,
    pub cancellation_reason: Option<&'static str>,
    pub metadata: Metadata,
    pub latest_invoice: Option<String>,
}

pub(crate) struct IdempotentResponse {
    pub method: String,
    pub path: String,
    pub params: Vec<(String, String)>,
    pub status: u16,
    pub body: Value,
}

/// Who caused an event: `request.id` / `request.idempotency_key` of the event.
#[derive(Clone, Default)]
pub(crate) struct Cause {
    pub request_id: Option<String>,
    pub idempotency_key: Option<String>,
}

pub(crate) struct Inner {
    pub webhook_url: Option<String>,
    pub delivery: bool,
    pub fault: Option<Fault>,
    /// How many more API calls the fault applies to; `None` = until cleared.
    pub fault_remaining: Option<u32>,
    pub customers: HashMap<String, CustomerRec>,
    pub customer_order: Vec<String>,
    pub sessions: HashMap<String, SessionRec>,
    pub subscriptions: HashMap<String, SubRec>,
    pub subscription_order: Vec<String>,
    pub invoices: Vec<Value>,
    pub portal_sessions: HashMap<String, Value>,
    pub events: Vec<Value>,
    pub deliveries: Vec<Delivery>,
    pub idempotency: HashMap<String, IdempotentResponse>,
    pub requests: Vec<Recorded>,
    invoice_number: u64,
}

pub(crate) fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or_default()
}

pub(crate) fn new_id(prefix: &str) -> String {
    let tail: String = rand::thread_rng().sample_iter(&Alphanumeric).take(24).map(char::from).collect();
    format!("{prefix}_{tail}")
}

/// The end of a period of one `interval` ("month" | "year") starting at `start`.
pub(crate) fn period_end(start: i64, interval: &str) -> i64 {
    let months = if interval == "year" { 12 } else { 1 };
    DateTime::from_timestamp(start, 0)
        .and_then(|t| t.checked_add_months(Months::new(months)))
        .map(|t| t.timestamp())
        .unwrap_or(start + i64::from(months) * 31 * 86_400)
}

impl Inner {
    pub fn new(webhook_url: Option<String>) -> Inner {
        Inner {
            webhook_url,
            delivery: true,
            fault: None,
            fault_remaining: None,
            customers: HashMap::new(),
            customer_order: Vec::new(),
            sessions: HashMap::new(),
            subscriptions: HashMap::new(),
            subscription_order: Vec::new(),
            invoices: Vec::new(),
            portal_sessions: HashMap::new(),
            events: Vec::new(),
            deliveries: Vec::new(),
            idempotency: HashMap::new(),
            requests: Vec::new(),
            invoice_number: 0,
        }
    }

    /// The fault this API call meets, counting it against a limited fault.
    pub fn take_fault(&mut self) -> Option<Fault> {
        let fault = self.fault?;
        if let Some(remaining) = self.fault_remaining.as_mut() {
            *remaining -= 1;
            if *remaining == 0 {
                self.fault = None;
                self.fault_remaining = None;
            }
        }
        Some(fault)
    }

    /// Records an event (`object` is the snapshot sent as `data.object`); its id.
    pub fn emit(&mut self, event_type: &str, object: Value, previous: Option<Value>, cause: &Cause) -> String {
        let id = new_id("evt");
        let mut data = json!({ "object": object });
        if let Some(previous) = previous {
            data["previous_attributes"] = previous;
        }
        self.events.push(json!({
            "id": id,
            "object": "event",
            "api_version": crate::API_VERSION,
            "context": null,
            "created": now(),
            "data": data,
            "livemode": false,
            "pending_webhooks": 1,
            "request": { "id": cause.request_id, "idempotency_key": cause.idempotency_key },
            "type": event_type,
        }));
        id
    }

    pub fn event(&self, id: &str) -> Option<&Value> {
        self.events.iter().find(|e| e["id"] == id)
    }

    fn customer_email(&self, customer: &str) -> Option<String> {
        self.customers.get(customer).and_then(|c| c.email.clone())
    }

    /// Creates a paid or failed invoice for `sub`'s period; its JSON.
    fn invoice(&mut self, shared: &Shared, sub: &SubRec, billing_reason: &str, paid: bool) -> Value {
        let price = shared.price(&sub.price_id).expect("subscriptions only reference configured prices");
        self.invoice_number += 1;
        let email = self.customer_email(&sub.customer);
        let name = self.customers.get(&sub.customer).and_then(|c| c.name.clone());
        let invoice = objects::invoice(
            shared,
            &objects::InvoiceSpec {
                id: new_id("in"),
                number: format!("STANDIN-{:04}", self.invoice_number),
                sub,
                price,
                billing_reason,
                paid,
                customer_email: email,
                customer_name: name,
                created: now(),
            },
        );
        self.invoices.push(invoice.clone());
        invoice
    }

    pub fn complete_checkout(
        &mut self,
        shared: &Shared,
        session_id: &str,
    ) -> Result<(String, Vec<String>), StandinError> {
        let session = self
            .sessions
            .get(session_id)
            .ok_or_else(|| StandinError::NotFound(format!("No such checkout session: '{session_id}'")))?;
        if session.status != "open" {
            return Err(StandinError::Conflict(format!(
                "checkout session {session_id} is {}, not open",
                session.status
            )));
        }
        if now() > session.expires_at {
            return Err(StandinError::Conflict(format!("checkout session {session_id} has expired")));
        }
        let price = shared.price(&session.price_id).expect("sessions only reference configured prices").clone();
        let created = now();
        // A session without a customer creates one (Stripe's customer_creation=always for subscriptions).
        let customer = match &session.customer {
            Some(c) => c.clone(),
            None => {
                let id = new_id("cus");
                self.customers.insert(
                    id.clone(),
                    CustomerRec {
                        id: id.clone(),
                        created,
                        email: session.payer_email.clone(),
                        name: None,
                        metadata: Metadata::new(),
                    },
                );
                self.customer_order.push(id.clone());
                id
            }
        };
        let mut sub = SubRec {
            id: new_id("sub"),
            item_id: new_id("si"),
            item_created: created,
            customer: customer.clone(),
            price_id: price.id.clone(),
            quantity: session.quantity,
            created,
            period_start: created,
            period_end: period_end(created, &price.interval),
            status: "active",
            cancel_at_period_end: false,
            canceled_at: None,
            ended_at: None,
            cancellation_reason: None,
            metadata: session.subscription_metadata.clone(),
            latest_invoice: None,
        };
        let invoice = self.invoice(shared, &sub, "subscription_create", true);
        let invoice_id = invoice["id"].as_str().unwrap_or_default().to_owned();
        sub.latest_invoice = Some(invoice_id.clone());
        let sub_id = sub.id.clone();

        let session = self.sessions.get_mut(session_id).expect("looked up above");
        session.status = "complete";
        session.customer = Some(customer);
        session.subscription = Some(sub_id.clone());
        session.invoice = Some(invoice_id);
        let session_json = objects::checkout_session(shared, session);
        let sub_json = objects::subscription(shared, &sub);
        self.subscriptions.insert(sub_id.clone(), sub);
        self.subscription_order.push(sub_id.clone());

        let cause = Cause::default();
        let events = vec![
            self.emit("checkout.session.completed", session_json, None, &cause),
            self.emit("customer.subscription.created", sub_json, None, &cause),
            self.emit("invoice.paid", invoice, None, &cause),
        ];
        Ok((sub_id, events))
    }

    fn live_subscription(&mut self, id: &str) -> Result<&mut SubRec, StandinError> {
        let sub = self
            .subscriptions
            .get_mut(id)
            .ok_or_else(|| StandinError::NotFound(format!("No such subscription: '{id}'")))?;
        if sub.status == "canceled" {
            return Err(StandinError::Conflict(format!("subscription {id} is canceled")));
        }
        Ok(sub)
    }

    pub fn advance_period(&mut self, shared: &Shared, id: &str) -> Result<Vec<String>, StandinError> {
        let sub = self.live_subscription(id)?;
        let cause = Cause::default();
        if sub.cancel_at_period_end {
            sub.status = "canceled";
            sub.ended_at = Some(sub.period_end);
            sub.canceled_at = sub.canceled_at.or(Some(now()));
            sub.cancellation_reason = Some("cancellation_requested");
            let json = objects::subscription(shared, sub);
            return Ok(vec![self.emit("customer.subscription.deleted", json, None, &cause)]);
        }
        let previous = objects::subscription(shared, sub);
        let interval = shared.price(&sub.price_id).map(|p| p.interval.clone()).unwrap_or_default();
        sub.period_start = sub.period_end;
        sub.period_end = period_end(sub.period_start, &interval);
        sub.status = "active";
        let snapshot = sub.clone();
        let invoice = self.invoice(shared, &snapshot, "subscription_cycle", true);
        let sub = self.subscriptions.get_mut(id).expect("checked above");
        sub.latest_invoice = invoice["id"].as_str().map(str::to_owned);
        let json = objects::subscription(shared, sub);
        let changed = objects::previous_attributes(&previous, &json);
        Ok(vec![
            self.emit("invoice.paid", invoice, None, &cause),
            self.emit("customer.subscription.updated", json, Some(changed), &cause),
        ])
    }

    pub fn fail_renewal(&mut self, shared: &Shared, id: &str) -> Result<Vec<String>, StandinError> {
        let sub = self.live_subscription(id)?;
        let previous = objects::subscription(shared, sub);
        // The failed invoice is for the next period; the period does not move.
        let interval = shared.price(&sub.price_id).map(|p| p.interval.clone()).unwrap_or_default();
        let mut next = sub.clone();
        next.period_start = sub.period_end;
        next.period_end = period_end(next.period_start, &interval);
        sub.status = "past_due";
        let invoice = self.invoice(shared, &next, "subscription_cycle", false);
        let sub = self.subscriptions.get_mut(id).expect("checked above");
        sub.latest_invoice = invoice["id"].as_str().map(str::to_owned);
        let json = objects::subscription(shared, sub);
        let changed = objects::previous_attributes(&previous, &json);
        let cause = Cause::default();
        Ok(vec![
            self.emit("invoice.payment_failed", invoice, None, &cause),
            self.emit("customer.subscription.updated", json, Some(changed), &cause),
        ])
    }

    /// Cancels now (DELETE /v1/subscriptions/{id}); the JSON and the deleted event.
    pub fn cancel_now(
        &mut self,
        shared: &Shared,
        id: &str,
        cause: &Cause,
    ) -> Result<(Value, Vec<String>), StandinError> {
        let sub = self.live_subscription(id)?;
        let at = now();
        sub.status = "canceled";
        sub.canceled_at = Some(at);
        sub.ended_at = Some(at);
        sub.cancellation_reason = Some("cancellation_requested");
        let json = objects::subscription(shared, sub);
        let event = self.emit("customer.subscription.deleted", json.clone(), None, cause);
        Ok((json, vec![event]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> i64 {
        DateTime::parse_from_rfc3339(s).unwrap().timestamp()
    }

    #[test]
    fn periods_are_calendar_months_and_years() {
        assert_eq!(period_end(at("2026-01-15T10:00:00Z"), "month"), at("2026-02-15T10:00:00Z"));
        // The end of a short month clamps, as Stripe's billing cycle does.
        assert_eq!(period_end(at("2026-01-31T00:00:00Z"), "month"), at("2026-02-28T00:00:00Z"));
        assert_eq!(period_end(at("2028-02-29T00:00:00Z"), "year"), at("2029-02-28T00:00:00Z"));
        assert_eq!(period_end(at("2026-12-06T19:00:00Z"), "year"), at("2027-12-06T19:00:00Z"));
    }

    #[test]
    fn ids_carry_their_prefix_and_differ() {
        let a = new_id("cs_test");
        assert!(a.starts_with("cs_test_") && a.len() == "cs_test_".len() + 24);
        assert_ne!(a, new_id("cs_test"));
    }
}

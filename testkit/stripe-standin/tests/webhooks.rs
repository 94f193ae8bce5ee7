//! Webhook deliveries: signatures checked by an independent HMAC, the order
//! of events, missed deliveries and redelivery, and every payload parsed by
//! async-stripe's own types (with miniserde, as the client does).

mod common;

use std::time::Duration;

use common::{client, open_checkout, receiver, standin};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use stripe::StripeRequest;
use stripe_billing::subscription::UpdateSubscription;
use stripe_billing::{Invoice, InvoiceStatus, Subscription, SubscriptionStatus};
use stripe_checkout::CheckoutSession;
use stripe_core::{Event, EventType};

const SECRET_OLD: &str = "whsec_old_secret";
const SECRET_NEW: &str = "whsec_new_secret";

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

/// `t` and the v1 signatures of a `Stripe-Signature` header.
fn parse_signature(header: &str) -> (i64, Vec<Vec<u8>>) {
    let mut t = None;
    let mut v1 = Vec::new();
    for part in header.split(',') {
        let (k, v) = part.split_once('=').expect("k=v");
        match k {
            "t" => t = Some(v.parse().expect("t is an integer")),
            "v1" => v1.push(hex::decode(v).expect("v1 is hex")),
            other => panic!("unexpected scheme {other}"),
        }
    }
    (t.expect("t= present"), v1)
}

fn expected(secret: &str, t: i64, body: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    mac.finalize().into_bytes().to_vec()
}

/// Parses a payload the way async-stripe does, into the type `T`.
fn parse<T: miniserde::Deserialize>(json: &serde_json::Value) -> T {
    let text = serde_json::to_string(json).unwrap();
    miniserde::json::from_str::<T>(&text)
        .unwrap_or_else(|_| panic!("async-stripe cannot parse as {}: {text}", std::any::type_name::<T>()))
}

#[tokio::test]
async fn checkout_completion_delivers_signed_events_in_order() {
    let hook = receiver().await;
    let standin = standin(Some(hook.url.clone()), &[SECRET_OLD, SECRET_NEW]).await;
    let client = client(&standin);
    let (customer, session_id) = open_checkout(&client, "price_monthly").await;
    let sub_id = standin.complete_checkout(&session_id).await;

    // complete_checkout waits for its deliveries.
    assert_eq!(hook.types(), ["checkout.session.completed", "customer.subscription.created", "invoice.paid"]);
    for received in hook.all() {
        assert!(received.content_type.starts_with("application/json"), "{}", received.content_type);
        let (t, v1) = parse_signature(&received.signature);
        assert!((t - now()).abs() < 60);
        // One v1 per secret, in the configured order.
        assert_eq!(v1, [expected(SECRET_OLD, t, &received.body), expected(SECRET_NEW, t, &received.body)]);
        assert_ne!(v1[0], expected("whsec_other", t, &received.body));
    }
    // The library's own signer agrees with the independent computation.
    let first = &hook.all()[0];
    let (t, _) = parse_signature(&first.signature);
    assert_eq!(stripe_standin::sign(&first.body, t, &[SECRET_OLD.to_owned()]), {
        format!("t={t},v1={}", hex::encode(expected(SECRET_OLD, t, &first.body)))
    });

    let events: Vec<serde_json::Value> = hook.all().iter().map(|r| r.json()).collect();
    assert_eq!(events, standin.events());
    // The API version the client pins, as sent in its Stripe-Version header.
    let pinned = standin.requests()[0].stripe_version.clone().unwrap();
    for e in &events {
        assert_eq!(e["api_version"], pinned.as_str());
        assert_eq!(e["object"], "event");
        assert_eq!(e["livemode"], false);
        let event: Event = parse(e);
        assert!(event.id.as_str().starts_with("evt_"));
    }
    let event: Event = parse(&events[0]);
    assert_eq!(event.type_, EventType::CheckoutSessionCompleted);

    let session: CheckoutSession = parse(&events[0]["data"]["object"]);
    assert_eq!(session.id.as_str(), session_id);
    assert_eq!(session.subscription.map(|s| s.id().to_string()), Some(sub_id.clone()));
    assert_eq!(session.customer.map(|c| c.id().to_string()), Some(customer.clone()));
    assert_eq!(session.client_reference_id.as_deref(), Some("u-42"));

    let sub: Subscription = parse(&events[1]["data"]["object"]);
    assert_eq!(sub.id.as_str(), sub_id);
    assert_eq!(sub.status, SubscriptionStatus::Active);
    assert_eq!(sub.metadata.get("user_id").map(String::as_str), Some("u-42"));

    let invoice: Invoice = parse(&events[2]["data"]["object"]);
    assert_eq!(invoice.status, Some(InvoiceStatus::Paid));
    assert_eq!((invoice.amount_paid, invoice.currency.to_string().as_str()), (900, "usd"));
    assert_eq!(invoice.billing_reason, Some(stripe_billing::InvoiceBillingReason::SubscriptionCreate));
    let parent = invoice.parent.expect("invoice parent");
    let details = parent.subscription_details.expect("subscription_details");
    assert_eq!(details.subscription.id().as_str(), sub_id);
    assert_eq!(details.metadata.unwrap().get("user_id").map(String::as_str), Some("u-42"));
    assert_eq!(events[2]["data"]["object"]["subscription"], sub_id.as_str());
    assert_eq!((invoice.period_start, invoice.period_end), {
        let item = &sub.items.data[0];
        (item.current_period_start, item.current_period_end)
    });
    assert!(invoice.hosted_invoice_url.unwrap().starts_with(&standin.base_url()));
    assert!(standin.deliveries().iter().all(|d| d.status == 200));
}

#[tokio::test]
async fn renewals_failures_and_cancellation_deliver_their_events() {
    let hook = receiver().await;
    let standin = standin(Some(hook.url.clone()), &[SECRET_NEW]).await;
    let client = client(&standin);
    let (_, session_id) = open_checkout(&client, "price_monthly").await;
    let sub_id = standin.complete_checkout(&session_id).await;
    hook.received.lock().unwrap().clear();

    standin.advance_period(&sub_id).await;
    standin.fail_renewal(&sub_id).await;
    assert_eq!(
        hook.types(),
        ["invoice.paid", "customer.subscription.updated", "invoice.payment_failed", "customer.subscription.updated"]
    );
    let all: Vec<serde_json::Value> = hook.all().iter().map(|r| r.json()).collect();
    let renewal: Invoice = parse(&all[0]["data"]["object"]);
    assert_eq!(renewal.billing_reason, Some(stripe_billing::InvoiceBillingReason::SubscriptionCycle));
    assert_eq!(renewal.status, Some(InvoiceStatus::Paid));
    let renewed: Subscription = parse(&all[1]["data"]["object"]);
    assert_eq!(renewed.items.data[0].current_period_start, renewal.period_start);
    assert!(all[1]["data"]["previous_attributes"]["items"].is_object(), "{}", all[1]["data"]);
    let failed: Invoice = parse(&all[2]["data"]["object"]);
    assert_eq!(failed.status, Some(InvoiceStatus::Open));
    assert_eq!((failed.amount_paid, failed.amount_due), (0, 900));
    let past_due: Subscription = parse(&all[3]["data"]["object"]);
    assert_eq!(past_due.status, SubscriptionStatus::PastDue);
    assert_eq!(all[3]["data"]["previous_attributes"]["status"], "active");

    // An API call's event carries the request and arrives in the background.
    hook.received.lock().unwrap().clear();
    UpdateSubscription::new(sub_id.as_str())
        .cancel_at_period_end(true)
        .customize()
        .request_strategy(stripe::RequestStrategy::Idempotent(stripe::IdempotencyKey::new("cancel-1").unwrap()))
        .send(&client)
        .await
        .unwrap();
    standin.settle().await;
    assert_eq!(hook.types(), ["customer.subscription.updated"]);
    let updated = hook.all()[0].json();
    assert_eq!(updated["data"]["previous_attributes"]["cancel_at_period_end"], false);
    assert!(updated["request"]["id"].as_str().unwrap().starts_with("req_"));
    assert_eq!(updated["request"]["idempotency_key"], "cancel-1");

    standin.advance_period(&sub_id).await;
    assert_eq!(hook.types().last().unwrap(), "customer.subscription.deleted");
    let deleted: Subscription = parse(&hook.all().last().unwrap().json()["data"]["object"]);
    assert_eq!(deleted.status, SubscriptionStatus::Canceled);
}

#[tokio::test]
async fn delivery_off_holds_events_back_until_delivered_by_hand() {
    let hook = receiver().await;
    let standin = standin(Some(hook.url.clone()), &[SECRET_OLD]).await;
    let client = client(&standin);
    let (_, session_id) = open_checkout(&client, "price_monthly").await;

    standin.set_delivery(false);
    standin.complete_checkout(&session_id).await;
    standin.settle().await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(hook.all().is_empty());
    let events = standin.events();
    assert_eq!(events.len(), 3);
    assert!(standin.deliveries().is_empty());

    // Turning delivery back on does not send the missed ones.
    standin.set_delivery(true);
    standin.settle().await;
    assert!(hook.all().is_empty());

    let id = events[1]["id"].as_str().unwrap();
    assert_eq!(standin.deliver(id).await, 200);
    assert_eq!(hook.types(), ["customer.subscription.created"]);
    let received = &hook.all()[0];
    assert_eq!(received.json(), events[1]);
    let (t, v1) = parse_signature(&received.signature);
    assert_eq!(v1, [expected(SECRET_OLD, t, &received.body)]);

    // The receiver's answer is recorded; a redelivery is signed afresh.
    *hook.status.lock().unwrap() = 500;
    assert_eq!(standin.deliver(id).await, 500);
    let deliveries = standin.deliveries();
    assert_eq!(deliveries.iter().map(|d| d.status).collect::<Vec<_>>(), [200, 500]);
    assert_eq!(deliveries[1].event_type, "customer.subscription.created");
}

#[tokio::test]
async fn an_unreachable_receiver_is_recorded_as_status_0() {
    let standin = standin(Some("http://127.0.0.1:9/webhooks/stripe".to_owned()), &[SECRET_OLD]).await;
    let client = client(&standin);
    let (_, session_id) = open_checkout(&client, "price_monthly").await;
    standin.complete_checkout(&session_id).await;
    let deliveries = standin.deliveries();
    assert_eq!(deliveries.len(), 3);
    assert!(deliveries.iter().all(|d| d.status == 0 && d.error.is_some()), "{deliveries:?}");

    // Pointing it somewhere else and redelivering works.
    let hook = receiver().await;
    standin.set_webhook_url(&hook.url);
    let first = standin.events()[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(standin.deliver(&first).await, 200);
    assert_eq!(hook.types(), ["checkout.session.completed"]);
}

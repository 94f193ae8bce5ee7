//! Shared by the integration tests: a stand-in with two prices, the real
//! async-stripe client pointed at it, and a webhook receiver.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use stripe_standin::{Config, Price, Standin};

pub const KEY: &str = "sk_test_standin_key";

pub fn prices() -> Vec<Price> {
    vec![
        Price::new("price_monthly", 900, "usd", "month", "Monthly"),
        Price::new("price_yearly", 9000, "usd", "year", "Yearly"),
    ]
}

pub async fn standin(webhook_url: Option<String>, secrets: &[&str]) -> Standin {
    Standin::start(Config {
        api_key: KEY.to_owned(),
        webhook_url,
        webhook_secrets: secrets.iter().map(|s| (*s).to_owned()).collect(),
        prices: prices(),
    })
    .await
}

pub fn client(standin: &Standin) -> stripe::Client {
    stripe::ClientBuilder::new(KEY).url(standin.base_url()).build().expect("client")
}

/// One delivery as the receiver saw it.
#[derive(Clone, Debug)]
pub struct Received {
    pub signature: String,
    pub content_type: String,
    pub body: Bytes,
}

impl Received {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("webhook body is JSON")
    }
}

#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    pub received: Arc<Mutex<Vec<Received>>>,
    /// The status the receiver answers with.
    pub status: Arc<Mutex<u16>>,
}

impl Receiver {
    pub fn all(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    pub fn types(&self) -> Vec<String> {
        self.all().iter().map(|r| r.json()["type"].as_str().unwrap().to_owned()).collect()
    }
}

async fn receive(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    r.received.lock().unwrap().push(Received {
        signature: header("stripe-signature"),
        content_type: header("content-type"),
        body,
    });
    let status = *r.status.lock().unwrap();
    StatusCode::from_u16(status).unwrap()
}

pub async fn receiver() -> Receiver {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/webhooks/stripe", listener.local_addr().unwrap());
    let r = Receiver { url, received: Arc::default(), status: Arc::new(Mutex::new(200)) };
    let app = Router::new().route("/webhooks/stripe", post(receive)).with_state(r.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    r
}

/// Creates a customer and an open subscription-mode checkout session; (customer id, session id).
pub async fn open_checkout(client: &stripe::Client, price: &str) -> (String, String) {
    use std::collections::HashMap;
    use stripe_checkout::checkout_session::{
        CreateCheckoutSession, CreateCheckoutSessionLineItems, CreateCheckoutSessionSubscriptionData,
    };
    use stripe_core::customer::CreateCustomer;
    let customer = CreateCustomer::new().email("ada@example.com").send(client).await.expect("customer");
    let mut item = CreateCheckoutSessionLineItems::new();
    item.price = Some(price.to_owned());
    item.quantity = Some(1);
    let mut data = CreateCheckoutSessionSubscriptionData::new();
    data.metadata = Some(HashMap::from([("user_id".to_owned(), "u-42".to_owned())]));
    let session = CreateCheckoutSession::new()
        .mode(stripe_shared_mode())
        .customer(customer.id.as_str())
        .client_reference_id("u-42")
        .line_items(vec![item])
        .success_url("http://app.test/billing/return?session_id={CHECKOUT_SESSION_ID}")
        .cancel_url("http://app.test/pricing?canceled=1")
        .metadata(HashMap::from([("user_id".to_owned(), "u-42".to_owned())]))
        .subscription_data(data)
        .send(client)
        .await
        .expect("checkout session");
    (customer.id.to_string(), session.id.to_string())
}

pub fn stripe_shared_mode() -> stripe_checkout::CheckoutSessionMode {
    stripe_checkout::CheckoutSessionMode::Subscription
}

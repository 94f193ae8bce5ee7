//! The `stripe-standin` binary: its one stdout line, the raw wire protocol
//! (hand-written form bodies), and the `/_standin/` control endpoints a
//! browser e2e drives.

mod common;

use std::process::Stdio;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

const KEY: &str = "sk_test_from_env";

async fn spawn(webhook_url: &str) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_stripe-standin"))
        .env("STANDIN_PORT", "0")
        .env("STANDIN_API_KEY", KEY)
        .env("STANDIN_WEBHOOK_URL", webhook_url)
        .env("STANDIN_WEBHOOK_SECRET", "whsec_a, whsec_b")
        .env("STANDIN_PRICES", "price_m:900:usd:month:Monthly,price_y:9000:USD:year:Yearly")
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn stripe-standin");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let line = lines.next_line().await.unwrap().expect("one line on stdout");
    let base = line.strip_prefix("stripe-standin listening on ").expect(&line).to_owned();
    assert!(base.starts_with("http://127.0.0.1:") && base.ends_with('/'), "{line}");
    (child, base)
}

async fn form(http: &reqwest::Client, url: String, body: &str) -> (u16, Value) {
    let response = http
        .post(url)
        .bearer_auth(KEY)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

async fn control(http: &reqwest::Client, base: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let url = format!("{base}_standin/{path}");
    let request = match body {
        Some(body) => http.post(url).json(&body),
        None => http.get(url),
    };
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test]
async fn the_binary_serves_the_api_and_the_control_endpoints() {
    let hook = common::receiver().await;
    let (mut child, base) = spawn(&hook.url).await;
    let http = reqwest::Client::new();

    let (_, config) = control(&http, &base, "config", None).await;
    assert_eq!(config["base_url"], base.as_str());
    assert_eq!(
        config["prices"][1],
        json!({"id": "price_y", "unit_amount": 9000, "currency": "usd", "interval": "year", "product_name": "Yearly"})
    );

    // The wire, by hand: literal brackets in keys.
    let (status, customer) =
        form(&http, format!("{base}v1/customers"), "email=e2e%40example.com&metadata[user_id]=u-9").await;
    assert_eq!(status, 200, "{customer}");
    assert_eq!(customer["metadata"]["user_id"], "u-9");
    let body = format!(
        "mode=subscription&customer={}&line_items[0][price]=price_m&line_items[0][quantity]=1\
         &success_url=http%3A%2F%2Fapp.test%2Fok%3Fs%3D%7BCHECKOUT_SESSION_ID%7D&subscription_data[metadata][user_id]=u-9",
        customer["id"].as_str().unwrap()
    );
    let (status, session) = form(&http, format!("{base}v1/checkout/sessions"), &body).await;
    assert_eq!(status, 200, "{session}");
    let session_id = session["id"].as_str().unwrap();
    let page = http.get(session["url"].as_str().unwrap()).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("id=\"pay\""), "{page}");
    let (status, unauthorized) = {
        let r = http.post(format!("{base}v1/customers")).send().await.unwrap();
        (r.status().as_u16(), r.json::<Value>().await.unwrap())
    };
    assert_eq!(status, 401);
    assert_eq!(unauthorized["error"]["type"], "invalid_request_error");

    // Missed webhooks: delivery off, checkout completed through the control endpoint.
    assert_eq!(control(&http, &base, "delivery", Some(json!({"on": false}))).await.0, 200);
    let (status, done) =
        control(&http, &base, &format!("checkout/sessions/{session_id}/complete"), Some(json!({}))).await;
    assert_eq!(status, 200, "{done}");
    let sub_id = done["subscription"].as_str().unwrap().to_owned();
    let (_, events) = control(&http, &base, "events", None).await;
    let types: Vec<&str> = events.as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["checkout.session.completed", "customer.subscription.created", "invoice.paid"]);
    assert!(hook.all().is_empty());
    let (_, deliveries) = control(&http, &base, "deliveries", None).await;
    assert_eq!(deliveries, json!([]));

    // Redeliver one by hand; both secrets sign it.
    let event_id = events[2]["id"].as_str().unwrap();
    let (_, delivered) = control(&http, &base, &format!("events/{event_id}/deliver"), Some(json!({}))).await;
    assert_eq!(delivered, json!({"status": 200}));
    assert_eq!(hook.types(), ["invoice.paid"]);
    assert_eq!(hook.all()[0].signature.matches(",v1=").count(), 2);

    // Period changes.
    control(&http, &base, "delivery", Some(json!({"on": true}))).await;
    let (_, sub) = control(&http, &base, &format!("subscriptions/{sub_id}/fail_renewal"), Some(json!({}))).await;
    assert_eq!(sub["status"], "past_due");
    let (_, sub) = control(&http, &base, &format!("subscriptions/{sub_id}/advance"), Some(json!({}))).await;
    assert_eq!(sub["status"], "active");
    assert_eq!(
        hook.types()[1..],
        ["invoice.payment_failed", "customer.subscription.updated", "invoice.paid", "customer.subscription.updated"]
    );
    let (status, missing) = control(&http, &base, "subscriptions/sub_nope/advance", Some(json!({}))).await;
    assert_eq!(status, 404, "{missing}");
    assert!(missing["error"].as_str().unwrap().contains("sub_nope"));

    // Faults.
    control(&http, &base, "fault", Some(json!({"fault": "server_error"}))).await;
    let (status, err) = form(&http, format!("{base}v1/customers"), "email=x%40example.com").await;
    assert_eq!((status, err["error"]["type"].as_str()), (500, Some("api_error")));
    control(&http, &base, "fault", Some(json!({"fault": null}))).await;
    assert_eq!(form(&http, format!("{base}v1/customers"), "email=x%40example.com").await.0, 200);
    control(&http, &base, "fault", Some(json!({"fault": "rate_limited", "times": 1}))).await;
    assert_eq!(form(&http, format!("{base}v1/customers"), "email=x%40example.com").await.0, 429);
    assert_eq!(form(&http, format!("{base}v1/customers"), "email=x%40example.com").await.0, 200);

    let (_, requests) = control(&http, &base, "requests", None).await;
    assert!(requests.as_array().unwrap().iter().any(|r| r["path"] == "/v1/checkout/sessions"
        && r["form"].as_array().unwrap().contains(&json!(["line_items[0][price]", "price_m"]))));

    child.kill().await.unwrap();
}

#[tokio::test]
async fn a_bad_price_list_is_refused_at_start() {
    let output = Command::new(env!("CARGO_BIN_EXE_stripe-standin"))
        .env("STANDIN_PRICES", "price_m:nine:usd:month:Monthly")
        .output()
        .await
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("STANDIN_PRICES") && stderr.contains("nine"), "{stderr}");
}

//! Payments against the stand-in Stripe (testkit/stripe-standin), which speaks
//! Stripe's wire format to the production client (async-stripe) and signs its
//! webhooks the way Stripe does: checkout to entitlement to period end, the
//! refusals, every bad webhook, duplicates, reordered and missed events, the
//! sync job, racing workers, the grace period, Stripe down, and embedded mode
//! with no Stripe at all.

use std::time::Duration;

use chrono::Utc;
use entity::{checkout_session, payment, stripe_event, subscription};
use lectern::{domains::billing::service as billing, jobs};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde_json::{Value, json};
use stripe_standin::{Config as StandinConfig, Fault, Price, Standin};

use crate::harness::{TestApp, TestUser, error_code, error_field};

const KEY: &str = "sk_test_lectern_standin";
const SECRET: &str = "whsec_lectern_test_secret";
const PLANS: &str = "monthly=price_monthly:900:month,yearly=price_yearly:9000:year";

async fn standin(secrets: &[&str]) -> Standin {
    Standin::start(StandinConfig {
        api_key: KEY.into(),
        webhook_url: None,
        webhook_secrets: secrets.iter().map(|s| (*s).to_owned()).collect(),
        prices: vec![
            Price::new("price_monthly", 900, "usd", "month", "Monthly"),
            Price::new("price_yearly", 9_000, "usd", "year", "Yearly"),
        ],
    })
    .await
}

/// An app taking payments through a fresh stand-in that delivers its webhooks to it.
async fn stripe_app(settings: &[(&str, &str)]) -> (TestApp, Standin) {
    let stripe = standin(&[SECRET]).await;
    let base = stripe.base_url();
    let mut all = vec![
        ("STRIPE_SECRET_KEY", KEY),
        ("STRIPE_API_BASE", base.as_str()),
        ("STRIPE_WEBHOOK_SECRET", SECRET),
        ("STRIPE_PLANS", PLANS),
        ("STRIPE_TIMEOUT_MS", "2000"),
    ];
    all.extend_from_slice(settings);
    let app = TestApp::spawn_with(&all).await;
    stripe.set_webhook_url(&app.url("/webhooks/stripe"));
    (app, stripe)
}

/// A registered reader whose address is verified.
async fn verified_reader(app: &TestApp) -> TestUser {
    app.register_verified(&format!("reader-{}@example.com", uuid::Uuid::now_v7().simple())).await
}

const CHECKOUT: &str =
    "mutation($plan: String!) { startCheckout(input: { planId: $plan }) { id url planId expiresAt } }";
const ME: &str = "{ me { hasPremiumAccess subscription { source planId planName status entitled cancelAtPeriodEnd currentPeriodEnd graceEndsAt price { amount currency } interval } payments(first: 10) { nodes { status price { amount currency } invoiceUrl } } } }";

async fn me(app: &TestApp, user: &TestUser) -> Value {
    let body = app.graphql_as(user, ME, json!({})).await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["me"].clone()
}

/// Waits (up to 60 s: far past any plausible run) until `check` holds for the viewer's billing.
async fn until_me(app: &TestApp, user: &TestUser, what: &str, check: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..600 {
        let current = me(app, user).await;
        if check(&current) {
            return current;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what}: never happened; last state {}", me(app, user).await);
}

async fn start_checkout(app: &TestApp, user: &TestUser, plan: &str) -> Value {
    let body = app.graphql_as(user, CHECKOUT, json!({ "plan": plan })).await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["startCheckout"].clone()
}

async fn premium_post(app: &TestApp) -> String {
    let author = app.user_with_role("AUTHOR").await;
    let (id, slug) = app.published_post(&author, "Premium depths").await;
    let viewer = app.viewer_of(&author).await;
    let input = lectern::domains::posts::service::PostInput { is_premium: Some(true), ..Default::default() };
    lectern::domains::posts::service::update(&app.state, &viewer, uuid::Uuid::parse_str(&id).unwrap(), input)
        .await
        .unwrap();
    slug
}

/// The post's markdown as `user` gets it (null while it is locked to them).
async fn body_of(app: &TestApp, user: &TestUser, slug: &str) -> Value {
    let body =
        app.graphql_as(user, "query($s: String!) { post(slug: $s) { body isLocked } }", json!({ "s": slug })).await;
    let post = &body["data"]["post"];
    assert_eq!(post["isLocked"], post["body"].is_null(), "{body}");
    post["body"].clone()
}

#[tokio::test]
async fn a_reader_subscribes_reads_premium_cancels_and_loses_access_at_the_period_end() {
    let (app, stripe) = stripe_app(&[]).await;
    let reader = verified_reader(&app).await;
    let post = premium_post(&app).await;
    assert!(body_of(&app, &reader, &post).await.is_null(), "locked before paying");

    let plans =
        app.graphql("{ paymentsEnabled plans { id name interval price { amount currency } } }", json!({})).await;
    assert_eq!(plans["data"]["paymentsEnabled"], true);
    assert_eq!(
        plans["data"]["plans"],
        json!([
            { "id": "monthly", "name": "Monthly", "interval": "MONTH", "price": { "amount": 900, "currency": "usd" } },
            { "id": "yearly", "name": "Yearly", "interval": "YEAR", "price": { "amount": 9000, "currency": "usd" } },
        ])
    );

    // The live view of the return page: billingChanged over the websocket.
    let mut ws = app.ws("graphql-transport-ws").await;
    ws.init(Some(&reader.access_token)).await;
    ws.send(json!({ "id": "b", "type": "subscribe", "payload": { "query": "subscription { billingChanged { status entitled planId } }" } })).await;

    let checkout = start_checkout(&app, &reader, "monthly").await;
    let url = checkout["url"].as_str().unwrap();
    assert!(url.starts_with(&stripe.base_url()), "{url}");
    let session = stripe.checkout_session(checkout["id"].as_str().unwrap()).unwrap();
    assert_eq!(session["mode"], "subscription");
    assert_eq!(session["client_reference_id"], reader.id);
    assert_eq!(session["metadata"]["user_id"], reader.id);
    assert!(session["success_url"].as_str().unwrap().starts_with("http://lectern.test/billing/return?session_id="));
    // Asked again, the open checkout is handed out again: no second session at Stripe.
    let again = start_checkout(&app, &reader, "monthly").await;
    assert_eq!(again["id"], checkout["id"]);
    let created = stripe.requests().iter().filter(|r| r.path == "/v1/checkout/sessions").count();
    assert_eq!(created, 1);

    let subscription_id = stripe.complete_checkout(checkout["id"].as_str().unwrap()).await;
    // (Both fields: one request's loaders may read on either side of the webhook's commit.)
    let state = until_me(&app, &reader, "entitled after paying", |me| {
        me["subscription"]["entitled"] == true && me["hasPremiumAccess"] == true
    })
    .await;
    assert_eq!(state["hasPremiumAccess"], true);
    assert_eq!(state["subscription"]["status"], "ACTIVE");
    assert_eq!(state["subscription"]["planId"], "monthly");
    assert_eq!(state["subscription"]["planName"], "Monthly");
    assert_eq!(state["subscription"]["price"], json!({ "amount": 900, "currency": "usd" }));
    assert_eq!(state["subscription"]["interval"], "MONTH");
    assert!(state["subscription"]["currentPeriodEnd"].is_string());
    assert_eq!(body_of(&app, &reader, &post).await, "# Premium depths\n\nA post about Premium depths.");
    let paid =
        until_me(&app, &reader, "the invoice recorded", |me| me["payments"]["nodes"][0]["status"] == "PAID").await;
    assert_eq!(paid["payments"]["nodes"][0]["price"], json!({ "amount": 900, "currency": "usd" }));

    // Events arrive in the order Stripe's webhooks are processed: one about the
    // invoice may come before the subscription exists (null), then ACTIVE.
    // Each event reads the state as it is when delivered, so the order of what
    // comes before ACTIVE depends on the workers; ACTIVE must come.
    let live = ws
        .message_until("billingChanged ACTIVE", |m| m["payload"]["data"]["billingChanged"]["status"] == "ACTIVE")
        .await;
    assert_eq!(live["payload"]["data"]["billingChanged"]["entitled"], true, "{live}");

    // Every write to Stripe carried an idempotency key.
    for request in stripe.requests().iter().filter(|r| r.method == "POST") {
        assert!(request.idempotency_key.is_some(), "{} {} without an idempotency key", request.method, request.path);
    }

    let portal = app.graphql_as(&reader, "mutation { openBillingPortal { url } }", json!({})).await;
    assert!(portal["data"]["openBillingPortal"]["url"].as_str().unwrap().starts_with(&stripe.base_url()), "{portal}");

    let cancel = app
        .graphql_as(&reader, "mutation { cancelSubscription { status cancelAtPeriodEnd entitled } }", json!({}))
        .await;
    assert_eq!(
        cancel["data"]["cancelSubscription"],
        json!({ "status": "ACTIVE", "cancelAtPeriodEnd": true, "entitled": true })
    );
    let resume = app.graphql_as(&reader, "mutation { resumeSubscription { cancelAtPeriodEnd } }", json!({})).await;
    assert_eq!(resume["data"]["resumeSubscription"]["cancelAtPeriodEnd"], false, "{resume}");
    let cancel = app.graphql_as(&reader, "mutation { cancelSubscription { cancelAtPeriodEnd } }", json!({})).await;
    assert_eq!(cancel["data"]["cancelSubscription"]["cancelAtPeriodEnd"], true, "{cancel}");
    assert_eq!(stripe.subscription(&subscription_id).unwrap()["cancel_at_period_end"], true);

    stripe.advance_period(&subscription_id).await;
    // (Both fields again: the request's two loaders may read either side of the webhook's commit.)
    let ended = until_me(&app, &reader, "ended at the period end", |me| {
        me["subscription"]["status"] == "CANCELED" && me["hasPremiumAccess"] == false
    })
    .await;
    assert_eq!(ended["subscription"]["entitled"], false);
    assert!(body_of(&app, &reader, &post).await.is_null(), "locked again");
}

#[tokio::test]
async fn checkout_refuses_unverified_unknown_plans_bad_paths_and_a_second_subscription() {
    let (app, stripe) = stripe_app(&[]).await;
    let anonymous = app.graphql(CHECKOUT, json!({ "plan": "monthly" })).await;
    assert_eq!(error_code(&anonymous), "UNAUTHENTICATED");

    let unverified = app.register("unverified@example.com").await;
    let refused = app.graphql_as(&unverified, CHECKOUT, json!({ "plan": "monthly" })).await;
    assert_eq!(error_code(&refused), "EMAIL_NOT_VERIFIED", "{refused}");

    let reader = verified_reader(&app).await;
    let unknown = app.graphql_as(&reader, CHECKOUT, json!({ "plan": "lifetime" })).await;
    assert_eq!(error_code(&unknown), "BAD_USER_INPUT");
    assert_eq!(error_field(&unknown), "planId");
    for path in ["https://evil.example/", "//evil.example/x", "return"] {
        let bad = app
            .graphql_as(
                &reader,
                "mutation($p: String) { startCheckout(input: { planId: \"monthly\", successPath: $p }) { url } }",
                json!({ "p": path }),
            )
            .await;
        assert_eq!(error_field(&bad), "successPath", "{path}: {bad}");
    }
    assert!(stripe.requests().is_empty(), "nothing reached Stripe: {:?}", stripe.requests());

    // Another plan while one checkout is open: the first is expired, so only one can be paid.
    let monthly = start_checkout(&app, &reader, "monthly").await;
    let yearly = start_checkout(&app, &reader, "yearly").await;
    assert_ne!(monthly["id"], yearly["id"]);
    assert_eq!(stripe.checkout_session(monthly["id"].as_str().unwrap()).unwrap()["status"], "expired");
    let open = checkout_session::Entity::find()
        .filter(checkout_session::Column::Status.eq(checkout_session::Status::Open))
        .count(&app.state.db)
        .await
        .unwrap();
    assert_eq!(open, 1);

    stripe.complete_checkout(yearly["id"].as_str().unwrap()).await;
    until_me(&app, &reader, "entitled", |me| me["subscription"]["entitled"] == true).await;
    let second = app.graphql_as(&reader, CHECKOUT, json!({ "plan": "monthly" })).await;
    assert_eq!(error_code(&second), "CONFLICT", "{second}");
    assert_eq!(error_field(&second), "planId");

    let stranger = verified_reader(&app).await;
    for mutation in ["mutation { cancelSubscription { id } }", "mutation { openBillingPortal { url } }"] {
        let none = app.graphql_as(&stranger, mutation, json!({})).await;
        assert_eq!(error_code(&none), "NOT_FOUND", "{mutation}: {none}");
    }
}

#[tokio::test]
async fn stripe_failing_or_hanging_gives_a_masked_error_and_writes_nothing() {
    let (app, stripe) = stripe_app(&[("STRIPE_TIMEOUT_MS", "300")]).await;
    let reader = verified_reader(&app).await;
    for fault in [Fault::ServerError, Fault::Hang, Fault::RateLimited] {
        stripe.set_fault(Some(fault));
        let failed = app.graphql_as(&reader, CHECKOUT, json!({ "plan": "monthly" })).await;
        assert_eq!(error_code(&failed), "UPSTREAM_UNAVAILABLE", "{fault:?}: {failed}");
        let error = &failed["errors"][0];
        assert!(error["extensions"]["requestId"].is_string(), "{failed}");
        assert!(error["extensions"]["retryAfter"].is_number(), "{failed}");
        let message = error["message"].as_str().unwrap();
        assert!(!message.contains("500") && !message.contains("api_error") && !message.contains(KEY), "{message}");
    }
    // Retried, with the same idempotency key each time.
    let attempts: Vec<_> = stripe.requests().into_iter().filter(|r| r.path == "/v1/customers").collect();
    assert!(attempts.len() >= 3, "{attempts:?}");
    assert!(attempts.iter().all(|r| r.idempotency_key == attempts[0].idempotency_key));
    assert_eq!(entity::billing_customer::Entity::find().count(&app.state.db).await.unwrap(), 0);
    assert_eq!(checkout_session::Entity::find().count(&app.state.db).await.unwrap(), 0);

    // Stripe back: the same key gets the customer Stripe may already have made, once.
    stripe.set_fault(None);
    start_checkout(&app, &reader, "monthly").await;
    let customers = stripe.requests().into_iter().filter(|r| r.path == "/v1/customers" && r.status == 200).count();
    assert!(customers >= 1);
    assert_eq!(entity::billing_customer::Entity::find().count(&app.state.db).await.unwrap(), 1);
}

/// A delivery with a body and a header of the test's choosing.
async fn deliver_raw(app: &TestApp, body: &[u8], signature: Option<&str>) -> (u16, Value) {
    let mut request =
        app.client.post(app.url("/webhooks/stripe")).header("content-type", "application/json").body(body.to_vec());
    if let Some(signature) = signature {
        request = request.header("stripe-signature", signature);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn signed(secret: &str, timestamp: i64, body: &[u8]) -> String {
    format!("t={timestamp},v1={}", lectern::infra::stripe::signature::sign(secret.as_bytes(), timestamp, body))
}

fn event(id: &str, kind: &str, object: Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "id": id, "object": "event", "type": kind, "created": Utc::now().timestamp(), "livemode": false,
        "data": { "object": object }
    }))
    .unwrap()
}

#[tokio::test]
async fn bad_webhooks_are_refused_with_400_and_nothing_is_stored() {
    let (app, _stripe) = stripe_app(&[("STRIPE_WEBHOOK_SECRET", "whsec_old_one,whsec_new_one")]).await;
    let now = Utc::now().timestamp();
    let body = event("evt_bad_1", "customer.created", json!({ "id": "cus_1" }));
    let sign = |body: &[u8]| Some(signed("whsec_new_one", now, body));
    let cases: Vec<(&str, Vec<u8>, Option<String>)> = vec![
        ("no signature", body.clone(), None),
        ("another secret", body.clone(), Some(signed("whsec_someone_else", now, &body))),
        ("a stale timestamp", body.clone(), Some(signed("whsec_new_one", now - 301, &body))),
        // Well past the 300 s tolerance: `now` was read before the cases ran, and a
        // loaded machine took over a second to reach this one (it was then inside the window).
        ("a future timestamp", body.clone(), Some(signed("whsec_new_one", now + 360, &body))),
        ("an altered body", body.clone(), sign(b"{\"id\":\"evt_other\"}")),
        ("a malformed header", body.clone(), Some("v1=abc,t=".into())),
        ("not JSON", b"id=evt_1".to_vec(), sign(b"id=evt_1")),
        ("no id", br#"{"type":"x","created":1,"data":{"object":{}}}"#.to_vec(), None),
        ("no data.object", br#"{"id":"evt_2","type":"x","created":1,"data":{}}"#.to_vec(), None),
        ("a NUL", event("evt_3", "x\u{0}y", json!({})), None),
    ];
    for (index, (what, body, signature)) in cases.into_iter().enumerate() {
        // From "no id" on, the bodies are signed correctly: only their content is wrong.
        let signature = if index >= 7 { sign(&body) } else { signature };
        let (status, answer) = deliver_raw(&app, &body, signature.as_deref()).await;
        assert_eq!(status, 400, "{what}: {answer}");
        assert!(answer["error"]["code"].is_string(), "{what}: {answer}");
    }
    let (status, _) = deliver_raw(&app, &vec![b'x'; 300 * 1024], Some(&signed("whsec_new_one", now, b"x"))).await;
    assert_eq!(status, 413);
    assert_eq!(stripe_event::Entity::find().count(&app.state.db).await.unwrap(), 0);

    // Either secret signs; a header with a stale v1 beside a good one (a roll) is genuine.
    let good = event("evt_good_1", "customer.created", json!({ "id": "cus_1" }));
    let old = signed("whsec_old_one", now, &good);
    let rolled = format!("{old}, v1={}", lectern::infra::stripe::signature::sign(b"whsec_gone", now, &good));
    let (status, answer) = deliver_raw(&app, &good, Some(&rolled)).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["duplicate"], false);
    let (status, answer) = deliver_raw(&app, &good, Some(&signed("whsec_new_one", now, &good))).await;
    assert_eq!((status, answer["duplicate"].clone()), (200, json!(true)));
    assert_eq!(stripe_event::Entity::find().count(&app.state.db).await.unwrap(), 1);
    let jobs = entity::job::Entity::find()
        .filter(entity::job::Column::Kind.eq("stripe_event"))
        .count(&app.state.db)
        .await
        .unwrap();
    assert_eq!(jobs, 1, "one job for the event, none for its duplicate");

    // An unknown type is recorded and ignored.
    for _ in 0..600 {
        let row = billing::stored_event(&app.state.db, "evt_good_1").await.unwrap().unwrap();
        if let Some(outcome) = row.outcome {
            assert!(outcome.starts_with("ignored"), "{outcome}");
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the event was never processed");
}

#[tokio::test]
async fn payments_off_refuses_checkout_and_webhooks_but_admins_grant_complimentary_plans() {
    let app = TestApp::spawn().await;
    let status = app.graphql("{ paymentsEnabled plans { id } }", json!({})).await;
    assert_eq!(status["data"], json!({ "paymentsEnabled": false, "plans": [] }));
    let reader = verified_reader(&app).await;
    let refused = app.graphql_as(&reader, CHECKOUT, json!({ "plan": "monthly" })).await;
    assert_eq!(error_code(&refused), "PAYMENTS_DISABLED", "{refused}");
    let body = event("evt_1", "invoice.paid", json!({}));
    let (status, answer) = deliver_raw(&app, &body, Some(&signed(SECRET, Utc::now().timestamp(), &body))).await;
    assert_eq!((status, answer["error"]["code"].clone()), (404, json!("PAYMENTS_DISABLED")));

    let post = premium_post(&app).await;
    let admin = app.user_with_role("ADMIN").await;
    let grant = "mutation($u: ID!, $until: DateTime) { grantComplimentaryPlan(input: { userId: $u, until: $until }) { source status planName entitled currentPeriodEnd user { id } } }";
    let past = app.graphql_as(&admin, grant, json!({ "u": reader.id, "until": "2001-01-01T00:00:00Z" })).await;
    assert_eq!(error_field(&past), "until");
    let by_reader = app.graphql_as(&reader, grant, json!({ "u": reader.id })).await;
    assert_eq!(error_code(&by_reader), "FORBIDDEN");
    let until = (Utc::now() + chrono::Duration::days(30)).to_rfc3339();
    let granted = app.graphql_as(&admin, grant, json!({ "u": reader.id, "until": until })).await;
    let plan = &granted["data"]["grantComplimentaryPlan"];
    assert_eq!(plan["source"], "COMPLIMENTARY", "{granted}");
    assert_eq!(plan["planName"], "Complimentary");
    assert_eq!(plan["entitled"], true);
    assert_eq!(plan["user"]["id"], reader.id);
    assert!(!body_of(&app, &reader, &post).await.is_null());

    let overview = app
        .graphql_as(&admin, "{ billingOverview { activeSubscribers complimentary mrr { amount } } }", json!({}))
        .await;
    assert_eq!(overview["data"]["billingOverview"], json!({ "activeSubscribers": 0, "complimentary": 1, "mrr": [] }));
    let list = app
        .graphql_as(
            &admin,
            "{ subscriptions(filter: { source: COMPLIMENTARY }) { totalCount nodes { user { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(list["data"]["subscriptions"]["totalCount"], 1, "{list}");
    let hidden = app.graphql_as(&reader, "{ subscriptions { totalCount } }", json!({})).await;
    assert_eq!(error_code(&hidden), "FORBIDDEN");

    let revoked = app
        .graphql_as(
            &admin,
            "mutation($u: ID!) { revokeComplimentaryPlan(userId: $u) { hasPremiumAccess subscription { status } } }",
            json!({ "u": reader.id }),
        )
        .await;
    assert_eq!(
        revoked["data"]["revokeComplimentaryPlan"],
        json!({ "hasPremiumAccess": false, "subscription": { "status": "CANCELED" } })
    );
    assert!(body_of(&app, &reader, &post).await.is_null());
}

#[tokio::test]
async fn duplicated_and_reordered_events_leave_the_newest_state() {
    let (app, stripe) = stripe_app(&[]).await;
    let reader = verified_reader(&app).await;
    stripe.set_delivery(false);
    let checkout = start_checkout(&app, &reader, "monthly").await;
    let subscription_id = stripe.complete_checkout(checkout["id"].as_str().unwrap()).await;
    stripe.advance_period(&subscription_id).await; // a renewal: invoice.paid + updated
    let cancel = app.graphql_as(&reader, "mutation { cancelSubscription { id } }", json!({})).await;
    // Nothing was delivered yet, so this server does not know the subscription.
    assert_eq!(error_code(&cancel), "NOT_FOUND", "{cancel}");
    stripe.advance_period(&subscription_id).await; // renewal again
    let delete = app.client.delete(format!("{}v1/subscriptions/{subscription_id}", stripe.base_url())).bearer_auth(KEY);
    assert!(delete.send().await.unwrap().status().is_success());

    // Every event, newest first, each twice.
    let events: Vec<String> = stripe.events().iter().map(|e| e["id"].as_str().unwrap().to_owned()).collect();
    assert!(events.len() >= 7, "{events:?}");
    for id in events.iter().rev() {
        assert_eq!(stripe.deliver(id).await, 200);
        assert_eq!(stripe.deliver(id).await, 200);
    }
    let ended = until_me(&app, &reader, "the processed events", |me| {
        me["subscription"]["status"] == "CANCELED" && me["payments"]["nodes"].as_array().is_some_and(|p| p.len() == 3)
    })
    .await;
    assert_eq!(ended["subscription"]["entitled"], false);
    assert_eq!(stripe_event::Entity::find().count(&app.state.db).await.unwrap(), events.len() as u64);

    // A stale snapshot of the subscription, active, delivered after it was deleted: no resurrection.
    let mut snapshot = stripe.subscription(&subscription_id).unwrap();
    snapshot["status"] = json!("active");
    let body = event("evt_stale_snapshot", "customer.subscription.updated", snapshot);
    let (status, _) = deliver_raw(&app, &body, Some(&signed(SECRET, Utc::now().timestamp(), &body))).await;
    assert_eq!(status, 200);
    wait_processed(&app, "evt_stale_snapshot").await;
    assert_eq!(me(&app, &reader).await["subscription"]["status"], "CANCELED");
    assert_eq!(subscription::Entity::find().count(&app.state.db).await.unwrap(), 1);
}

async fn wait_processed(app: &TestApp, id: &str) -> String {
    for _ in 0..600 {
        if let Some(outcome) = billing::stored_event(&app.state.db, id).await.unwrap().and_then(|e| e.outcome) {
            return outcome;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{id} was never processed");
}

#[tokio::test]
async fn a_missed_webhook_is_healed_by_the_sync_job() {
    let (app, stripe) = stripe_app(&[]).await;
    let reader = verified_reader(&app).await;
    stripe.set_delivery(false);
    let checkout = start_checkout(&app, &reader, "yearly").await;
    let subscription_id = stripe.complete_checkout(checkout["id"].as_str().unwrap()).await;
    assert!(me(&app, &reader).await["subscription"].is_null(), "nothing arrived");

    jobs::enqueue(&app.state.db, &jobs::Job::SyncBilling).await.unwrap();
    app.state.job_wake.notify_one();
    let healed = until_me(&app, &reader, "healed by the sync", |me| me["subscription"]["entitled"] == true).await;
    assert_eq!(healed["subscription"]["planId"], "yearly");
    let session = checkout_session::Entity::find_by_id(checkout["id"].as_str().unwrap().to_owned())
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(session.status, checkout_session::Status::Complete);

    // A renewal that fails, also missed: the next sync finds it PAST_DUE.
    stripe.fail_renewal(&subscription_id).await;
    let report = billing::sync_all(&app.state).await.unwrap();
    assert_eq!((report.subscriptions, report.changed), (1, 1));
    assert_eq!(me(&app, &reader).await["subscription"]["status"], "PAST_DUE");
    // Run again (and twice at once, as two workers would): nothing more changes.
    let (a, b) = tokio::join!(billing::sync_all(&app.state), billing::sync_all(&app.state));
    assert_eq!(a.unwrap().changed + b.unwrap().changed, 0);
}

#[tokio::test]
async fn two_workers_racing_on_one_event_apply_it_once() {
    let (app, stripe) = stripe_app(&[("IN_PROCESS_WORKER", "false")]).await;
    let reader = verified_reader(&app).await;
    let checkout = start_checkout(&app, &reader, "monthly").await;
    let subscription_id = stripe.complete_checkout(checkout["id"].as_str().unwrap()).await;
    stripe.fail_renewal(&subscription_id).await;
    let events = stored_ids(&app).await;
    assert!(events.len() >= 5, "{events:?}");
    for id in &events {
        let (a, b) = tokio::join!(billing::process_event(&app.state, id), billing::process_event(&app.state, id));
        a.unwrap();
        b.unwrap();
    }
    let state = me(&app, &reader).await;
    assert_eq!(state["subscription"]["status"], "PAST_DUE");
    assert_eq!(state["subscription"]["entitled"], true, "in the grace period");
    assert_eq!(subscription::Entity::find().count(&app.state.db).await.unwrap(), 1);
    let payments = payment::Entity::find().all(&app.state.db).await.unwrap();
    assert_eq!(payments.len(), 2, "{payments:?}");
    assert_eq!(payments.iter().filter(|p| p.status == payment::Status::Failed).count(), 1);
    let notices = entity::notification::Entity::find()
        .filter(entity::notification::Column::Kind.eq(entity::notification::Kind::Payment))
        .count(&app.state.db)
        .await
        .unwrap();
    assert_eq!(notices, 1, "one PAST_DUE notice");
}

async fn stored_ids(app: &TestApp) -> Vec<String> {
    use sea_orm::QueryOrder;
    stripe_event::Entity::find()
        .order_by_asc(stripe_event::Column::ReceivedAt)
        .all(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect()
}

#[tokio::test]
async fn a_failed_renewal_warns_the_reader_and_access_ends_after_the_grace_period() {
    let (app, stripe) = stripe_app(&[("PAST_DUE_GRACE_DAYS", "3")]).await;
    let reader = verified_reader(&app).await;
    let post = premium_post(&app).await;
    let checkout = start_checkout(&app, &reader, "monthly").await;
    let subscription_id = stripe.complete_checkout(checkout["id"].as_str().unwrap()).await;
    until_me(&app, &reader, "entitled", |me| me["subscription"]["entitled"] == true).await;

    stripe.fail_renewal(&subscription_id).await;
    let late = until_me(&app, &reader, "past due", |me| me["subscription"]["status"] == "PAST_DUE").await;
    assert_eq!(late["subscription"]["entitled"], true);
    assert!(late["subscription"]["graceEndsAt"].is_string(), "{late}");
    assert!(!body_of(&app, &reader, &post).await.is_null(), "still readable in the grace period");
    let mail = app.mail_to(&reader.email, "Your Lectern payment failed").await;
    assert!(mail.contains("http://lectern.test/settings#billing"), "{mail}");
    assert!(mail.contains("3 day"), "{mail}");
    assert!(!mail.contains(&stripe.base_url()), "no portal link (it grants access) in a mail: {mail}");
    let notices = app.graphql_as(&reader, "{ notifications(first: 5) { nodes { kind title link } } }", json!({})).await;
    assert_eq!(notices["data"]["notifications"]["nodes"][0]["kind"], "PAYMENT", "{notices}");

    // Four days later (the row says so): the grace period is over.
    let row = subscription::Entity::find().one(&app.state.db).await.unwrap().unwrap();
    let mut row: subscription::ActiveModel = row.into();
    row.past_due_since = Set(Some(Utc::now() - chrono::Duration::days(4)));
    row.update(&app.state.db).await.unwrap();
    let over = me(&app, &reader).await;
    assert_eq!(over["subscription"]["entitled"], false);
    assert_eq!(over["hasPremiumAccess"], false);
    assert!(body_of(&app, &reader, &post).await.is_null());

    // The card is fixed: the next renewal succeeds and access is back.
    stripe.advance_period(&subscription_id).await;
    until_me(&app, &reader, "active again", |me| me["subscription"]["status"] == "ACTIVE").await;
    assert!(!body_of(&app, &reader, &post).await.is_null());
    let admin = app.user_with_role("ADMIN").await;
    let overview = app
        .graphql_as(&admin, "{ billingOverview { activeSubscribers pastDue mrr { amount currency } } }", json!({}))
        .await;
    assert_eq!(
        overview["data"]["billingOverview"],
        json!({ "activeSubscribers": 1, "pastDue": 0, "mrr": [{ "amount": 900, "currency": "usd" }] })
    );
}

/// The admin's premium flag of old becomes a complimentary plan with no end,
/// and back when the migration is undone, on both databases.
#[tokio::test]
async fn the_premium_flag_migrates_to_complimentary_plans_and_back() {
    use migration::{Migrator, MigratorTrait};
    use sea_orm::ConnectionTrait;

    let app = TestApp::spawn().await;
    let admin = app.user_with_role("ADMIN").await;
    let flagged = verified_reader(&app).await;
    let plain = verified_reader(&app).await;
    let grant = "mutation($u: ID!) { setPremiumAccess(userId: $u, granted: true) { hasPremiumAccess } }";
    let granted = app.graphql_as(&admin, grant, json!({ "u": flagged.id })).await;
    assert_eq!(granted["data"]["setPremiumAccess"]["hasPremiumAccess"], true, "{granted}");

    let since = Migrator::migrations().iter().filter(|m| m.name() >= "m20261206_000012_billing").count() as u32;
    Migrator::down(&app.state.db, Some(since)).await.unwrap();
    let flags = app
        .state
        .db
        .query_all_raw(sea_orm::Statement::from_string(
            app.state.db.get_database_backend(),
            "SELECT premium_granted_at IS NOT NULL AS flagged FROM users ORDER BY email",
        ))
        .await
        .unwrap();
    let flagged_count = flags.iter().filter(|row| row.try_get::<bool>("", "flagged").unwrap()).count();
    assert_eq!(flagged_count, 1, "the grant went back into the flag");
    Migrator::up(&app.state.db, None).await.unwrap();

    let flagged_id = uuid::Uuid::parse_str(&flagged.id).unwrap();
    let plans = subscription::Entity::find().all(&app.state.db).await.unwrap();
    assert_eq!(plans.len(), 1, "{plans:?}");
    assert_eq!((plans[0].id, plans[0].user_id), (flagged_id, flagged_id));
    assert_eq!(plans[0].source, subscription::Source::Complimentary);
    assert_eq!(plans[0].current_period_end, None);
    assert_eq!(me(&app, &flagged).await["hasPremiumAccess"], true);
    assert_eq!(me(&app, &plain).await["hasPremiumAccess"], false);
}

/// Stripe's API down while its webhooks arrive: each delivery is still taken
/// (200, stored), its job fails and is retried, and applies once Stripe is back.
#[tokio::test]
async fn events_arriving_while_stripes_api_is_down_apply_once_it_is_back() {
    let (app, stripe) = stripe_app(&[("JOB_RETRY_BASE_MS", "200"), ("STRIPE_TIMEOUT_MS", "300")]).await;
    let reader = verified_reader(&app).await;
    let checkout = start_checkout(&app, &reader, "monthly").await;
    stripe.set_fault(Some(Fault::ServerError));
    stripe.complete_checkout(checkout["id"].as_str().unwrap()).await;
    let deliveries = stripe.deliveries();
    assert!(deliveries.len() >= 3 && deliveries.iter().all(|d| d.status == 200), "{deliveries:?}");

    let mut failed = false;
    for _ in 0..600 {
        let jobs = entity::job::Entity::find()
            .filter(entity::job::Column::Kind.eq("stripe_event"))
            .all(&app.state.db)
            .await
            .unwrap();
        if jobs.iter().any(|j| j.last_error.as_deref().is_some_and(|e| e.contains("could not be reached"))) {
            failed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(failed, "no stripe_event job failed while Stripe was down");
    assert!(me(&app, &reader).await["subscription"].is_null());

    stripe.set_fault(None);
    let back =
        until_me(&app, &reader, "applied after Stripe came back", |me| me["subscription"]["entitled"] == true).await;
    assert_eq!(back["subscription"]["status"], "ACTIVE");
}

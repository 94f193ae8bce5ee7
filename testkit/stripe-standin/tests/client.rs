//! The real async-stripe client (what Lectern runs in production) against the
//! stand-in: every response must deserialize into its generated types.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use common::{KEY, client, open_checkout, standin};
use stripe::{ApiErrorsCode, ApiErrorsType, IdempotencyKey, RequestStrategy, StripeError, StripeRequest};
use stripe_billing::SubscriptionStatus;
use stripe_billing::billing_portal_session::CreateBillingPortalSession;
use stripe_billing::subscription::{
    CancelSubscription, ListSubscription, ListSubscriptionStatus, RetrieveSubscription, UpdateSubscription,
};
use stripe_checkout::checkout_session::{
    CreateCheckoutSession, CreateCheckoutSessionLineItems, ExpireCheckoutSession, RetrieveCheckoutSession,
};
use stripe_checkout::{CheckoutSessionPaymentStatus, CheckoutSessionStatus};
use stripe_core::customer::{CreateCustomer, RetrieveCustomer};
use stripe_standin::Fault;

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

fn api_error(e: StripeError) -> (stripe::ApiErrors, u16) {
    match e {
        StripeError::Stripe(err, status) => (*err, status),
        other => panic!("expected a Stripe API error, got {other:?}"),
    }
}

#[tokio::test]
async fn customers_are_created_and_retrieved() {
    let standin = standin(None, &[]).await;
    let client = client(&standin);
    let created = CreateCustomer::new()
        .email("ada@example.com")
        .name("Ada")
        .metadata(HashMap::from([("user_id".to_owned(), "u-1".to_owned())]))
        .send(&client)
        .await
        .expect("create customer");
    assert!(created.id.as_str().starts_with("cus_"));
    assert_eq!(created.email.as_deref(), Some("ada@example.com"));
    let got = RetrieveCustomer::new(created.id.clone()).send(&client).await.expect("retrieve customer");
    let stripe_core::customer::RetrieveCustomerReturned::Customer(got) = got else { panic!("a deleted customer") };
    assert_eq!(got.id, created.id);
    assert_eq!(got.name.as_deref(), Some("Ada"));
    assert_eq!(got.metadata.unwrap().get("user_id").map(String::as_str), Some("u-1"));

    // The wire: a form body with literal bracketed keys, the bearer key, the pinned version.
    let first = &standin.requests()[0];
    assert_eq!((first.method.as_str(), first.path.as_str(), first.status), ("POST", "/v1/customers", 200));
    assert!(first.form.contains(&("metadata[user_id]".to_owned(), "u-1".to_owned())), "{:?}", first.form);
    assert_eq!(first.stripe_version.as_deref(), Some(stripe_standin::API_VERSION));

    let missing = RetrieveCustomer::new("cus_nope").send(&client).await.unwrap_err();
    let (err, status) = api_error(missing);
    assert_eq!(status, 404);
    assert_eq!(err.type_, ApiErrorsType::InvalidRequestError);
    assert_eq!(err.code, Some(ApiErrorsCode::ResourceMissing));
    assert_eq!(err.param.as_deref(), Some("id"));
}

#[tokio::test]
async fn checkout_sessions_are_created_retrieved_and_expired() {
    let standin = standin(None, &[]).await;
    let client = client(&standin);
    let (customer, session_id) = open_checkout(&client, "price_yearly").await;
    let session = RetrieveCheckoutSession::new(session_id.as_str()).send(&client).await.expect("retrieve session");
    assert_eq!(session.status, Some(CheckoutSessionStatus::Open));
    assert_eq!(session.payment_status, CheckoutSessionPaymentStatus::Unpaid);
    assert_eq!(session.mode, stripe_checkout::CheckoutSessionMode::Subscription);
    assert_eq!(session.url.as_deref(), Some(format!("{}checkout/{session_id}", standin.base_url()).as_str()));
    assert_eq!(session.client_reference_id.as_deref(), Some("u-42"));
    assert_eq!(session.amount_total, Some(9000));
    assert!((session.expires_at - (now() + 24 * 3600)).abs() < 60);
    assert_eq!(session.customer.as_ref().map(|c| c.id().to_string()), Some(customer));
    assert_eq!(session.metadata.unwrap().get("user_id").map(String::as_str), Some("u-42"));

    let create = standin.requests().into_iter().find(|r| r.path == "/v1/checkout/sessions").unwrap();
    for pair in [
        ("line_items[0][price]", "price_yearly"),
        ("line_items[0][quantity]", "1"),
        ("mode", "subscription"),
        ("subscription_data[metadata][user_id]", "u-42"),
    ] {
        assert!(create.form.contains(&(pair.0.to_owned(), pair.1.to_owned())), "{pair:?} in {:?}", create.form);
    }

    let expired = ExpireCheckoutSession::new(session_id.as_str()).send(&client).await.expect("expire");
    assert_eq!(expired.status, Some(CheckoutSessionStatus::Expired));
    let (err, status) = api_error(ExpireCheckoutSession::new(session_id.as_str()).send(&client).await.unwrap_err());
    assert_eq!((status, err.type_), (400, ApiErrorsType::InvalidRequestError));
}

#[tokio::test]
async fn an_unknown_price_is_a_stripe_error_on_the_line_item() {
    let standin = standin(None, &[]).await;
    let client = client(&standin);
    let mut item = CreateCheckoutSessionLineItems::new();
    item.price = Some("price_nope".to_owned());
    item.quantity = Some(1);
    let err = CreateCheckoutSession::new()
        .mode(stripe_checkout::CheckoutSessionMode::Subscription)
        .line_items(vec![item])
        .success_url("http://app.test/ok")
        .send(&client)
        .await
        .unwrap_err();
    let (err, status) = api_error(err);
    assert_eq!(status, 400);
    assert_eq!(err.type_, ApiErrorsType::InvalidRequestError);
    assert_eq!(err.code, Some(ApiErrorsCode::ResourceMissing));
    assert_eq!(err.param.as_deref(), Some("line_items[0][price]"));
    assert!(err.message.unwrap().contains("price_nope"));
}

#[tokio::test]
async fn idempotency_keys_replay_and_refuse_changed_parameters() {
    let standin = standin(None, &[]).await;
    let client = client(&standin);
    let key = || RequestStrategy::Idempotent(IdempotencyKey::new("create-customer-u-7").unwrap());
    let first = CreateCustomer::new()
        .email("u7@example.com")
        .customize()
        .request_strategy(key())
        .send(&client)
        .await
        .expect("first");
    let again = CreateCustomer::new()
        .email("u7@example.com")
        .customize()
        .request_strategy(key())
        .send(&client)
        .await
        .expect("replay");
    assert_eq!(first.id, again.id);
    let requests = standin.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[1].idempotency_key.as_deref(), Some("create-customer-u-7"));
    assert!(!requests[0].replayed && requests[1].replayed);

    let err = CreateCustomer::new()
        .email("someone-else@example.com")
        .customize()
        .request_strategy(key())
        .send(&client)
        .await
        .unwrap_err();
    let (err, status) = api_error(err);
    assert_eq!(status, 400);
    assert_eq!(err.type_, ApiErrorsType::IdempotencyError);
    assert!(err.message.unwrap().starts_with("Keys for idempotent requests can only be used with the same parameters"));

    // A different key is a different request.
    let other = CreateCustomer::new()
        .email("u7@example.com")
        .customize()
        .request_strategy(RequestStrategy::Idempotent(IdempotencyKey::new("another").unwrap()))
        .send(&client)
        .await
        .unwrap();
    assert_ne!(other.id, first.id);
}

#[tokio::test]
async fn a_completed_checkout_has_an_active_subscription_with_its_period_on_the_items() {
    let standin = standin(None, &[]).await;
    let client = client(&standin);
    let (customer, session_id) = open_checkout(&client, "price_monthly").await;
    let before = now();
    let sub_id = standin.complete_checkout(&session_id).await;

    let sub = RetrieveSubscription::new(sub_id.as_str()).send(&client).await.expect("retrieve subscription");
    assert_eq!(sub.status, SubscriptionStatus::Active);
    assert_eq!(sub.customer.id().to_string(), customer);
    assert!(!sub.cancel_at_period_end);
    assert_eq!(sub.metadata.get("user_id").map(String::as_str), Some("u-42"));
    let item = &sub.items.data[0];
    assert_eq!(item.price.id.as_str(), "price_monthly");
    assert_eq!(item.price.unit_amount, Some(900));
    let days = (item.current_period_end - item.current_period_start) / 86_400;
    assert!((28..=31).contains(&days), "a month is {days} days");
    assert!(item.current_period_start >= before - 1);

    let session = RetrieveCheckoutSession::new(session_id.as_str()).send(&client).await.unwrap();
    assert_eq!(session.status, Some(CheckoutSessionStatus::Complete));
    assert_eq!(session.payment_status, CheckoutSessionPaymentStatus::Paid);
    assert_eq!(session.subscription.map(|s| s.id().to_string()), Some(sub_id.clone()));
    // A completed session cannot be expired or paid twice.
    assert!(ExpireCheckoutSession::new(session_id.as_str()).send(&client).await.is_err());
    assert!(standin.try_complete_checkout(&session_id).await.is_err());
}

#[tokio::test]
async fn subscriptions_cancel_at_period_end_and_resume() {
    let standin = standin(None, &[]).await;
    let client = client(&standin);
    let (_, session_id) = open_checkout(&client, "price_monthly").await;
    let sub_id = standin.complete_checkout(&session_id).await;

    let sub = UpdateSubscription::new(sub_id.as_str()).cancel_at_period_end(true).send(&client).await.unwrap();
    assert!(sub.cancel_at_period_end);
    assert_eq!(sub.status, SubscriptionStatus::Active);
    assert_eq!(sub.cancel_at, Some(sub.items.data[0].current_period_end));
    assert!(sub.canceled_at.is_some());
    let sub = UpdateSubscription::new(sub_id.as_str()).cancel_at_period_end(false).send(&client).await.unwrap();
    assert!(!sub.cancel_at_period_end);
    assert_eq!(sub.cancel_at, None);
    let updated = standin.events().iter().filter(|e| e["type"] == "customer.subscription.updated").count();
    assert_eq!(updated, 2);

    // The period end cancels a subscription set to cancel.
    UpdateSubscription::new(sub_id.as_str()).cancel_at_period_end(true).send(&client).await.unwrap();
    standin.advance_period(&sub_id).await;
    let sub = RetrieveSubscription::new(sub_id.as_str()).send(&client).await.unwrap();
    assert_eq!(sub.status, SubscriptionStatus::Canceled);
    assert!(sub.ended_at.is_some());
    let err = UpdateSubscription::new(sub_id.as_str()).cancel_at_period_end(false).send(&client).await.unwrap_err();
    assert_eq!(api_error(err).1, 400);
}

#[tokio::test]
async fn renewals_and_failed_renewals_move_the_subscription() {
    let standin = standin(None, &[]).await;
    let client = client(&standin);
    let (_, session_id) = open_checkout(&client, "price_yearly").await;
    let sub_id = standin.complete_checkout(&session_id).await;
    let first = RetrieveSubscription::new(sub_id.as_str()).send(&client).await.unwrap();
    let first_end = first.items.data[0].current_period_end;

    standin.fail_renewal(&sub_id).await;
    let sub = RetrieveSubscription::new(sub_id.as_str()).send(&client).await.unwrap();
    assert_eq!(sub.status, SubscriptionStatus::PastDue);
    assert_eq!(sub.items.data[0].current_period_end, first_end);

    standin.advance_period(&sub_id).await;
    let sub = RetrieveSubscription::new(sub_id.as_str()).send(&client).await.unwrap();
    assert_eq!(sub.status, SubscriptionStatus::Active);
    assert_eq!(sub.items.data[0].current_period_start, first_end);
    let days = (sub.items.data[0].current_period_end - first_end) / 86_400;
    assert!((365..=366).contains(&days), "a year is {days} days");
    let reasons: Vec<_> = standin.invoices().iter().map(|i| i["billing_reason"].as_str().unwrap().to_owned()).collect();
    assert_eq!(reasons, ["subscription_create", "subscription_cycle", "subscription_cycle"]);
}

#[tokio::test]
async fn subscriptions_are_listed_by_customer_and_status_with_pages() {
    let standin = standin(None, &[]).await;
    let client = client(&standin);
    let (customer, s1) = open_checkout(&client, "price_monthly").await;
    let first = standin.complete_checkout(&s1).await;
    // The same customer subscribes again after canceling the first one.
    let canceled = CancelSubscription::new(first.as_str()).send(&client).await.expect("cancel");
    assert_eq!(canceled.status, SubscriptionStatus::Canceled);
    let mut item = CreateCheckoutSessionLineItems::new();
    item.price = Some("price_yearly".to_owned());
    let s2 = CreateCheckoutSession::new()
        .mode(stripe_checkout::CheckoutSessionMode::Subscription)
        .customer(customer.as_str())
        .line_items(vec![item])
        .success_url("http://app.test/ok")
        .send(&client)
        .await
        .unwrap();
    let second = standin.complete_checkout(s2.id.as_str()).await;
    // Someone else's subscription is not listed.
    let (_, s3) = open_checkout(&client, "price_monthly").await;
    standin.complete_checkout(&s3).await;

    let live = ListSubscription::new().customer(customer.as_str()).send(&client).await.expect("list");
    assert_eq!(live.data.iter().map(|s| s.id.to_string()).collect::<Vec<_>>(), [second.as_str()]);
    let all = ListSubscription::new()
        .customer(customer.as_str())
        .status(ListSubscriptionStatus::All)
        .send(&client)
        .await
        .unwrap();
    assert_eq!(all.data.iter().map(|s| s.id.to_string()).collect::<Vec<_>>(), [second.as_str(), first.as_str()]);
    assert!(!all.has_more);
    assert_eq!(all.url, "/v1/subscriptions");

    let page = ListSubscription::new()
        .customer(customer.as_str())
        .status(ListSubscriptionStatus::All)
        .limit(1)
        .send(&client)
        .await
        .unwrap();
    assert!(page.has_more);
    assert_eq!(page.data[0].id.as_str(), second);
    let next = ListSubscription::new()
        .customer(customer.as_str())
        .status(ListSubscriptionStatus::All)
        .limit(1)
        .starting_after(second.as_str())
        .send(&client)
        .await
        .unwrap();
    assert!(!next.has_more);
    assert_eq!(next.data[0].id.as_str(), first);
    let list_call = standin.requests().into_iter().rfind(|r| r.path == "/v1/subscriptions").unwrap();
    assert!(list_call.query.contains(&("status".to_owned(), "all".to_owned())), "{:?}", list_call.query);
}

#[tokio::test]
async fn the_billing_portal_cancels_at_period_end() {
    let standin = standin(None, &[]).await;
    let client = client(&standin);
    let (customer, session_id) = open_checkout(&client, "price_monthly").await;
    let sub_id = standin.complete_checkout(&session_id).await;
    let portal = CreateBillingPortalSession::new()
        .customer(customer.as_str())
        .return_url("http://app.test/settings")
        .send(&client)
        .await
        .expect("portal session");
    assert!(portal.url.starts_with(&format!("{}portal/", standin.base_url())));
    assert_eq!(portal.return_url.as_deref(), Some("http://app.test/settings"));

    let browser = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let html = browser.get(&portal.url).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("id=\"cancel-plan\""), "{html}");
    assert!(html.contains("id=\"return\" href=\"http://app.test/settings\""), "{html}");
    let action = format!("/portal/{}/subscriptions/{sub_id}/cancel", portal.id);
    assert!(html.contains(&action), "{html}");
    let response = browser.post(format!("{}{}", standin.base_url(), &action[1..])).send().await.unwrap();
    assert_eq!(response.status(), 303);
    assert!(standin.subscription(&sub_id).unwrap()["cancel_at_period_end"].as_bool().unwrap());
    let html = browser.get(&portal.url).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("id=\"resume-plan\"") && html.contains("Cancels on"), "{html}");

    let err = CreateBillingPortalSession::new().customer("cus_nope").send(&client).await.unwrap_err();
    assert_eq!(api_error(err).0.param.as_deref(), Some("customer"));
}

#[tokio::test]
async fn the_hosted_checkout_page_pays_and_redirects() {
    let standin = standin(None, &[]).await;
    let client = client(&standin);
    let (_, session_id) = open_checkout(&client, "price_monthly").await;
    let browser = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let url = format!("{}checkout/{session_id}", standin.base_url());
    let html = browser.get(&url).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("<button id=\"pay\""), "{html}");
    assert!(html.contains("Monthly") && html.contains("9.00 USD / month"), "{html}");
    assert!(html.contains("href=\"http://app.test/pricing?canceled=1\""), "{html}");
    let response = browser.post(format!("{url}/pay")).send().await.unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(
        response.headers()["location"].to_str().unwrap(),
        format!("http://app.test/billing/return?session_id={session_id}")
    );
    assert_eq!(standin.subscriptions().len(), 1);
    // Paying twice is refused.
    assert_eq!(browser.post(format!("{url}/pay")).send().await.unwrap().status(), 409);
}

#[tokio::test]
async fn a_wrong_api_key_is_refused() {
    let standin = standin(None, &[]).await;
    let wrong = stripe::ClientBuilder::new("sk_test_wrong_key_1234").url(standin.base_url()).build().unwrap();
    let (err, status) = api_error(CreateCustomer::new().send(&wrong).await.unwrap_err());
    assert_eq!(status, 401);
    assert_eq!(err.type_, ApiErrorsType::InvalidRequestError);
    assert!(err.message.unwrap().starts_with("Invalid API Key provided: sk_test_"));
    assert_eq!(standin.requests()[0].status, 401);
    let right = stripe::ClientBuilder::new(KEY).url(standin.base_url()).build().unwrap();
    assert!(CreateCustomer::new().send(&right).await.is_ok());
}

#[tokio::test]
async fn injected_faults_reach_the_client() {
    let standin = standin(None, &[]).await;
    let client = client(&standin);

    standin.set_fault(Some(Fault::ServerError));
    let (err, status) = api_error(CreateCustomer::new().send(&client).await.unwrap_err());
    assert_eq!((status, err.type_), (500, ApiErrorsType::ApiError));

    standin.set_fault(Some(Fault::RateLimited));
    let (err, status) = api_error(CreateCustomer::new().send(&client).await.unwrap_err());
    assert_eq!((status, err.code), (429, Some(ApiErrorsCode::RateLimit)));

    standin.set_fault(Some(Fault::Hang));
    let started = std::time::Instant::now();
    let err = CreateCustomer::new().customize().timeout(Duration::from_millis(300)).send(&client).await.unwrap_err();
    assert!(matches!(err, StripeError::Timeout), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(5));

    // A failed attempt stored nothing: the retry with the same key runs.
    standin.set_fault(Some(Fault::ServerError));
    let key = || RequestStrategy::Idempotent(IdempotencyKey::new("retry-me").unwrap());
    assert!(CreateCustomer::new().customize().request_strategy(key()).send(&client).await.is_err());
    standin.set_fault(None);
    let created = CreateCustomer::new().customize().request_strategy(key()).send(&client).await.unwrap();
    assert!(created.id.as_str().starts_with("cus_"));

    // A fault for the next call only: async-stripe's Retry strategy gets through.
    standin.set_fault_times(Fault::ServerError, 1);
    let retried = CreateCustomer::new()
        .customize()
        .request_strategy(RequestStrategy::Retry(3))
        .send(&client)
        .await
        .expect("the second attempt succeeds");
    assert!(retried.id.as_str().starts_with("cus_"));
    assert!(CreateCustomer::new().send(&client).await.is_ok());

    let statuses: Vec<u16> = standin.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [500, 429, 0, 500, 200, 500, 200, 200]);
}

#[tokio::test]
async fn unimplemented_parameters_are_refused_not_ignored() {
    let standin = standin(None, &[]).await;
    let client = client(&standin);
    let err = CreateCustomer::new().phone("+15555550100").send(&client).await.unwrap_err();
    let (err, status) = api_error(err);
    assert_eq!(status, 400);
    assert_eq!(err.code, Some(ApiErrorsCode::ParameterUnknown));
    assert_eq!(err.param.as_deref(), Some("phone"));
}

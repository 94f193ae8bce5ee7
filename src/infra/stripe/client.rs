//! The Stripe API through async-stripe: the few calls Lectern makes, each
//! returning Lectern's own plain types, so nothing above this file names a
//! Stripe type.
//!
//! Every call has a deadline (`STRIPE_TIMEOUT_MS`) and is tried up to three
//! times when Stripe cannot be reached, times out, answers 429 or 5xx; a write
//! carries an idempotency key the caller derives from what it does, and every
//! attempt reuses it, so a retry (or a second request racing the first) never
//! makes a second object. Stripe's own refusals (4xx) are not retried.

use std::{collections::HashMap, time::Duration};

use chrono::{DateTime, Utc};
use secrecy::ExposeSecret;
use stripe::{RequestStrategy, StripeError, StripeRequest};
use stripe_billing::{
    billing_portal_session::CreateBillingPortalSession,
    subscription::{RetrieveSubscription, UpdateSubscription},
};
use stripe_checkout::checkout_session::{
    CreateCheckoutSession, CreateCheckoutSessionLineItems, CreateCheckoutSessionSubscriptionData,
    ExpireCheckoutSession, RetrieveCheckoutSession,
};
use stripe_core::customer::CreateCustomer;
use stripe_shared::CheckoutSessionMode;

use crate::config::StripeConfig;

/// Attempts per call (the first and two retries).
const ATTEMPTS: u32 = 3;

/// Why a call failed.
#[derive(Debug, thiserror::Error)]
pub enum StripeFailure {
    /// Stripe could not be reached, timed out, or failed on its side (after the retries).
    #[error("Stripe is unavailable: {0}")]
    Unavailable(String),
    /// Stripe refused the request (4xx): a bug or a configuration problem on this side.
    #[error("Stripe refused the request ({status} {kind}): {message}")]
    Refused { status: u16, kind: String, code: Option<String>, param: Option<String>, message: String },
}

impl StripeFailure {
    /// Stripe has no such object.
    pub fn is_missing(&self) -> bool {
        matches!(self, StripeFailure::Refused { status: 404, .. })
    }
}

/// A subscription as Stripe has it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StripeSubscription {
    pub id: String,
    pub customer: String,
    /// Stripe's status word: `active`, `past_due`, `canceled`, …
    pub status: String,
    pub cancel_at_period_end: bool,
    pub canceled_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub current_period_end: Option<DateTime<Utc>>,
    /// The first item's price: what is being paid for.
    pub price_id: Option<String>,
    /// Per interval (unit amount × quantity), in minor units.
    pub amount: Option<i64>,
    pub currency: String,
    /// `month` or `year` (`interval_count` other than 1 is shown as the interval).
    pub interval: Option<String>,
    pub metadata: HashMap<String, String>,
    pub created: DateTime<Utc>,
}

/// A Checkout session as Stripe has it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StripeCheckoutSession {
    pub id: String,
    pub url: Option<String>,
    /// `open`, `complete` or `expired`.
    pub status: String,
    pub customer: Option<String>,
    pub subscription: Option<String>,
    pub client_reference_id: Option<String>,
    pub expires_at: DateTime<Utc>,
}

/// What a new Checkout session sells to whom.
#[derive(Debug, Clone)]
pub struct NewCheckout<'a> {
    pub customer: &'a str,
    pub price_id: &'a str,
    /// Our user id: in `client_reference_id` and in the metadata of the session and the subscription.
    pub user_id: &'a str,
    pub plan_id: &'a str,
    pub success_url: &'a str,
    pub cancel_url: &'a str,
}

/// The configured Stripe account.
pub struct StripeApi {
    client: stripe::Client,
}

impl std::fmt::Debug for StripeApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StripeApi").finish_non_exhaustive()
    }
}

fn at(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(seconds, 0).unwrap_or_default()
}

fn metadata(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

impl StripeApi {
    pub fn new(config: &StripeConfig) -> anyhow::Result<Self> {
        let client = stripe::ClientBuilder::new(config.secret_key.expose_secret())
            .url(config.api_base.clone())
            .timeout(config.timeout)
            .build()
            .map_err(|e| anyhow::anyhow!("Invalid Stripe settings (STRIPE_API_BASE, STRIPE_SECRET_KEY): {e}"))?;
        Ok(StripeApi { client })
    }

    /// Runs `request` with the idempotency key (writes) or none (reads), retrying what may succeed later.
    async fn send<R>(&self, request: &R, idempotency_key: Option<&str>) -> Result<R::Output, StripeFailure>
    where
        R: StripeRequest + Sync,
        R::Output: miniserde::Deserialize,
    {
        let strategy = match idempotency_key {
            Some(key) => RequestStrategy::Idempotent(
                stripe::IdempotencyKey::new(key)
                    .map_err(|e| StripeFailure::Unavailable(format!("bad idempotency key: {e}")))?,
            ),
            None => RequestStrategy::Once,
        };
        let mut attempt = 0;
        loop {
            attempt += 1;
            let result = request.customize().request_strategy(strategy.clone()).send(&self.client).await;
            let failure = match result {
                Ok(output) => return Ok(output),
                Err(err) => classify(err),
            };
            let retry = matches!(failure, StripeFailure::Unavailable(_))
                || matches!(failure, StripeFailure::Refused { status: 409 | 429, .. });
            if !retry || attempt >= ATTEMPTS {
                return Err(failure);
            }
            tracing::debug!(attempt, error = %failure, "retrying a Stripe call");
            tokio::time::sleep(Duration::from_millis(250 * 4u64.pow(attempt - 1))).await;
        }
    }

    /// Creates the customer that stands for a user (idempotent per user).
    pub async fn create_customer(&self, user_id: &str, email: &str, name: &str) -> Result<String, StripeFailure> {
        let request = CreateCustomer::new().email(email).name(name).metadata(metadata(&[("user_id", user_id)]));
        let customer = self.send(&request, Some(&format!("lectern-customer-{user_id}"))).await?;
        Ok(customer.id.to_string())
    }

    /// Opens a subscription Checkout session; `key` makes it idempotent.
    pub async fn create_checkout_session(
        &self,
        new: &NewCheckout<'_>,
        key: &str,
    ) -> Result<StripeCheckoutSession, StripeFailure> {
        let tags = metadata(&[("user_id", new.user_id), ("plan_id", new.plan_id)]);
        let mut item = CreateCheckoutSessionLineItems::new();
        item.price = Some(new.price_id.to_owned());
        item.quantity = Some(1);
        let mut subscription_data = CreateCheckoutSessionSubscriptionData::new();
        subscription_data.metadata = Some(tags.clone());
        let request = CreateCheckoutSession::new()
            .mode(CheckoutSessionMode::Subscription)
            .customer(new.customer)
            .client_reference_id(new.user_id)
            .line_items(vec![item])
            .metadata(tags)
            .subscription_data(subscription_data)
            .success_url(new.success_url)
            .cancel_url(new.cancel_url);
        let session = self.send(&request, Some(key)).await?;
        Ok(checkout_session(session))
    }

    pub async fn retrieve_checkout_session(&self, id: &str) -> Result<StripeCheckoutSession, StripeFailure> {
        Ok(checkout_session(self.send(&RetrieveCheckoutSession::new(id), None).await?))
    }

    /// Expires an open session so it can no longer be paid.
    pub async fn expire_checkout_session(&self, id: &str) -> Result<StripeCheckoutSession, StripeFailure> {
        let key = format!("lectern-expire-{id}");
        Ok(checkout_session(self.send(&ExpireCheckoutSession::new(id), Some(&key)).await?))
    }

    /// A Billing Portal session's URL for the customer (a short-lived link: never stored).
    pub async fn create_portal_session(
        &self,
        customer: &str,
        return_url: &str,
        key: &str,
    ) -> Result<String, StripeFailure> {
        let request = CreateBillingPortalSession::new().customer(customer).return_url(return_url);
        Ok(self.send(&request, Some(key)).await?.url)
    }

    /// The subscription as Stripe has it now; `None` when Stripe has no such subscription.
    pub async fn retrieve_subscription(&self, id: &str) -> Result<Option<StripeSubscription>, StripeFailure> {
        match self.send(&RetrieveSubscription::new(id), None).await {
            Ok(subscription) => Ok(Some(convert_subscription(subscription))),
            Err(failure) if failure.is_missing() => Ok(None),
            Err(failure) => Err(failure),
        }
    }

    /// Cancels at the end of the period (`true`) or takes that back (`false`).
    pub async fn set_cancel_at_period_end(
        &self,
        id: &str,
        cancel: bool,
        key: &str,
    ) -> Result<StripeSubscription, StripeFailure> {
        let request = UpdateSubscription::new(id).cancel_at_period_end(cancel);
        Ok(convert_subscription(self.send(&request, Some(key)).await?))
    }
}

fn classify(err: StripeError) -> StripeFailure {
    match err {
        StripeError::Stripe(api, status) if status < 500 && status != 429 => StripeFailure::Refused {
            status,
            kind: format!("{:?}", api.type_).to_lowercase(),
            code: api.code.as_ref().map(|c| c.to_string()),
            param: api.param.clone(),
            message: api.message.clone().unwrap_or_default(),
        },
        StripeError::Stripe(api, status) => {
            StripeFailure::Unavailable(format!("{status}: {}", api.message.clone().unwrap_or_default()))
        }
        StripeError::Timeout => StripeFailure::Unavailable("timed out".into()),
        StripeError::ClientError(e) => StripeFailure::Unavailable(e),
        StripeError::JSONDeserialize(e) => StripeFailure::Unavailable(format!("unreadable response: {e}")),
        StripeError::ConfigError(e) => StripeFailure::Unavailable(format!("configuration: {e}")),
    }
}

fn checkout_session(session: stripe_shared::CheckoutSession) -> StripeCheckoutSession {
    StripeCheckoutSession {
        id: session.id.to_string(),
        url: session.url,
        status: session.status.as_ref().map_or("open", |status| status.as_str()).to_owned(),
        customer: session.customer.map(|c| c.id().to_string()),
        subscription: session.subscription.map(|s| s.id().to_string()),
        client_reference_id: session.client_reference_id,
        expires_at: at(session.expires_at),
    }
}

fn convert_subscription(subscription: stripe_shared::Subscription) -> StripeSubscription {
    let item = subscription.items.data.first();
    let price = item.map(|item| &item.price);
    StripeSubscription {
        id: subscription.id.to_string(),
        customer: subscription.customer.id().to_string(),
        status: subscription.status.as_str().to_owned(),
        cancel_at_period_end: subscription.cancel_at_period_end,
        canceled_at: subscription.canceled_at.map(at),
        ended_at: subscription.ended_at.map(at),
        current_period_end: subscription.items.data.iter().map(|item| item.current_period_end).max().map(at),
        price_id: price.map(|p| p.id.to_string()),
        amount: item.and_then(|item| {
            let quantity = i64::try_from(item.quantity.unwrap_or(1)).unwrap_or(1);
            item.price.unit_amount.map(|unit| unit * quantity)
        }),
        currency: subscription.currency.to_string(),
        interval: price.and_then(|p| p.recurring.as_ref()).map(|r| r.interval.as_str().to_owned()),
        metadata: subscription.metadata,
        created: at(subscription.created),
    }
}

impl StripeSubscription {
    /// A subscription object as an event carries it (its state when the event
    /// was created, which may be long gone by the time it arrives).
    pub fn from_json(object: &serde_json::Value) -> Option<StripeSubscription> {
        let text = |v: &serde_json::Value| v.as_str().map(str::to_owned);
        let time = |v: &serde_json::Value| v.as_i64().map(at);
        let id_of = |v: &serde_json::Value| text(v).or_else(|| text(&v["id"]));
        let items = object["items"]["data"].as_array().cloned().unwrap_or_default();
        let item = items.first();
        let price = item.map(|item| &item["price"]);
        let quantity = item.and_then(|item| item["quantity"].as_i64()).unwrap_or(1);
        Some(StripeSubscription {
            id: text(&object["id"]).filter(|id| !id.is_empty())?,
            customer: id_of(&object["customer"])?,
            status: text(&object["status"])?,
            cancel_at_period_end: object["cancel_at_period_end"].as_bool().unwrap_or(false),
            canceled_at: time(&object["canceled_at"]),
            ended_at: time(&object["ended_at"]),
            current_period_end: items
                .iter()
                .filter_map(|item| item["current_period_end"].as_i64())
                .max()
                .or_else(|| object["current_period_end"].as_i64())
                .map(at),
            price_id: price.and_then(|p| text(&p["id"])),
            amount: price.and_then(|p| p["unit_amount"].as_i64()).map(|unit| unit * quantity),
            currency: text(&object["currency"]).unwrap_or_default(),
            interval: price.and_then(|p| text(&p["recurring"]["interval"])),
            metadata: object["metadata"]
                .as_object()
                .map(|m| m.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned()))).collect())
                .unwrap_or_default(),
            created: time(&object["created"]).unwrap_or_default(),
        })
    }
}

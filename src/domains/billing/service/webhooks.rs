//! Stripe's webhooks and the sync job.
//!
//! A delivery is checked (signature over the raw bytes, timestamp, JSON), then
//! stored with its processing job in one transaction, and answered at once;
//! Stripe's retries of an event already stored change nothing. The job never
//! trusts the event's snapshot of a subscription: it reads the subscription
//! from Stripe's API and applies that read if it is newer than the stored one
//! (see `subscriptions`); only when Stripe no longer has it does the snapshot
//! serve, dated by the event, so it cannot overwrite a newer read either.
//!
//! The sync job (cron, `STRIPE_SYNC_SCHEDULE`) reads every running
//! subscription and every open checkout from Stripe the same way, so what a
//! lost webhook would have said arrives anyway.

use chrono::{DateTime, Utc};
use entity::{
    checkout_session::{self, Status as CheckoutStatus},
    payment, stripe_event,
    subscription::{self, Source, Status},
};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, TryInsertResult,
    sea_query::{Expr, OnConflict},
};
use secrecy::ExposeSecret;
use serde_json::Value;
use uuid::Uuid;

use super::{
    checkout::{mark_checkout, stripe},
    subscriptions::{Applied, apply_stripe_subscription, billing_topic, link_customer, user_of_customer},
};
use crate::{
    domains::accounts::service as accounts,
    error::{AppError, AppResult},
    infra::stripe::{StripeFailure, StripeSubscription, signature},
    jobs::queue::Job,
    state::AppState,
    write::Write,
};

/// Why a delivery was refused: each is a 400 (or 404 when payments are off), and nothing is stored.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    #[error("payments are not configured on this server")]
    Disabled,
    #[error("{0}")]
    Signature(#[from] signature::SignatureError),
    #[error("the body is not a Stripe event: {0}")]
    Malformed(&'static str),
    #[error(transparent)]
    Failed(#[from] AppError),
}

/// What became of a genuine delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Stored; its job will process it.
    Stored,
    /// Stripe sent this event before: nothing to do.
    Duplicate,
}

/// Longest event id or type kept.
const MAX_ID: usize = 255;
const MAX_TYPE: usize = 100;

/// Checks a webhook delivery and stores it with its processing job.
pub async fn receive(state: &AppState, signature_header: Option<&str>, body: &[u8]) -> Result<Delivery, Refusal> {
    let config = state.config.billing.stripe.as_ref().ok_or(Refusal::Disabled)?;
    let secrets: Vec<&[u8]> = config.webhook_secrets.iter().map(|s| s.expose_secret().as_bytes()).collect();
    signature::verify(signature_header, body, &secrets, config.webhook_tolerance, Utc::now().timestamp())?;

    let event: Value = serde_json::from_slice(body).map_err(|_| Refusal::Malformed("not JSON"))?;
    let id =
        event["id"].as_str().filter(|id| !id.is_empty() && id.len() <= MAX_ID).ok_or(Refusal::Malformed("no id"))?;
    let kind =
        event["type"].as_str().filter(|t| !t.is_empty() && t.len() <= MAX_TYPE).ok_or(Refusal::Malformed("no type"))?;
    let created = event["created"]
        .as_i64()
        .and_then(|t| DateTime::from_timestamp(t, 0))
        .ok_or(Refusal::Malformed("no creation time"))?;
    if !event["data"]["object"].is_object() {
        return Err(Refusal::Malformed("no data.object"));
    }
    if has_nul(&event) {
        // PostgreSQL's JSON cannot hold a NUL; Stripe never sends one.
        return Err(Refusal::Malformed("a NUL character"));
    }

    let write = Write::begin(state).await?;
    let inserted = stripe_event::Entity::insert(stripe_event::ActiveModel {
        id: Set(id.to_owned()),
        kind: Set(kind.to_owned()),
        created_at: Set(created),
        livemode: Set(event["livemode"].as_bool().unwrap_or(false)),
        payload: Set(event.clone()),
        received_at: Set(Utc::now()),
        processed_at: Set(None),
        outcome: Set(None),
    })
    .on_conflict_do_nothing()
    .exec_without_returning(&write)
    .await
    .map_err(AppError::from)?;
    if !matches!(inserted, TryInsertResult::Inserted(1)) {
        return Ok(Delivery::Duplicate);
    }
    write.enqueue(&Job::StripeEvent { event: id.to_owned() }).await?;
    write.commit().await?;
    tracing::info!(event.id = id, event.kind = kind, "Stripe event stored");
    Ok(Delivery::Stored)
}

/// Whether any key or string in `value` holds a NUL.
fn has_nul(value: &Value) -> bool {
    match value {
        Value::String(text) => text.contains('\0'),
        Value::Array(items) => items.iter().any(has_nul),
        Value::Object(map) => map.iter().any(|(key, value)| key.contains('\0') || has_nul(value)),
        _ => false,
    }
}

/// Processes a stored event (the `stripe_event` job). An event processed
/// before is not processed again; a failure (Stripe unreachable) fails the job,
/// which retries.
pub async fn process_event(state: &AppState, event_id: &str) -> AppResult<()> {
    let Some(event) = stripe_event::Entity::find_by_id(event_id).one(&state.db).await? else {
        return Ok(());
    };
    if event.processed_at.is_some() {
        return Ok(());
    }
    let object = &event.payload["data"]["object"];
    let outcome = match event.kind.as_str() {
        "checkout.session.completed" | "checkout.session.async_payment_succeeded" => {
            match Completed::from_json(object) {
                Some(completed) => checkout_completed(state, &completed).await?,
                None => "ignored: no session id".to_owned(),
            }
        }
        "checkout.session.expired" => match object["id"].as_str() {
            Some(id) => {
                mark_checkout(state, id, CheckoutStatus::Expired).await?;
                "applied: checkout expired".to_owned()
            }
            None => "ignored: no session id".to_owned(),
        },
        kind if kind.starts_with("customer.subscription.") => match object["id"].as_str() {
            Some(id) => describe(sync_subscription(state, id, Some((object, event.created_at)), None).await?),
            None => "ignored: no subscription id".to_owned(),
        },
        kind @ ("invoice.paid" | "invoice.payment_succeeded" | "invoice.payment_failed") => {
            invoice(state, kind != "invoice.payment_failed", object).await?
        }
        _ => "ignored: not a type this server handles".to_owned(),
    };
    stripe_event::Entity::update_many()
        .col_expr(stripe_event::Column::ProcessedAt, Expr::value(Utc::now()))
        .col_expr(stripe_event::Column::Outcome, Expr::value(outcome.clone()))
        .filter(stripe_event::Column::Id.eq(event_id))
        .filter(stripe_event::Column::ProcessedAt.is_null())
        .exec(&state.db)
        .await?;
    tracing::info!(event.id = event_id, event.kind = %event.kind, outcome, "Stripe event processed");
    Ok(())
}

fn describe(applied: Applied) -> String {
    match applied {
        Applied::Changed { before, after, .. } => format!("applied: {before:?} -> {after:?}"),
        Applied::Stale => "ignored: the stored subscription is newer".to_owned(),
        Applied::UnknownCustomer => "ignored: unknown customer".to_owned(),
    }
}

/// Reads subscription `id` from Stripe and applies it. When Stripe has no such
/// subscription, the event's snapshot (dated by the event) is applied instead.
async fn sync_subscription(
    state: &AppState,
    id: &str,
    snapshot: Option<(&Value, DateTime<Utc>)>,
    user_hint: Option<Uuid>,
) -> AppResult<Applied> {
    let api = stripe(state)?;
    let read = api.retrieve_subscription(id).await.map_err(failed)?;
    let read_at = Utc::now();
    match read {
        Some(current) => apply_stripe_subscription(state, &current, read_at, user_hint).await,
        None => match snapshot.and_then(|(object, at)| Some((StripeSubscription::from_json(object)?, at))) {
            Some((snapshot, at)) => apply_stripe_subscription(state, &snapshot, at, user_hint).await,
            None => Ok(Applied::Stale),
        },
    }
}

fn failed(failure: StripeFailure) -> AppError {
    AppError::Upstream { what: super::checkout::PROVIDER, cause: anyhow::Error::new(failure) }
}

/// A checkout Stripe reports complete.
struct Completed {
    id: String,
    customer: Option<String>,
    subscription: Option<String>,
    client_reference_id: Option<String>,
}

impl Completed {
    fn from_json(object: &Value) -> Option<Completed> {
        let id_of = |v: &Value| v.as_str().or_else(|| v["id"].as_str()).map(str::to_owned);
        Some(Completed {
            id: object["id"].as_str()?.to_owned(),
            customer: id_of(&object["customer"]),
            subscription: id_of(&object["subscription"]),
            client_reference_id: object["client_reference_id"].as_str().map(str::to_owned),
        })
    }
}

/// Links the customer to the user the checkout was for and applies the new subscription.
async fn checkout_completed(state: &AppState, completed: &Completed) -> AppResult<String> {
    let stored = checkout_session::Entity::find_by_id(completed.id.clone()).one(&state.db).await?;
    let user_id = match &stored {
        Some(session) => Some(session.user_id),
        // A checkout this server did not record (its row was lost, or it was made elsewhere
        // for one of our users): the user id it carries, if that user exists.
        None => match completed.client_reference_id.as_deref().and_then(|r| Uuid::parse_str(r).ok()) {
            Some(user) if accounts::find_user(&state.db, user).await?.is_some() => Some(user),
            _ => None,
        },
    };
    let Some(user_id) = user_id else { return Ok("ignored: no user for this checkout".to_owned()) };
    if let Some(customer) = &completed.customer {
        link_customer(&state.db, user_id, customer).await?;
    }
    mark_checkout(state, &completed.id, CheckoutStatus::Complete).await?;
    match &completed.subscription {
        Some(subscription) => Ok(describe(sync_subscription(state, subscription, None, Some(user_id)).await?)),
        None => Ok("applied: checkout complete, no subscription".to_owned()),
    }
}

/// Records an invoice paid (or a failed attempt) and applies its subscription.
async fn invoice(state: &AppState, paid: bool, object: &Value) -> AppResult<String> {
    let Some(invoice_id) = object["id"].as_str() else { return Ok("ignored: no invoice id".to_owned()) };
    let id_of = |v: &Value| v.as_str().or_else(|| v["id"].as_str()).map(str::to_owned);
    let subscription_id =
        id_of(&object["parent"]["subscription_details"]["subscription"]).or_else(|| id_of(&object["subscription"]));
    let customer = id_of(&object["customer"]);
    let time = |v: &Value| v.as_i64().and_then(|t| DateTime::from_timestamp(t, 0));

    // The invoice may arrive before anything else about its subscription: then the
    // subscription is read from Stripe first (its metadata names the user).
    let mut synced = None;
    let mut user_id = invoice_user(state, subscription_id.as_deref(), customer.as_deref()).await?;
    if user_id.is_none()
        && let Some(sid) = &subscription_id
    {
        synced = Some(describe(sync_subscription(state, sid, None, None).await?));
        user_id = invoice_user(state, Some(sid), customer.as_deref()).await?;
    }
    let Some(user_id) = user_id else { return Ok("ignored: unknown customer".to_owned()) };
    let txn = Write::begin(state).await?;
    let status = if paid { payment::Status::Paid } else { payment::Status::Failed };
    let amount = if paid { object["amount_paid"].as_i64() } else { object["amount_due"].as_i64() }.unwrap_or(0);
    let line = &object["lines"]["data"][0]["period"];
    let now = Utc::now();
    let existing = payment::Entity::find().filter(payment::Column::StripeInvoiceId.eq(invoice_id)).one(&txn).await?;
    match existing {
        None => {
            payment::Entity::insert(payment::ActiveModel {
                id: Set(Uuid::now_v7()),
                user_id: Set(user_id),
                stripe_invoice_id: Set(invoice_id.to_owned()),
                stripe_subscription_id: Set(subscription_id.clone()),
                amount: Set(amount),
                currency: Set(object["currency"].as_str().unwrap_or_default().to_owned()),
                status: Set(status),
                invoice_url: Set(object["hosted_invoice_url"].as_str().map(str::to_owned)),
                period_start: Set(time(&object["period_start"]).or_else(|| time(&line["start"]))),
                period_end: Set(time(&object["period_end"]).or_else(|| time(&line["end"]))),
                created_at: Set(time(&object["created"]).unwrap_or(now)),
                updated_at: Set(now),
            })
            .on_conflict(OnConflict::column(payment::Column::StripeInvoiceId).do_nothing().to_owned())
            .exec_without_returning(&txn)
            .await?;
        }
        // A paid invoice stays paid; a failed one becomes paid when a retry succeeds.
        Some(row) if row.status == payment::Status::Failed && paid => {
            payment::Entity::update_many()
                .col_expr(payment::Column::Status, Expr::value(payment::Status::Paid))
                .col_expr(payment::Column::Amount, Expr::value(amount))
                .col_expr(payment::Column::UpdatedAt, Expr::value(now))
                .filter(payment::Column::Id.eq(row.id))
                .exec(&txn)
                .await?;
        }
        Some(_) => {}
    }
    txn.publish(billing_topic(user_id), &serde_json::json!({ "at": now }));
    txn.commit().await?;
    let applied = match (synced, subscription_id) {
        (Some(synced), _) => synced,
        (None, Some(sid)) => describe(sync_subscription(state, &sid, None, Some(user_id)).await?),
        (None, None) => "no subscription".to_owned(),
    };
    Ok(format!("applied: payment {status:?}; subscription {applied}"))
}

/// Whose invoice this is: the user of its subscription, or of its customer.
async fn invoice_user(
    state: &AppState,
    subscription_id: Option<&str>,
    customer: Option<&str>,
) -> AppResult<Option<Uuid>> {
    if let Some(sid) = subscription_id
        && let Some(row) = subscription::Entity::find()
            .filter(subscription::Column::StripeSubscriptionId.eq(sid))
            .one(&state.db)
            .await?
    {
        return Ok(Some(row.user_id));
    }
    match customer {
        Some(customer) => user_of_customer(&state.db, customer).await,
        None => Ok(None),
    }
}

/// What the sync job did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub subscriptions: usize,
    pub changed: usize,
    pub checkouts: usize,
    pub failed: usize,
}

/// Reads every running Stripe subscription and every open checkout from
/// Stripe and applies what changed. Safe to run on several workers at once
/// (each apply is ordered by its read); fails (and is retried) when Stripe
/// could not be reached for some of them.
pub async fn sync_all(state: &AppState) -> AppResult<SyncReport> {
    let api = stripe(state)?;
    let mut report = SyncReport::default();
    let mut after: Option<Uuid> = None;
    loop {
        let mut select = subscription::Entity::find()
            .filter(subscription::Column::Source.eq(Source::Stripe))
            .filter(subscription::Column::Status.is_not_in([Status::Canceled, Status::IncompleteExpired]))
            .order_by_asc(subscription::Column::Id)
            .limit(100);
        if let Some(after) = after {
            select = select.filter(subscription::Column::Id.gt(after));
        }
        let batch = select.all(&state.db).await?;
        let Some(last) = batch.last() else { break };
        after = Some(last.id);
        for row in batch {
            let Some(stripe_id) = row.stripe_subscription_id else { continue };
            report.subscriptions += 1;
            match sync_subscription(state, &stripe_id, None, Some(row.user_id)).await {
                Ok(Applied::Changed { before, after, .. }) if before != Some(after) => report.changed += 1,
                Ok(_) => {}
                Err(err) => {
                    report.failed += 1;
                    tracing::warn!(subscription = %stripe_id, error = %err, "could not sync a subscription");
                }
            }
        }
    }
    let open = checkout_session::Entity::find()
        .filter(checkout_session::Column::Status.eq(CheckoutStatus::Open))
        .order_by_asc(checkout_session::Column::CreatedAt)
        .all(&state.db)
        .await?;
    for session in open {
        report.checkouts += 1;
        let result = async {
            let current = api.retrieve_checkout_session(&session.id).await.map_err(failed)?;
            match current.status.as_str() {
                "complete" => {
                    let completed = Completed {
                        id: current.id,
                        customer: current.customer,
                        subscription: current.subscription,
                        client_reference_id: current.client_reference_id,
                    };
                    checkout_completed(state, &completed).await?;
                    report.changed += 1;
                }
                "expired" => mark_checkout(state, &session.id, CheckoutStatus::Expired).await?,
                _ => {}
            }
            Ok::<_, AppError>(())
        }
        .await;
        if let Err(err) = result {
            report.failed += 1;
            tracing::warn!(checkout = %session.id, error = %err, "could not sync a checkout");
        }
    }
    if report.failed > 0 {
        return Err(anyhow::anyhow!("{} of the billing records could not be synced with Stripe", report.failed).into());
    }
    Ok(report)
}

/// A stored event by Stripe's id (what processing made of it is in `outcome`).
pub async fn stored_event(db: &impl ConnectionTrait, id: &str) -> AppResult<Option<stripe_event::Model>> {
    Ok(stripe_event::Entity::find_by_id(id).one(db).await?)
}

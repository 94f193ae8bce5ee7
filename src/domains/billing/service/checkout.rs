//! What a reader does with their plan: open Stripe Checkout, open the
//! Billing Portal, cancel at the period's end and take that back.
//!
//! Stripe is called before anything is written, and what it answered is then
//! stored in one transaction: when Stripe fails, nothing is left half-done.
//! Every write to Stripe carries an idempotency key, so a retry, or a second
//! request racing the first, gets Stripe's first answer instead of a second
//! object.

use chrono::{Duration, Utc};
use entity::{
    checkout_session::{self, Status as CheckoutStatus},
    subscription::{self, Source, Status},
};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, sea_query::Expr};
use uuid::Uuid;

use super::{
    plans::find_plan,
    subscriptions::{Applied, apply_stripe_subscription, customer_of, link_customer},
};
use crate::{
    auth::Viewer,
    domains::accounts::service as accounts,
    error::{AppError, AppResult},
    infra::stripe::{NewCheckout, StripeApi, StripeFailure},
    state::{AppState, BeginWrite},
};

/// What readers are told when Stripe fails (the cause is logged with the request id).
pub(super) const PROVIDER: &str = "The payment provider";

pub(super) fn upstream(failure: StripeFailure) -> AppError {
    AppError::Upstream { what: PROVIDER, cause: anyhow::Error::new(failure) }
}

pub(super) fn stripe(state: &AppState) -> AppResult<&StripeApi> {
    state.stripe.as_deref().ok_or(AppError::PaymentsDisabled)
}

/// Longest `successPath`.
pub const MAX_PATH: usize = 200;

/// An app path to send the reader back to: `/…`, not `//…`, no scheme, no
/// control characters (so it can only lead back into this app).
fn app_path(field: &'static str, path: Option<&str>, default: &str) -> AppResult<String> {
    let Some(path) = path else { return Ok(default.to_owned()) };
    let ok = path.starts_with('/')
        && !path.starts_with("//")
        && !path.starts_with("/\\")
        && path.len() <= MAX_PATH
        && !path.chars().any(|c| c.is_control() || c.is_whitespace() || c == '\\');
    if !ok {
        return Err(AppError::bad_input(field, format!("{field} must be a path in this app, like /billing/return")));
    }
    Ok(path.to_owned())
}

/// A Checkout session for the viewer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkout {
    pub id: String,
    pub url: String,
    pub plan_id: String,
    pub expires_at: chrono::DateTime<Utc>,
}

impl From<checkout_session::Model> for Checkout {
    fn from(row: checkout_session::Model) -> Self {
        Checkout { id: row.id, url: row.url, plan_id: row.plan_id, expires_at: row.expires_at }
    }
}

/// A session this close to its expiry is not handed out again.
const REUSE_MARGIN: Duration = Duration::minutes(10);

/// Opens (or reuses) a Stripe Checkout session for `plan_id`.
///
/// Refused with PAYMENTS_DISABLED when payments are off, EMAIL_NOT_VERIFIED
/// before the address is verified, BAD_USER_INPUT on `planId` for an unknown
/// plan, CONFLICT while a paid subscription runs, UPSTREAM_UNAVAILABLE when
/// Stripe fails.
pub async fn start_checkout(
    state: &AppState,
    viewer: &Viewer,
    plan_id: &str,
    success_path: Option<&str>,
) -> AppResult<Checkout> {
    let api = stripe(state)?;
    let user_id = viewer.require_signed_in()?;
    let plan = find_plan(state, plan_id)?;
    let success_path = app_path("successPath", success_path, "/billing/return")?;
    let user = accounts::get_user(&state.db, user_id).await?;
    if user.email_verified_at.is_none() {
        return Err(AppError::EmailNotVerified("Verify your email address before subscribing"));
    }
    let running = subscription::Entity::find()
        .filter(subscription::Column::UserId.eq(user_id))
        .filter(subscription::Column::Source.eq(Source::Stripe))
        .filter(subscription::Column::Status.is_in([
            Status::Active,
            Status::Trialing,
            Status::PastDue,
            Status::Unpaid,
            Status::Paused,
        ]))
        .count(&state.db)
        .await?;
    if running > 0 {
        return Err(AppError::conflict("planId", "You already have a subscription; manage it in Settings"));
    }

    // One open checkout at a time: the same plan's is handed out again, another plan's is expired first.
    let now = Utc::now();
    let open = checkout_session::Entity::find()
        .filter(checkout_session::Column::UserId.eq(user_id))
        .filter(checkout_session::Column::Status.eq(CheckoutStatus::Open))
        .all(&state.db)
        .await?;
    for session in open {
        if session.plan_id == plan.id && session.expires_at > now + REUSE_MARGIN {
            return Ok(session.into());
        }
        let expired = match api.expire_checkout_session(&session.id).await {
            Ok(expired) => expired.status,
            // Already complete or expired at Stripe: ask what it is now.
            Err(StripeFailure::Refused { status: 400, .. }) => {
                api.retrieve_checkout_session(&session.id).await.map_err(upstream)?.status
            }
            Err(failure) if failure.is_missing() => "expired".to_owned(),
            Err(failure) => return Err(upstream(failure)),
        };
        if expired == "complete" {
            return Err(AppError::conflict("planId", "Your last checkout was just paid; your plan is on its way"));
        }
        mark_checkout(state, &session.id, CheckoutStatus::Expired).await?;
    }

    let customer = match customer_of(&state.db, user_id).await? {
        Some(customer) => customer,
        None => api.create_customer(&user_id.to_string(), &user.email, &user.display_name).await.map_err(upstream)?,
    };
    // The how-manieth checkout of this user: two requests racing for the same
    // one send the same key, and Stripe gives both the same session.
    let attempt =
        checkout_session::Entity::find().filter(checkout_session::Column::UserId.eq(user_id)).count(&state.db).await?
            + 1;
    let success_url = format!("{}?session_id={{CHECKOUT_SESSION_ID}}", state.link(&success_path, None));
    let cancel_url = format!("{}?canceled=1", state.link("/pricing", None));
    let user_ref = user_id.to_string();
    let new = NewCheckout {
        customer: &customer,
        price_id: &plan.price_id,
        user_id: &user_ref,
        plan_id: &plan.id,
        success_url: &success_url,
        cancel_url: &cancel_url,
    };
    let session = match api.create_checkout_session(&new, &format!("lectern-checkout-{user_id}-{attempt}")).await {
        Ok(session) => session,
        Err(StripeFailure::Refused { kind, .. }) if kind.contains("idempotency") => {
            return Err(AppError::conflict("planId", "Another checkout is being opened; try again in a moment"));
        }
        Err(failure) => return Err(upstream(failure)),
    };
    let url = session.url.clone().ok_or_else(|| anyhow::anyhow!("Stripe returned a Checkout session without a URL"))?;

    let txn = state.db.begin_write().await?;
    link_customer(&txn, user_id, &customer).await?;
    checkout_session::Entity::insert(checkout_session::ActiveModel {
        id: Set(session.id.clone()),
        user_id: Set(user_id),
        plan_id: Set(plan.id.clone()),
        url: Set(url),
        status: Set(CheckoutStatus::Open),
        attempt: Set(i32::try_from(attempt).unwrap_or(i32::MAX)),
        expires_at: Set(session.expires_at),
        created_at: Set(now),
    })
    .on_conflict_do_nothing()
    .exec_without_returning(&txn)
    .await?;
    let stored = checkout_session::Entity::find_by_id(session.id.clone())
        .one(&txn)
        .await?
        .ok_or_else(|| anyhow::anyhow!("a stored checkout session went missing"))?;
    txn.commit().await?;
    Ok(stored.into())
}

/// Sets a stored checkout's status (a no-op for an unknown one).
pub(super) async fn mark_checkout(state: &AppState, id: &str, status: CheckoutStatus) -> AppResult<()> {
    checkout_session::Entity::update_many()
        .col_expr(checkout_session::Column::Status, Expr::value(status))
        .filter(checkout_session::Column::Id.eq(id))
        .exec(&state.db)
        .await?;
    Ok(())
}

/// A Stripe Billing Portal link for the viewer (card, invoices, plan changes,
/// cancellation). NOT_FOUND before their first checkout.
pub async fn open_billing_portal(state: &AppState, viewer: &Viewer, return_path: Option<&str>) -> AppResult<String> {
    let api = stripe(state)?;
    let user_id = viewer.require_signed_in()?;
    let return_path = app_path("returnPath", return_path, "/settings")?;
    let customer = customer_of(&state.db, user_id).await?.ok_or(AppError::NotFound("Billing account"))?;
    let key = format!("lectern-portal-{}", Uuid::now_v7());
    api.create_portal_session(&customer, &state.link(&return_path, None), &key).await.map_err(upstream)
}

/// Cancels the viewer's paid subscription at the end of its period (`cancel`),
/// or takes that back; returns it as Stripe has it now. NOT_FOUND without a
/// running paid subscription.
pub async fn set_cancel_at_period_end(
    state: &AppState,
    viewer: &Viewer,
    cancel: bool,
) -> AppResult<subscription::Model> {
    let api = stripe(state)?;
    let user_id = viewer.require_signed_in()?;
    let running = subscription::Entity::find()
        .filter(subscription::Column::UserId.eq(user_id))
        .filter(subscription::Column::Source.eq(Source::Stripe))
        .filter(subscription::Column::Status.is_in([Status::Active, Status::Trialing, Status::PastDue]))
        .order_by_desc(subscription::Column::CreatedAt)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound("Subscription"))?;
    let stripe_id = running.stripe_subscription_id.clone().ok_or(AppError::NotFound("Subscription"))?;
    // A fresh key per request: the same change asked again later must reach Stripe again.
    let key = format!("lectern-cancel-{stripe_id}-{cancel}-{}", Uuid::now_v7());
    let updated = api.set_cancel_at_period_end(&stripe_id, cancel, &key).await.map_err(upstream)?;
    match apply_stripe_subscription(state, &updated, Utc::now(), Some(user_id)).await? {
        Applied::Changed { .. } | Applied::Stale => {}
        Applied::UnknownCustomer => return Err(anyhow::anyhow!("a stored subscription lost its user").into()),
    }
    subscription::Entity::find_by_id(running.id).one(&state.db).await?.ok_or(AppError::NotFound("Subscription"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_inside_the_app_are_return_paths() {
        assert_eq!(app_path("p", None, "/billing/return").unwrap(), "/billing/return");
        assert_eq!(app_path("p", Some("/posts/x?y=1"), "/").unwrap(), "/posts/x?y=1");
        for bad in ["https://evil.example/", "//evil.example", "/\\evil", "posts", "/a b", "/a\nb", ""] {
            assert!(app_path("p", Some(bad), "/").is_err(), "{bad:?}");
        }
        assert!(app_path("p", Some(&format!("/{}", "a".repeat(MAX_PATH))), "/").is_err());
    }
}

//! GraphQL surface of billing: plans, checkout, the portal, cancel and
//! resume, subscriptions and payments (the reader's own, and every one for
//! admins), complimentary plans, and `billingChanged` over the websocket.
//!
//! The mutations that call Stripe box their service futures: async-stripe's
//! futures are the largest of any resolver, and the merged mutation root nests
//! one copy of the largest per domain on the stack (an unoptimised build's
//! 2 MiB thread overflowed on a Stripe error once enough domains were merged).

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject, Subscription};
use chrono::{DateTime, Utc};
use entity::{payment, subscription};
use futures::{StreamExt, stream::BoxStream};

use super::{loaders::CurrentSubscription, service};
use crate::{
    domains::accounts::{Role, loaders::UserById, schema::User},
    graphql::{
        ContextExt, Require,
        pagination::{Connection, connection, page_args},
        parse_id,
    },
};

/// How often a plan bills.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(name = "BillingInterval", remote = "entity::subscription::Interval")]
pub enum GqlBillingInterval {
    Month,
    Year,
}

/// Where a subscription is in its life (Stripe's statuses).
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(name = "SubscriptionStatus", remote = "entity::subscription::Status")]
pub enum GqlSubscriptionStatus {
    /// The first payment has not gone through yet.
    Incomplete,
    /// The first payment never went through; ended.
    IncompleteExpired,
    /// In a free trial: entitled.
    Trialing,
    /// Paid up: entitled.
    Active,
    /// A renewal failed: entitled until the grace period ends (`graceEndsAt`).
    PastDue,
    /// Ended.
    Canceled,
    /// Renewals kept failing: not entitled.
    Unpaid,
    /// Paused: not entitled.
    Paused,
}

/// Where a subscription comes from.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(name = "SubscriptionSource", remote = "entity::subscription::Source")]
pub enum GqlSubscriptionSource {
    /// Paid through Stripe.
    Stripe,
    /// Granted by an admin.
    Complimentary,
}

/// Whether a payment went through.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(name = "PaymentStatus", remote = "entity::payment::Status")]
pub enum GqlPaymentStatus {
    Paid,
    /// An attempt to collect failed (Stripe retries it).
    Failed,
}

/// An amount of money, as Stripe counts it.
#[derive(SimpleObject)]
#[graphql(name = "Money")]
pub struct GqlMoney {
    /// In the currency's minor units (cents): 900 is 9.00 USD.
    pub amount: i64,
    /// ISO 4217 code, lowercase (`usd`).
    pub currency: String,
}

impl From<service::Money> for GqlMoney {
    fn from(money: service::Money) -> Self {
        GqlMoney { amount: money.amount, currency: money.currency }
    }
}

/// A plan a reader can subscribe to.
pub struct PlanOption(service::Plan);

/// A plan a reader can subscribe to; its price is Stripe's (configured in `STRIPE_PLANS`).
#[Object]
impl PlanOption {
    /// What `startCheckout` takes (`monthly`).
    async fn id(&self) -> &str {
        &self.0.id
    }

    /// What readers see (`Monthly`).
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The price per interval.
    async fn price(&self) -> GqlMoney {
        self.0.price.clone().into()
    }

    /// How often it bills.
    async fn interval(&self) -> GqlBillingInterval {
        self.0.interval.into()
    }
}

/// A user's plan: a Stripe subscription, or a complimentary grant by an admin.
pub struct BillingSubscription(pub subscription::Model);

/// A user's plan: a copy of their Stripe subscription, or a complimentary
/// plan an admin granted. `entitled` says whether it unlocks premium posts now.
#[Object(name = "Subscription")]
impl BillingSubscription {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// Paid through Stripe, or complimentary.
    async fn source(&self) -> GqlSubscriptionSource {
        self.0.source.into()
    }

    /// The configured plan it is on (null for complimentary, or a price no longer on sale).
    async fn plan_id(&self) -> Option<&str> {
        self.0.plan_id.as_deref()
    }

    /// What readers call it: the plan's name, "Complimentary", or "Premium".
    async fn plan_name(&self, ctx: &Context<'_>) -> String {
        if self.0.source == subscription::Source::Complimentary {
            return "Complimentary".to_owned();
        }
        let plans = service::plans(ctx.state());
        self.0
            .plan_id
            .as_deref()
            .and_then(|id| plans.into_iter().find(|p| p.id == id))
            .map_or_else(|| "Premium".to_owned(), |p| p.name)
    }

    async fn status(&self) -> GqlSubscriptionStatus {
        self.0.status.into()
    }

    /// What each period costs, from Stripe's price (null for complimentary).
    async fn price(&self) -> Option<GqlMoney> {
        Some(GqlMoney { amount: self.0.amount?, currency: self.0.currency.clone()? })
    }

    async fn interval(&self) -> Option<GqlBillingInterval> {
        self.0.interval.map(Into::into)
    }

    /// The renewal date (or, with `cancelAtPeriodEnd`, the end); for a complimentary
    /// plan its end (null: no end).
    async fn current_period_end(&self) -> Option<DateTime<Utc>> {
        self.0.current_period_end
    }

    /// Set to end at `currentPeriodEnd` instead of renewing.
    async fn cancel_at_period_end(&self) -> bool {
        self.0.cancel_at_period_end
    }

    async fn canceled_at(&self) -> Option<DateTime<Utc>> {
        self.0.canceled_at
    }

    /// When a renewal failed (while PAST_DUE).
    async fn past_due_since(&self) -> Option<DateTime<Utc>> {
        self.0.past_due_since
    }

    /// While PAST_DUE: when access ends unless the payment goes through.
    async fn grace_ends_at(&self, ctx: &Context<'_>) -> Option<DateTime<Utc>> {
        service::grace_end(ctx.state(), &self.0)
    }

    /// Whether it unlocks premium posts now.
    async fn entitled(&self, ctx: &Context<'_>) -> bool {
        service::entitled(&self.0, Utc::now(), ctx.state().config.billing.past_due_grace)
    }

    /// Whose plan it is.
    async fn user(&self, ctx: &Context<'_>) -> Result<User> {
        let user = ctx.loader().load_one(UserById(self.0.user_id)).await?;
        Ok(user.ok_or_else(|| async_graphql::Error::new("The subscription's user is gone"))?.into())
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// An invoice of a subscription: paid, or a failed attempt.
pub struct Payment(pub payment::Model);

/// An invoice of a paid subscription, as Stripe reported it.
#[Object]
impl Payment {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// Paid (or, when FAILED, due).
    async fn price(&self) -> GqlMoney {
        GqlMoney { amount: self.0.amount, currency: self.0.currency.clone() }
    }

    async fn status(&self) -> GqlPaymentStatus {
        self.0.status.into()
    }

    /// Stripe's page for the invoice (receipt and PDF).
    async fn invoice_url(&self) -> Option<&str> {
        self.0.invoice_url.as_deref()
    }

    /// The period it pays for.
    async fn period_start(&self) -> Option<DateTime<Utc>> {
        self.0.period_start
    }

    async fn period_end(&self) -> Option<DateTime<Utc>> {
        self.0.period_end
    }

    /// When Stripe created the invoice.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// Who paid.
    async fn user(&self, ctx: &Context<'_>) -> Result<User> {
        let user = ctx.loader().load_one(UserById(self.0.user_id)).await?;
        Ok(user.ok_or_else(|| async_graphql::Error::new("The payment's user is gone"))?.into())
    }
}

/// A Stripe Checkout page to send the reader to.
#[derive(SimpleObject)]
pub struct CheckoutSession {
    /// Stripe's id (`cs_…`).
    pub id: ID,
    /// The hosted payment page: send the browser here.
    pub url: String,
    pub plan_id: String,
    /// After this the page no longer takes payments.
    pub expires_at: DateTime<Utc>,
}

/// A Stripe Billing Portal page for the viewer.
#[derive(SimpleObject)]
pub struct BillingPortalSession {
    /// Short-lived: open it at once, do not store it.
    pub url: String,
}

/// The admin's billing figures.
#[derive(SimpleObject)]
pub struct BillingOverview {
    /// Users a paid subscription entitles now (PAST_DUE in its grace included).
    pub active_subscribers: u64,
    /// Of those, the ones whose renewal failed.
    pub past_due: u64,
    /// Of those, the ones set to end with their period.
    pub cancelling: u64,
    /// Users entitled by a complimentary plan only.
    pub complimentary: u64,
    /// Monthly recurring revenue of the paid subscriptions, per currency (a yearly price counts a twelfth).
    pub mrr: Vec<GqlMoney>,
}

#[derive(InputObject)]
pub struct StartCheckoutInput {
    /// A plan's `id` from `plans`.
    pub plan_id: String,
    /// Where Stripe sends the reader after paying: a path in this app (default `/billing/return`);
    /// `?session_id=…` is added.
    pub success_path: Option<String>,
}

#[derive(InputObject)]
pub struct GrantComplimentaryPlanInput {
    pub user_id: ID,
    /// When it ends (in the future); null: no end.
    pub until: Option<DateTime<Utc>>,
}

#[derive(InputObject, Default)]
pub struct SubscriptionFilter {
    pub status: Option<GqlSubscriptionStatus>,
    pub source: Option<GqlSubscriptionSource>,
}

#[derive(Default)]
pub struct BillingQuery;

#[Object]
impl BillingQuery {
    /// The plans on sale (empty when payments are not configured).
    async fn plans(&self, ctx: &Context<'_>) -> Vec<PlanOption> {
        service::plans(ctx.state()).into_iter().map(PlanOption).collect()
    }

    /// Whether this server takes payments (with no Stripe key, premium is granted by admins).
    async fn payments_enabled(&self, ctx: &Context<'_>) -> bool {
        service::payments_enabled(ctx.state())
    }

    /// Every subscription, newest first (admins only).
    #[graphql(
        guard = "Require::Role(Role::Admin)",
        complexity = "crate::graphql::pagination::page_complexity(child_complexity, first, last)"
    )]
    async fn subscriptions(
        &self,
        ctx: &Context<'_>,
        filter: Option<SubscriptionFilter>,
        #[graphql(desc = "At most 100.")] first: Option<i32>,
        after: Option<String>,
        #[graphql(desc = "At most 100.")] last: Option<i32>,
        before: Option<String>,
    ) -> Result<Connection<BillingSubscription>> {
        let args = page_args(ctx, first, after, last, before);
        let filter = filter.unwrap_or_default();
        let filter = service::SubscriptionFilter {
            status: filter.status.map(Into::into),
            source: filter.source.map(Into::into),
        };
        Ok(connection(service::list_subscriptions(&ctx.state().db, filter, &args).await?, BillingSubscription))
    }

    /// Every payment, newest first (admins only).
    #[graphql(
        guard = "Require::Role(Role::Admin)",
        complexity = "crate::graphql::pagination::page_complexity(child_complexity, first, last)"
    )]
    async fn payments(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most 100.")] first: Option<i32>,
        after: Option<String>,
        #[graphql(desc = "At most 100.")] last: Option<i32>,
        before: Option<String>,
    ) -> Result<Connection<Payment>> {
        let args = page_args(ctx, first, after, last, before);
        Ok(connection(service::list_payments(&ctx.state().db, None, &args).await?, Payment))
    }

    /// Subscriber counts and MRR (admins only).
    #[graphql(guard = "Require::Role(Role::Admin)")]
    async fn billing_overview(&self, ctx: &Context<'_>) -> Result<BillingOverview> {
        let overview = service::overview(ctx.state()).await?;
        Ok(BillingOverview {
            active_subscribers: overview.active_subscribers,
            past_due: overview.past_due,
            cancelling: overview.cancelling,
            complimentary: overview.complimentary,
            mrr: overview.mrr.into_iter().map(Into::into).collect(),
        })
    }
}

#[derive(Default)]
pub struct BillingMutation;

#[Object]
impl BillingMutation {
    /// Opens Stripe Checkout for a plan (the open one is reused). PAYMENTS_DISABLED
    /// without Stripe, EMAIL_NOT_VERIFIED before the address is verified,
    /// BAD_USER_INPUT on `planId` for an unknown plan, CONFLICT while a paid
    /// subscription runs, UPSTREAM_UNAVAILABLE when Stripe fails.
    #[graphql(guard = "Require::SignedIn")]
    async fn start_checkout(&self, ctx: &Context<'_>, input: StartCheckoutInput) -> Result<CheckoutSession> {
        let checkout =
            Box::pin(service::start_checkout(ctx.state(), ctx.viewer(), &input.plan_id, input.success_path.as_deref()))
                .await?;
        Ok(CheckoutSession {
            id: ID(checkout.id),
            url: checkout.url,
            plan_id: checkout.plan_id,
            expires_at: checkout.expires_at,
        })
    }

    /// A Stripe Billing Portal page for the viewer (card, invoices, plan, cancellation);
    /// NOT_FOUND before their first checkout.
    #[graphql(guard = "Require::SignedIn")]
    async fn open_billing_portal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Where the portal's return link leads: a path in this app (default `/settings`).")]
        return_path: Option<String>,
    ) -> Result<BillingPortalSession> {
        let url = Box::pin(service::open_billing_portal(ctx.state(), ctx.viewer(), return_path.as_deref())).await?;
        Ok(BillingPortalSession { url })
    }

    /// Ends the viewer's paid subscription when its period ends (access continues
    /// until then). NOT_FOUND without a running paid subscription.
    #[graphql(guard = "Require::SignedIn")]
    async fn cancel_subscription(&self, ctx: &Context<'_>) -> Result<BillingSubscription> {
        Ok(BillingSubscription(Box::pin(service::set_cancel_at_period_end(ctx.state(), ctx.viewer(), true)).await?))
    }

    /// Takes back a cancellation before the period ends.
    #[graphql(guard = "Require::SignedIn")]
    async fn resume_subscription(&self, ctx: &Context<'_>) -> Result<BillingSubscription> {
        Ok(BillingSubscription(Box::pin(service::set_cancel_at_period_end(ctx.state(), ctx.viewer(), false)).await?))
    }

    /// Grants a user premium without payment until a date (or with no end), or moves
    /// the end of their complimentary plan (admins only).
    #[graphql(guard = "Require::Role(Role::Admin)")]
    async fn grant_complimentary_plan(
        &self,
        ctx: &Context<'_>,
        input: GrantComplimentaryPlanInput,
    ) -> Result<BillingSubscription> {
        let user_id = parse_id("userId", &input.user_id)?;
        let granted = service::grant_complimentary(ctx.state(), ctx.viewer().id(), user_id, input.until).await?;
        Ok(BillingSubscription(granted))
    }

    /// Ends a user's complimentary plan now (admins only; paid subscriptions are untouched).
    #[graphql(guard = "Require::Role(Role::Admin)")]
    async fn revoke_complimentary_plan(&self, ctx: &Context<'_>, user_id: ID) -> Result<User> {
        let user_id = parse_id("userId", &user_id)?;
        service::revoke_complimentary(ctx.state(), user_id).await?;
        let user = ctx.loader().load_one(UserById(user_id)).await?;
        Ok(user.ok_or(crate::error::AppError::NotFound("User"))?.into())
    }
}

#[derive(Default)]
pub struct BillingSubscriptions;

#[Subscription]
impl BillingSubscriptions {
    /// The viewer's current subscription each time it changes (a checkout completes,
    /// a renewal, a failed payment, a cancellation, an admin's grant): null when none.
    #[graphql(guard = "Require::SignedIn")]
    async fn billing_changed(&self, ctx: &Context<'_>) -> Result<BoxStream<'static, Option<BillingSubscription>>> {
        let id = ctx.viewer().require_signed_in()?;
        let state = ctx.state().clone();
        Ok(state
            .bus
            .subscribe(&service::billing_topic(id))
            .then(move |_| {
                let state = state.clone();
                async move { service::current_subscription(&state, id).await.ok().flatten().map(BillingSubscription) }
            })
            .boxed())
    }
}

/// `User.subscription`: the user's current plan (the user themself and admins).
pub async fn user_subscription(ctx: &Context<'_>, user_id: uuid::Uuid) -> Result<Option<BillingSubscription>> {
    if !ctx.viewer().is_owner_or_admin(user_id) {
        return Ok(None);
    }
    Ok(ctx.loader().load_one(CurrentSubscription(user_id)).await?.map(BillingSubscription))
}

/// `User.payments`: the user's invoices, newest first (the user themself and admins).
pub async fn user_payments(
    ctx: &Context<'_>,
    user_id: uuid::Uuid,
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
) -> Result<Option<Connection<Payment>>> {
    if !ctx.viewer().is_owner_or_admin(user_id) {
        return Ok(None);
    }
    let args = page_args(ctx, first, after, last, before);
    Ok(Some(connection(service::list_payments(&ctx.state().db, Some(user_id), &args).await?, Payment)))
}

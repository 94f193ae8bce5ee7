//! Subscriptions: the entitlement rule, a user's current subscription,
//! applying Stripe's state to the stored copy, complimentary plans and the
//! admin's lists and figures.
//!
//! Stripe's state only ever moves forward here: a read of Stripe (the API, or
//! an event's snapshot, dated by the event) is applied only when it is newer
//! than the one the row holds (`synced_at`), under the row's lock, and a
//! subscription Stripe has ended (CANCELED, INCOMPLETE_EXPIRED) never comes
//! back. So events delivered late, twice or out of order, and workers racing
//! on them, leave the row as the newest read says.

use std::{
    collections::{HashMap, HashSet},
    time::Duration,
};

use chrono::{DateTime, Utc};
use entity::{
    billing_customer, payment,
    subscription::{self, Interval, Source, Status},
};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
    sea_query::{Expr, OnConflict},
};
use uuid::Uuid;

use super::plans::{Money, monthly, plan_for_price};
use crate::{
    domains::{
        accounts::service as accounts,
        notifications::service::{self as notifications, Notice},
    },
    error::{AppError, AppResult},
    infra::{mail::Template, stripe::StripeSubscription},
    jobs::queue::Job,
    pagination::{Cursor, Page, PageArgs, Sort, paginate},
    state::AppState,
    write::Write,
};

/// The bus topic a user's billing changes are published on.
pub fn billing_topic(user_id: Uuid) -> String {
    format!("billing:{user_id}")
}

/// Whether `sub` grants premium access at `now`:
/// - a complimentary plan while ACTIVE and before its end (if it has one);
/// - a Stripe subscription while ACTIVE or TRIALING (and, in case its renewal's
///   events went missing, no longer than the grace period past its period's end);
/// - PAST_DUE for the grace period after the failed renewal.
pub fn entitled(sub: &subscription::Model, now: DateTime<Utc>, grace: Duration) -> bool {
    let grace = chrono::Duration::from_std(grace).unwrap_or(chrono::Duration::MAX);
    match (sub.source, sub.status) {
        (Source::Complimentary, Status::Active) => sub.current_period_end.is_none_or(|end| end > now),
        (Source::Complimentary, _) => false,
        (Source::Stripe, Status::Active | Status::Trialing) => {
            sub.current_period_end.is_none_or(|end| end.checked_add_signed(grace).is_none_or(|until| until > now))
        }
        (Source::Stripe, Status::PastDue) => grace_ends_at(sub, grace).is_none_or(|until| until > now),
        (Source::Stripe, _) => false,
    }
}

fn grace_ends_at(sub: &subscription::Model, grace: chrono::Duration) -> Option<DateTime<Utc>> {
    let since = sub.past_due_since.unwrap_or(sub.updated_at);
    since.checked_add_signed(grace)
}

/// While PAST_DUE: when access ends.
pub fn grace_end(state: &AppState, sub: &subscription::Model) -> Option<DateTime<Utc>> {
    let grace = chrono::Duration::from_std(state.config.billing.past_due_grace).ok()?;
    (sub.status == Status::PastDue).then(|| grace_ends_at(sub, grace)).flatten()
}

/// Statuses a Stripe subscription is still running in (a second checkout is refused).
const RUNNING: [Status; 5] = [Status::Active, Status::Trialing, Status::PastDue, Status::Unpaid, Status::Paused];

/// Of a user's subscriptions, the one to show: an entitling one first (the one
/// that lasts longest), then a running Stripe one, then the latest.
fn pick_current(
    mut rows: Vec<subscription::Model>,
    now: DateTime<Utc>,
    grace: Duration,
) -> Option<subscription::Model> {
    rows.sort_by_key(|s| {
        let entitles = entitled(s, now, grace);
        let running = s.source == Source::Stripe && RUNNING.contains(&s.status);
        (entitles, running, s.current_period_end.is_none() && entitles, s.current_period_end, s.updated_at)
    });
    rows.pop()
}

/// Each user's current subscription (users without one are absent).
pub async fn current_subscriptions(
    state: &AppState,
    user_ids: &[Uuid],
) -> AppResult<HashMap<Uuid, subscription::Model>> {
    if user_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = subscription::Entity::find()
        .filter(subscription::Column::UserId.is_in(user_ids.iter().copied()))
        .all(&state.db)
        .await?;
    let mut by_user: HashMap<Uuid, Vec<subscription::Model>> = HashMap::new();
    for row in rows {
        by_user.entry(row.user_id).or_default().push(row);
    }
    let now = Utc::now();
    let grace = state.config.billing.past_due_grace;
    Ok(by_user.into_iter().filter_map(|(user, rows)| Some((user, pick_current(rows, now, grace)?))).collect())
}

/// The user's current subscription, if any.
pub async fn current_subscription(state: &AppState, user_id: Uuid) -> AppResult<Option<subscription::Model>> {
    Ok(current_subscriptions(state, &[user_id]).await?.remove(&user_id))
}

/// Of these users, the ones a subscription entitles to premium content now.
pub async fn entitled_users(state: &AppState, user_ids: &[Uuid]) -> AppResult<HashSet<Uuid>> {
    if user_ids.is_empty() {
        return Ok(HashSet::new());
    }
    let rows = subscription::Entity::find()
        .filter(subscription::Column::UserId.is_in(user_ids.iter().copied()))
        .filter(subscription::Column::Status.is_in([Status::Active, Status::Trialing, Status::PastDue]))
        .all(&state.db)
        .await?;
    let now = Utc::now();
    let grace = state.config.billing.past_due_grace;
    Ok(rows.into_iter().filter(|s| entitled(s, now, grace)).map(|s| s.user_id).collect())
}

/// The Stripe customer that stands for a user, if they have one.
pub async fn customer_of(db: &impl ConnectionTrait, user_id: Uuid) -> AppResult<Option<String>> {
    Ok(billing_customer::Entity::find_by_id(user_id).one(db).await?.map(|c| c.stripe_customer_id))
}

/// The user a Stripe customer stands for.
pub async fn user_of_customer(db: &impl ConnectionTrait, customer: &str) -> AppResult<Option<Uuid>> {
    Ok(billing_customer::Entity::find()
        .filter(billing_customer::Column::StripeCustomerId.eq(customer))
        .one(db)
        .await?
        .map(|c| c.user_id))
}

/// Records that `customer` stands for `user_id` (a no-op when either is already linked).
pub async fn link_customer(db: &impl ConnectionTrait, user_id: Uuid, customer: &str) -> AppResult<()> {
    billing_customer::Entity::insert(billing_customer::ActiveModel {
        user_id: Set(user_id),
        stripe_customer_id: Set(customer.to_owned()),
        created_at: Set(Utc::now()),
    })
    // Either key may be taken already (the user is linked, or the customer is).
    .on_conflict(OnConflict::new().do_nothing().to_owned())
    .exec_without_returning(db)
    .await?;
    Ok(())
}

fn status_of(stripe: &str) -> Status {
    match stripe {
        "active" => Status::Active,
        "trialing" => Status::Trialing,
        "past_due" => Status::PastDue,
        "canceled" => Status::Canceled,
        "unpaid" => Status::Unpaid,
        "paused" => Status::Paused,
        "incomplete_expired" => Status::IncompleteExpired,
        "incomplete" => Status::Incomplete,
        other => {
            tracing::warn!(status = other, "Stripe reported a subscription status this server does not know");
            Status::Incomplete
        }
    }
}

fn interval_of(stripe: Option<&str>) -> Option<Interval> {
    match stripe {
        Some("month") => Some(Interval::Month),
        Some("year") => Some(Interval::Year),
        _ => None,
    }
}

/// What applying a read of Stripe did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// The row now holds this read.
    Changed { user_id: Uuid, before: Option<Status>, after: Status },
    /// The row holds a newer read (or an ended subscription): nothing changed.
    Stale,
    /// No user is known for the subscription's customer.
    UnknownCustomer,
}

/// Applies `stripe` (read from Stripe at `read_at`) to the stored copy, in its
/// own write: creates the row, or updates it when the read is newer than the
/// row's, announces the change to the user's live subscriptions, and raises
/// the PAST_DUE notice and mail when the subscription just became PAST_DUE.
/// `user_hint` names the user when the customer is not linked yet (a checkout
/// this server opened).
pub async fn apply_stripe_subscription(
    state: &AppState,
    stripe: &StripeSubscription,
    read_at: DateTime<Utc>,
    user_hint: Option<Uuid>,
) -> AppResult<Applied> {
    let write = Write::begin(state).await?;
    let existing = lock_by_stripe_id(&write, &stripe.id).await?;
    let user_id = match &existing {
        Some(row) => Some(row.user_id),
        None => match user_of_customer(&write, &stripe.customer).await? {
            Some(user) => Some(user),
            None => match user_hint {
                Some(user) => Some(user),
                // The user id this server put in the subscription's metadata at checkout.
                None => match stripe.metadata.get("user_id").and_then(|id| Uuid::parse_str(id).ok()) {
                    Some(user) if accounts::find_user(&write, user).await?.is_some() => Some(user),
                    _ => None,
                },
            },
        },
    };
    let Some(user_id) = user_id else {
        tracing::warn!(subscription = %stripe.id, customer = %stripe.customer, "a Stripe subscription of an unknown customer");
        return Ok(Applied::UnknownCustomer);
    };
    let status = status_of(&stripe.status);
    let now = Utc::now();
    let plan = stripe.price_id.as_deref().and_then(|price| plan_for_price(state, price));
    if let Some(plan) = &plan
        && (stripe.amount != Some(plan.price.amount) || stripe.currency != plan.price.currency)
    {
        // What the subscription costs is Stripe's word; the pricing page shows STRIPE_PLANS.
        tracing::warn!(
            plan = %plan.id, configured = plan.price.amount, stripe = ?stripe.amount, currency = %stripe.currency,
            "STRIPE_PLANS says another price than Stripe's for this plan; fix the configuration"
        );
    }
    let mut row = subscription::ActiveModel {
        user_id: Set(user_id),
        source: Set(Source::Stripe),
        stripe_subscription_id: Set(Some(stripe.id.clone())),
        stripe_customer_id: Set(Some(stripe.customer.clone())),
        plan_id: Set(plan.map(|p| p.id)),
        price_id: Set(stripe.price_id.clone()),
        amount: Set(stripe.amount),
        currency: Set(Some(stripe.currency.clone())),
        interval: Set(interval_of(stripe.interval.as_deref())),
        status: Set(status),
        current_period_end: Set(stripe.current_period_end),
        cancel_at_period_end: Set(stripe.cancel_at_period_end),
        canceled_at: Set(stripe.canceled_at),
        ended_at: Set(stripe.ended_at),
        past_due_since: Set((status == Status::PastDue).then_some(read_at)),
        synced_at: Set(Some(read_at)),
        updated_at: Set(now),
        ..Default::default()
    };
    let before = match existing {
        None => {
            row.id = Set(Uuid::now_v7());
            row.created_at = Set(now);
            row.granted_by = Set(None);
            let inserted = subscription::Entity::insert(row)
                .on_conflict(OnConflict::column(subscription::Column::StripeSubscriptionId).do_nothing().to_owned())
                .exec_without_returning(&write)
                .await?;
            if inserted != 1 {
                // Another worker stored it first: its read and this one go in order next time.
                return Ok(Applied::Stale);
            }
            link_customer(&write, user_id, &stripe.customer).await?;
            None
        }
        Some(stored) => {
            if stored.synced_at.is_some_and(|at| at >= read_at) || (stored.status.is_final() && !status.is_final()) {
                return Ok(Applied::Stale);
            }
            if stored.status == Status::PastDue && status == Status::PastDue {
                row.past_due_since = Set(stored.past_due_since.or(Some(read_at)));
            }
            row.id = Set(stored.id);
            subscription::Entity::update(row).exec(&write).await?;
            Some(stored.status)
        }
    };
    if status == Status::PastDue && before != Some(Status::PastDue) {
        past_due_notice(state, &write, user_id).await?;
    }
    write.publish(billing_topic(user_id), &serde_json::json!({ "at": now }));
    write.commit().await?;
    Ok(Applied::Changed { user_id, before, after: status })
}

/// The row of a Stripe subscription, locked for the rest of the write (on
/// PostgreSQL `FOR UPDATE`; SQLite's write transaction already holds the lock).
async fn lock_by_stripe_id(write: &Write, stripe_id: &str) -> AppResult<Option<subscription::Model>> {
    let mut select = subscription::Entity::find().filter(subscription::Column::StripeSubscriptionId.eq(stripe_id));
    if write.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        select = select.lock_exclusive();
    }
    Ok(select.one(write).await?)
}

/// A renewal failed: tell the reader, in the app and by mail, how to fix it.
async fn past_due_notice(state: &AppState, write: &Write, user_id: Uuid) -> AppResult<()> {
    let user = accounts::get_user(write, user_id).await?;
    let grace_days = state.config.billing.past_due_grace.as_secs().div_ceil(86_400);
    let title = "Your payment failed";
    let message = format!(
        "We could not renew your premium plan. Update your card within {grace_days} day(s) to keep reading premium posts."
    );
    notifications::store(
        write,
        vec![Notice {
            user_id,
            kind: entity::notification::Kind::Payment,
            title: title.to_owned(),
            message: message.clone(),
            link: Some("/settings#billing".to_owned()),
        }],
    )
    .await?;
    // A plain link to the app's billing settings, which opens the portal when
    // clicked: a portal link itself grants access and must not sit in a mail job.
    let url = state.link("/settings", None) + "#billing";
    let mail = Template::new(format!("Hello {},", user.display_name))
        .paragraph(message.as_str())
        .action("Update my payment details", &url)
        .paragraph("If you meant to stop, there is nothing to do: your access ends when the grace period does.")
        .render(&user.email, "Your Lectern payment failed");
    write.enqueue(&Job::SendMail { mail, links: Vec::new() }).await?;
    Ok(())
}

/// Grants `user_id` a complimentary plan until `until` (none: no end), or
/// moves the end of the one they have; `granted_by` is the admin (none: the seed).
pub async fn grant_complimentary(
    state: &AppState,
    granted_by: Option<Uuid>,
    user_id: Uuid,
    until: Option<DateTime<Utc>>,
) -> AppResult<subscription::Model> {
    let now = Utc::now();
    if until.is_some_and(|end| end <= now) {
        return Err(AppError::bad_input("until", "The end of a complimentary plan must be in the future"));
    }
    let write = Write::begin(state).await?;
    accounts::get_user(&write, user_id).await?;
    let active = subscription::Entity::find()
        .filter(subscription::Column::UserId.eq(user_id))
        .filter(subscription::Column::Source.eq(Source::Complimentary))
        .filter(subscription::Column::Status.eq(Status::Active))
        .one(&write)
        .await?;
    let row = match active {
        Some(active) if active.current_period_end.is_none_or(|end| end > now) => {
            let mut row: subscription::ActiveModel = active.into();
            row.current_period_end = Set(until);
            row.granted_by = Set(granted_by);
            row.updated_at = Set(now);
            subscription::Entity::update(row).exec(&write).await?
        }
        _ => {
            subscription::Entity::insert(subscription::ActiveModel {
                id: Set(Uuid::now_v7()),
                user_id: Set(user_id),
                source: Set(Source::Complimentary),
                stripe_subscription_id: Set(None),
                stripe_customer_id: Set(None),
                plan_id: Set(None),
                price_id: Set(None),
                amount: Set(None),
                currency: Set(None),
                interval: Set(None),
                status: Set(Status::Active),
                current_period_end: Set(until),
                cancel_at_period_end: Set(false),
                canceled_at: Set(None),
                ended_at: Set(None),
                past_due_since: Set(None),
                granted_by: Set(granted_by),
                synced_at: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            })
            .exec_with_returning(&write)
            .await?
        }
    };
    write.publish(billing_topic(user_id), &serde_json::json!({ "at": now }));
    write.commit().await?;
    Ok(row)
}

/// Ends `user_id`'s complimentary plans now; false when they had none running.
pub async fn revoke_complimentary(state: &AppState, user_id: Uuid) -> AppResult<bool> {
    let now = Utc::now();
    let write = Write::begin(state).await?;
    accounts::get_user(&write, user_id).await?;
    let ended = subscription::Entity::update_many()
        .col_expr(subscription::Column::Status, Expr::value(Status::Canceled))
        .col_expr(subscription::Column::CanceledAt, Expr::value(now))
        .col_expr(subscription::Column::EndedAt, Expr::value(now))
        .col_expr(subscription::Column::UpdatedAt, Expr::value(now))
        .filter(subscription::Column::UserId.eq(user_id))
        .filter(subscription::Column::Source.eq(Source::Complimentary))
        .filter(subscription::Column::Status.eq(Status::Active))
        .exec(&write)
        .await?
        .rows_affected;
    write.publish(billing_topic(user_id), &serde_json::json!({ "at": now }));
    write.commit().await?;
    Ok(ended > 0)
}

/// What the admin's subscription list shows.
#[derive(Debug, Clone, Copy, Default)]
pub struct SubscriptionFilter {
    pub status: Option<Status>,
    pub source: Option<Source>,
}

/// Every subscription, newest first (admins).
pub async fn list_subscriptions(
    db: &impl ConnectionTrait,
    filter: SubscriptionFilter,
    args: &PageArgs,
) -> AppResult<Page<subscription::Model>> {
    let mut select = subscription::Entity::find();
    if let Some(status) = filter.status {
        select = select.filter(subscription::Column::Status.eq(status));
    }
    if let Some(source) = filter.source {
        select = select.filter(subscription::Column::Source.eq(source));
    }
    paginate(db, select, subscription::Column::Id, Sort::newest(), |s| Cursor::id(s.id), args).await
}

/// Payments, newest first: one user's, or everyone's (admins).
pub async fn list_payments(
    db: &impl ConnectionTrait,
    user_id: Option<Uuid>,
    args: &PageArgs,
) -> AppResult<Page<payment::Model>> {
    let mut select = payment::Entity::find();
    if let Some(user_id) = user_id {
        select = select.filter(payment::Column::UserId.eq(user_id));
    }
    paginate(db, select, payment::Column::Id, Sort::newest(), |p| Cursor::id(p.id), args).await
}

/// The admin's figures.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Overview {
    /// Users a paid subscription entitles now.
    pub active_subscribers: u64,
    pub past_due: u64,
    /// Running paid subscriptions set to end with their period.
    pub cancelling: u64,
    /// Users a complimentary plan entitles now.
    pub complimentary: u64,
    /// Monthly recurring revenue of the entitling paid subscriptions, per currency.
    pub mrr: Vec<Money>,
}

/// Counts and MRR over the subscriptions that entitle now.
pub async fn overview(state: &AppState) -> AppResult<Overview> {
    let rows = subscription::Entity::find()
        .filter(subscription::Column::Status.is_in([Status::Active, Status::Trialing, Status::PastDue]))
        .all(&state.db)
        .await?;
    let now = Utc::now();
    let grace = state.config.billing.past_due_grace;
    let mut paid = HashSet::new();
    let mut complimentary = HashSet::new();
    let mut overview = Overview::default();
    let mut mrr: Vec<Money> = Vec::new();
    for row in rows {
        if !entitled(&row, now, grace) {
            continue;
        }
        match row.source {
            Source::Complimentary => {
                complimentary.insert(row.user_id);
            }
            Source::Stripe => {
                paid.insert(row.user_id);
                overview.past_due += u64::from(row.status == Status::PastDue);
                overview.cancelling += u64::from(row.cancel_at_period_end);
                if let (Some(amount), Some(currency), Some(interval)) = (row.amount, row.currency, row.interval) {
                    let share = monthly(amount, interval);
                    match mrr.iter_mut().find(|m| m.currency == currency) {
                        Some(total) => total.amount += share,
                        None => mrr.push(Money { amount: share, currency }),
                    }
                }
            }
        }
    }
    mrr.sort_by(|a, b| a.currency.cmp(&b.currency));
    overview.active_subscribers = paid.len() as u64;
    overview.complimentary = complimentary.difference(&paid).count() as u64;
    overview.mrr = mrr;
    Ok(overview)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sub(source: Source, status: Status, end: Option<DateTime<Utc>>) -> subscription::Model {
        let now = Utc::now();
        subscription::Model {
            id: Uuid::now_v7(),
            user_id: Uuid::nil(),
            source,
            stripe_subscription_id: None,
            stripe_customer_id: None,
            plan_id: None,
            price_id: None,
            amount: None,
            currency: None,
            interval: None,
            status,
            current_period_end: end,
            cancel_at_period_end: false,
            canceled_at: None,
            ended_at: None,
            past_due_since: None,
            granted_by: None,
            synced_at: None,
            created_at: now,
            updated_at: now,
        }
    }

    const GRACE: Duration = Duration::from_secs(7 * 86_400);

    #[test]
    fn complimentary_plans_entitle_until_their_end() {
        let now = Utc::now();
        let hour = chrono::Duration::hours(1);
        assert!(entitled(&sub(Source::Complimentary, Status::Active, None), now, GRACE));
        assert!(entitled(&sub(Source::Complimentary, Status::Active, Some(now + hour)), now, GRACE));
        assert!(!entitled(&sub(Source::Complimentary, Status::Active, Some(now - hour)), now, GRACE));
        assert!(!entitled(&sub(Source::Complimentary, Status::Canceled, None), now, GRACE));
    }

    #[test]
    fn past_due_entitles_for_the_grace_period_only() {
        let now = Utc::now();
        let mut late = sub(Source::Stripe, Status::PastDue, Some(now));
        late.past_due_since = Some(now - chrono::Duration::days(6));
        assert!(entitled(&late, now, GRACE));
        late.past_due_since = Some(now - chrono::Duration::days(8));
        assert!(!entitled(&late, now, GRACE));
        assert_eq!(grace_ends_at(&late, chrono::Duration::days(7)), Some(now - chrono::Duration::days(1)));
    }

    #[test]
    fn ended_and_unpaid_subscriptions_do_not_entitle_and_a_lost_renewal_ends_after_the_grace() {
        let now = Utc::now();
        for status in [Status::Canceled, Status::Unpaid, Status::Incomplete, Status::IncompleteExpired, Status::Paused]
        {
            assert!(!entitled(&sub(Source::Stripe, status, None), now, GRACE), "{status:?}");
        }
        assert!(entitled(&sub(Source::Stripe, Status::Active, Some(now - chrono::Duration::days(6))), now, GRACE));
        assert!(!entitled(&sub(Source::Stripe, Status::Active, Some(now - chrono::Duration::days(8))), now, GRACE));
    }

    #[test]
    fn the_current_subscription_is_the_entitling_one() {
        let now = Utc::now();
        let old = sub(Source::Stripe, Status::Canceled, Some(now - chrono::Duration::days(40)));
        let comp = sub(Source::Complimentary, Status::Active, Some(now + chrono::Duration::days(3)));
        let paid = sub(Source::Stripe, Status::Active, Some(now + chrono::Duration::days(20)));
        let picked = pick_current(vec![old.clone(), comp.clone(), paid.clone()], now, GRACE).unwrap();
        assert_eq!(picked.id, paid.id);
        let picked = pick_current(vec![comp.clone(), old.clone()], now, GRACE).unwrap();
        assert_eq!(picked.id, comp.id);
        assert_eq!(pick_current(vec![old.clone()], now, GRACE).unwrap().id, old.id);
    }
}

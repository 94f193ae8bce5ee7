//! What is on sale: the plans of `STRIPE_PLANS`, in `STRIPE_CURRENCY`.

use entity::subscription::Interval;

use crate::{
    config::{PlanConfig, PlanInterval},
    error::{AppError, AppResult},
    state::AppState,
};

/// An amount of money in a currency's minor units (cents), as Stripe counts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Money {
    pub amount: i64,
    /// ISO 4217, lowercase (`usd`).
    pub currency: String,
}

/// A plan a reader can subscribe to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub id: String,
    pub name: String,
    pub price_id: String,
    pub price: Money,
    pub interval: Interval,
}

impl From<PlanInterval> for Interval {
    fn from(interval: PlanInterval) -> Self {
        match interval {
            PlanInterval::Month => Interval::Month,
            PlanInterval::Year => Interval::Year,
        }
    }
}

fn plan(config: &PlanConfig, currency: &str) -> Plan {
    Plan {
        id: config.id.clone(),
        name: config.name.clone(),
        price_id: config.price_id.clone(),
        price: Money { amount: config.amount, currency: currency.to_owned() },
        interval: config.interval.into(),
    }
}

/// Whether this server takes payments.
pub fn payments_enabled(state: &AppState) -> bool {
    state.stripe.is_some()
}

/// The plans on sale, in configuration order; none when payments are off.
pub fn plans(state: &AppState) -> Vec<Plan> {
    if !payments_enabled(state) {
        return Vec::new();
    }
    let billing = &state.config.billing;
    billing.plans.iter().map(|p| plan(p, &billing.currency)).collect()
}

/// The plan `id` (BAD_USER_INPUT on `planId` when there is none).
pub fn find_plan(state: &AppState, id: &str) -> AppResult<Plan> {
    plans(state).into_iter().find(|p| p.id == id).ok_or_else(|| {
        let known: Vec<String> = plans(state).into_iter().map(|p| p.id).collect();
        AppError::bad_input("planId", format!("There is no plan {id:?}; the plans are: {}", known.join(", ")))
    })
}

/// The configured plan that sells `price_id`.
pub fn plan_for_price(state: &AppState, price_id: &str) -> Option<Plan> {
    plans(state).into_iter().find(|p| p.price_id == price_id)
}

/// A price's monthly share, for MRR: a yearly price counts a twelfth.
pub fn monthly(amount: i64, interval: Interval) -> i64 {
    match interval {
        Interval::Month => amount,
        Interval::Year => (amount + 6) / 12,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_yearly_price_counts_a_rounded_twelfth_toward_mrr() {
        assert_eq!(monthly(900, Interval::Month), 900);
        assert_eq!(monthly(9_000, Interval::Year), 750);
        assert_eq!(monthly(10_000, Interval::Year), 833);
        assert_eq!(monthly(10_002, Interval::Year), 834);
    }
}

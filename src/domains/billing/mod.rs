//! Billing: the plans on sale, Stripe Checkout and the Billing Portal, the
//! subscriptions (copies of Stripe's, or complimentary grants by an admin),
//! payments, the signed webhooks Stripe sends and the job that reconciles
//! everything with Stripe's API. Entitlement to premium content is decided
//! here (`service::entitled`) and asked through `domains::entitlements`.

pub mod loaders;
pub mod schema;
pub mod service;

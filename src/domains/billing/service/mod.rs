//! The billing service, by seam:
//! - `plans`: what is on sale (configuration) and the money type.
//! - `subscriptions`: the entitlement rule, a user's current subscription, applying
//!   Stripe's state (newer reads only), complimentary plans, the admin's lists.
//! - `checkout`: opening Checkout and the Billing Portal, cancel and resume.
//! - `webhooks`: storing a verified delivery, processing its event, the sync job.

mod checkout;
mod plans;
mod subscriptions;
mod webhooks;

pub use checkout::*;
pub use plans::*;
pub use subscriptions::*;
pub use webhooks::*;

//! Stripe, the payment provider: the API client (async-stripe, pointed at
//! `STRIPE_API_BASE`) and the webhook signature check.

pub mod client;
pub mod signature;

pub use client::{NewCheckout, StripeApi, StripeCheckoutSession, StripeFailure, StripeSubscription};

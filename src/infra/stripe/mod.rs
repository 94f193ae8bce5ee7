//! Stripe, the payment provider (issue 14). What is here so far: checking the
//! `Stripe-Signature` of a webhook delivery.

pub mod signature;

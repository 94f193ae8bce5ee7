//! Entitlements: who may read premium content. One function answers it, from
//! the subscriptions the billing domain keeps (paid or complimentary) and the
//! admin role.

pub mod loaders;
pub mod service;

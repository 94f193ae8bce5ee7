//! Entitlements: who may read premium content. One function answers it; an
//! admin-granted flag backs it until the payments work adds subscriptions.

pub mod loaders;
pub mod service;

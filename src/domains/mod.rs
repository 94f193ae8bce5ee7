//! The product's domains. Each owns its tables and rules (`service.rs`) and
//! exposes them through thin GraphQL resolvers (`schema.rs`). A domain uses
//! another only through that domain's service functions.

pub mod accounts;
pub mod billing;
pub mod bookmarks;
pub mod certificates;
pub mod comments;
pub mod engagement;
pub mod entitlements;
pub mod feeds;
pub mod marks;
pub mod newsletter;
pub mod notes;
pub mod notifications;
pub mod posts;
pub mod progress;
pub mod reactions;
pub mod reviews;
pub mod search;
pub mod series;
pub mod tags;
pub mod views;

//! Each user's current subscription, batched per request.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use entity::subscription;
use uuid::Uuid;

use super::service;
use crate::graphql::loaders::Loaders;

/// Key: a user's current subscription.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CurrentSubscription(pub Uuid);

impl Loader<CurrentSubscription> for Loaders {
    type Value = subscription::Model;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[CurrentSubscription],
    ) -> Result<HashMap<CurrentSubscription, subscription::Model>, Self::Error> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let current = service::current_subscriptions(&self.state, &ids).await?;
        Ok(current.into_iter().map(|(user, sub)| (CurrentSubscription(user), sub)).collect())
    }
}

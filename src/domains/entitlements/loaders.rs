//! The viewer's entitlement, looked up at most once per request.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use uuid::Uuid;

use super::service;
use crate::graphql::loaders::Loaders;

/// Key: whether this user may read premium content.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PremiumAccess(pub Uuid);

impl Loader<PremiumAccess> for Loaders {
    type Value = bool;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[PremiumAccess]) -> Result<HashMap<PremiumAccess, bool>, Self::Error> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let entitled = service::premium_users(&self.state, &self.viewer, &ids).await?;
        Ok(ids.into_iter().map(|id| (PremiumAccess(id), entitled.contains(&id))).collect())
    }
}

//! Batched certificate lookups: every user's certificates on a page of users in one query.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use uuid::Uuid;

use super::service;
use crate::graphql::loaders::Loaders;
use entity::certificate;

/// Key: a user's certificates, newest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CertificatesOf(pub Uuid);

impl Loader<CertificatesOf> for Loaders {
    type Value = Vec<certificate::Model>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[CertificatesOf]) -> Result<HashMap<CertificatesOf, Self::Value>, Self::Error> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let mut rows = service::of_users(&self.state.db, &ids).await?;
        Ok(ids.into_iter().map(|id| (CertificatesOf(id), rows.remove(&id).unwrap_or_default())).collect())
    }
}

//! Batched series lookups (the series of each post on a page).

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use uuid::Uuid;

use super::service;
use crate::graphql::loaders::Loaders;
use entity::series;

/// Key: a series by id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SeriesById(pub Uuid);

impl Loader<SeriesById> for Loaders {
    type Value = series::Model;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[SeriesById]) -> Result<HashMap<SeriesById, series::Model>, Self::Error> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        Ok(service::by_ids(&self.state.db, &ids).await?.into_iter().map(|s| (SeriesById(s.id), s)).collect())
    }
}

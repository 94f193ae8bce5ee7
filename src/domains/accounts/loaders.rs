//! Batched user lookups (authors of posts, comments, series).

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use uuid::Uuid;

use super::service;
use crate::graphql::loaders::Loaders;
use entity::user;

/// Key: a user by id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct UserById(pub Uuid);

impl Loader<UserById> for Loaders {
    type Value = user::Model;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[UserById]) -> Result<HashMap<UserById, user::Model>, Self::Error> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let users = service::users_by_ids(&self.state.db, &ids).await?;
        Ok(users.into_iter().map(|u| (UserById(u.id), u)).collect())
    }
}

//! Batched engagement lookups for lists of users (leaderboards, profiles):
//! each user's standing, badges and the referral they came with, one query
//! for the whole list.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::service::{self, Standing};
use crate::graphql::loaders::Loaders;
use entity::{badge, referral};

/// Key: a user's standing (XP, level, streak); the time zone decides what "today" is for the streak.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct StandingOf {
    pub user: Uuid,
    pub zone: String,
}

impl Loader<StandingOf> for Loaders {
    type Value = Standing;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[StandingOf]) -> Result<HashMap<StandingOf, Standing>, Self::Error> {
        let users: Vec<(Uuid, String)> = keys.iter().map(|k| (k.user, k.zone.clone())).collect();
        let mut standings = service::standings(&self.state.db, &users, Utc::now()).await?;
        Ok(keys.iter().filter_map(|k| standings.remove(&k.user).map(|s| (k.clone(), s))).collect())
    }
}

/// Key: the badges a user earned, newest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BadgesOf(pub Uuid);

impl Loader<BadgesOf> for Loaders {
    type Value = Vec<(badge::Model, DateTime<Utc>)>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[BadgesOf]) -> Result<HashMap<BadgesOf, Self::Value>, Self::Error> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let mut badges = service::badges_of_users(&self.state.db, &ids).await?;
        Ok(ids.into_iter().map(|id| (BadgesOf(id), badges.remove(&id).unwrap_or_default())).collect())
    }
}

/// Key: the referral a user came with (who referred them), when anyone did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ReferralOf(pub Uuid);

impl Loader<ReferralOf> for Loaders {
    type Value = referral::Model;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[ReferralOf]) -> Result<HashMap<ReferralOf, Self::Value>, Self::Error> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let referrals = service::referrals_of_referred(&self.state.db, &ids).await?;
        Ok(referrals.into_iter().map(|(id, referral)| (ReferralOf(id), referral)).collect())
    }
}

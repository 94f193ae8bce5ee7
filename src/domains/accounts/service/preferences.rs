//! What users set for themselves: their profile and how often they get the digest.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use super::get_user;
use crate::{
    domains::engagement::service as engagement,
    error::AppResult,
    infra::response_cache::CacheTag,
    state::AppState,
    values::{Bio, DisplayName},
};
use entity::user;

/// What a user sets about themself; None leaves a setting as it is.
#[derive(Debug, Clone, Copy, Default)]
pub struct Profile<'a> {
    pub display_name: &'a str,
    /// Empty clears it.
    pub bio: Option<&'a str>,
    /// An IANA zone name (streak days are counted in it).
    pub time_zone: Option<&'a str>,
    pub profile_private: Option<bool>,
}

/// Sets the user's profile; every field is checked before anything is written.
/// The name and bio show beside what the user wrote, so cached answers go.
pub async fn update_profile(state: &AppState, user_id: Uuid, profile: Profile<'_>) -> AppResult<user::Model> {
    let db = &state.db;
    let display_name = DisplayName::parse("displayName", profile.display_name)?;
    let bio = profile.bio.map(|b| Bio::parse("bio", b)).transpose()?;
    let zone = profile.time_zone.map(|z| engagement::parse_zone("timeZone", z)).transpose()?;
    let mut user: user::ActiveModel = get_user(db, user_id).await?.into();
    user.display_name = Set(display_name.into_inner());
    if let Some(bio) = bio {
        user.bio = Set(bio.into_inner());
    }
    if let Some(zone) = zone {
        user.time_zone = Set(zone.name().to_owned());
    }
    if let Some(private) = profile.profile_private {
        user.profile_private = Set(private);
    }
    user.updated_at = Set(Utc::now());
    let user = user.update(db).await?;
    state.public_cache.invalidate(&[CacheTag::Content]).await;
    Ok(user)
}

/// Sets how often the user gets the digest of new posts.
pub async fn set_digest_frequency(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    frequency: user::DigestFrequency,
) -> AppResult<user::Model> {
    let user = get_user(db, user_id).await?;
    if user.digest_frequency == frequency {
        return Ok(user);
    }
    let mut user: user::ActiveModel = user.into();
    user.digest_frequency = Set(frequency);
    user.updated_at = Set(Utc::now());
    Ok(user.update(db).await?)
}

/// Users with a verified address who asked for the digest, by id after `after` (keyset pages).
pub async fn digest_recipients(
    db: &impl ConnectionTrait,
    after: Option<Uuid>,
    limit: u64,
) -> AppResult<Vec<user::Model>> {
    use sea_orm::{QueryOrder, QuerySelect};
    let mut query = user::Entity::find()
        .filter(user::Column::DigestFrequency.ne(user::DigestFrequency::Never))
        .filter(user::Column::EmailVerifiedAt.is_not_null());
    if let Some(after) = after {
        query = query.filter(user::Column::Id.gt(after));
    }
    Ok(query.order_by_asc(user::Column::Id).limit(limit).all(db).await?)
}

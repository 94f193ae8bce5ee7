//! What users set for themselves: their profile and how often they get the digest.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use super::get_user;
use crate::{
    error::AppResult,
    values::{Bio, DisplayName},
};
use entity::user;

/// Sets the user's public name and, when given, their bio (empty clears it).
pub async fn update_profile(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    display_name: &str,
    bio: Option<&str>,
) -> AppResult<user::Model> {
    let display_name = DisplayName::parse("displayName", display_name)?;
    let bio = bio.map(|b| Bio::parse("bio", b)).transpose()?;
    let mut user: user::ActiveModel = get_user(db, user_id).await?.into();
    user.display_name = Set(display_name.into_inner());
    if let Some(bio) = bio {
        user.bio = Set(bio.into_inner());
    }
    user.updated_at = Set(Utc::now());
    Ok(user.update(db).await?)
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

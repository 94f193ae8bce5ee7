//! The premium entitlement check.

use uuid::Uuid;

use crate::{
    auth::Viewer,
    domains::accounts::{Role, service as accounts},
    error::AppResult,
};

/// The plan that unlocks premium posts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, async_graphql::Enum)]
pub enum Plan {
    /// Every premium post and feature.
    Premium,
}

/// Of these users, the ones entitled to premium content.
pub async fn premium_users(db: &impl sea_orm::ConnectionTrait, user_ids: &[Uuid]) -> AppResult<Vec<Uuid>> {
    let users = accounts::users_by_ids(db, user_ids).await?;
    Ok(users.into_iter().filter(|u| u.role == Role::Admin || u.premium_granted_at.is_some()).map(|u| u.id).collect())
}

/// Whether `viewer` may read premium content.
pub async fn can_read_premium(db: &impl sea_orm::ConnectionTrait, viewer: &Viewer) -> AppResult<bool> {
    match viewer {
        Viewer::Anonymous => Ok(false),
        Viewer::User { role: Role::Admin, .. } => Ok(true),
        Viewer::User { id, .. } => Ok(!premium_users(db, &[*id]).await?.is_empty()),
    }
}

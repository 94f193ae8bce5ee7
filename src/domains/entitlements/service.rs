//! The premium entitlement check: admins, and users a subscription (paid or
//! complimentary) entitles now (the rule is `billing::service::entitled`).

use uuid::Uuid;

use crate::{
    auth::Viewer,
    domains::{
        accounts::{Role, service as accounts},
        billing::service as billing,
    },
    error::AppResult,
    state::AppState,
};

/// The plan that unlocks premium posts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, async_graphql::Enum)]
pub enum Plan {
    /// Every premium post and feature.
    Premium,
}

/// Of these users, the ones entitled to premium content.
pub async fn premium_users(state: &AppState, user_ids: &[Uuid]) -> AppResult<Vec<Uuid>> {
    let subscribed = billing::entitled_users(state, user_ids).await?;
    let admins: Vec<Uuid> = accounts::users_by_ids(&state.db, user_ids)
        .await?
        .into_iter()
        .filter(|u| u.role == Role::Admin && !subscribed.contains(&u.id))
        .map(|u| u.id)
        .collect();
    Ok(user_ids.iter().copied().filter(|id| subscribed.contains(id)).chain(admins).collect())
}

/// Whether `viewer` may read premium content.
pub async fn can_read_premium(state: &AppState, viewer: &Viewer) -> AppResult<bool> {
    match viewer {
        Viewer::Anonymous => Ok(false),
        Viewer::User { role: Role::Admin, .. } => Ok(true),
        Viewer::User { id, .. } => Ok(!billing::entitled_users(state, &[*id]).await?.is_empty()),
    }
}

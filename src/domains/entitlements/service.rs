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

/// Of these users, the ones entitled to premium content. The viewer's own role
/// is the one their token carries, as for every other role check of a request,
/// so asking about the viewer alone (a page's locked posts) reads only their plans.
pub async fn premium_users(state: &AppState, viewer: &Viewer, user_ids: &[Uuid]) -> AppResult<Vec<Uuid>> {
    let subscribed = billing::entitled_users(state, user_ids).await?;
    let (viewer_id, viewer_is_admin) = match viewer {
        Viewer::User { id, role } => (Some(*id), *role == Role::Admin),
        Viewer::Anonymous => (None, false),
    };
    let others: Vec<Uuid> =
        user_ids.iter().copied().filter(|id| !subscribed.contains(id) && Some(*id) != viewer_id).collect();
    let admins = accounts::users_by_ids(&state.db, &others)
        .await?
        .into_iter()
        .filter(|u| u.role == Role::Admin)
        .map(|u| u.id)
        .chain(viewer_id.filter(|id| viewer_is_admin && user_ids.contains(id) && !subscribed.contains(id)));
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

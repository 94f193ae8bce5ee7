//! View counting. A viewer is known by an HMAC-SHA256, keyed with the server
//! secret, of `user:<id>` when signed in or of `anon:<day>:<client ip>` when
//! not: one row per viewer, post and day, and no raw address stored. The day in
//! the anonymous key means an address cannot be followed from one day to the next.

use std::{collections::HashMap, net::IpAddr};

use chrono::{NaiveDate, Utc};
use hmac::{Hmac, Mac};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set, TryInsertResult,
    sea_query::{Expr, ExprTrait},
};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;
use uuid::Uuid;

use crate::{
    auth::Viewer,
    domains::posts::service as posts,
    error::{AppError, AppResult},
};
use entity::post_view;

/// The key a view is counted under: 64 hex characters.
pub fn viewer_key(secret: &SecretString, viewer: &Viewer, day: NaiveDate, client_ip: IpAddr) -> AppResult<String> {
    let subject = match viewer.id() {
        Some(id) => format!("user:{id}"),
        None => format!("anon:{day}:{client_ip}"),
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose_secret().as_bytes())
        .map_err(|_| AppError::Internal(anyhow::anyhow!("Failed to key the viewer hash with the JWT secret")))?;
    mac.update(subject.as_bytes());
    Ok(hex::encode(mac.finalize().into_bytes()))
}

/// Counts a view of a post the viewer may read, at most once per viewer and UTC
/// day. True when this call counted.
pub async fn record_view(
    db: &impl ConnectionTrait,
    secret: &SecretString,
    viewer: &Viewer,
    client_ip: IpAddr,
    post_id: Uuid,
) -> AppResult<bool> {
    let post = posts::get_readable(db, viewer, post_id).await?;
    let day = Utc::now().date_naive();
    let row = post_view::ActiveModel {
        post_id: Set(post.id),
        viewer_key: Set(viewer_key(secret, viewer, day, client_ip)?),
        day: Set(day),
    };
    let inserted = post_view::Entity::insert(row).on_conflict_do_nothing().exec_without_returning(db).await?;
    Ok(matches!(inserted, TryInsertResult::Inserted(rows) if rows > 0))
}

/// How many views each post has, over all days (posts without views are left out).
pub async fn counts_of_posts(db: &impl ConnectionTrait, post_ids: &[Uuid]) -> AppResult<HashMap<Uuid, u64>> {
    if post_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(Uuid, i64)> = post_view::Entity::find()
        .select_only()
        .column(post_view::Column::PostId)
        .column_as(Expr::col(post_view::Column::ViewerKey).count(), "views")
        .filter(post_view::Column::PostId.is_in(post_ids.iter().copied()))
        .group_by(post_view::Column::PostId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|(post_id, views)| (post_id, u64::try_from(views).unwrap_or(0))).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viewer_keys_are_keyed_hashes_that_hide_the_address() {
        let secret = SecretString::from("a-secret-of-enough-length-0123456789");
        let other = SecretString::from("another-secret-of-enough-length-0123");
        let day = NaiveDate::from_ymd_opt(2026, 1, 2).unwrap();
        let next = day.succ_opt().unwrap();
        let ip: IpAddr = "203.0.113.7".parse().unwrap();
        let anon = viewer_key(&secret, &Viewer::Anonymous, day, ip).unwrap();
        assert_eq!(anon.len(), 64);
        assert!(anon.chars().all(|c| c.is_ascii_hexdigit()));
        assert!(!anon.contains("203.0.113.7"));
        assert_eq!(anon, viewer_key(&secret, &Viewer::Anonymous, day, ip).unwrap());
        assert_ne!(anon, viewer_key(&secret, &Viewer::Anonymous, next, ip).unwrap(), "a new day, a new key");
        assert_ne!(anon, viewer_key(&other, &Viewer::Anonymous, day, ip).unwrap(), "keyed by the secret");

        let user = Viewer::User { id: Uuid::now_v7(), role: entity::user::Role::Reader };
        let signed_in = viewer_key(&secret, &user, day, ip).unwrap();
        assert_eq!(signed_in, viewer_key(&secret, &user, next, "198.51.100.1".parse().unwrap()).unwrap());
        assert_ne!(signed_in, anon);
    }
}

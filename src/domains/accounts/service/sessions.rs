//! Sessions: register, log in, refresh, sign out, and the session epoch an
//! access token must still match; account events; the sweep of dead tokens.

use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set,
    sea_query::{Expr, ExprTrait},
};
use uuid::Uuid;

use super::{create_user, find_user, send_verification_mail};
use crate::{
    auth::RequestMeta,
    auth::tokens::{opaque_token, token_hash},
    domains::{
        accounts::{Role, password, password::Password},
        engagement::service as engagement,
    },
    error::{AppError, AppResult},
    infra::rate_limit::Rule,
    state::AppState,
    state::BeginWrite,
    values::{DisplayName, Email},
    write::Write,
};
use entity::{refresh_token, user, user_token};

const MINUTE: Duration = Duration::from_secs(60);

pub const REGISTER_PER_IP: Rule = Rule::new("register:ip", 10, Duration::from_secs(3600));
pub const REGISTER_PER_ACCOUNT: Rule = Rule::new("register:account", 5, Duration::from_secs(3600));
pub const LOGIN_PER_IP: Rule = Rule::new("login:ip", 30, Duration::from_secs(300));
pub const LOGIN_PER_ACCOUNT: Rule = Rule::new("login:account", 10, Duration::from_secs(900));
pub const REFRESH_PER_IP: Rule = Rule::new("refresh:ip", 60, MINUTE);
pub const REFRESH_PER_ACCOUNT: Rule = Rule::new("refresh:account", 20, MINUTE);

/// A signed-in session: a short-lived access token and the opaque refresh token that renews it.
pub struct Session {
    pub access_token: String,
    pub refresh_token: String,
    /// When the refresh token stops working (its TTL, capped at the family's absolute end).
    pub refresh_expires_at: DateTime<Utc>,
    pub user: user::Model,
}

/// What the account's subscribers hear about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, async_graphql::Enum)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AccountEventKind {
    /// The email address was verified.
    EmailVerified,
    /// The password changed; other sessions were signed out.
    PasswordChanged,
    /// Every session was signed out.
    SignedOutEverywhere,
    /// An admin changed the account's role; sessions continue after a token refresh.
    RoleChanged,
}

impl AccountEventKind {
    /// Whether access tokens issued before the event no longer stand for the account
    /// (open websockets signed in with them are closed).
    pub fn ends_access(self) -> bool {
        match self {
            AccountEventKind::EmailVerified => false,
            AccountEventKind::PasswordChanged
            | AccountEventKind::SignedOutEverywhere
            | AccountEventKind::RoleChanged => true,
        }
    }
}

pub fn account_topic(user_id: Uuid) -> String {
    format!("account:{user_id}")
}

/// Tells the account's subscribers what happened, once `write` commits.
pub(super) fn announce(write: &Write, user_id: Uuid, kind: AccountEventKind) {
    write.publish(account_topic(user_id), &serde_json::json!({ "kind": kind, "at": Utc::now() }));
}

pub struct Registration<'a> {
    pub email: &'a str,
    pub password: &'a str,
    pub display_name: &'a str,
    /// Another user's referral code, when the new account was referred.
    pub referral_code: Option<&'a str>,
}

pub async fn register(state: &AppState, input: Registration<'_>, meta: &RequestMeta) -> AppResult<Session> {
    state.limiter.hit(&REGISTER_PER_IP, &meta.rate_limit_key()).await?;
    let email = Email::parse("email", input.email)?;
    state.limiter.hit(&REGISTER_PER_ACCOUNT, email.as_str()).await?;
    let display_name = DisplayName::parse("displayName", input.display_name)?;
    let password = Password::parse("password", input.password, &password_context(&email, display_name.as_str()))?;
    // Hashed before the transaction, so no write lock is held while it waits for a core.
    let hash = password::hash(&state.work.passwords, &password).await?;
    // The account, its first session and the verification mail's job commit together.
    let txn = Write::begin(state).await?;
    let user = create_user(&txn, &email, hash, display_name, Role::Reader).await?;
    if let Some(code) = input.referral_code.filter(|c| !c.trim().is_empty()) {
        // An unknown code refuses the registration (nothing is kept): the form says so at the field.
        engagement::refer(&txn, &user, code).await?;
    }
    let session = start_session(state, &txn, user, None).await?;
    send_verification_mail(&txn, &session.user).await?;
    txn.commit().await?;
    Ok(session)
}

pub(super) fn password_context<'a>(email: &'a Email, display_name: &'a str) -> Vec<&'a str> {
    let mut words: Vec<&str> = vec![email.as_str(), display_name];
    words.extend(email.as_str().split(['@', '.', '_', '-', '+']).filter(|w| w.len() > 2));
    words.extend(display_name.split_whitespace());
    words.push("lectern");
    words
}

pub async fn login(state: &AppState, email: &str, password: &str, meta: &RequestMeta) -> AppResult<Session> {
    state.limiter.hit(&LOGIN_PER_IP, &meta.rate_limit_key()).await?;
    let email = Email::parse("email", email)?;
    state.limiter.hit(&LOGIN_PER_ACCOUNT, email.as_str()).await?;
    let found = user::Entity::find().filter(user::Column::Email.eq(email.as_str())).one(&state.db).await?;
    // Unknown accounts are verified against a dummy hash, so timing does not reveal which emails exist.
    let stored = found.as_ref().map(|u| u.password_hash.as_str());
    let matches = password::verify(&state.work.passwords, password, stored).await?;
    match found {
        Some(user) if matches => start_session(state, &state.db, user, None).await,
        _ => Err(AppError::UnauthenticatedBecause("Wrong email or password")),
    }
}

/// The session family a new refresh token joins: its id and when it signed in.
#[derive(Clone, Copy)]
struct Family {
    id: Uuid,
    started_at: DateTime<Utc>,
}

/// Issues an access token and a new refresh token (in `family`, or a new family
/// starting now). The token expires after `REFRESH_TOKEN_TTL_DAYS`, but never
/// after the family's absolute end.
async fn start_session(
    state: &AppState,
    db: &impl ConnectionTrait,
    user: user::Model,
    family: Option<Family>,
) -> AppResult<Session> {
    let refresh_token = opaque_token();
    let now = Utc::now();
    let family = family.unwrap_or(Family { id: Uuid::now_v7(), started_at: now });
    let ttl =
        chrono::Duration::from_std(state.config.refresh_token_ttl).context("REFRESH_TOKEN_TTL_DAYS is out of range")?;
    let expires_at = std::cmp::min(now + ttl, family_end(state, family.started_at)?);
    refresh_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user.id),
        family_id: Set(family.id),
        family_started_at: Set(family.started_at),
        token_hash: Set(token_hash(&refresh_token)),
        created_at: Set(now),
        expires_at: Set(expires_at),
        rotated_at: Set(None),
        revoked_at: Set(None),
    }
    .insert(db)
    .await
    .context("Failed to store the refresh token")?;
    Ok(Session {
        access_token: state.jwt.issue_access(user.id, user.role, user.session_epoch)?,
        refresh_token,
        refresh_expires_at: expires_at,
        user,
    })
}

/// When a session family that signed in at `started_at` must sign in again.
fn family_end(state: &AppState, started_at: DateTime<Utc>) -> AppResult<DateTime<Utc>> {
    let max_age = chrono::Duration::from_std(state.config.refresh_session_max_age)
        .context("REFRESH_SESSION_MAX_DAYS is out of range")?;
    Ok(started_at + max_age)
}

const INVALID_REFRESH: AppError = AppError::UnauthenticatedBecause("The refresh token is invalid or has expired");

/// Rotates a refresh token. Presenting an already-rotated token means it was
/// copied: the whole family is revoked and both holders must sign in again.
pub async fn refresh(state: &AppState, token: &str, meta: &RequestMeta) -> AppResult<Session> {
    state.limiter.hit(&REFRESH_PER_IP, &meta.rate_limit_key()).await?;
    let Some(stored) = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(token_hash(token)))
        .one(&state.db)
        .await?
    else {
        return Err(INVALID_REFRESH);
    };
    state.limiter.hit(&REFRESH_PER_ACCOUNT, &stored.user_id.to_string()).await?;
    if stored.revoked_at.is_some() {
        return Err(INVALID_REFRESH);
    }
    if stored.rotated_at.is_some() {
        revoke_family(&state.db, stored.family_id).await?;
        tracing::warn!(user_id = %stored.user_id, family_id = %stored.family_id, "refresh token reuse; session family revoked");
        return Err(AppError::UnauthenticatedBecause(
            "The refresh token was already used; the session has been signed out",
        ));
    }
    // Checked before the token's own expiry (which is capped at the same instant)
    // so the answer says why; a shortened setting applies to existing sessions too.
    if family_end(state, stored.family_started_at)? <= Utc::now() {
        return Err(AppError::UnauthenticatedBecause("The session has reached its maximum age; sign in again"));
    }
    if stored.expires_at <= Utc::now() {
        return Err(INVALID_REFRESH);
    }

    let txn = state.db.begin_write().await?;
    // Only one concurrent use of a token can win this update; the loser is treated as reuse.
    let rotated = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RotatedAt, Expr::value(Utc::now()))
        .filter(refresh_token::Column::Id.eq(stored.id))
        .filter(refresh_token::Column::RotatedAt.is_null())
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    if rotated.rows_affected != 1 {
        txn.rollback().await?;
        revoke_family(&state.db, stored.family_id).await?;
        return Err(AppError::UnauthenticatedBecause(
            "The refresh token was already used; the session has been signed out",
        ));
    }
    let user = user::Entity::find_by_id(stored.user_id).one(&txn).await?.ok_or(INVALID_REFRESH)?;
    let family = Family { id: stored.family_id, started_at: stored.family_started_at };
    let session = start_session(state, &txn, user, Some(family)).await?;
    txn.commit().await?;
    Ok(session)
}

async fn revoke_family(db: &impl ConnectionTrait, family_id: Uuid) -> AppResult<()> {
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(refresh_token::Column::FamilyId.eq(family_id))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Revokes every refresh token of the account and moves it to a new session
/// epoch, so its unexpired access tokens no longer open websockets.
pub(super) async fn revoke_all_sessions(db: &impl ConnectionTrait, user_id: Uuid) -> AppResult<()> {
    next_session_epoch(db, user_id).await?;
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(refresh_token::Column::UserId.eq(user_id))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Signs out: with a refresh token, that session; without one, every session of the viewer.
pub async fn logout(state: &AppState, viewer: Option<Uuid>, token: Option<&str>) -> AppResult<bool> {
    match (token, viewer) {
        (Some(token), _) => {
            let stored = refresh_token::Entity::find()
                .filter(refresh_token::Column::TokenHash.eq(token_hash(token)))
                .one(&state.db)
                .await?;
            match stored {
                Some(stored) => {
                    revoke_family(&state.db, stored.family_id).await?;
                    Ok(true)
                }
                None => Ok(false),
            }
        }
        (None, Some(user_id)) => {
            let txn = Write::begin(state).await?;
            revoke_all_sessions(&txn, user_id).await?;
            announce(&txn, user_id, AccountEventKind::SignedOutEverywhere);
            txn.commit().await?;
            Ok(true)
        }
        (None, None) => Err(AppError::bad_input("refreshToken", "Give the refresh token of the session to end")),
    }
}

async fn next_session_epoch(db: &impl ConnectionTrait, user_id: Uuid) -> AppResult<()> {
    user::Entity::update_many()
        .col_expr(user::Column::SessionEpoch, Expr::col(user::Column::SessionEpoch).add(1))
        .filter(user::Column::Id.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Whether an access token's account, role and session epoch are still the
/// account's own: false once it signed out everywhere, changed its password or
/// role, or was deleted.
pub async fn access_is_current(db: &impl ConnectionTrait, user_id: Uuid, role: Role, epoch: i32) -> AppResult<bool> {
    Ok(find_user(db, user_id).await?.is_some_and(|user| user.role == role && user.session_epoch == epoch))
}

/// Removes refresh and one-time tokens that can no longer be used (a scheduled job).
pub async fn delete_expired_tokens(db: &impl ConnectionTrait) -> AppResult<u64> {
    let now = Utc::now();
    let refresh =
        refresh_token::Entity::delete_many().filter(refresh_token::Column::ExpiresAt.lt(now)).exec(db).await?;
    let one_time = user_token::Entity::delete_many()
        .filter(
            sea_orm::Condition::any()
                .add(user_token::Column::ExpiresAt.lt(now))
                .add(user_token::Column::UsedAt.is_not_null()),
        )
        .exec(db)
        .await?;
    Ok(refresh.rows_affected + one_time.rows_affected)
}

//! Account rules and transactions. Resolvers call these; nothing else touches
//! the `users`, `refresh_tokens` or `user_tokens` tables.

use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set,
    sea_query::{Expr, ExprTrait},
};
use uuid::Uuid;

use super::{
    Role, password,
    password::{Password, PasswordHash},
};
use crate::{
    auth::RequestMeta,
    auth::tokens::{opaque_token, token_hash},
    error::{AppError, AppResult, OnConstraint, Unique},
    infra::{
        mail::{Mail, Template},
        rate_limit::Rule,
    },
    jobs::{MailLink, MailLinks},
    pagination::{Cursor, Page, PageArgs, Sort, paginate},
    state::AppState,
    state::BeginWrite,
    values::{DisplayName, Email},
    write::Write,
};
use entity::{
    refresh_token, user,
    user_token::{self, Purpose},
};

const MINUTE: Duration = Duration::from_secs(60);

pub const REGISTER_PER_IP: Rule = Rule::new("register:ip", 10, Duration::from_secs(3600));
pub const REGISTER_PER_ACCOUNT: Rule = Rule::new("register:account", 5, Duration::from_secs(3600));
pub const LOGIN_PER_IP: Rule = Rule::new("login:ip", 30, Duration::from_secs(300));
pub const LOGIN_PER_ACCOUNT: Rule = Rule::new("login:account", 10, Duration::from_secs(900));
pub const REFRESH_PER_IP: Rule = Rule::new("refresh:ip", 60, MINUTE);
pub const REFRESH_PER_ACCOUNT: Rule = Rule::new("refresh:account", 20, MINUTE);
pub const RESET_PER_IP: Rule = Rule::new("reset:ip", 10, Duration::from_secs(3600));
pub const RESET_PER_ACCOUNT: Rule = Rule::new("reset:account", 3, Duration::from_secs(3600));
pub const VERIFY_MAIL_PER_ACCOUNT: Rule = Rule::new("verify-mail:account", 3, Duration::from_secs(3600));

/// One account per address.
const EMAIL_KEY: Unique = Unique::new("users_email_key", "users.email");

const VERIFY_EMAIL_TTL: chrono::Duration = chrono::Duration::hours(24);
const RESET_PASSWORD_TTL: chrono::Duration = chrono::Duration::hours(1);

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
fn announce(write: &Write, user_id: Uuid, kind: AccountEventKind) {
    write.publish(account_topic(user_id), &serde_json::json!({ "kind": kind, "at": Utc::now() }));
}

pub struct Registration<'a> {
    pub email: &'a str,
    pub password: &'a str,
    pub display_name: &'a str,
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
    let session = start_session(state, &txn, user, None).await?;
    send_verification_mail(&txn, &session.user).await?;
    txn.commit().await?;
    Ok(session)
}

fn password_context<'a>(email: &'a Email, display_name: &'a str) -> Vec<&'a str> {
    let mut words: Vec<&str> = vec![email.as_str(), display_name];
    words.extend(email.as_str().split(['@', '.', '_', '-', '+']).filter(|w| w.len() > 2));
    words.extend(display_name.split_whitespace());
    words.push("lectern");
    words
}

/// Creates an account; used by `register` and by the seeder (which picks roles).
pub async fn create_user(
    db: &impl ConnectionTrait,
    email: &Email,
    password: PasswordHash,
    display_name: DisplayName,
    role: Role,
) -> AppResult<user::Model> {
    let now = Utc::now();
    user::ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(email.as_str().to_owned()),
        password_hash: Set(password.into_inner()),
        display_name: Set(display_name.into_inner()),
        role: Set(role),
        email_verified_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        premium_granted_at: Set(None),
        digest_frequency: Set(user::DigestFrequency::Never),
        session_epoch: Set(0),
    }
    .insert(db)
    .await
    .on_unique(&[EMAIL_KEY], "email", "An account with this email address already exists")
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
async fn revoke_all_sessions(db: &impl ConnectionTrait, user_id: Uuid) -> AppResult<()> {
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

pub async fn find_user(db: &impl ConnectionTrait, id: Uuid) -> AppResult<Option<user::Model>> {
    Ok(user::Entity::find_by_id(id).one(db).await?)
}

pub async fn get_user(db: &impl ConnectionTrait, id: Uuid) -> AppResult<user::Model> {
    find_user(db, id).await?.ok_or(AppError::NotFound("User"))
}

/// Creates a single-use token for `user`, replacing any unused one of the same purpose.
async fn issue_user_token(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    purpose: Purpose,
    ttl: chrono::Duration,
) -> AppResult<String> {
    let token = opaque_token();
    let now = Utc::now();
    user_token::Entity::delete_many()
        .filter(user_token::Column::UserId.eq(user_id))
        .filter(user_token::Column::Purpose.eq(purpose))
        .filter(user_token::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    user_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        purpose: Set(purpose),
        token_hash: Set(token_hash(&token)),
        created_at: Set(now),
        expires_at: Set(now + ttl),
        used_at: Set(None),
    }
    .insert(db)
    .await
    .context("Failed to store a one-time token")?;
    Ok(token)
}

/// Marks a single-use token used and returns its user, or BAD_USER_INPUT on `token`.
async fn consume_user_token(db: &impl ConnectionTrait, token: &str, purpose: Purpose) -> AppResult<Uuid> {
    let invalid = || AppError::bad_input("token", "This link is invalid or has expired; ask for a new one");
    let stored = user_token::Entity::find()
        .filter(user_token::Column::TokenHash.eq(token_hash(token)))
        .filter(user_token::Column::Purpose.eq(purpose))
        .one(db)
        .await?
        .ok_or_else(invalid)?;
    let now = Utc::now();
    let used = user_token::Entity::update_many()
        .col_expr(user_token::Column::UsedAt, Expr::value(now))
        .filter(user_token::Column::Id.eq(stored.id))
        .filter(user_token::Column::UsedAt.is_null())
        .filter(user_token::Column::ExpiresAt.gt(now))
        .exec(db)
        .await?;
    if used.rows_affected != 1 {
        return Err(invalid());
    }
    Ok(stored.user_id)
}

/// A transactional mail: a greeting, what happened, one button.
fn action_mail(to: &str, subject: &str, greeting: &str, intro: &str, action: &str, url: &str, outro: &str) -> Mail {
    Template::new(greeting).paragraph(intro).action(action, url).paragraph(outro).render(to, subject)
}

/// Enqueues the verification mail with the caller's change. The job mints the
/// link when it sends, so no usable token waits in the queue.
async fn send_verification_mail(write: &Write, user: &user::Model) -> AppResult<()> {
    let mut links = MailLinks::default();
    let url = links.add(MailLink::VerifyEmail { user: user.id });
    let mail = action_mail(
        &user.email,
        "Confirm your email address for Lectern",
        &format!("Hello {},", user.display_name),
        "Please confirm that this is your email address.",
        "Confirm my email address",
        &url,
        "The link works for 24 hours. If you did not create a Lectern account, ignore this mail.",
    );
    write.enqueue(&links.job(mail)).await?;
    Ok(())
}

/// A fresh verification link for the user's mail (replacing any unused one),
/// or `None` when there is nothing to verify any more. Called by the mail job.
pub async fn verification_link(state: &AppState, user_id: Uuid) -> AppResult<Option<String>> {
    let Some(user) = find_user(&state.db, user_id).await? else { return Ok(None) };
    if user.email_verified_at.is_some() {
        return Ok(None);
    }
    let token = issue_user_token(&state.db, user.id, Purpose::VerifyEmail, VERIFY_EMAIL_TTL).await?;
    Ok(Some(state.link("/verify-email", Some(&token))))
}

/// A fresh password-reset link (replacing any unused one), or `None` when the
/// account is gone. Called by the mail job.
pub async fn password_reset_link(state: &AppState, user_id: Uuid) -> AppResult<Option<String>> {
    if find_user(&state.db, user_id).await?.is_none() {
        return Ok(None);
    }
    let token = issue_user_token(&state.db, user_id, Purpose::ResetPassword, RESET_PASSWORD_TTL).await?;
    Ok(Some(state.link("/reset-password", Some(&token))))
}

pub async fn request_email_verification(state: &AppState, user_id: Uuid) -> AppResult<bool> {
    let user = get_user(&state.db, user_id).await?;
    if user.email_verified_at.is_some() {
        return Err(AppError::bad_input("email", "This email address is already verified"));
    }
    state.limiter.hit(&VERIFY_MAIL_PER_ACCOUNT, &user.id.to_string()).await?;
    let txn = Write::begin(state).await?;
    send_verification_mail(&txn, &user).await?;
    txn.commit().await?;
    Ok(true)
}

pub async fn verify_email(state: &AppState, token: &str) -> AppResult<user::Model> {
    let txn = Write::begin(state).await?;
    let user_id = consume_user_token(&txn, token, Purpose::VerifyEmail).await?;
    let mut user: user::ActiveModel = get_user(&txn, user_id).await?.into();
    let now = Utc::now();
    user.email_verified_at = Set(Some(now));
    user.updated_at = Set(now);
    let user = user.update(&txn).await?;
    announce(&txn, user.id, AccountEventKind::EmailVerified);
    txn.commit().await?;
    Ok(user)
}

/// Always answers true for a well-formed address, so it cannot reveal which accounts exist.
pub async fn request_password_reset(state: &AppState, email: &str, meta: &RequestMeta) -> AppResult<bool> {
    state.limiter.hit(&RESET_PER_IP, &meta.rate_limit_key()).await?;
    let email = Email::parse("email", email)?;
    state.limiter.hit(&RESET_PER_ACCOUNT, email.as_str()).await?;
    let Some(user) = user::Entity::find().filter(user::Column::Email.eq(email.as_str())).one(&state.db).await? else {
        return Ok(true);
    };
    let mut links = MailLinks::default();
    let url = links.add(MailLink::ResetPassword { user: user.id });
    let mail = action_mail(
        &user.email,
        "Reset your Lectern password",
        &format!("Hello {},", user.display_name),
        "Someone (hopefully you) asked to reset the password of your Lectern account.",
        "Choose a new password",
        &url,
        "The link works for one hour and only once. If you did not ask for this, ignore this mail; your password stays as it is.",
    );
    let txn = Write::begin(state).await?;
    txn.enqueue(&links.job(mail)).await?;
    txn.commit().await?;
    Ok(true)
}

/// Sets a new password from a mailed reset link, signs out every session, and
/// counts as proof of the email address.
pub async fn reset_password(state: &AppState, token: &str, new_password: &str) -> AppResult<bool> {
    let txn = Write::begin(state).await?;
    let user_id = consume_user_token(&txn, token, Purpose::ResetPassword).await?;
    let user = get_user(&txn, user_id).await?;
    let display_name = user.display_name.clone();
    let email = Email::parse("email", &user.email)?;
    let password = Password::parse("newPassword", new_password, &password_context(&email, &display_name))?;
    let now = Utc::now();
    let verified = user.email_verified_at.unwrap_or(now);
    let mut user: user::ActiveModel = user.into();
    user.password_hash = Set(password::hash(&state.work.passwords, &password).await?.into_inner());
    user.email_verified_at = Set(Some(verified));
    user.updated_at = Set(now);
    user.update(&txn).await?;
    revoke_all_sessions(&txn, user_id).await?;
    announce(&txn, user_id, AccountEventKind::PasswordChanged);
    txn.commit().await?;
    Ok(true)
}

/// Changes the password after checking the current one, and signs out every session.
pub async fn change_password(state: &AppState, user_id: Uuid, current: &str, new_password: &str) -> AppResult<bool> {
    let user = get_user(&state.db, user_id).await?;
    state.limiter.hit(&LOGIN_PER_ACCOUNT, &user.email).await?;
    if !password::verify(&state.work.passwords, current, Some(&user.password_hash)).await? {
        return Err(AppError::bad_input("current", "The current password is wrong"));
    }
    let email = Email::parse("email", &user.email)?;
    let password = Password::parse("new", new_password, &password_context(&email, &user.display_name))?;
    if current == new_password {
        return Err(AppError::bad_input("new", "The new password must differ from the current one"));
    }
    let hash = password::hash(&state.work.passwords, &password).await?;
    let txn = Write::begin(state).await?;
    let mut active: user::ActiveModel = user.into();
    active.password_hash = Set(hash.into_inner());
    active.updated_at = Set(Utc::now());
    active.update(&txn).await?;
    revoke_all_sessions(&txn, user_id).await?;
    announce(&txn, user_id, AccountEventKind::PasswordChanged);
    txn.commit().await?;
    Ok(true)
}

/// Users, newest first, optionally filtered by a substring of name or email.
pub async fn list_users(
    db: &impl ConnectionTrait,
    search: Option<&str>,
    args: &PageArgs,
) -> AppResult<Page<user::Model>> {
    let mut select = user::Entity::find();
    if let Some(term) = search.map(str::trim).filter(|t| !t.is_empty()) {
        let pattern =
            format!("%{}%", term.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
        select = select.filter(
            sea_orm::Condition::any()
                .add(
                    Expr::expr(Expr::col(user::Column::Email))
                        .like(sea_orm::sea_query::LikeExpr::new(&pattern).escape('\\')),
                )
                .add(
                    Expr::expr(sea_orm::sea_query::Func::lower(Expr::col(user::Column::DisplayName)))
                        .like(sea_orm::sea_query::LikeExpr::new(&pattern).escape('\\')),
                ),
        );
    }
    paginate(db, select, user::Column::Id, Sort::newest(), |u| Cursor::id(u.id), args).await
}

/// Changes a user's role (admins only; an admin cannot demote themself, so one always remains).
/// The account moves to a new session epoch: its open websockets close, and its
/// sessions continue with the new role after their next refresh.
pub async fn set_role(state: &AppState, admin_id: Uuid, user_id: Uuid, role: Role) -> AppResult<user::Model> {
    if admin_id == user_id && role != Role::Admin {
        return Err(AppError::bad_input("role", "You cannot remove your own admin role"));
    }
    let txn = Write::begin(state).await?;
    let user = get_user(&txn, user_id).await?;
    if user.role == role {
        return Ok(user);
    }
    let epoch = user.session_epoch;
    let mut user: user::ActiveModel = user.into();
    user.role = Set(role);
    user.updated_at = Set(Utc::now());
    user.session_epoch = Set(epoch + 1);
    let user = user.update(&txn).await?;
    announce(&txn, user_id, AccountEventKind::RoleChanged);
    txn.commit().await?;
    Ok(user)
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

pub async fn update_profile(db: &impl ConnectionTrait, user_id: Uuid, display_name: &str) -> AppResult<user::Model> {
    let display_name = DisplayName::parse("displayName", display_name)?;
    let mut user: user::ActiveModel = get_user(db, user_id).await?.into();
    user.display_name = Set(display_name.into_inner());
    user.updated_at = Set(Utc::now());
    Ok(user.update(db).await?)
}

/// Marks an address verified without a mailed link (seeded demo accounts).
pub async fn mark_email_verified(db: &impl ConnectionTrait, user_id: Uuid) -> AppResult<()> {
    user::Entity::update_many()
        .col_expr(user::Column::EmailVerifiedAt, Expr::value(Utc::now()))
        .filter(user::Column::Id.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Users with these ids (missing ids are skipped).
pub async fn users_by_ids(db: &impl ConnectionTrait, ids: &[Uuid]) -> AppResult<Vec<user::Model>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(user::Entity::find().filter(user::Column::Id.is_in(ids.iter().copied())).all(db).await?)
}

/// Grants or withdraws premium access by hand (admins, until subscriptions exist).
pub async fn set_premium_access(db: &impl ConnectionTrait, user_id: Uuid, granted: bool) -> AppResult<user::Model> {
    let mut user: user::ActiveModel = get_user(db, user_id).await?.into();
    user.premium_granted_at = Set(granted.then(Utc::now));
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

//! Single-use links by mail (email verification, password reset) and the
//! password changes that sign every session out.

use std::time::Duration;

use anyhow::Context;
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, sea_query::Expr};
use uuid::Uuid;

use super::{
    AccountEventKind, LOGIN_PER_ACCOUNT, announce, find_user, get_user, password_context, revoke_all_sessions,
};
use crate::{
    auth::RequestMeta,
    auth::tokens::{opaque_token, token_hash},
    domains::{
        accounts::{password, password::Password},
        engagement::service as engagement,
    },
    error::{AppError, AppResult},
    infra::{
        mail::{Mail, Template},
        rate_limit::Rule,
    },
    jobs::{MailLink, MailLinks},
    state::AppState,
    values::Email,
    write::Write,
};
use entity::{
    user,
    user_token::{self, Purpose},
};

pub const RESET_PER_IP: Rule = Rule::new("reset:ip", 10, Duration::from_secs(3600));
pub const RESET_PER_ACCOUNT: Rule = Rule::new("reset:account", 3, Duration::from_secs(3600));
pub const VERIFY_MAIL_PER_ACCOUNT: Rule = Rule::new("verify-mail:account", 3, Duration::from_secs(3600));

const VERIFY_EMAIL_TTL: chrono::Duration = chrono::Duration::hours(24);
const RESET_PASSWORD_TTL: chrono::Duration = chrono::Duration::hours(1);

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
fn invalid_link() -> AppError {
    AppError::bad_input("token", "This link is invalid or has expired; ask for a new one")
}

/// The unused, unexpired one-time token `token` stands for.
async fn find_user_token(db: &impl ConnectionTrait, token: &str, purpose: Purpose) -> AppResult<user_token::Model> {
    let now = Utc::now();
    user_token::Entity::find()
        .filter(user_token::Column::TokenHash.eq(token_hash(token)))
        .filter(user_token::Column::Purpose.eq(purpose))
        .filter(user_token::Column::UsedAt.is_null())
        .filter(user_token::Column::ExpiresAt.gt(now))
        .one(db)
        .await?
        .ok_or_else(invalid_link)
}

/// Uses up a one-time token (once: a second use, even a concurrent one, is refused);
/// returns whose it was.
async fn consume_user_token(db: &impl ConnectionTrait, token: &str, purpose: Purpose) -> AppResult<Uuid> {
    let stored = find_user_token(db, token, purpose).await?;
    let now = Utc::now();
    let used = user_token::Entity::update_many()
        .col_expr(user_token::Column::UsedAt, Expr::value(now))
        .filter(user_token::Column::Id.eq(stored.id))
        .filter(user_token::Column::UsedAt.is_null())
        .filter(user_token::Column::ExpiresAt.gt(now))
        .exec(db)
        .await?;
    if used.rows_affected != 1 {
        return Err(invalid_link());
    }
    Ok(stored.user_id)
}

/// A transactional mail: a greeting, what happened, one button.
fn action_mail(to: &str, subject: &str, greeting: &str, intro: &str, action: &str, url: &str, outro: &str) -> Mail {
    Template::new(greeting).paragraph(intro).action(action, url).paragraph(outro).render(to, subject)
}

/// Enqueues the verification mail with the caller's change. The job mints the
/// link when it sends, so no usable token waits in the queue.
pub(super) async fn send_verification_mail(write: &Write, user: &user::Model) -> AppResult<()> {
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
    engagement::on_email_verified(&txn, state, user.id).await?;
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
    // The link and the new password are checked, and the password hashed, before the
    // write begins: hashing takes a while, and SQLite has one writer.
    let link = find_user_token(&state.db, token, Purpose::ResetPassword).await?;
    let user = get_user(&state.db, link.user_id).await?;
    let email = Email::parse("email", &user.email)?;
    let password = Password::parse("newPassword", new_password, &password_context(&email, &user.display_name))?;
    let hash = password::hash(&state.work.passwords, &password).await?;
    let txn = Write::begin(state).await?;
    // Used up inside the change: of two resets racing with one link, one wins.
    let user_id = consume_user_token(&txn, token, Purpose::ResetPassword).await?;
    let user = get_user(&txn, user_id).await?;
    let now = Utc::now();
    let verified = user.email_verified_at.unwrap_or(now);
    let mut user: user::ActiveModel = user.into();
    user.password_hash = Set(hash.into_inner());
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

/// Marks an address verified without a mailed link (seeded demo accounts).
pub async fn mark_email_verified(db: &impl ConnectionTrait, user_id: Uuid) -> AppResult<()> {
    user::Entity::update_many()
        .col_expr(user::Column::EmailVerifiedAt, Expr::value(Utc::now()))
        .filter(user::Column::Id.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}

//! The accounts themselves: creating one, finding users, the admins' list,
//! and roles.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set,
    sea_query::{Expr, ExprTrait},
};
use uuid::Uuid;

use super::{AccountEventKind, announce};
use crate::{
    domains::accounts::{Role, password::PasswordHash},
    error::{AppError, AppResult, OnConstraint, Unique},
    pagination::{Cursor, Page, PageArgs, Sort, paginate},
    state::AppState,
    values::{DisplayName, Email},
    write::Write,
};
use entity::user;

/// One account per address.
const EMAIL_KEY: Unique = Unique::new("users_email_key", "users.email");

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
        digest_frequency: Set(user::DigestFrequency::Never),
        session_epoch: Set(0),
        bio: Set(String::new()),
        time_zone: Set("UTC".into()),
        profile_private: Set(false),
        referral_code: Set(None),
    }
    .insert(db)
    .await
    .on_unique(&[EMAIL_KEY], "email", "An account with this email address already exists")
}

pub async fn find_user(db: &impl ConnectionTrait, id: Uuid) -> AppResult<Option<user::Model>> {
    Ok(user::Entity::find_by_id(id).one(db).await?)
}

pub async fn get_user(db: &impl ConnectionTrait, id: Uuid) -> AppResult<user::Model> {
    find_user(db, id).await?.ok_or(AppError::NotFound("User"))
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

/// Users with these ids (missing ids are skipped), without their password hashes.
pub async fn users_by_ids(db: &impl ConnectionTrait, ids: &[Uuid]) -> AppResult<Vec<user::Model>> {
    use sea_orm::{Iterable, QuerySelect, sea_query::Expr};
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // Everything but the password hash (empty here): only sign-in and the
    // password change need it, and they read it themselves.
    Ok(user::Entity::find()
        .select_only()
        .columns(user::Column::iter().filter(|c| !matches!(c, user::Column::PasswordHash)))
        .column_as(Expr::cust("''"), "password_hash")
        .filter(user::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}

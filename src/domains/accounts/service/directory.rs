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
    infra::response_cache::CacheTag,
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

/// What an account shows anyone (the fields of `User::PUBLIC_FIELDS`), small
/// enough to travel with an event: a live comment carries its author's, so its
/// subscribers render the author without a query.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PublicProfile {
    pub id: Uuid,
    pub display_name: String,
    pub bio: String,
    pub role: user::Role,
    pub email_verified: bool,
    pub profile_private: bool,
    pub created_at: chrono::DateTime<Utc>,
}

impl From<&user::Model> for PublicProfile {
    fn from(user: &user::Model) -> Self {
        PublicProfile {
            id: user.id,
            display_name: user.display_name.clone(),
            bio: user.bio.clone(),
            role: user.role,
            email_verified: user.email_verified_at.is_some(),
            profile_private: user.profile_private,
            created_at: user.created_at,
        }
    }
}

impl PublicProfile {
    /// An account row holding only the public fields; every other field is
    /// empty or a default (no address, no hash, no code). For resolving public
    /// fields only: anything else it is asked reads as blank, never as the
    /// account's own.
    pub fn into_model(self) -> user::Model {
        user::Model {
            id: self.id,
            email: String::new(),
            password_hash: String::new(),
            display_name: self.display_name,
            role: self.role,
            email_verified_at: self.email_verified.then_some(self.created_at),
            created_at: self.created_at,
            updated_at: self.created_at,
            digest_frequency: user::DigestFrequency::Never,
            session_epoch: 0,
            bio: self.bio,
            time_zone: "UTC".into(),
            profile_private: self.profile_private,
            referral_code: None,
        }
    }
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
    // The role shows beside what the user wrote.
    txn.invalidate(CacheTag::Content);
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

/// `select` with each row's author read in the same statement (a left join on
/// the row's `Related<user::Entity>`), without the password hash, as
/// [`users_by_ids`] reads them: a list that shows its authors (a comment
/// thread) needs no second statement for them.
pub fn with_authors<E>(select: sea_orm::Select<E>) -> sea_orm::SelectTwo<E, user::Entity>
where
    E: EntityTrait + sea_orm::Related<user::Entity>,
{
    without_password_hash(select.find_also_related(user::Entity))
}

/// [`with_authors`] for a select that already reads a second table with its
/// rows (a post with its counters).
pub fn and_authors<E, F>(
    select: sea_orm::SelectTwo<E, F>,
) -> sea_orm::SelectThree<E, F, user::Entity, sea_orm::TopologyStar>
where
    E: EntityTrait + sea_orm::Related<user::Entity>,
    F: EntityTrait,
{
    without_password_hash(select.find_also_related(user::Entity))
}

/// Leaves the joined users' password hash unread (an empty string in its place).
fn without_password_hash<S: sea_orm::QueryTrait<QueryStatement = sea_orm::sea_query::SelectStatement>>(
    mut select: S,
) -> S {
    use sea_orm::{Iden, sea_query::SimpleExpr};
    let hash = user::Column::PasswordHash.to_string();
    select.query().exprs_mut_for_each(|selected| {
        let reads_hash = matches!(&selected.expr, SimpleExpr::Column(column)
            if column.column().is_some_and(|c| c.to_string() == hash))
            && selected.alias.as_ref().is_some_and(|alias| alias.to_string().ends_with(&hash));
        if reads_hash {
            selected.expr = Expr::cust("''");
        }
    });
    select
}

//! Demo data: an admin, an author, a reader and a few tags, so GraphiQL has
//! something to show. Embedded mode seeds on first start; a PostgreSQL
//! database only when `lectern seed` is run.

use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::{
    domains::{
        accounts::{Role, password::Password, service as accounts},
        tags::service as tags,
    },
    error::AppResult,
    state::AppState,
    values::{DisplayName, Email},
};

/// A demo account whose credentials are printed at start-up.
pub struct DemoAccount {
    pub email: &'static str,
    pub password: &'static str,
    pub role: Role,
    pub display_name: &'static str,
}

pub const DEMO_ACCOUNTS: [DemoAccount; 3] = [
    DemoAccount {
        email: "admin@lectern.dev",
        password: "lectern-admin-demo-2026",
        role: Role::Admin,
        display_name: "Ada Admin",
    },
    DemoAccount {
        email: "author@lectern.dev",
        password: "lectern-author-demo-2026",
        role: Role::Author,
        display_name: "Grace Author",
    },
    DemoAccount {
        email: "reader@lectern.dev",
        password: "lectern-reader-demo-2026",
        role: Role::Reader,
        display_name: "Linus Reader",
    },
];

const DEMO_TAGS: [&str; 6] = ["Rust", "Databases", "GraphQL", "Distributed Systems", "Career", "Testing"];

/// True when the database has no users yet (a fresh install).
pub async fn is_empty(state: &AppState) -> AppResult<bool> {
    Ok(entity::user::Entity::find().count(&state.db).await? == 0)
}

/// Inserts whatever part of the demo data is missing; running it twice changes nothing.
pub async fn demo(state: &AppState) -> AppResult<()> {
    for account in &DEMO_ACCOUNTS {
        let exists =
            entity::user::Entity::find().filter(entity::user::Column::Email.eq(account.email)).count(&state.db).await?
                > 0;
        if exists {
            continue;
        }
        let email = Email::parse("email", account.email)?;
        let password = Password::parse("password", account.password, &[])?;
        let user = accounts::create_user(
            &state.db,
            &email,
            &password,
            DisplayName::parse("displayName", account.display_name)?,
            account.role,
        )
        .await?;
        accounts::mark_email_verified(&state.db, user.id).await?;
    }
    for name in DEMO_TAGS {
        let exists = entity::tag::Entity::find().filter(entity::tag::Column::Name.eq(name)).count(&state.db).await? > 0;
        if !exists {
            tags::create(&state.db, name).await?;
        }
    }
    Ok(())
}

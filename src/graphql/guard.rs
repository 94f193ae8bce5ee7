//! The declarative face of the viewer checks, for `#[graphql(guard = …)]`.
//! "Owner or admin" needs the resource, so resolvers call
//! `Viewer::require_owner_or_admin` once they have loaded it.

use async_graphql::{Context, Guard, Result};

use super::ContextExt;
use entity::user::Role;

pub enum Require {
    SignedIn,
    Role(Role),
}

impl Guard for Require {
    async fn check(&self, ctx: &Context<'_>) -> Result<()> {
        let viewer = ctx.viewer();
        match self {
            Require::SignedIn => viewer.require_signed_in()?,
            Require::Role(role) => viewer.require_role(*role)?,
        };
        Ok(())
    }
}

//! Who is asking: the viewer comes from `Authorization: Bearer` on HTTP and
//! from the `connection_init` payload on websockets, and every permission
//! check in the schema goes through these methods.

use std::net::IpAddr;

use uuid::Uuid;

use super::tokens::{AccessClaims, JwtKeys};
use crate::error::{AppError, AppResult};
use entity::user::Role;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Viewer {
    Anonymous,
    User { id: Uuid, role: Role },
}

impl Viewer {
    /// The viewer a bearer token stands for. No token is anonymous; a bad one is an error,
    /// so clients learn to refresh instead of silently seeing the anonymous view.
    pub fn from_bearer(keys: &JwtKeys, authorization: Option<&str>) -> AppResult<Viewer> {
        Ok(Self::from_bearer_with_claims(keys, authorization)?.0)
    }

    /// [`Viewer::from_bearer`], with the token's claims for connections that
    /// must follow the session (expiry, session epoch).
    pub fn from_bearer_with_claims(
        keys: &JwtKeys,
        authorization: Option<&str>,
    ) -> AppResult<(Viewer, Option<AccessClaims>)> {
        let Some(value) = authorization.map(str::trim).filter(|v| !v.is_empty()) else {
            return Ok((Viewer::Anonymous, None));
        };
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .ok_or(AppError::UnauthenticatedBecause("Authorization must be `Bearer <access token>`"))?;
        let claims = keys.verify_access(token.trim())?;
        Ok((Viewer::User { id: claims.sub, role: claims.role }, Some(claims)))
    }

    pub fn id(&self) -> Option<Uuid> {
        match self {
            Viewer::Anonymous => None,
            Viewer::User { id, .. } => Some(*id),
        }
    }

    pub fn role(&self) -> Option<Role> {
        match self {
            Viewer::Anonymous => None,
            Viewer::User { role, .. } => Some(*role),
        }
    }

    /// "Signed in": the viewer's id, or UNAUTHENTICATED.
    pub fn require_signed_in(&self) -> AppResult<Uuid> {
        self.id().ok_or(AppError::Unauthenticated)
    }

    /// "Role at least": UNAUTHENTICATED when anonymous, FORBIDDEN when the role is lower.
    pub fn require_role(&self, minimum: Role) -> AppResult<Uuid> {
        let id = self.require_signed_in()?;
        if self.role() >= Some(minimum) { Ok(id) } else { Err(AppError::Forbidden) }
    }

    /// "Owner or admin": the viewer owns the resource or is an admin.
    pub fn require_owner_or_admin(&self, owner: Uuid) -> AppResult<Uuid> {
        let id = self.require_signed_in()?;
        if self.is_owner_or_admin(owner) { Ok(id) } else { Err(AppError::Forbidden) }
    }

    pub fn is_owner_or_admin(&self, owner: Uuid) -> bool {
        match self {
            Viewer::Anonymous => false,
            Viewer::User { id, role } => *id == owner || *role == Role::Admin,
        }
    }
}

/// Facts about the request that rules need: its id (for logs and masked
/// errors) and the client address (for rate limits).
#[derive(Debug, Clone)]
pub struct RequestMeta {
    pub request_id: String,
    pub client_ip: IpAddr,
}

impl RequestMeta {
    pub fn unknown() -> Self {
        RequestMeta { request_id: "-".into(), client_ip: IpAddr::from([0, 0, 0, 0]) }
    }

    /// The key per-client rate limits count under (IPv6 clients by their /64).
    pub fn rate_limit_key(&self) -> String {
        crate::infra::rate_limit::rate_limit_key(self.client_ip)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guards_follow_the_role_order() {
        let reader = Viewer::User { id: Uuid::now_v7(), role: Role::Reader };
        let admin = Viewer::User { id: Uuid::now_v7(), role: Role::Admin };
        assert_eq!(Viewer::Anonymous.require_signed_in().unwrap_err().code(), "UNAUTHENTICATED");
        assert_eq!(Viewer::Anonymous.require_role(Role::Reader).unwrap_err().code(), "UNAUTHENTICATED");
        assert_eq!(reader.require_role(Role::Author).unwrap_err().code(), "FORBIDDEN");
        assert!(admin.require_role(Role::Author).is_ok());
        let owner = reader.id().unwrap();
        assert!(reader.require_owner_or_admin(owner).is_ok());
        assert_eq!(reader.require_owner_or_admin(Uuid::now_v7()).unwrap_err().code(), "FORBIDDEN");
        assert!(admin.require_owner_or_admin(owner).is_ok());
    }
}

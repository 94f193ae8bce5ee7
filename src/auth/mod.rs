//! Who is asking. Every layer above needs it and none of it is GraphQL: the
//! viewer a request or job acts for, the request's metadata, and the tokens
//! that prove an identity (signed access tokens, opaque refresh and link tokens).
//! The accounts domain issues and revokes sessions; this module only reads them.

pub mod tokens;
pub mod viewer;

pub use tokens::{AccessClaims, JwtKeys};
pub use viewer::{RequestMeta, Viewer};

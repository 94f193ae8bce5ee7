//! Accounts: registration, sign-in, sessions (JWT access tokens plus rotating
//! opaque refresh tokens), email verification, password reset and change,
//! and the user directory admins browse.

pub mod loaders;
pub mod password;
pub mod schema;
pub mod service;

pub use entity::user::Role;

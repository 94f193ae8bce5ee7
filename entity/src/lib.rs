//! SeaORM entities for Lectern: table definitions only. Behaviour lives in the
//! domain services under `src/domains/`.

pub mod refresh_token;
pub mod tag;
pub mod user;
pub mod user_token;

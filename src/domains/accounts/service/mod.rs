//! Account rules and transactions. Resolvers call these; nothing else touches
//! the `users`, `refresh_tokens` or `user_tokens` tables.
//!
//! What is where (every item is re-exported here, so callers name
//! `accounts::service::X` whatever file holds it):
//! - `sessions`: register, log in, refresh, sign out, the session epoch that
//!   access tokens must match, account events, and the expired-token sweep.
//! - `recovery`: single-use links (email verification, password reset), and
//!   resetting or changing a password.
//! - `directory`: the accounts themselves — creating one, finding users, the
//!   admins' list and roles.
//! - `preferences`: what users set for themselves — profile and digest frequency.

mod directory;
mod preferences;
mod recovery;
mod sessions;

pub use directory::*;
pub use preferences::*;
pub use recovery::*;
pub use sessions::*;

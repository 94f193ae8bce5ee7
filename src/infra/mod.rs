//! Adapters behind one trait per concern, chosen once at start-up from config:
//! in-process for the embedded mode, Redis/SMTP when configured. Domain code
//! never asks which one it got.

pub mod bus;
pub mod cache;
pub mod embeddings;
pub mod files;
pub mod leaderboard;
pub mod llm;
pub mod log_throttle;
pub mod mail;
pub mod rate_limit;
pub mod redis_guard;
pub mod response_cache;
pub mod signing;
pub mod sqlite;
pub mod stripe;
pub mod watches;
pub mod work;

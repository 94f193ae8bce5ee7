//! Integration tests: each boots the real server on port 0 against a fresh
//! database (SQLite by default; PostgreSQL and Redis when TEST_DATABASE_URL /
//! TEST_REDIS_URL are set) and drives its HTTP and websocket surfaces.

mod harness;

mod accounts;
mod billing;
mod browser_surface;
mod certificates;
mod comments;
mod content;
mod cookie_sessions;
mod counters;
mod engagement;
mod gamification;
mod hostile;
mod http;
mod indexes;
mod jobs;
mod learning;
mod loaders;
mod mail;
mod model_fetch;
mod newsletter;
mod notifications;
mod openai_peer;
mod persisted;
mod plans;
mod response_cache;
mod reviews;
mod schema_file;
mod search;
mod secrets;
mod seed;
mod seo;
mod sqlite;
mod ws;

//! Study notes: a reader's private markdown notes on posts, each optionally
//! anchored to a passage of the post it quotes. Owns the note rows; which
//! posts a reader may open (and read in full, to quote) comes from the posts
//! and entitlements services. Notes are never shown to anyone else, admins
//! included: they are the reader's own study material.

pub mod loaders;
pub mod schema;
pub mod service;

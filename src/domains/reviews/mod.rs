//! Spaced repetition: readers add posts (or a series' posts) to review; each
//! becomes a card scheduled by FSRS (`scheduling`, through the rs-fsrs crate)
//! and shows the post's key points (the author's review prompts, or its
//! headings and excerpt). Owns `review_cards`, `review_logs` (every review with
//! the scheduler state before and after, for replay), `review_prompts`,
//! `review_settings` (the daily reminder) and `review_reminders` (one per
//! reader and local day). Reviews earn XP through the engagement ledger.

pub mod loaders;
pub mod scheduling;
pub mod schema;
pub mod service;

//! Engagement: XP, levels, streaks, badges, leaderboards and referrals. Owns
//! `xp_awards` (the ledger), `user_stats`, `activity_days`, `badges`,
//! `user_badges` and `referrals`, and the users' engagement settings (time
//! zone, private profile, referral code).

pub mod loaders;
pub mod schema;
pub mod service;

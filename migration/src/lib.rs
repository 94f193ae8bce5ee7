//! Lectern's schema migrations. Each runs on SQLite and PostgreSQL; where the
//! backends differ (extensions, indexes), the migration says so explicitly.

/// The SQL that rebuilds every comment's thread path and depth from its parents.
pub use m20261201_000009_comment_threads::backfill as comment_thread_backfill;
pub use m20261207_000019_post_counts::BACKFILL as POST_COUNTS_BACKFILL;
pub use m20261207_000021_post_totals::BACKFILL as POST_TOTALS_BACKFILL;
pub use sea_orm_migration::prelude::*;

mod m20261121_000001_accounts;
mod m20261121_000002_content;
mod m20261121_000003_notifications;
mod m20261121_000004_jobs_and_mail;
mod m20261121_000005_search;
mod m20261121_000006_job_priority;
mod m20261201_000007_session_epoch;
mod m20261201_000008_fts_stable_keys;
mod m20261201_000009_comment_threads;
mod m20261201_000010_session_family_start;
mod m20261206_000011_post_html_version;
mod m20261206_000012_billing;
mod m20261206_000013_user_bio;
mod m20261206_000014_engagement;
mod m20261207_000015_study_notes;
mod m20261207_000016_certificates;
mod m20261207_000017_reviews;
mod m20261207_000018_foreign_key_indexes;
mod m20261207_000019_post_counts;
mod m20261207_000020_posts_published_order;
mod m20261207_000021_post_totals;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261121_000001_accounts::Migration),
            Box::new(m20261121_000002_content::Migration),
            Box::new(m20261121_000003_notifications::Migration),
            Box::new(m20261121_000004_jobs_and_mail::Migration),
            Box::new(m20261121_000005_search::Migration),
            Box::new(m20261121_000006_job_priority::Migration),
            Box::new(m20261201_000007_session_epoch::Migration),
            Box::new(m20261201_000008_fts_stable_keys::Migration),
            Box::new(m20261201_000009_comment_threads::Migration),
            Box::new(m20261201_000010_session_family_start::Migration),
            Box::new(m20261206_000011_post_html_version::Migration),
            Box::new(m20261206_000012_billing::Migration),
            Box::new(m20261206_000013_user_bio::Migration),
            Box::new(m20261206_000014_engagement::Migration),
            Box::new(m20261207_000015_study_notes::Migration),
            Box::new(m20261207_000016_certificates::Migration),
            Box::new(m20261207_000017_reviews::Migration),
            Box::new(m20261207_000018_foreign_key_indexes::Migration),
            Box::new(m20261207_000019_post_counts::Migration),
            Box::new(m20261207_000020_posts_published_order::Migration),
            Box::new(m20261207_000021_post_totals::Migration),
        ]
    }
}

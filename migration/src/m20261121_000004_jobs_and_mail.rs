//! Background jobs and bulk mail.
//!
//! `jobs` is the job queue itself. It lives in the application database so a
//! service can enqueue a job in the same transaction as the change that needs
//! it: committed together or not at all (see src/jobs/queue.rs).
//! `newsletter_subscriptions` holds double-opt-in newsletter addresses,
//! `digest_deliveries` makes "at most one digest per user and period" a
//! primary key, and `artifacts` keeps generated documents (the sitemap) that
//! every instance serves.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    DigestFrequency,
}

#[derive(DeriveIden)]
enum Jobs {
    Table,
    Id,
    Kind,
    Payload,
    Status,
    Attempts,
    MaxAttempts,
    RunAt,
    LockedBy,
    LockedUntil,
    LastError,
    DedupeKey,
    CreatedAt,
    UpdatedAt,
    FinishedAt,
}

#[derive(DeriveIden)]
enum NewsletterSubscriptions {
    Table,
    Id,
    Email,
    Status,
    CreatedAt,
    UpdatedAt,
    ConfirmedAt,
    UnsubscribedAt,
}

#[derive(DeriveIden)]
enum DigestDeliveries {
    Table,
    UserId,
    Period,
    PostCount,
    SentAt,
}

#[derive(DeriveIden)]
enum Artifacts {
    Table,
    Name,
    ContentType,
    Body,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Jobs::Table)
                    .col(pk_uuid(Jobs::Id))
                    .col(string_len(Jobs::Kind, 64))
                    .col(json(Jobs::Payload))
                    .col(string_len(Jobs::Status, 16))
                    .col(integer(Jobs::Attempts))
                    .col(integer(Jobs::MaxAttempts))
                    .col(timestamp_with_time_zone(Jobs::RunAt))
                    .col(string_len_null(Jobs::LockedBy, 128))
                    .col(timestamp_with_time_zone_null(Jobs::LockedUntil))
                    .col(text_null(Jobs::LastError))
                    .col(string_len_null(Jobs::DedupeKey, 200))
                    .col(timestamp_with_time_zone(Jobs::CreatedAt))
                    .col(timestamp_with_time_zone(Jobs::UpdatedAt))
                    .col(timestamp_with_time_zone_null(Jobs::FinishedAt))
                    .to_owned(),
            )
            .await?;
        // Workers look for due jobs by status and time; admins list by status, newest first.
        manager
            .create_index(
                Index::create()
                    .name("idx_jobs_status_run_at")
                    .table(Jobs::Table)
                    .col(Jobs::Status)
                    .col(Jobs::RunAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_jobs_status_id")
                    .table(Jobs::Table)
                    .col(Jobs::Status)
                    .col(Jobs::Id)
                    .to_owned(),
            )
            .await?;
        // A job with a dedupe key exists once per kind, whoever enqueues it how often.
        manager
            .create_index(
                Index::create()
                    .name("idx_jobs_dedupe")
                    .table(Jobs::Table)
                    .col(Jobs::Kind)
                    .col(Jobs::DedupeKey)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(NewsletterSubscriptions::Table)
                    .col(pk_uuid(NewsletterSubscriptions::Id))
                    .col(string_len_uniq(NewsletterSubscriptions::Email, 320))
                    .col(string_len(NewsletterSubscriptions::Status, 16))
                    .col(timestamp_with_time_zone(NewsletterSubscriptions::CreatedAt))
                    .col(timestamp_with_time_zone(NewsletterSubscriptions::UpdatedAt))
                    .col(timestamp_with_time_zone_null(NewsletterSubscriptions::ConfirmedAt))
                    .col(timestamp_with_time_zone_null(NewsletterSubscriptions::UnsubscribedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(string_len(Users::DigestFrequency, 16).default("NEVER"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(DigestDeliveries::Table)
                    .col(uuid(DigestDeliveries::UserId))
                    .col(string_len(DigestDeliveries::Period, 16))
                    .col(integer(DigestDeliveries::PostCount))
                    .col(timestamp_with_time_zone(DigestDeliveries::SentAt))
                    .primary_key(Index::create().col(DigestDeliveries::UserId).col(DigestDeliveries::Period))
                    .foreign_key(
                        ForeignKey::create()
                            .from(DigestDeliveries::Table, DigestDeliveries::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Artifacts::Table)
                    .col(string_len(Artifacts::Name, 64).primary_key())
                    .col(string_len(Artifacts::ContentType, 100))
                    .col(text(Artifacts::Body))
                    .col(timestamp_with_time_zone(Artifacts::UpdatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Artifacts::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(DigestDeliveries::Table).to_owned()).await?;
        manager.alter_table(Table::alter().table(Users::Table).drop_column(Users::DigestFrequency).to_owned()).await?;
        manager.drop_table(Table::drop().table(NewsletterSubscriptions::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Jobs::Table).to_owned()).await
    }
}

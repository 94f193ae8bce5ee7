//! Certificates of completion: one per user and series (the unique key makes a
//! repeated or concurrent issue a no-op), found by their public code, listed
//! per user newest first. The series id has no foreign key: a certificate
//! keeps the id it was signed with after its series is deleted.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Certificates {
    Table,
    Id,
    Code,
    UserId,
    SeriesId,
    RecipientName,
    SeriesTitle,
    IssuedAt,
    Signature,
    RevokedAt,
    RevokedReason,
    RevokedBy,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Certificates::Table)
                    .col(pk_uuid(Certificates::Id))
                    .col(string_len(Certificates::Code, 32))
                    .col(uuid(Certificates::UserId))
                    .col(uuid(Certificates::SeriesId))
                    .col(string_len(Certificates::RecipientName, 200))
                    .col(string_len(Certificates::SeriesTitle, 200))
                    .col(timestamp_with_time_zone(Certificates::IssuedAt))
                    .col(string_len(Certificates::Signature, 100))
                    .col(timestamp_with_time_zone_null(Certificates::RevokedAt))
                    .col(string_len_null(Certificates::RevokedReason, 500))
                    .col(uuid_null(Certificates::RevokedBy))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Certificates::Table, Certificates::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Certificates::Table, Certificates::RevokedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("certificates_code_key")
                    .table(Certificates::Table)
                    .col(Certificates::Code)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // One certificate per user and series: what makes issuing idempotent.
        manager
            .create_index(
                Index::create()
                    .name("certificates_user_series_key")
                    .table(Certificates::Table)
                    .col(Certificates::UserId)
                    .col(Certificates::SeriesId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_certificates_user")
                    .table(Certificates::Table)
                    .col(Certificates::UserId)
                    .col(Certificates::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Certificates::Table).to_owned()).await
    }
}

//! Refresh sessions get an absolute lifetime: each token row records when its
//! session family first signed in, so rotation cannot slide a session forever.
//!
//! The column is added with the Unix epoch as its default (SQLite can only add
//! a NOT NULL column with a constant default), then every existing row takes
//! its family's earliest `created_at`. A row ever inserted without the column
//! would count as an ancient session and be refused: the default fails closed. The same statements run on SQLite and PostgreSQL.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum RefreshTokens {
    Table,
    FamilyStartedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(RefreshTokens::Table)
                    .add_column(
                        ColumnDef::new(RefreshTokens::FamilyStartedAt)
                            .timestamp_with_time_zone()
                            .not_null()
                            .default("1970-01-01T00:00:00+00:00"),
                    )
                    .to_owned(),
            )
            .await?;
        // Rows of a family older than the refresh TTL may already be deleted, so
        // for those this is a lower bound of the real start (a later one, never earlier).
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE refresh_tokens SET family_started_at = \
                 (SELECT MIN(earlier.created_at) FROM refresh_tokens earlier \
                  WHERE earlier.family_id = refresh_tokens.family_id)",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter().table(RefreshTokens::Table).drop_column(RefreshTokens::FamilyStartedAt).to_owned(),
            )
            .await
    }
}

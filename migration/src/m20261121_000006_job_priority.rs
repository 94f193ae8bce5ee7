//! Job priorities: a worker takes the most urgent due job first, so a mail
//! someone is waiting for (verification, password reset) does not queue behind
//! a burst of search indexing or a newsletter's fan-out.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Jobs {
    Table,
    Status,
    Priority,
    RunAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Jobs::Table)
                    .add_column(ColumnDef::new(Jobs::Priority).small_integer().not_null().default(1))
                    .to_owned(),
            )
            .await?;
        // Claims read due jobs by status, most urgent first, then oldest.
        manager
            .create_index(
                Index::create()
                    .name("idx_jobs_status_priority_run_at")
                    .table(Jobs::Table)
                    .col(Jobs::Status)
                    .col((Jobs::Priority, IndexOrder::Desc))
                    .col(Jobs::RunAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name("idx_jobs_status_priority_run_at").table(Jobs::Table).to_owned()).await?;
        manager.alter_table(Table::alter().table(Jobs::Table).drop_column(Jobs::Priority).to_owned()).await
    }
}

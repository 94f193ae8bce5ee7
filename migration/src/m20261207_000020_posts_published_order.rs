//! The posts' date index becomes `(published_at, id, status)`, replacing
//! `(published_at)`. It holds a feed's whole order (newest first, ties by id),
//! so a page is read off the index in order with nothing left to sort, and it
//! covers the live posts' ids (`posts::live_ids`, the candidates of a search
//! or a feed filter), which both backends can then list from the index alone
//! instead of reading every post's row, bodies included: a keyword search's
//! candidates at 2,000 posts took 11 ms by reading the table and 1.6 ms from
//! this index on SQLite (BENCHMARKS.md, "Embedded mode under load").

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Posts {
    Table,
    PublishedAt,
    Id,
    Status,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("idx_posts_published_order")
                    .table(Posts::Table)
                    .col(Posts::PublishedAt)
                    .col(Posts::Id)
                    .col(Posts::Status)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager.drop_index(Index::drop().name("idx_posts_published").table(Posts::Table).if_exists().to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("idx_posts_published")
                    .table(Posts::Table)
                    .col(Posts::PublishedAt)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(Index::drop().name("idx_posts_published_order").table(Posts::Table).if_exists().to_owned())
            .await
    }
}

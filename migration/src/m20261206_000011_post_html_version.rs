//! Which version of the markdown renderer made each post's stored HTML. When
//! the renderer changes what it emits (version 2 prefixes every id with
//! `user-content-`), the workers re-render the posts made by an older one, so
//! old posts do not keep the old output until someone edits them. Rows that
//! exist when this runs were made by version 1.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Posts {
    Table,
    HtmlVersion,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Posts::Table)
                    .add_column(ColumnDef::new(Posts::HtmlVersion).small_integer().not_null().default(1))
                    .to_owned(),
            )
            .await?;
        // The re-render looks for rows below the current version.
        manager
            .create_index(
                Index::create().name("idx_posts_html_version").table(Posts::Table).col(Posts::HtmlVersion).to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name("idx_posts_html_version").table(Posts::Table).to_owned()).await?;
        manager.alter_table(Table::alter().table(Posts::Table).drop_column(Posts::HtmlVersion).to_owned()).await
    }
}

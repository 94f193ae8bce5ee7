//! Content: posts, series, post–tag links, threaded comments, bookmarks,
//! reading progress, reactions, deduplicated post views, slug redirects, and
//! the admin-granted premium flag the entitlement check reads until payments
//! back it with subscriptions.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    PremiumGrantedAt,
}

#[derive(DeriveIden)]
enum Tags {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Series {
    Table,
    Id,
    Title,
    Slug,
    Description,
    CoverImageUrl,
    AuthorId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Posts {
    Table,
    Id,
    AuthorId,
    SeriesId,
    SeriesPosition,
    Title,
    Slug,
    Excerpt,
    Body,
    BodyHtml,
    Status,
    Difficulty,
    ReadingMinutes,
    IsPremium,
    CoverImageUrl,
    PublishedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PostTags {
    Table,
    PostId,
    TagId,
}

#[derive(DeriveIden)]
enum Comments {
    Table,
    Id,
    PostId,
    AuthorId,
    ParentId,
    Body,
    Status,
    EditedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Bookmarks {
    Table,
    UserId,
    PostId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ReadingProgress {
    Table,
    UserId,
    PostId,
    SecondsSpent,
    CompletedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Reactions {
    Table,
    UserId,
    PostId,
    Kind,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PostViews {
    Table,
    PostId,
    ViewerKey,
    Day,
}

#[derive(DeriveIden)]
enum Redirects {
    Table,
    OldSlug,
    PostId,
    CreatedAt,
}

fn cascade(from: (impl IntoIden, impl IntoIden), to: (impl IntoIden, impl IntoIden)) -> ForeignKeyCreateStatement {
    ForeignKey::create().from(from.0, from.1).to(to.0, to.1).on_delete(ForeignKeyAction::Cascade).to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(timestamp_with_time_zone_null(Users::PremiumGrantedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Series::Table)
                    .col(pk_uuid(Series::Id))
                    .col(string_len(Series::Title, 200))
                    .col(string_len_uniq(Series::Slug, 200))
                    .col(text(Series::Description))
                    .col(string_null(Series::CoverImageUrl))
                    .col(uuid(Series::AuthorId))
                    .col(timestamp_with_time_zone(Series::CreatedAt))
                    .col(timestamp_with_time_zone(Series::UpdatedAt))
                    .foreign_key(&mut cascade((Series::Table, Series::AuthorId), (Users::Table, Users::Id)))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Posts::Table)
                    .col(pk_uuid(Posts::Id))
                    .col(uuid(Posts::AuthorId))
                    .col(uuid_null(Posts::SeriesId))
                    .col(integer_null(Posts::SeriesPosition))
                    .col(string_len(Posts::Title, 200))
                    .col(string_len_uniq(Posts::Slug, 200))
                    .col(text(Posts::Excerpt))
                    .col(text(Posts::Body))
                    .col(text(Posts::BodyHtml))
                    .col(string_len(Posts::Status, 16))
                    .col(string_len(Posts::Difficulty, 16))
                    .col(integer(Posts::ReadingMinutes))
                    .col(boolean(Posts::IsPremium))
                    .col(string_null(Posts::CoverImageUrl))
                    .col(timestamp_with_time_zone_null(Posts::PublishedAt))
                    .col(timestamp_with_time_zone(Posts::CreatedAt))
                    .col(timestamp_with_time_zone(Posts::UpdatedAt))
                    .foreign_key(&mut cascade((Posts::Table, Posts::AuthorId), (Users::Table, Users::Id)))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Posts::Table, Posts::SeriesId)
                            .to(Series::Table, Series::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, columns) in [
            ("idx_posts_status_published", vec![Posts::Status, Posts::PublishedAt]),
            ("idx_posts_author", vec![Posts::AuthorId]),
            ("idx_posts_series", vec![Posts::SeriesId, Posts::SeriesPosition]),
            ("idx_posts_published", vec![Posts::PublishedAt]),
        ] {
            let mut index = Index::create().name(name).table(Posts::Table).to_owned();
            for column in columns {
                index.col(column);
            }
            manager.create_index(index).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(PostTags::Table)
                    .col(uuid(PostTags::PostId))
                    .col(uuid(PostTags::TagId))
                    .primary_key(Index::create().col(PostTags::PostId).col(PostTags::TagId))
                    .foreign_key(&mut cascade((PostTags::Table, PostTags::PostId), (Posts::Table, Posts::Id)))
                    .foreign_key(&mut cascade((PostTags::Table, PostTags::TagId), (Tags::Table, Tags::Id)))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("idx_post_tags_tag").table(PostTags::Table).col(PostTags::TagId).to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Comments::Table)
                    .col(pk_uuid(Comments::Id))
                    .col(uuid(Comments::PostId))
                    .col(uuid(Comments::AuthorId))
                    .col(uuid_null(Comments::ParentId))
                    .col(text(Comments::Body))
                    .col(string_len(Comments::Status, 16))
                    .col(timestamp_with_time_zone_null(Comments::EditedAt))
                    .col(timestamp_with_time_zone(Comments::CreatedAt))
                    .foreign_key(&mut cascade((Comments::Table, Comments::PostId), (Posts::Table, Posts::Id)))
                    .foreign_key(&mut cascade((Comments::Table, Comments::AuthorId), (Users::Table, Users::Id)))
                    .foreign_key(&mut cascade((Comments::Table, Comments::ParentId), (Comments::Table, Comments::Id)))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_comments_post")
                    .table(Comments::Table)
                    .col(Comments::PostId)
                    .col(Comments::CreatedAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Bookmarks::Table)
                    .col(uuid(Bookmarks::UserId))
                    .col(uuid(Bookmarks::PostId))
                    .col(timestamp_with_time_zone(Bookmarks::CreatedAt))
                    .primary_key(Index::create().col(Bookmarks::UserId).col(Bookmarks::PostId))
                    .foreign_key(&mut cascade((Bookmarks::Table, Bookmarks::UserId), (Users::Table, Users::Id)))
                    .foreign_key(&mut cascade((Bookmarks::Table, Bookmarks::PostId), (Posts::Table, Posts::Id)))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("idx_bookmarks_post").table(Bookmarks::Table).col(Bookmarks::PostId).to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ReadingProgress::Table)
                    .col(uuid(ReadingProgress::UserId))
                    .col(uuid(ReadingProgress::PostId))
                    .col(integer(ReadingProgress::SecondsSpent))
                    .col(timestamp_with_time_zone_null(ReadingProgress::CompletedAt))
                    .col(timestamp_with_time_zone(ReadingProgress::UpdatedAt))
                    .primary_key(Index::create().col(ReadingProgress::UserId).col(ReadingProgress::PostId))
                    .foreign_key(&mut cascade(
                        (ReadingProgress::Table, ReadingProgress::UserId),
                        (Users::Table, Users::Id),
                    ))
                    .foreign_key(&mut cascade(
                        (ReadingProgress::Table, ReadingProgress::PostId),
                        (Posts::Table, Posts::Id),
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Reactions::Table)
                    .col(uuid(Reactions::UserId))
                    .col(uuid(Reactions::PostId))
                    .col(string_len(Reactions::Kind, 16))
                    .col(timestamp_with_time_zone(Reactions::CreatedAt))
                    .primary_key(Index::create().col(Reactions::UserId).col(Reactions::PostId).col(Reactions::Kind))
                    .foreign_key(&mut cascade((Reactions::Table, Reactions::UserId), (Users::Table, Users::Id)))
                    .foreign_key(&mut cascade((Reactions::Table, Reactions::PostId), (Posts::Table, Posts::Id)))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("idx_reactions_post").table(Reactions::Table).col(Reactions::PostId).to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(PostViews::Table)
                    .col(uuid(PostViews::PostId))
                    .col(string_len(PostViews::ViewerKey, 64))
                    .col(date(PostViews::Day))
                    .primary_key(Index::create().col(PostViews::PostId).col(PostViews::ViewerKey).col(PostViews::Day))
                    .foreign_key(&mut cascade((PostViews::Table, PostViews::PostId), (Posts::Table, Posts::Id)))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Redirects::Table)
                    .col(string_len(Redirects::OldSlug, 200).primary_key())
                    .col(uuid(Redirects::PostId))
                    .col(timestamp_with_time_zone(Redirects::CreatedAt))
                    .foreign_key(&mut cascade((Redirects::Table, Redirects::PostId), (Posts::Table, Posts::Id)))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Redirects::Table.into_iden(),
            PostViews::Table.into_iden(),
            Reactions::Table.into_iden(),
            ReadingProgress::Table.into_iden(),
            Bookmarks::Table.into_iden(),
            Comments::Table.into_iden(),
            PostTags::Table.into_iden(),
            Posts::Table.into_iden(),
            Series::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        manager.alter_table(Table::alter().table(Users::Table).drop_column(Users::PremiumGrantedAt).to_owned()).await?;
        Ok(())
    }
}

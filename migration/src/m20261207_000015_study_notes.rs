//! Learning: private study notes per post (optionally anchored to a quoted
//! passage), and reading time per post per day, the reader's own day, for
//! the learning statistics. Reading time already recorded (per post, with no
//! day) is carried over as read on the day the post was last read, in UTC.

use sea_orm_migration::{prelude::*, schema::*, sea_orm::DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Posts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum StudyNotes {
    Table,
    Id,
    UserId,
    PostId,
    Body,
    Quote,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ReadingDays {
    Table,
    UserId,
    PostId,
    Day,
    Seconds,
}

fn cascade(from: (impl IntoIden, impl IntoIden), to: (impl IntoIden, impl IntoIden)) -> ForeignKeyCreateStatement {
    ForeignKey::create().from(from.0, from.1).to(to.0, to.1).on_delete(ForeignKeyAction::Cascade).to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(StudyNotes::Table)
                    .col(pk_uuid(StudyNotes::Id))
                    .col(uuid(StudyNotes::UserId))
                    .col(uuid(StudyNotes::PostId))
                    .col(text(StudyNotes::Body))
                    .col(text_null(StudyNotes::Quote))
                    .col(timestamp_with_time_zone(StudyNotes::CreatedAt))
                    .col(timestamp_with_time_zone(StudyNotes::UpdatedAt))
                    .foreign_key(&mut cascade((StudyNotes::Table, StudyNotes::UserId), (Users::Table, Users::Id)))
                    .foreign_key(&mut cascade((StudyNotes::Table, StudyNotes::PostId), (Posts::Table, Posts::Id)))
                    .to_owned(),
            )
            .await?;
        // All of a reader's notes, latest change first; and one post's.
        for (name, columns) in [
            ("study_notes_by_user", vec![StudyNotes::UserId, StudyNotes::UpdatedAt, StudyNotes::Id]),
            ("study_notes_by_post", vec![StudyNotes::UserId, StudyNotes::PostId]),
        ] {
            let mut index = Index::create().name(name).table(StudyNotes::Table).to_owned();
            for column in columns {
                index.col(column);
            }
            manager.create_index(index).await?;
        }
        // Posts are deleted with their notes; an index on post_id keeps that cheap.
        manager
            .create_index(
                Index::create().name("study_notes_post").table(StudyNotes::Table).col(StudyNotes::PostId).to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ReadingDays::Table)
                    .col(uuid(ReadingDays::UserId))
                    .col(uuid(ReadingDays::PostId))
                    .col(date(ReadingDays::Day))
                    .col(integer(ReadingDays::Seconds))
                    .primary_key(
                        Index::create().col(ReadingDays::UserId).col(ReadingDays::Day).col(ReadingDays::PostId),
                    )
                    .foreign_key(&mut cascade((ReadingDays::Table, ReadingDays::UserId), (Users::Table, Users::Id)))
                    .foreign_key(&mut cascade((ReadingDays::Table, ReadingDays::PostId), (Posts::Table, Posts::Id)))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("reading_days_post").table(ReadingDays::Table).col(ReadingDays::PostId).to_owned(),
            )
            .await?;
        let backfill = match manager.get_database_backend() {
            DbBackend::Postgres => {
                "INSERT INTO reading_days (user_id, post_id, day, seconds) \
                 SELECT user_id, post_id, (updated_at AT TIME ZONE 'UTC')::date, seconds_spent \
                 FROM reading_progress WHERE seconds_spent > 0"
            }
            _ => {
                "INSERT INTO reading_days (user_id, post_id, day, seconds) \
                 SELECT user_id, post_id, substr(updated_at, 1, 10), seconds_spent \
                 FROM reading_progress WHERE seconds_spent > 0"
            }
        };
        manager.get_connection().execute_unprepared(backfill).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ReadingDays::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(StudyNotes::Table).to_owned()).await
    }
}

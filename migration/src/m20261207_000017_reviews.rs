//! Spaced repetition: each reader's review cards (one per post, with its FSRS
//! scheduler state), the log of every review (the state before and after, so a
//! schedule can be replayed), authors' review prompts per post, the readers'
//! settings (the daily reminder) and the reminders sent (one per reader and
//! local day).

use sea_orm_migration::{prelude::*, schema::*};

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
enum ReviewCards {
    Table,
    Id,
    UserId,
    PostId,
    State,
    Due,
    Stability,
    Difficulty,
    ElapsedDays,
    ScheduledDays,
    Reps,
    Lapses,
    LastReviewedAt,
    Version,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ReviewLogs {
    Table,
    Id,
    CardId,
    UserId,
    Seq,
    Grade,
    ReviewedAt,
    ElapsedDays,
    ScheduledDays,
    Early,
    StateBefore,
    StabilityBefore,
    DifficultyBefore,
    DueBefore,
    StateAfter,
    StabilityAfter,
    DifficultyAfter,
    DueAfter,
}

#[derive(DeriveIden)]
enum ReviewPrompts {
    Table,
    PostId,
    Position,
    Text,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ReviewSettings {
    Table,
    UserId,
    Reminders,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ReviewReminders {
    Table,
    UserId,
    Day,
    DueCount,
    SentAt,
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
                    .table(ReviewCards::Table)
                    .col(pk_uuid(ReviewCards::Id))
                    .col(uuid(ReviewCards::UserId))
                    .col(uuid(ReviewCards::PostId))
                    .col(string_len(ReviewCards::State, 16))
                    .col(timestamp_with_time_zone(ReviewCards::Due))
                    .col(double(ReviewCards::Stability).default(0.0))
                    .col(double(ReviewCards::Difficulty).default(0.0))
                    .col(integer(ReviewCards::ElapsedDays).default(0))
                    .col(integer(ReviewCards::ScheduledDays).default(0))
                    .col(integer(ReviewCards::Reps).default(0))
                    .col(integer(ReviewCards::Lapses).default(0))
                    .col(timestamp_with_time_zone_null(ReviewCards::LastReviewedAt))
                    .col(integer(ReviewCards::Version).default(0))
                    .col(timestamp_with_time_zone(ReviewCards::CreatedAt))
                    .foreign_key(&mut cascade((ReviewCards::Table, ReviewCards::UserId), (Users::Table, Users::Id)))
                    .foreign_key(&mut cascade((ReviewCards::Table, ReviewCards::PostId), (Posts::Table, Posts::Id)))
                    .to_owned(),
            )
            .await?;
        // One card per reader and post: adding twice finds the first.
        manager
            .create_index(
                Index::create()
                    .name("review_cards_user_post_key")
                    .table(ReviewCards::Table)
                    .col(ReviewCards::UserId)
                    .col(ReviewCards::PostId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // The queue: a reader's due cards, oldest due first (the cursor is (due, id)).
        // With the post last, the due count (which leaves out unreadable posts)
        // reads this index alone, not thousands of card rows.
        manager
            .create_index(
                Index::create()
                    .name("idx_review_cards_queue")
                    .table(ReviewCards::Table)
                    .col(ReviewCards::UserId)
                    .col(ReviewCards::Due)
                    .col(ReviewCards::Id)
                    .col(ReviewCards::PostId)
                    .to_owned(),
            )
            .await?;
        // A deleted post takes its cards with it.
        manager
            .create_index(
                Index::create()
                    .name("idx_review_cards_post")
                    .table(ReviewCards::Table)
                    .col(ReviewCards::PostId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ReviewLogs::Table)
                    .col(pk_uuid(ReviewLogs::Id))
                    .col(uuid(ReviewLogs::CardId))
                    .col(uuid(ReviewLogs::UserId))
                    .col(integer(ReviewLogs::Seq))
                    .col(string_len(ReviewLogs::Grade, 8))
                    .col(timestamp_with_time_zone(ReviewLogs::ReviewedAt))
                    .col(integer(ReviewLogs::ElapsedDays))
                    .col(integer(ReviewLogs::ScheduledDays))
                    .col(boolean(ReviewLogs::Early))
                    .col(string_len(ReviewLogs::StateBefore, 16))
                    .col(double(ReviewLogs::StabilityBefore))
                    .col(double(ReviewLogs::DifficultyBefore))
                    .col(timestamp_with_time_zone(ReviewLogs::DueBefore))
                    .col(string_len(ReviewLogs::StateAfter, 16))
                    .col(double(ReviewLogs::StabilityAfter))
                    .col(double(ReviewLogs::DifficultyAfter))
                    .col(timestamp_with_time_zone(ReviewLogs::DueAfter))
                    .foreign_key(&mut cascade(
                        (ReviewLogs::Table, ReviewLogs::CardId),
                        (ReviewCards::Table, ReviewCards::Id),
                    ))
                    .foreign_key(&mut cascade((ReviewLogs::Table, ReviewLogs::UserId), (Users::Table, Users::Id)))
                    .to_owned(),
            )
            .await?;
        // A card's reviews in order (history, replay); the key also refuses a
        // second review on the same prior version of the card.
        manager
            .create_index(
                Index::create()
                    .name("review_logs_card_seq_key")
                    .table(ReviewLogs::Table)
                    .col(ReviewLogs::CardId)
                    .col(ReviewLogs::Seq)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // A reader's reviews by time (the stats' last 30 days).
        manager
            .create_index(
                Index::create()
                    .name("idx_review_logs_user_reviewed")
                    .table(ReviewLogs::Table)
                    .col(ReviewLogs::UserId)
                    .col(ReviewLogs::ReviewedAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ReviewPrompts::Table)
                    .col(uuid(ReviewPrompts::PostId))
                    .col(integer(ReviewPrompts::Position))
                    .col(string_len(ReviewPrompts::Text, 300))
                    .col(timestamp_with_time_zone(ReviewPrompts::UpdatedAt))
                    .primary_key(Index::create().col(ReviewPrompts::PostId).col(ReviewPrompts::Position))
                    .foreign_key(&mut cascade((ReviewPrompts::Table, ReviewPrompts::PostId), (Posts::Table, Posts::Id)))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ReviewSettings::Table)
                    .col(pk_uuid(ReviewSettings::UserId))
                    .col(boolean(ReviewSettings::Reminders).default(false))
                    .col(timestamp_with_time_zone(ReviewSettings::UpdatedAt))
                    .foreign_key(&mut cascade(
                        (ReviewSettings::Table, ReviewSettings::UserId),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ReviewReminders::Table)
                    .col(uuid(ReviewReminders::UserId))
                    .col(date(ReviewReminders::Day))
                    .col(integer(ReviewReminders::DueCount))
                    .col(timestamp_with_time_zone(ReviewReminders::SentAt))
                    .primary_key(Index::create().col(ReviewReminders::UserId).col(ReviewReminders::Day))
                    .foreign_key(&mut cascade(
                        (ReviewReminders::Table, ReviewReminders::UserId),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ReviewReminders::Table.into_iden(),
            ReviewSettings::Table.into_iden(),
            ReviewPrompts::Table.into_iden(),
            ReviewLogs::Table.into_iden(),
            ReviewCards::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

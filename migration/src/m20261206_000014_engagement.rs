//! Engagement: the XP ledger, each user's totals and streak, the days they
//! were active, the badge catalogue and who earned what, and referrals. Users
//! get three settings: their time zone (streak days are theirs), a private
//! profile switch, and a referral code (made when first asked for).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    TimeZone,
    ProfilePrivate,
    ReferralCode,
}

#[derive(DeriveIden)]
enum XpAwards {
    Table,
    Id,
    UserId,
    SourceKind,
    SourceKey,
    Amount,
    CreatedAt,
}

#[derive(DeriveIden)]
enum UserStats {
    Table,
    UserId,
    Xp,
    CurrentStreak,
    LongestStreak,
    LastActiveDay,
    StreakFreezes,
    FreezeProgress,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ActivityDays {
    Table,
    UserId,
    Day,
    FrozenDay,
}

#[derive(DeriveIden)]
enum Badges {
    Table,
    Id,
    Slug,
    Name,
    Description,
    Icon,
    CriteriaKind,
    Threshold,
    Xp,
    CreatedAt,
}

#[derive(DeriveIden)]
enum UserBadges {
    Table,
    UserId,
    BadgeId,
    AwardedAt,
    GrantedBy,
}

#[derive(DeriveIden)]
enum Referrals {
    Table,
    Id,
    ReferrerId,
    ReferredId,
    Status,
    Reason,
    CreatedAt,
    SettledAt,
}

fn user_fk(table: impl IntoIden, column: impl IntoIden) -> ForeignKeyCreateStatement {
    ForeignKey::create().from(table, column).to(Users::Table, Users::Id).on_delete(ForeignKeyAction::Cascade).to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite takes one column per ALTER TABLE.
        for column in [
            ColumnDef::new(Users::TimeZone).string_len(64).not_null().default("UTC").to_owned(),
            ColumnDef::new(Users::ProfilePrivate).boolean().not_null().default(false).to_owned(),
            ColumnDef::new(Users::ReferralCode).string_len(16).null().to_owned(),
        ] {
            manager.alter_table(Table::alter().table(Users::Table).add_column(column).to_owned()).await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("users_referral_code_key")
                    .table(Users::Table)
                    .col(Users::ReferralCode)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(XpAwards::Table)
                    .col(pk_uuid(XpAwards::Id))
                    .col(uuid(XpAwards::UserId))
                    .col(string_len(XpAwards::SourceKind, 32))
                    .col(string_len(XpAwards::SourceKey, 64))
                    .col(integer(XpAwards::Amount))
                    .col(timestamp_with_time_zone(XpAwards::CreatedAt))
                    .foreign_key(&mut user_fk(XpAwards::Table, XpAwards::UserId))
                    .to_owned(),
            )
            .await?;
        // An award is given once: this key is what makes repeats no-ops.
        manager
            .create_index(
                Index::create()
                    .name("xp_awards_source_key")
                    .table(XpAwards::Table)
                    .col(XpAwards::UserId)
                    .col(XpAwards::SourceKind)
                    .col(XpAwards::SourceKey)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // Period boards are rebuilt from the awards of a time range.
        manager
            .create_index(
                Index::create()
                    .name("idx_xp_awards_created")
                    .table(XpAwards::Table)
                    .col(XpAwards::CreatedAt)
                    .col(XpAwards::UserId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_xp_awards_user_created")
                    .table(XpAwards::Table)
                    .col(XpAwards::UserId)
                    .col(XpAwards::CreatedAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(UserStats::Table)
                    .col(pk_uuid(UserStats::UserId))
                    .col(big_integer(UserStats::Xp).default(0))
                    .col(integer(UserStats::CurrentStreak).default(0))
                    .col(integer(UserStats::LongestStreak).default(0))
                    .col(date_null(UserStats::LastActiveDay))
                    .col(integer(UserStats::StreakFreezes).default(0))
                    .col(integer(UserStats::FreezeProgress).default(0))
                    .col(timestamp_with_time_zone(UserStats::UpdatedAt))
                    .foreign_key(&mut user_fk(UserStats::Table, UserStats::UserId))
                    .to_owned(),
            )
            .await?;
        // The all-time board is rebuilt from the totals.
        manager
            .create_index(
                Index::create().name("idx_user_stats_xp").table(UserStats::Table).col(UserStats::Xp).to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ActivityDays::Table)
                    .col(uuid(ActivityDays::UserId))
                    .col(date(ActivityDays::Day))
                    .col(boolean(ActivityDays::FrozenDay).default(false))
                    .primary_key(Index::create().col(ActivityDays::UserId).col(ActivityDays::Day))
                    .foreign_key(&mut user_fk(ActivityDays::Table, ActivityDays::UserId))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Badges::Table)
                    .col(pk_uuid(Badges::Id))
                    .col(string_len_uniq(Badges::Slug, 64))
                    .col(string_len(Badges::Name, 80))
                    .col(string_len(Badges::Description, 300))
                    .col(string_len(Badges::Icon, 32))
                    .col(string_len(Badges::CriteriaKind, 32))
                    .col(integer(Badges::Threshold).default(0))
                    .col(integer(Badges::Xp).default(0))
                    .col(timestamp_with_time_zone(Badges::CreatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(UserBadges::Table)
                    .col(uuid(UserBadges::UserId))
                    .col(uuid(UserBadges::BadgeId))
                    .col(timestamp_with_time_zone(UserBadges::AwardedAt))
                    .col(uuid_null(UserBadges::GrantedBy))
                    .primary_key(Index::create().col(UserBadges::UserId).col(UserBadges::BadgeId))
                    .foreign_key(&mut user_fk(UserBadges::Table, UserBadges::UserId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(UserBadges::Table, UserBadges::BadgeId)
                            .to(Badges::Table, Badges::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(UserBadges::Table, UserBadges::GrantedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Referrals::Table)
                    .col(pk_uuid(Referrals::Id))
                    .col(uuid(Referrals::ReferrerId))
                    .col(uuid_uniq(Referrals::ReferredId))
                    .col(string_len(Referrals::Status, 16))
                    .col(string_len_null(Referrals::Reason, 32))
                    .col(timestamp_with_time_zone(Referrals::CreatedAt))
                    .col(timestamp_with_time_zone_null(Referrals::SettledAt))
                    .foreign_key(&mut user_fk(Referrals::Table, Referrals::ReferrerId))
                    .foreign_key(&mut user_fk(Referrals::Table, Referrals::ReferredId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_referrals_referrer")
                    .table(Referrals::Table)
                    .col(Referrals::ReferrerId)
                    .col(Referrals::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Referrals::Table.into_iden(),
            UserBadges::Table.into_iden(),
            Badges::Table.into_iden(),
            ActivityDays::Table.into_iden(),
            UserStats::Table.into_iden(),
            XpAwards::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        manager.drop_index(Index::drop().name("users_referral_code_key").table(Users::Table).to_owned()).await?;
        for column in [Users::ReferralCode, Users::ProfilePrivate, Users::TimeZone] {
            manager.alter_table(Table::alter().table(Users::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}

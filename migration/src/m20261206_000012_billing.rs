//! Payments: Stripe customers, subscriptions (paid through Stripe or granted
//! by an admin), the checkout sessions a reader opened, the invoices they paid
//! or failed to pay, and every webhook event Stripe delivered.
//!
//! The admin's premium flag (`users.premium_granted_at`) becomes a
//! complimentary subscription with no end: each flagged user gets one (its id
//! is the user's id, which no other subscription can have), and the column goes.

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
enum BillingCustomers {
    Table,
    UserId,
    StripeCustomerId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Subscriptions {
    Table,
    Id,
    UserId,
    Source,
    StripeSubscriptionId,
    StripeCustomerId,
    PlanId,
    PriceId,
    Amount,
    Currency,
    Interval,
    Status,
    CurrentPeriodEnd,
    CancelAtPeriodEnd,
    CanceledAt,
    EndedAt,
    PastDueSince,
    GrantedBy,
    SyncedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CheckoutSessions {
    Table,
    Id,
    UserId,
    PlanId,
    Url,
    Status,
    Attempt,
    ExpiresAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Payments {
    Table,
    Id,
    UserId,
    StripeInvoiceId,
    StripeSubscriptionId,
    Amount,
    Currency,
    Status,
    InvoiceUrl,
    PeriodStart,
    PeriodEnd,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum StripeEvents {
    Table,
    Id,
    Kind,
    CreatedAt,
    Livemode,
    Payload,
    ReceivedAt,
    ProcessedAt,
    Outcome,
}

fn user_fk(table: impl IntoIden, column: impl IntoIden) -> ForeignKeyCreateStatement {
    ForeignKey::create().from(table, column).to(Users::Table, Users::Id).on_delete(ForeignKeyAction::Cascade).to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(BillingCustomers::Table)
                    .col(pk_uuid(BillingCustomers::UserId))
                    .col(string_len_uniq(BillingCustomers::StripeCustomerId, 255))
                    .col(timestamp_with_time_zone(BillingCustomers::CreatedAt))
                    .foreign_key(&mut user_fk(BillingCustomers::Table, BillingCustomers::UserId))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Subscriptions::Table)
                    .col(pk_uuid(Subscriptions::Id))
                    .col(uuid(Subscriptions::UserId))
                    .col(string_len(Subscriptions::Source, 16))
                    .col(string_len_null(Subscriptions::StripeSubscriptionId, 255).unique_key())
                    .col(string_len_null(Subscriptions::StripeCustomerId, 255))
                    .col(string_len_null(Subscriptions::PlanId, 32))
                    .col(string_len_null(Subscriptions::PriceId, 255))
                    .col(big_integer_null(Subscriptions::Amount))
                    .col(string_len_null(Subscriptions::Currency, 3))
                    .col(string_len_null(Subscriptions::Interval, 8))
                    .col(string_len(Subscriptions::Status, 24))
                    .col(timestamp_with_time_zone_null(Subscriptions::CurrentPeriodEnd))
                    .col(boolean(Subscriptions::CancelAtPeriodEnd).default(false))
                    .col(timestamp_with_time_zone_null(Subscriptions::CanceledAt))
                    .col(timestamp_with_time_zone_null(Subscriptions::EndedAt))
                    .col(timestamp_with_time_zone_null(Subscriptions::PastDueSince))
                    .col(uuid_null(Subscriptions::GrantedBy))
                    .col(timestamp_with_time_zone_null(Subscriptions::SyncedAt))
                    .col(timestamp_with_time_zone(Subscriptions::CreatedAt))
                    .col(timestamp_with_time_zone(Subscriptions::UpdatedAt))
                    .foreign_key(&mut user_fk(Subscriptions::Table, Subscriptions::UserId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Subscriptions::Table, Subscriptions::GrantedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_subscriptions_user")
                    .table(Subscriptions::Table)
                    .col(Subscriptions::UserId)
                    .to_owned(),
            )
            .await?;
        // The admin list filters by status, newest first; the sync job reads the non-final ones.
        manager
            .create_index(
                Index::create()
                    .name("idx_subscriptions_status")
                    .table(Subscriptions::Table)
                    .col(Subscriptions::Status)
                    .col(Subscriptions::Id)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(CheckoutSessions::Table)
                    .col(string_len(CheckoutSessions::Id, 255).primary_key())
                    .col(uuid(CheckoutSessions::UserId))
                    .col(string_len(CheckoutSessions::PlanId, 32))
                    .col(text(CheckoutSessions::Url))
                    .col(string_len(CheckoutSessions::Status, 16))
                    .col(integer(CheckoutSessions::Attempt))
                    .col(timestamp_with_time_zone(CheckoutSessions::ExpiresAt))
                    .col(timestamp_with_time_zone(CheckoutSessions::CreatedAt))
                    .foreign_key(&mut user_fk(CheckoutSessions::Table, CheckoutSessions::UserId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_checkout_sessions_user")
                    .table(CheckoutSessions::Table)
                    .col(CheckoutSessions::UserId)
                    .col(CheckoutSessions::Status)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Payments::Table)
                    .col(pk_uuid(Payments::Id))
                    .col(uuid(Payments::UserId))
                    .col(string_len_uniq(Payments::StripeInvoiceId, 255))
                    .col(string_len_null(Payments::StripeSubscriptionId, 255))
                    .col(big_integer(Payments::Amount))
                    .col(string_len(Payments::Currency, 3))
                    .col(string_len(Payments::Status, 16))
                    .col(text_null(Payments::InvoiceUrl))
                    .col(timestamp_with_time_zone_null(Payments::PeriodStart))
                    .col(timestamp_with_time_zone_null(Payments::PeriodEnd))
                    .col(timestamp_with_time_zone(Payments::CreatedAt))
                    .col(timestamp_with_time_zone(Payments::UpdatedAt))
                    .foreign_key(&mut user_fk(Payments::Table, Payments::UserId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_payments_user")
                    .table(Payments::Table)
                    .col(Payments::UserId)
                    .col(Payments::Id)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(StripeEvents::Table)
                    .col(string_len(StripeEvents::Id, 255).primary_key())
                    .col(string_len(StripeEvents::Kind, 100))
                    .col(timestamp_with_time_zone(StripeEvents::CreatedAt))
                    .col(boolean(StripeEvents::Livemode))
                    .col(json(StripeEvents::Payload))
                    .col(timestamp_with_time_zone(StripeEvents::ReceivedAt))
                    .col(timestamp_with_time_zone_null(StripeEvents::ProcessedAt))
                    .col(string_len_null(StripeEvents::Outcome, 255))
                    .to_owned(),
            )
            .await?;

        // The admin flag becomes a complimentary subscription with no end.
        manager
            .get_connection()
            .execute_unprepared(
                "INSERT INTO subscriptions (id, user_id, source, status, cancel_at_period_end, created_at, updated_at) \
                 SELECT id, id, 'COMPLIMENTARY', 'ACTIVE', false, premium_granted_at, premium_granted_at \
                 FROM users WHERE premium_granted_at IS NOT NULL",
            )
            .await?;
        manager.alter_table(Table::alter().table(Users::Table).drop_column(Users::PremiumGrantedAt).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(ColumnDef::new(Users::PremiumGrantedAt).timestamp_with_time_zone().null())
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE users SET premium_granted_at = (SELECT min(s.created_at) FROM subscriptions s \
                 WHERE s.user_id = users.id AND s.source = 'COMPLIMENTARY' AND s.status = 'ACTIVE')",
            )
            .await?;
        for table in [
            StripeEvents::Table.into_iden(),
            Payments::Table.into_iden(),
            CheckoutSessions::Table.into_iden(),
            Subscriptions::Table.into_iden(),
            BillingCustomers::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

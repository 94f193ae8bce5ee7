use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Where a subscription comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Source {
    /// Paid through Stripe; Stripe's subscription is the truth and this row its copy.
    #[sea_orm(string_value = "STRIPE")]
    Stripe,
    /// Granted by an admin, with an optional end.
    #[sea_orm(string_value = "COMPLIMENTARY")]
    Complimentary,
}

/// Stripe's subscription statuses (a complimentary plan is ACTIVE until it ends or is revoked, then CANCELED).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    #[sea_orm(string_value = "INCOMPLETE")]
    Incomplete,
    #[sea_orm(string_value = "INCOMPLETE_EXPIRED")]
    IncompleteExpired,
    #[sea_orm(string_value = "TRIALING")]
    Trialing,
    #[sea_orm(string_value = "ACTIVE")]
    Active,
    #[sea_orm(string_value = "PAST_DUE")]
    PastDue,
    #[sea_orm(string_value = "CANCELED")]
    Canceled,
    #[sea_orm(string_value = "UNPAID")]
    Unpaid,
    #[sea_orm(string_value = "PAUSED")]
    Paused,
}

impl Status {
    /// Stripe never moves a subscription out of these.
    pub fn is_final(self) -> bool {
        matches!(self, Status::Canceled | Status::IncompleteExpired)
    }
}

/// How often a plan bills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(8))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Interval {
    #[sea_orm(string_value = "MONTH")]
    Month,
    #[sea_orm(string_value = "YEAR")]
    Year,
}

/// A user's plan: a copy of a Stripe subscription, or a complimentary grant.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "subscriptions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    pub source: Source,
    #[sea_orm(unique)]
    pub stripe_subscription_id: Option<String>,
    pub stripe_customer_id: Option<String>,
    /// The configured plan (`STRIPE_PLANS`) its price belongs to, when it is one of them.
    pub plan_id: Option<String>,
    pub price_id: Option<String>,
    /// Per interval, in the currency's minor units (from Stripe's price).
    pub amount: Option<i64>,
    pub currency: Option<String>,
    pub interval: Option<Interval>,
    pub status: Status,
    /// The renewal date (Stripe), or the end of a complimentary plan (none: no end).
    pub current_period_end: Option<DateTimeUtc>,
    pub cancel_at_period_end: bool,
    pub canceled_at: Option<DateTimeUtc>,
    pub ended_at: Option<DateTimeUtc>,
    /// When it became PAST_DUE; access continues for the grace period after it.
    pub past_due_since: Option<DateTimeUtc>,
    /// The admin who granted a complimentary plan.
    pub granted_by: Option<Uuid>,
    /// When the Stripe state this row holds was read; an older read never overwrites a newer one.
    pub synced_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::UserId",
        to = "super::user::Column::Id",
        on_delete = "Cascade"
    )]
    User,
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

use sea_orm::entity::prelude::*;

/// Someone who registered with another user's referral code.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "referrals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub referrer_id: Uuid,
    #[sea_orm(unique)]
    pub referred_id: Uuid,
    /// `PENDING` (the referred account has not qualified yet), `REWARDED` or `REJECTED`.
    pub status: String,
    /// Why it was rejected (`SELF_REFERRAL`).
    pub reason: Option<String>,
    pub created_at: DateTimeUtc,
    pub settled_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

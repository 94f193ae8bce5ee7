use sea_orm::entity::prelude::*;

/// A user's totals, kept in step with the ledger (`xp_awards`) in the same
/// transaction as each award, and rebuildable from it; and their streak.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "user_stats")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: Uuid,
    pub xp: i64,
    /// Consecutive active days (in the user's time zone) up to `last_active_day`.
    pub current_streak: i32,
    pub longest_streak: i32,
    pub last_active_day: Option<Date>,
    /// Missed days the streak can survive (earned every N active days).
    pub streak_freezes: i32,
    /// Active days since the last freeze was earned.
    pub freeze_progress: i32,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

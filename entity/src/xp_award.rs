use sea_orm::entity::prelude::*;

/// One grant of XP: given once per (user, source kind, source key), however
/// often the action or the job that grants it repeats.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "xp_awards")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    /// What earned it (`POST_READ`, `SERIES_FINISHED`, `STREAK`, `BADGE`, `REFERRAL`, …).
    pub source_kind: String,
    /// Which one of that kind (a post id, a series id, a badge slug, a day count…).
    pub source_key: String,
    pub amount: i32,
    pub created_at: DateTimeUtc,
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

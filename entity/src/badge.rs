use sea_orm::entity::prelude::*;

/// A badge of the catalogue and what earns it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "badges")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub slug: String,
    pub name: String,
    pub description: String,
    /// One of the icons the web app ships (e.g. `comment`, `book`, `flame`, `trophy`).
    pub icon: String,
    /// How it is earned: `FIRST_COMMENT`, `POSTS_READ`, `SERIES_FINISHED`,
    /// `STREAK_DAYS`, `WEEKLY_TOP`, or `MANUAL` (granted by an admin).
    pub criteria_kind: String,
    /// The count the criterion needs (posts read, days, a rank).
    pub threshold: i32,
    /// XP that earning it awards.
    pub xp: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

use sea_orm::entity::prelude::*;

/// A post's counters, kept by database triggers (migration
/// `m20261207_000019_post_counts`): its visible comments and its reactions of
/// each kind. Every post has a row; the application only reads them.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "post_counts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub post_id: Uuid,
    pub comments: i64,
    pub reactions_like: i64,
    pub reactions_insightful: i64,
    pub reactions_confused: i64,
    pub reactions_celebrate: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::post::Entity",
        from = "Column::PostId",
        to = "super::post::Column::Id",
        on_delete = "Cascade"
    )]
    Post,
}

impl ActiveModelBehavior for ActiveModel {}

use sea_orm::entity::prelude::*;

/// Totals over all posts, kept by database triggers (migration
/// `m20261207_000021_post_totals`): one row (`id` 1) whose `published` is the
/// number of posts with status `PUBLISHED` and a publish time. The application
/// only reads it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "post_totals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i32,
    pub published: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

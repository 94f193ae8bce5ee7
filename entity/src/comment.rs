use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum Status {
    #[sea_orm(string_value = "VISIBLE")]
    Visible,
    /// Hidden by a moderator.
    #[sea_orm(string_value = "HIDDEN")]
    Hidden,
    /// Deleted by its author; kept while it has replies so the thread stays whole.
    #[sea_orm(string_value = "DELETED")]
    Deleted,
}

/// A comment on a post, optionally replying to another comment of the same post.
/// Serialisable because the event bus carries new comments to open post pages.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "comments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub post_id: Uuid,
    pub author_id: Uuid,
    pub parent_id: Option<Uuid>,
    pub body: String,
    pub status: Status,
    pub edited_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    /// Its place in the post's thread: the ids (simple hex) from its root down to it, joined by `/`.
    /// Ordering by it lists the thread depth first, replies in the order they were written.
    #[serde(default)]
    pub thread_path: String,
    /// 0 for a comment on the post, 1 for a reply to one, and so on.
    #[serde(default)]
    pub depth: i32,
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
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::AuthorId",
        to = "super::user::Column::Id",
        on_delete = "Cascade"
    )]
    Author,
}

impl Related<super::post::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Post.def()
    }
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Author.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

use sea_orm::entity::prelude::*;

/// A chunk of a published post that search and "ask AI" retrieve. Its
/// embedding column is not mapped here: its type differs per backend
/// (pgvector / f32 blob), so the search store reads and writes it itself.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "passages")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub post_id: Uuid,
    /// 0-based order within the post.
    pub position: i32,
    /// The headings above the passage, outermost first (a JSON array of strings).
    pub heading_path: Json,
    pub body: String,
    pub words: i32,
    /// Copied from the post when indexed; premium passages go only to entitled viewers.
    pub premium: bool,
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

impl Related<super::post::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Post.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

use sea_orm::entity::prelude::*;

/// One "ask AI" answer as it was streamed: for the admin analytics.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ai_answers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    /// The post the question was limited to, if any.
    pub post_id: Option<Uuid>,
    pub question: String,
    /// The sources shown, in citation order: `[{postId, passageId, heading, score}]`.
    pub sources: Json,
    pub answer: String,
    /// Which answerer wrote it (`extractive`, or `llm:<model>`).
    pub answerer: String,
    /// STOP, LENGTH, NO_SOURCES or ERROR.
    pub finish_reason: String,
    pub characters: i32,
    pub tokens: Option<i32>,
    pub retrieval_ms: i32,
    pub first_delta_ms: Option<i32>,
    pub total_ms: i32,
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

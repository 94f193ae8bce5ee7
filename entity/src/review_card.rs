use sea_orm::entity::prelude::*;

/// Where a card is in the FSRS schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum CardState {
    /// Never reviewed.
    #[sea_orm(string_value = "NEW")]
    New,
    /// In its first short steps (minutes apart).
    #[sea_orm(string_value = "LEARNING")]
    Learning,
    /// Remembered; reviewed days apart.
    #[sea_orm(string_value = "REVIEW")]
    Review,
    /// Forgotten after being remembered; back in short steps.
    #[sea_orm(string_value = "RELEARNING")]
    Relearning,
}

/// One post a reader reviews, with its FSRS scheduler state. One per
/// (user, post); `version` moves with every review, so two reviews can never
/// both apply on the same prior state.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "review_cards")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    pub post_id: Uuid,
    pub state: CardState,
    /// When the card is next due (its creation time while NEW).
    pub due: DateTimeUtc,
    /// FSRS memory stability, in days (0 while NEW).
    pub stability: f64,
    /// FSRS difficulty, 1–10 (0 while NEW).
    pub difficulty: f64,
    /// Days between the last two reviews, as the scheduler counted them.
    pub elapsed_days: i32,
    /// Days the last review scheduled (0 for steps of minutes).
    pub scheduled_days: i32,
    pub reps: i32,
    /// Times the card was forgotten (graded AGAIN) once in REVIEW.
    pub lapses: i32,
    pub last_reviewed_at: Option<DateTimeUtc>,
    /// Reviews applied so far; each review sets it from n to n + 1 (compare-and-set).
    pub version: i32,
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
    #[sea_orm(
        belongs_to = "super::post::Entity",
        from = "Column::PostId",
        to = "super::post::Column::Id",
        on_delete = "Cascade"
    )]
    Post,
    #[sea_orm(has_many = "super::review_log::Entity")]
    Logs,
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl Related<super::post::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Post.def()
    }
}

impl Related<super::review_log::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Logs.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

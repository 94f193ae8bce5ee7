use sea_orm::entity::prelude::*;

use super::review_card::CardState;

/// How well a reader recalled a card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(8))")]
pub enum Grade {
    #[sea_orm(string_value = "AGAIN")]
    Again,
    #[sea_orm(string_value = "HARD")]
    Hard,
    #[sea_orm(string_value = "GOOD")]
    Good,
    #[sea_orm(string_value = "EASY")]
    Easy,
}

/// One review of a card: the grade, when, and the scheduler's state before and
/// after, so a card's schedule can be replayed (and FSRS parameters re-fitted)
/// from its log. `seq` is the card version the review made (1, 2, …), unique
/// per card.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "review_logs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub card_id: Uuid,
    pub user_id: Uuid,
    pub seq: i32,
    pub grade: Grade,
    pub reviewed_at: DateTimeUtc,
    /// Days since the card's previous review (0 for its first).
    pub elapsed_days: i32,
    /// Days until the next review this one scheduled (0 for steps of minutes).
    pub scheduled_days: i32,
    /// Reviewed before it was due.
    pub early: bool,
    pub state_before: CardState,
    pub stability_before: f64,
    pub difficulty_before: f64,
    pub due_before: DateTimeUtc,
    pub state_after: CardState,
    pub stability_after: f64,
    pub difficulty_after: f64,
    pub due_after: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::review_card::Entity",
        from = "Column::CardId",
        to = "super::review_card::Column::Id",
        on_delete = "Cascade"
    )]
    Card,
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::UserId",
        to = "super::user::Column::Id",
        on_delete = "Cascade"
    )]
    User,
}

impl Related<super::review_card::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Card.def()
    }
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

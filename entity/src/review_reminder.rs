use sea_orm::entity::prelude::*;

/// A review reminder sent to a reader for one of their local days. The primary
/// key makes it at most one per reader and day, however often the job runs.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "review_reminders")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: Uuid,
    /// The reader's local date (in their time zone) the reminder is for.
    #[sea_orm(primary_key, auto_increment = false)]
    pub day: Date,
    /// Cards that were due when it was sent.
    pub due_count: i32,
    pub sent_at: DateTimeUtc,
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

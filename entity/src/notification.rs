use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// What a notification is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Kind {
    /// Someone replied to the user's comment.
    #[sea_orm(string_value = "COMMENT_REPLY")]
    CommentReply,
    /// Someone commented on a post the user wrote.
    #[sea_orm(string_value = "COMMENT_ON_POST")]
    CommentOnPost,
    /// A post was published in a series the user is reading.
    #[sea_orm(string_value = "NEW_POST_IN_SERIES")]
    NewPostInSeries,
    #[sea_orm(string_value = "BADGE_EARNED")]
    BadgeEarned,
    #[sea_orm(string_value = "LEVEL_UP")]
    LevelUp,
    #[sea_orm(string_value = "PAYMENT")]
    Payment,
    #[sea_orm(string_value = "SYSTEM")]
    System,
    /// The user was issued a certificate for finishing a series.
    #[sea_orm(string_value = "CERTIFICATE_ISSUED")]
    CertificateIssued,
    /// The daily reminder that review cards are due.
    #[sea_orm(string_value = "REVIEW_REMINDER")]
    ReviewReminder,
}

/// Something that happened which concerns one user. Serialisable because the
/// event bus carries new notifications to the user's live subscriptions.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "notifications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    pub kind: Kind,
    pub title: String,
    pub message: String,
    /// A path in the web app the notification leads to.
    pub link: Option<String>,
    pub read_at: Option<DateTimeUtc>,
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

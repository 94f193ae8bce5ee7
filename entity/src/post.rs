use sea_orm::entity::prelude::*;

/// Where a post is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum Status {
    #[sea_orm(string_value = "DRAFT")]
    Draft,
    #[sea_orm(string_value = "PUBLISHED")]
    Published,
    /// Becomes visible at `published_at`.
    #[sea_orm(string_value = "SCHEDULED")]
    Scheduled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum Difficulty {
    #[sea_orm(string_value = "BEGINNER")]
    Beginner,
    #[sea_orm(string_value = "INTERMEDIATE")]
    Intermediate,
    #[sea_orm(string_value = "ADVANCED")]
    Advanced,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "posts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub author_id: Uuid,
    pub series_id: Option<Uuid>,
    pub series_position: Option<i32>,
    pub title: String,
    #[sea_orm(unique)]
    pub slug: String,
    pub excerpt: String,
    /// Markdown as the author wrote it.
    pub body: String,
    /// Rendered and sanitised HTML of `body`.
    pub body_html: String,
    /// The markdown renderer version that made `body_html`.
    pub html_version: i16,
    pub status: Status,
    pub difficulty: Difficulty,
    pub reading_minutes: i32,
    pub is_premium: bool,
    pub cover_image_url: Option<String>,
    pub published_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::AuthorId",
        to = "super::user::Column::Id",
        on_delete = "Cascade"
    )]
    Author,
    #[sea_orm(
        belongs_to = "super::series::Entity",
        from = "Column::SeriesId",
        to = "super::series::Column::Id",
        on_delete = "SetNull"
    )]
    Series,
    #[sea_orm(has_many = "super::post_tag::Entity")]
    PostTags,
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Author.def()
    }
}

impl Related<super::series::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Series.def()
    }
}

impl Related<super::post_tag::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::PostTags.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

use sea_orm::entity::prelude::*;

/// A certificate of completion: a user finished every published post of a
/// series. The name and title are kept as issued, and the server's Ed25519
/// signature covers them with the code, both ids and the issue time, so a row
/// changed afterwards no longer verifies. Revocation is not signed: it is the
/// server's current word on the certificate.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "certificates")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The public verification code: 20 random bytes in base32 (32 characters, A–Z and 2–7).
    #[sea_orm(unique)]
    pub code: String,
    pub user_id: Uuid,
    /// The series it was issued for; no foreign key, the certificate outlives a deleted series.
    pub series_id: Uuid,
    /// The user's display name when it was issued.
    pub recipient_name: String,
    /// The series' title when it was issued.
    pub series_title: String,
    /// Whole seconds (the signed form has no fraction, so every database keeps it exactly).
    pub issued_at: DateTimeUtc,
    /// Ed25519 over the canonical encoding (certificates::signature), base64url without padding.
    pub signature: String,
    pub revoked_at: Option<DateTimeUtc>,
    pub revoked_reason: Option<String>,
    pub revoked_by: Option<Uuid>,
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

use sea_orm::entity::prelude::*;

/// A webhook event as Stripe delivered it (stored once per event id).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "stripe_events")]
pub struct Model {
    /// Stripe's id (`evt_…`).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// The event type, e.g. `invoice.paid`.
    pub kind: String,
    /// When Stripe created the event.
    pub created_at: DateTimeUtc,
    pub livemode: bool,
    pub payload: Json,
    pub received_at: DateTimeUtc,
    pub processed_at: Option<DateTimeUtc>,
    /// What processing did: `applied`, `ignored: …`.
    pub outcome: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

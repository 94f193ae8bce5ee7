use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum Status {
    /// Waiting for `run_at` (a first run or a retry after backoff).
    #[sea_orm(string_value = "PENDING")]
    Pending,
    /// Claimed by a worker whose lease runs until `locked_until`.
    #[sea_orm(string_value = "RUNNING")]
    Running,
    #[sea_orm(string_value = "DONE")]
    Done,
    /// Failed `max_attempts` times; waits for an admin's `retryJob`.
    #[sea_orm(string_value = "FAILED")]
    Failed,
}

/// One unit of background work, stored in the application database.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "jobs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The job's type, e.g. `send_mail`.
    pub kind: String,
    /// The serialised job, including its kind.
    pub payload: Json,
    pub status: Status,
    /// Workers take due jobs highest priority first: 2 mail someone waits for, 1 the
    /// default, 0 bulk work (newsletter and digest mail, search indexing).
    pub priority: i16,
    /// Runs started so far (a run cut short by a dying worker counts).
    pub attempts: i32,
    pub max_attempts: i32,
    pub run_at: DateTimeUtc,
    pub locked_by: Option<String>,
    pub locked_until: Option<DateTimeUtc>,
    pub last_error: Option<String>,
    /// Unique per kind when set: enqueueing the same key twice makes one job.
    pub dedupe_key: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

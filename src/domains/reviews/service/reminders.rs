//! The daily review reminder. A reader opts in; an hourly job walks the
//! readers who did and have cards due, and for each whose local time (in their
//! time zone) has reached `REVIEW_REMINDER_HOUR` records a reminder for their
//! local date and, with it, raises one notification and enqueues one mail. The
//! reminder's primary key (reader, local date) makes it once per reader and
//! day however often the job runs, is retried or taken over; the mail job's
//! dedupe key says the same. The mail carries a plain link to the review page,
//! nothing that grants access.

use chrono::{DateTime, NaiveDate, Timelike, Utc};
use chrono_tz::Tz;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    sea_query::{Expr, ExprTrait, OnConflict, Query},
};
use uuid::Uuid;

use super::cards::due_count;
use crate::{
    auth::Viewer,
    domains::{
        accounts::service as accounts,
        notifications::{self, service::Notice},
    },
    error::AppResult,
    infra::mail::Template,
    jobs::{Enqueue, Job},
    state::AppState,
    write::Write,
};
use entity::{review_card, review_reminder, review_setting, user};

/// Readers handled per batch.
const BATCH: u64 = 200;
/// Where the reminder leads: the web app's review page.
pub const REVIEW_PAGE: &str = "/review";

/// Whether the viewer gets the daily reminder.
pub async fn reminders_on(db: &impl ConnectionTrait, viewer: &Viewer) -> AppResult<bool> {
    let user_id = viewer.require_signed_in()?;
    Ok(review_setting::Entity::find_by_id(user_id).one(db).await?.is_some_and(|s| s.reminders))
}

/// Turns the viewer's daily reminder on or off; returns the new setting.
pub async fn set_reminders(db: &impl ConnectionTrait, viewer: &Viewer, enabled: bool) -> AppResult<bool> {
    let user_id = viewer.require_signed_in()?;
    let row =
        review_setting::ActiveModel { user_id: Set(user_id), reminders: Set(enabled), updated_at: Set(Utc::now()) };
    let upsert = OnConflict::column(review_setting::Column::UserId)
        .update_columns([review_setting::Column::Reminders, review_setting::Column::UpdatedAt])
        .to_owned();
    review_setting::Entity::insert(row).on_conflict(upsert).exec_without_returning(db).await?;
    Ok(enabled)
}

/// Whether a reader in `zone` is reminded at `now`, and for which of their days.
pub fn reminder_day(zone: Tz, now: DateTime<Utc>, reminder_hour: u32) -> Option<NaiveDate> {
    let local = now.with_timezone(&zone);
    (local.hour() >= reminder_hour).then(|| local.date_naive())
}

/// Sends the reminders due at `now`; returns how many readers were reminded.
pub async fn send_reminders(state: &AppState, now: DateTime<Utc>) -> AppResult<usize> {
    let mut sent = 0;
    let mut after: Option<Uuid> = None;
    loop {
        let ids = opted_in_with_due_cards(&state.db, now, after).await?;
        let Some(last) = ids.last() else { break };
        after = Some(*last);
        for reader in accounts::users_by_ids(&state.db, &ids).await? {
            let zone: Tz = reader.time_zone.parse().unwrap_or(chrono_tz::UTC);
            let Some(day) = reminder_day(zone, now, state.config.reviews.reminder_hour) else { continue };
            if remind(state, &reader, day, now).await? {
                sent += 1;
            }
        }
    }
    Ok(sent)
}

/// The next batch of readers (by id, after `after`) with reminders on and a card due at `now`.
async fn opted_in_with_due_cards(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    after: Option<Uuid>,
) -> AppResult<Vec<Uuid>> {
    // Per reader who opted in, one probe of the queue index (user_id, due, …).
    let has_due = Query::select()
        .expr(Expr::val(1))
        .from(review_card::Entity)
        .and_where(
            Expr::col((review_card::Entity, review_card::Column::UserId))
                .equals((review_setting::Entity, review_setting::Column::UserId)),
        )
        .and_where(Expr::col((review_card::Entity, review_card::Column::Due)).lte(now))
        .to_owned();
    let mut query = review_setting::Entity::find()
        .select_only()
        .column(review_setting::Column::UserId)
        .filter(review_setting::Column::Reminders.eq(true))
        .filter(Expr::exists(has_due));
    if let Some(after) = after {
        query = query.filter(review_setting::Column::UserId.gt(after));
    }
    Ok(query.order_by_asc(review_setting::Column::UserId).limit(BATCH).into_tuple().all(db).await?)
}

/// Reminds one reader for their `day`, unless they were already: the record,
/// the notification and the mail commit together. True when reminded now.
async fn remind(state: &AppState, reader: &user::Model, day: NaiveDate, now: DateTime<Utc>) -> AppResult<bool> {
    let viewer = Viewer::User { id: reader.id, role: reader.role };
    let write = Write::begin(state).await?;
    // Cards of posts that became unreadable do not count.
    let due = due_count(&write, &viewer, now).await?;
    if due == 0 {
        return Ok(false);
    }
    let recorded = review_reminder::Entity::insert(review_reminder::ActiveModel {
        user_id: Set(reader.id),
        day: Set(day),
        due_count: Set(i32::try_from(due).unwrap_or(i32::MAX)),
        sent_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([review_reminder::Column::UserId, review_reminder::Column::Day]).do_nothing().to_owned(),
    )
    .exec_without_returning(&write)
    .await?;
    if recorded == 0 {
        return Ok(false); // reminded already today; the transaction rolls back
    }
    let cards = if due == 1 { "1 card".to_owned() } else { format!("{due} cards") };
    let notice = Notice {
        user_id: reader.id,
        kind: notifications::Kind::ReviewReminder,
        title: format!("{cards} to review"),
        message: "A few minutes of review today keeps what you read.".into(),
        link: Some(REVIEW_PAGE.into()),
    };
    notifications::service::store(&write, vec![notice]).await?;
    if reader.email_verified_at.is_some() {
        let options =
            Enqueue { dedupe_key: Some(format!("review-reminder:{}:{day}", reader.id)), ..Default::default() };
        write.enqueue_with(&reminder_mail(state, reader, &cards), options).await?;
    }
    write.commit().await?;
    Ok(true)
}

fn reminder_mail(state: &AppState, reader: &user::Model, cards: &str) -> Job {
    let mail = Template::new(format!("Hello {},", reader.display_name))
        .paragraph(format!("You have {cards} due for review today. A few minutes now keeps what you read."))
        .action("Review now", state.link(REVIEW_PAGE, None))
        .footer(
            "You get this reminder because you turned on review reminders. Turn them off on the review page in Lectern.",
        )
        .render(&reader.email, &format!("{cards} to review on Lectern"));
    Job::SendMail { mail, links: Vec::new() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reader_is_reminded_from_the_hour_on_their_own_clock() {
        let auckland: Tz = "Pacific/Auckland".parse().unwrap();
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        // 19:30 UTC on 6 December is 08:30 on the 7th in Auckland (UTC+13): not yet at 9.
        assert_eq!(reminder_day(auckland, at("2026-12-06T19:30:00Z"), 9), None);
        // 20:30 UTC is 09:30 there: the 7th's reminder, though it is still the 6th in UTC.
        assert_eq!(reminder_day(auckland, at("2026-12-06T20:30:00Z"), 9), Some("2026-12-07".parse().unwrap()));
        assert_eq!(reminder_day(chrono_tz::UTC, at("2026-12-06T20:30:00Z"), 9), Some("2026-12-06".parse().unwrap()));
        assert_eq!(reminder_day(chrono_tz::UTC, at("2026-12-06T00:00:00Z"), 0), Some("2026-12-06".parse().unwrap()));
    }
}

//! The digest of new posts. A daily `send_digests` job walks the users who asked
//! for one; for each it records a delivery for the period (`D2026-11-21` for
//! daily, `W2026-47` for weekly, so weekly digests go out on the first run of
//! each ISO week) and enqueues the mail in the same transaction. The delivery's
//! primary key makes it at most one digest per user and period however often
//! the job runs, is retried, or is taken over from a dead worker; and a user is
//! either fully handled (delivery and mail job) or not at all.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, TryInsertResult};

use super::service::MailingList;
use crate::{
    domains::{accounts::service as accounts, posts::service as posts},
    infra::mail::{Link, Template},
    jobs::{Job, MailLink, MailLinks},
    state::AppState,
    write::Write,
};
use entity::{
    digest_delivery, post,
    user::{self, DigestFrequency},
};

/// Users handled per batch.
const BATCH: u64 = 200;
/// Posts listed in one digest at most.
const MAX_POSTS: u64 = 20;

/// The period a digest of `frequency` sent on `day` belongs to.
pub fn period(frequency: DigestFrequency, day: NaiveDate) -> Option<String> {
    match frequency {
        DigestFrequency::Never => None,
        DigestFrequency::Daily => Some(format!("D{}", day.format("%Y-%m-%d"))),
        DigestFrequency::Weekly => {
            let week = day.iso_week();
            Some(format!("W{}-{:02}", week.year(), week.week()))
        }
    }
}

/// Sends the digests due on `day`; returns how many mails were enqueued.
pub async fn send_due(state: &AppState, day: NaiveDate) -> anyhow::Result<usize> {
    let mut sent = 0;
    let mut after = None;
    loop {
        let users = accounts::digest_recipients(&state.db, after, BATCH).await?;
        let Some(last) = users.last() else { break };
        after = Some(last.id);
        for user in &users {
            if send_one(state, user, day).await? {
                sent += 1;
            }
        }
    }
    Ok(sent)
}

/// Handles one user for `day`: true when a digest mail was enqueued.
async fn send_one(state: &AppState, user: &user::Model, day: NaiveDate) -> anyhow::Result<bool> {
    let Some(period) = period(user.digest_frequency, day) else { return Ok(false) };
    let now = Utc::now();
    let txn = Write::begin(state).await?;
    let since = last_sent(&txn, user).await?.unwrap_or_else(|| {
        now - match user.digest_frequency {
            DigestFrequency::Weekly => chrono::Duration::days(7),
            _ => chrono::Duration::days(1),
        }
    });
    let new_posts = posts::published_between(&txn, since, now, MAX_POSTS).await?;
    let recorded = digest_delivery::Entity::insert(digest_delivery::ActiveModel {
        user_id: Set(user.id),
        period: Set(period.clone()),
        post_count: Set(new_posts.len() as i32),
        sent_at: Set(now),
    })
    .on_conflict_do_nothing()
    .exec_without_returning(&txn)
    .await?;
    if !matches!(recorded, TryInsertResult::Inserted(1)) {
        return Ok(false); // already handled for this period; the transaction rolls back
    }
    // A period without new posts is recorded too (the next digest starts from
    // here), but sends nothing.
    let mailed = !new_posts.is_empty();
    if mailed {
        txn.enqueue(&digest_mail(state, user, &new_posts, since)).await?;
    }
    txn.commit().await?;
    Ok(mailed)
}

async fn last_sent(db: &impl ConnectionTrait, user: &user::Model) -> anyhow::Result<Option<DateTime<Utc>>> {
    Ok(digest_delivery::Entity::find()
        .filter(digest_delivery::Column::UserId.eq(user.id))
        .order_by_desc(digest_delivery::Column::SentAt)
        .one(db)
        .await?
        .map(|d| d.sent_at))
}

/// The digest's mail job; its unsubscribe link is signed when the job sends it.
fn digest_mail(state: &AppState, user: &user::Model, new_posts: &[post::Model], since: DateTime<Utc>) -> Job {
    let links = new_posts
        .iter()
        .map(|p| {
            let url = state.link(&format!("/posts/{}", p.slug), None);
            let premium = if p.is_premium { " (premium)" } else { "" };
            Link { title: format!("{}{premium}", p.title), url, note: p.excerpt.clone() }
        })
        .collect();
    let (subject, cadence) = match user.digest_frequency {
        DigestFrequency::Weekly => ("Your weekly Lectern digest", "weekly"),
        _ => ("Your daily Lectern digest", "daily"),
    };
    let count = new_posts.len();
    let mut mail_links = MailLinks::default();
    let unsubscribe = mail_links.add(MailLink::Unsubscribe { list: MailingList::Digest, subject: user.id.to_string() });
    let mail = Template::new(format!("Hello {},", user.display_name))
        .paragraph(format!(
            "{count} new post{} since {}:",
            if count == 1 { "" } else { "s" },
            since.format("%e %B %Y, %H:%M UTC").to_string().trim()
        ))
        .links(links)
        .footer(format!("You get this {cadence} digest because you asked for it in your Lectern settings."))
        .unsubscribe(unsubscribe)
        .render(&user.email, subject);
    mail_links.job(mail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_days_and_iso_weeks() {
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(period(DigestFrequency::Daily, day("2026-11-21")).unwrap(), "D2026-11-21");
        assert_eq!(period(DigestFrequency::Never, day("2026-11-21")), None);
        // Monday to Sunday share a week; ISO years differ from calendar years at the edges.
        assert_eq!(period(DigestFrequency::Weekly, day("2026-11-16")).unwrap(), "W2026-47");
        assert_eq!(period(DigestFrequency::Weekly, day("2026-11-22")).unwrap(), "W2026-47");
        assert_eq!(period(DigestFrequency::Weekly, day("2026-11-23")).unwrap(), "W2026-48");
        assert_eq!(period(DigestFrequency::Weekly, day("2027-01-01")).unwrap(), "W2026-53");
    }
}

//! Newsletter subscriptions (double opt-in), unsubscribing from any bulk mail,
//! and the users' digest preference.

use std::time::Duration;

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set, sea_query::Expr};
use uuid::Uuid;

use super::links::{self, Purpose};
use crate::{
    auth::RequestMeta,
    domains::accounts::service as accounts,
    error::{AppError, AppResult},
    infra::{mail::Template, rate_limit::Rule},
    jobs::{self, Job, MailLink, MailLinks},
    state::AppState,
    values::Email,
    write::Write,
};
use entity::{
    newsletter_subscription::{self, Status},
    user::DigestFrequency,
};

pub const SUBSCRIBE_PER_IP: Rule = Rule::new("newsletter:ip", 10, Duration::from_secs(3600));
pub const SUBSCRIBE_PER_ADDRESS: Rule = Rule::new("newsletter:address", 3, Duration::from_secs(3600));

/// How long a confirmation link works.
const CONFIRM_TTL: chrono::Duration = chrono::Duration::days(7);

/// Which list an unsubscribe link leaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, async_graphql::Enum)]
#[serde(rename_all = "snake_case")]
pub enum MailingList {
    /// The newsletter (by address).
    Newsletter,
    /// The digest of new posts (by account).
    Digest,
}

/// The URL of a one-click unsubscribe link for `list` and its subject (an address or a user id).
pub fn unsubscribe_url(state: &AppState, list: MailingList, subject: &str) -> String {
    let subject = match list {
        MailingList::Newsletter => format!("newsletter:{subject}"),
        MailingList::Digest => format!("digest:{subject}"),
    };
    let token = links::sign(state, Purpose::Unsubscribe, &subject, None);
    state.link("/unsubscribe", Some(&token))
}

/// Asks for the newsletter: a new or lapsed address becomes PENDING and gets a
/// confirmation mail; a pending one gets the mail again; a confirmed one is left
/// as it is. The answer is the same in every case, so it reveals nothing.
pub async fn subscribe(state: &AppState, email: &str, meta: &RequestMeta) -> AppResult<bool> {
    state.limiter.hit(&SUBSCRIBE_PER_IP, &meta.rate_limit_key()).await?;
    let email = Email::parse("email", email)?;
    state.limiter.hit(&SUBSCRIBE_PER_ADDRESS, email.as_str()).await?;
    let now = Utc::now();
    let txn = Write::begin(state).await?;
    let existing = newsletter_subscription::Entity::find()
        .filter(newsletter_subscription::Column::Email.eq(email.as_str()))
        .one(&txn)
        .await?;
    match existing {
        Some(found) if found.status == Status::Confirmed => return Ok(true),
        Some(found) => {
            let mut found: newsletter_subscription::ActiveModel = found.into();
            found.status = Set(Status::Pending);
            found.updated_at = Set(now);
            found.update(&txn).await?;
        }
        None => {
            newsletter_subscription::ActiveModel {
                id: Set(Uuid::now_v7()),
                email: Set(email.as_str().to_owned()),
                status: Set(Status::Pending),
                created_at: Set(now),
                updated_at: Set(now),
                confirmed_at: Set(None),
                unsubscribed_at: Set(None),
            }
            .insert(&txn)
            .await?;
        }
    }
    txn.enqueue(&confirmation_mail(email.as_str())).await?;
    txn.commit().await?;
    Ok(true)
}

/// The confirmation mail's job; its link is signed when the job sends it.
fn confirmation_mail(email: &str) -> Job {
    let mut links = MailLinks::default();
    let url = links.add(MailLink::ConfirmNewsletter { email: email.to_owned() });
    let mail = Template::new("Hello,")
        .paragraph("Someone (hopefully you) asked to receive the Lectern newsletter at this address.")
        .action("Yes, subscribe me", url)
        .paragraph("The link works for 7 days. If you did not ask for this, ignore this mail and nothing will be sent.")
        .render(email, "Confirm your Lectern newsletter subscription");
    links.job(mail)
}

/// A signed confirmation link for `email`, valid for 7 days from now (minted by the mail job).
pub fn confirmation_link(state: &AppState, email: &str) -> String {
    let token = links::sign(state, Purpose::ConfirmNewsletter, email, Some(Utc::now() + CONFIRM_TTL));
    state.link("/newsletter/confirm", Some(&token))
}

/// Confirms a subscription from its mailed link (idempotent). A subscription
/// cancelled since the link was sent stays cancelled.
pub async fn confirm(state: &AppState, token: &str) -> AppResult<newsletter_subscription::Model> {
    let email = links::verify(state, Purpose::ConfirmNewsletter, token)?;
    let found = newsletter_subscription::Entity::find()
        .filter(newsletter_subscription::Column::Email.eq(email.as_str()))
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::bad_input("token", "This link is invalid or has expired"))?;
    match found.status {
        Status::Confirmed => Ok(found),
        Status::Unsubscribed => Err(AppError::bad_input(
            "token",
            "This subscription was cancelled; subscribe again to receive the newsletter",
        )),
        Status::Pending => {
            let now = Utc::now();
            let mut found: newsletter_subscription::ActiveModel = found.into();
            found.status = Set(Status::Confirmed);
            found.confirmed_at = Set(Some(now));
            found.updated_at = Set(now);
            Ok(found.update(&state.db).await?)
        }
    }
}

/// What an unsubscribe link did.
pub struct Unsubscribed {
    pub list: MailingList,
    /// The address (newsletter) or the account's address (digest).
    pub email: String,
}

/// Leaves the list a signed unsubscribe link names. Idempotent, and needs no sign-in.
pub async fn unsubscribe(state: &AppState, token: &str) -> AppResult<Unsubscribed> {
    let subject = links::verify(state, Purpose::Unsubscribe, token)?;
    let now = Utc::now();
    if let Some(email) = subject.strip_prefix("newsletter:") {
        newsletter_subscription::Entity::update_many()
            .col_expr(newsletter_subscription::Column::Status, Expr::value(Status::Unsubscribed))
            .col_expr(newsletter_subscription::Column::UnsubscribedAt, Expr::value(Some(now)))
            .col_expr(newsletter_subscription::Column::UpdatedAt, Expr::value(now))
            .filter(newsletter_subscription::Column::Email.eq(email))
            .filter(newsletter_subscription::Column::Status.ne(Status::Unsubscribed))
            .exec(&state.db)
            .await?;
        return Ok(Unsubscribed { list: MailingList::Newsletter, email: email.to_owned() });
    }
    if let Some(user_id) = subject.strip_prefix("digest:").and_then(|id| Uuid::parse_str(id).ok()) {
        let user = accounts::find_user(&state.db, user_id)
            .await?
            .ok_or_else(|| AppError::bad_input("token", "This link is invalid or has expired"))?;
        accounts::set_digest_frequency(&state.db, user.id, DigestFrequency::Never).await?;
        return Ok(Unsubscribed { list: MailingList::Digest, email: user.email });
    }
    Err(AppError::bad_input("token", "This link is invalid or has expired"))
}

/// Subscribers handled per transaction when an issue fans out.
const FAN_OUT_BATCH: u64 = 500;

/// Validates a newsletter issue and enqueues the job that mails it to every
/// confirmed address. Returns the job.
pub async fn send_issue(state: &AppState, subject: &str, markdown: &str) -> AppResult<Uuid> {
    let subject = subject.trim();
    if subject.is_empty() || subject.chars().count() > 200 {
        return Err(AppError::bad_input("subject", "The subject must be 1–200 characters"));
    }
    if markdown.trim().is_empty() || markdown.len() > 100_000 {
        return Err(AppError::bad_input("body", "The body must be 1–100,000 bytes of markdown"));
    }
    let job = Job::SendNewsletter { issue: Uuid::now_v7(), subject: subject.to_owned(), markdown: markdown.to_owned() };
    let txn = Write::begin(state).await?;
    let id = txn.enqueue(&job).await?;
    txn.commit().await?;
    Ok(id)
}

/// Enqueues one mail per confirmed address for `issue`. Each mail job is keyed
/// by (issue, address), so a fan-out that is retried or taken over after a
/// crash never mails an address twice. Returns how many mails it enqueued.
pub async fn fan_out_issue(state: &AppState, issue: Uuid, subject: &str, markdown: &str) -> AppResult<usize> {
    let html = crate::domains::posts::markdown::render(markdown);
    let mut queued = 0;
    let mut after: Option<Uuid> = None;
    loop {
        let mut page = newsletter_subscription::Entity::find()
            .filter(newsletter_subscription::Column::Status.eq(Status::Confirmed))
            .order_by_asc(newsletter_subscription::Column::Id)
            .limit(FAN_OUT_BATCH);
        if let Some(after) = after {
            page = page.filter(newsletter_subscription::Column::Id.gt(after));
        }
        let subscribers = page.all(&state.db).await?;
        let Some(last) = subscribers.last() else { break };
        after = Some(last.id);
        let txn = Write::begin(state).await?;
        for subscriber in &subscribers {
            let mut links = MailLinks::default();
            let unsubscribe =
                links.add(MailLink::Unsubscribe { list: MailingList::Newsletter, subject: subscriber.email.clone() });
            let mail = Template::new("Hello,")
                .rich(html.clone(), markdown)
                .footer("You get the Lectern newsletter because you subscribed and confirmed this address.")
                .unsubscribe(unsubscribe)
                .render(&subscriber.email, subject);
            let options =
                jobs::Enqueue { dedupe_key: Some(format!("{issue}:{}", subscriber.email)), ..Default::default() };
            if txn.enqueue_with(&links.job(mail), options).await?.is_some() {
                queued += 1;
            }
        }
        txn.commit().await?;
    }
    Ok(queued)
}

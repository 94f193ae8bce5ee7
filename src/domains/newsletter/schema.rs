//! GraphQL surface of bulk mail: newsletter sign-up with double opt-in,
//! one-click unsubscribe from any list, and the viewer's digest preference.

use async_graphql::{Context, Enum, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

use super::service::{self, MailingList};
use crate::{
    domains::accounts::{Role, schema::User, service as accounts},
    graphql::{ContextExt, Require},
};
use entity::{newsletter_subscription, user::DigestFrequency};

/// Where a newsletter address is in the double opt-in.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(name = "NewsletterStatus", remote = "entity::newsletter_subscription::Status")]
pub enum GqlNewsletterStatus {
    /// Asked for; waiting for the address to be confirmed from the mailed link.
    Pending,
    /// Confirmed: the address receives the newsletter.
    Confirmed,
    /// Left the list.
    Unsubscribed,
}

/// How often the viewer gets a digest of new posts by mail.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(name = "DigestFrequency", remote = "entity::user::DigestFrequency")]
pub enum GqlDigestFrequency {
    /// No digest.
    Never,
    /// Every day at the digest time (08:00 UTC unless configured otherwise), if there are new posts.
    Daily,
    /// On the first digest run of each week (Monday), if there are new posts.
    Weekly,
}

/// An address on the newsletter list.
#[derive(SimpleObject)]
pub struct NewsletterSubscription {
    /// The subscribed address.
    pub email: String,
    /// Where the subscription is in the double opt-in.
    pub status: GqlNewsletterStatus,
    /// When the address was confirmed; null until then.
    pub confirmed_at: Option<DateTime<Utc>>,
}

impl From<newsletter_subscription::Model> for NewsletterSubscription {
    fn from(model: newsletter_subscription::Model) -> Self {
        NewsletterSubscription { email: model.email, status: model.status.into(), confirmed_at: model.confirmed_at }
    }
}

/// What an unsubscribe link did.
#[derive(SimpleObject)]
pub struct UnsubscribeResult {
    /// The list the address left.
    pub list: MailingList,
    /// The address that will get no more mail from that list.
    pub email: String,
}

/// A newsletter issue.
#[derive(async_graphql::InputObject)]
pub struct NewsletterInput {
    /// The mail's subject, 1–200 characters.
    pub subject: String,
    /// The issue in markdown (rendered and sanitised like posts).
    pub body: String,
}

#[derive(Default)]
pub struct NewsletterMutation;

#[Object]
impl NewsletterMutation {
    /// Asks for the newsletter at `email`: a confirmation link is mailed, and
    /// nothing else is sent until it is used. Answers true for every well-formed
    /// address, subscribed or not, so it reveals nothing about the list.
    /// BAD_USER_INPUT on `email` for a malformed address; RATE_LIMITED when
    /// asked too often from one client or for one address.
    async fn subscribe_newsletter(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The address to send the newsletter to.")] email: String,
    ) -> Result<bool> {
        Ok(service::subscribe(ctx.state(), &email, ctx.meta()).await?)
    }

    /// Confirms a newsletter address from the mailed link's token (valid for 7
    /// days; using it again is harmless). BAD_USER_INPUT on `token` if it is
    /// invalid, expired, or the subscription was cancelled since.
    async fn confirm_newsletter(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The `token` parameter of the confirmation link.")] token: String,
    ) -> Result<NewsletterSubscription> {
        Ok(service::confirm(ctx.state(), &token).await?.into())
    }

    /// Leaves the list an unsubscribe link names (the newsletter, or the
    /// digest), without signing in. Idempotent. BAD_USER_INPUT on `token` if it
    /// is not a valid unsubscribe token. The same links also work as one-click
    /// `POST /unsubscribe?token=…` (RFC 8058), which mail clients use.
    async fn unsubscribe_newsletter(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The `token` parameter of the unsubscribe link.")] token: String,
    ) -> Result<UnsubscribeResult> {
        let done = service::unsubscribe(ctx.state(), &token).await?;
        Ok(UnsubscribeResult { list: done.list, email: done.email })
    }

    /// Mails a newsletter issue to every confirmed address (admins only), each
    /// mail with its one-click unsubscribe link. Returns the job that fans it
    /// out (see `jobs`). BAD_USER_INPUT on `subject` (1–200 characters) or
    /// `body` (markdown, 1–100,000 bytes).
    #[graphql(guard = "Require::Role(Role::Admin)")]
    async fn send_newsletter(&self, ctx: &Context<'_>, input: NewsletterInput) -> Result<crate::jobs::schema::Job> {
        let state = ctx.state();
        let id = service::send_issue(state, &input.subject, &input.body).await?;
        Ok(crate::jobs::schema::Job(crate::jobs::queue::get(&state.db, id).await?))
    }

    /// Sets how often the viewer gets the digest of new posts (mailed only to a verified address).
    #[graphql(guard = "Require::SignedIn")]
    async fn set_digest_frequency(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "NEVER, DAILY or WEEKLY.")] frequency: GqlDigestFrequency,
    ) -> Result<User> {
        let user_id = ctx.viewer().require_signed_in()?;
        let frequency: DigestFrequency = frequency.into();
        Ok(accounts::set_digest_frequency(&ctx.state().db, user_id, frequency).await?.into())
    }
}

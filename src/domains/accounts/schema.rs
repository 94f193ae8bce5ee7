//! GraphQL surface of accounts: thin resolvers over `service`.

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, Subscription};
use chrono::{DateTime, Utc};
use futures::{StreamExt, stream::BoxStream};

use super::service::{self, AccountEventKind, Registration, Session};
use crate::domains::{certificates::schema as certificates, engagement::schema as engagement};
use crate::graphql::{
    ContextExt, Require,
    pagination::{Connection, connection, page_args},
    parse_id,
};
use entity::user;

/// What a user may do; each role includes the ones before it.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(name = "Role", remote = "entity::user::Role")]
pub enum GqlRole {
    /// Reads, comments, bookmarks and tracks progress.
    Reader,
    /// Also writes and publishes their own posts.
    Author,
    /// Also manages every user and all content.
    Admin,
}

/// A Lectern account; `reveal_email` is set where the viewer is known to be its owner
/// (the payload of their own sign-in, before a token exists).
pub struct User {
    model: user::Model,
    reveal_email: bool,
}

impl From<user::Model> for User {
    fn from(model: user::Model) -> Self {
        User { model, reveal_email: false }
    }
}

impl User {
    /// The fields every viewer reads alike: what an account shows anyone. A live
    /// comment whose author is selected with these alone is rendered once per event
    /// for all its subscribers (`comments::schema`), so a field that comes to depend
    /// on who asks must leave this list (a test holds every viewer to one answer).
    pub const PUBLIC_FIELDS: &'static [&'static str] =
        &["__typename", "id", "displayName", "bio", "role", "profilePrivate", "emailVerified", "createdAt"];
}

// Standing (level, XP, streak, badges, activity, certificates) and
// `emailVerified` change without a write that invalidates cached answers, so an
// answer that shows them is never cached (`not_cacheable`); the rest of the
// public profile is invalidated by the writes that change it.
/// A Lectern account.
#[Object]
impl User {
    /// The user's stable id.
    async fn id(&self) -> ID {
        ID(self.model.id.to_string())
    }

    /// The sign-in address; only the user themself and admins see it (null for others).
    async fn email(&self, ctx: &Context<'_>) -> Option<&str> {
        (self.reveal_email || ctx.viewer().is_owner_or_admin(self.model.id)).then_some(self.model.email.as_str())
    }

    /// The name shown next to what the user writes.
    async fn display_name(&self) -> &str {
        &self.model.display_name
    }

    /// A short public biography in plain text (line breaks kept); empty when none.
    async fn bio(&self) -> &str {
        &self.model.bio
    }

    /// The user's level (1 + ⌊√(XP / 100)⌋); null when the profile is private (to others).
    async fn level(&self, ctx: &Context<'_>) -> Result<Option<i32>> {
        ctx.not_cacheable();
        Ok(engagement::standing_of(ctx, &self.model).await?.map(|s| s.level))
    }

    /// XP earned in all; null when the profile is private (to others).
    async fn xp(&self, ctx: &Context<'_>) -> Result<Option<i64>> {
        ctx.not_cacheable();
        Ok(engagement::standing_of(ctx, &self.model).await?.map(|s| s.xp))
    }

    /// Where the level stands; null when the profile is private (to others).
    async fn level_progress(&self, ctx: &Context<'_>) -> Result<Option<engagement::LevelProgress>> {
        ctx.not_cacheable();
        Ok(engagement::standing_of(ctx, &self.model).await?.map(|s| engagement::level_progress(&s)))
    }

    /// The streak of active days; null when the profile is private (to others).
    async fn streak(&self, ctx: &Context<'_>) -> Result<Option<engagement::Streak>> {
        ctx.not_cacheable();
        Ok(engagement::standing_of(ctx, &self.model).await?.map(|s| engagement::streak(&s)))
    }

    /// Badges earned, newest first; null when the profile is private (to others).
    async fn badges(&self, ctx: &Context<'_>) -> Result<Option<Vec<engagement::EarnedBadge>>> {
        ctx.not_cacheable();
        engagement::badges_of(ctx, &self.model).await
    }

    /// The latest XP awards, newest first; null when the profile is private (to others).
    async fn recent_activity(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 10, desc = "1–50.")] first: i32,
    ) -> Result<Option<Vec<engagement::XpAward>>> {
        ctx.not_cacheable();
        engagement::recent_awards_of(ctx, &self.model, first).await
    }

    /// Certificates of completion, newest first (revoked ones only for the user and admins);
    /// null when the profile is private (to others).
    async fn certificates(&self, ctx: &Context<'_>) -> Result<Option<Vec<certificates::Certificate>>> {
        ctx.not_cacheable();
        certificates::certificates_of(ctx, &self.model).await
    }

    /// Whether level, XP, streak, badges, activity and certificates are hidden from others.
    async fn profile_private(&self) -> bool {
        self.model.profile_private
    }

    /// The IANA time zone streak days are counted in; only the user themself and admins see it.
    async fn time_zone(&self, ctx: &Context<'_>) -> Option<&str> {
        ctx.viewer().is_owner_or_admin(self.model.id).then_some(self.model.time_zone.as_str())
    }

    /// The code others register with (`register(input: {referralCode})`, or the
    /// link `/register?ref=<code>`); only the user themself sees it.
    async fn referral_code(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        engagement::referral_code_of(ctx, &self.model).await
    }

    /// Whether and by whom the user was referred, and until when they may still enter a
    /// code (`applyReferralCode`); only the user themself sees it (null for others).
    async fn referral(&self, ctx: &Context<'_>) -> Result<Option<engagement::ReferralEntry>> {
        engagement::referral_entry_of(ctx, &self.model).await
    }

    /// What the user may do.
    async fn role(&self) -> GqlRole {
        self.model.role.into()
    }

    /// Whether the user confirmed their email address through the mailed link.
    async fn email_verified(&self, ctx: &Context<'_>) -> bool {
        ctx.not_cacheable();
        self.model.email_verified_at.is_some()
    }

    /// Whether the user may read premium posts now: a paid or complimentary plan, or the
    /// admin role (only the user themself and admins see it).
    async fn has_premium_access(&self, ctx: &Context<'_>) -> Result<Option<bool>> {
        if !(self.reveal_email || ctx.viewer().is_owner_or_admin(self.model.id)) {
            return Ok(None);
        }
        let access = crate::domains::entitlements::loaders::PremiumAccess(self.model.id);
        Ok(Some(ctx.loader().load_one(access).await?.unwrap_or(false)))
    }

    /// The user's current plan: paid, complimentary, or the last one they had; null when
    /// they never had one (only the user themself and admins see it).
    async fn subscription(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<crate::domains::billing::schema::BillingSubscription>> {
        crate::domains::billing::schema::user_subscription(ctx, self.model.id).await
    }

    /// The user's invoices, newest first (only the user themself and admins see them).
    #[graphql(complexity = "crate::graphql::pagination::page_complexity(child_complexity, first, last)")]
    async fn payments(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most 100.")] first: Option<i32>,
        after: Option<String>,
        #[graphql(desc = "At most 100.")] last: Option<i32>,
        before: Option<String>,
    ) -> Result<Option<Connection<crate::domains::billing::schema::Payment>>> {
        crate::domains::billing::schema::user_payments(ctx, self.model.id, first, after, last, before).await
    }

    /// How often the user gets the digest of new posts (only the user themself and admins see it).
    async fn digest_frequency(
        &self,
        ctx: &Context<'_>,
    ) -> Option<crate::domains::newsletter::schema::GqlDigestFrequency> {
        (self.reveal_email || ctx.viewer().is_owner_or_admin(self.model.id))
            .then_some(self.model.digest_frequency.into())
    }

    /// When the account was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.model.created_at
    }
}

/// A signed-in session.
pub struct AuthPayload(Session, DateTime<Utc>);

impl AuthPayload {
    fn new(ctx: &Context<'_>, session: Session) -> Self {
        let ttl = chrono::Duration::from_std(ctx.state().jwt.access_ttl()).unwrap_or_default();
        AuthPayload(session, Utc::now() + ttl)
    }
}

#[Object]
impl AuthPayload {
    /// Send as `Authorization: Bearer <accessToken>` (or in the websocket `connection_init` payload).
    async fn access_token(&self) -> &str {
        &self.0.access_token
    }

    /// When the access token stops working; refresh before then.
    async fn access_token_expires_at(&self) -> DateTime<Utc> {
        self.1
    }

    /// Single use: `refreshToken(token:)` returns a new pair. Reusing a spent one signs the session out.
    async fn refresh_token(&self) -> &str {
        &self.0.refresh_token
    }

    /// The signed-in user.
    async fn user(&self) -> User {
        User { model: self.0.user.clone(), reveal_email: true }
    }
}

#[derive(InputObject)]
pub struct RegisterInput {
    /// The sign-in address; a verification link is mailed to it.
    pub email: String,
    /// 10–128 characters, not easy to guess.
    pub password: String,
    /// 1–80 characters, shown publicly.
    pub display_name: String,
    /// The referral code of the user who invited the new reader (from their link);
    /// an unknown code is refused on `referralCode`.
    pub referral_code: Option<String>,
}

#[derive(InputObject)]
pub struct LoginInput {
    /// The address the account was registered with.
    pub email: String,
    /// The account's password.
    pub password: String,
}

#[derive(InputObject)]
pub struct UpdateProfileInput {
    /// 1–80 characters, shown publicly.
    pub display_name: String,
    /// A short public biography shown on the author page: plain text, up to 1,000
    /// characters, line breaks kept. Left out, it stays; empty clears it.
    pub bio: Option<String>,
    /// The IANA time zone streak days are counted in (e.g. `Europe/Berlin`). Left out, it stays.
    pub time_zone: Option<String>,
    /// Hide level, XP, streak, badges, activity and certificates from others. Left out, it stays.
    pub profile_private: Option<bool>,
}

/// Something that happened to the viewer's account.
#[derive(async_graphql::SimpleObject, serde::Deserialize)]
pub struct AccountEvent {
    /// What happened.
    pub kind: AccountEventKind,
    /// When it happened.
    pub at: DateTime<Utc>,
}

#[derive(Default)]
pub struct AccountsQuery;

#[Object]
impl AccountsQuery {
    /// The signed-in user, or null when anonymous.
    async fn me(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        let Some(id) = ctx.viewer().id() else {
            return Ok(None);
        };
        Ok(service::find_user(&ctx.state().db, id).await?.map(User::from))
    }

    /// A user's public profile.
    async fn user(&self, ctx: &Context<'_>, id: ID) -> Result<Option<User>> {
        let id = parse_id("id", &id)?;
        Ok(service::find_user(&ctx.state().db, id).await?.map(User::from))
    }

    /// Every account, newest first, optionally searched by name or email (admins only).
    #[graphql(
        guard = "Require::Role(entity::user::Role::Admin)",
        complexity = "crate::graphql::pagination::page_complexity(child_complexity, first, last)"
    )]
    async fn users(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Matches a part of the display name or email, case-insensitively.")] search: Option<String>,
        #[graphql(desc = "At most 100.")] first: Option<i32>,
        after: Option<String>,
        #[graphql(desc = "At most 100.")] last: Option<i32>,
        before: Option<String>,
    ) -> Result<Connection<User>> {
        let args = page_args(ctx, first, after, last, before);
        Ok(connection(service::list_users(&ctx.state().db, search.as_deref(), &args).await?, User::from))
    }
}

#[derive(Default)]
pub struct AccountsMutation;

#[Object]
impl AccountsMutation {
    /// Creates a reader account, signs it in and mails a verification link.
    async fn register(&self, ctx: &Context<'_>, input: RegisterInput) -> Result<AuthPayload> {
        let registration = Registration {
            email: &input.email,
            password: &input.password,
            display_name: &input.display_name,
            referral_code: input.referral_code.as_deref(),
        };
        let session = service::register(ctx.state(), registration, ctx.meta()).await?;
        Ok(AuthPayload::new(ctx, session))
    }

    /// Signs in with email and password.
    async fn login(&self, ctx: &Context<'_>, input: LoginInput) -> Result<AuthPayload> {
        let session = service::login(ctx.state(), &input.email, &input.password, ctx.meta()).await?;
        Ok(AuthPayload::new(ctx, session))
    }

    /// Trades a refresh token for a new access token and a new refresh token. A session
    /// ends `REFRESH_SESSION_MAX_DAYS` (90 by default) after its sign-in, however often it is refreshed.
    async fn refresh_token(&self, ctx: &Context<'_>, token: String) -> Result<AuthPayload> {
        let session = service::refresh(ctx.state(), &token, ctx.meta()).await?;
        Ok(AuthPayload::new(ctx, session))
    }

    /// Ends the session the refresh token belongs to; without one, every session of the viewer.
    /// True when a session was ended.
    async fn logout(&self, ctx: &Context<'_>, refresh_token: Option<String>) -> Result<bool> {
        Ok(service::logout(ctx.state(), ctx.viewer().id(), refresh_token.as_deref()).await?)
    }

    /// Mails a new verification link to the viewer.
    #[graphql(guard = "Require::SignedIn")]
    async fn request_email_verification(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(service::request_email_verification(ctx.state(), ctx.viewer().require_signed_in()?).await?)
    }

    /// Confirms an email address with the token from the mailed link.
    async fn verify_email(&self, ctx: &Context<'_>, token: String) -> Result<User> {
        Ok(User { model: service::verify_email(ctx.state(), &token).await?, reveal_email: true })
    }

    /// Mails a password reset link if the account exists. Always true, so it does not reveal accounts.
    async fn request_password_reset(&self, ctx: &Context<'_>, email: String) -> Result<bool> {
        Ok(service::request_password_reset(ctx.state(), &email, ctx.meta()).await?)
    }

    /// Sets a new password with the token from the mailed link, and signs out every session.
    async fn reset_password(&self, ctx: &Context<'_>, token: String, new_password: String) -> Result<bool> {
        Ok(service::reset_password(ctx.state(), &token, &new_password).await?)
    }

    /// Changes the viewer's password and signs out every session (sign in again afterwards).
    #[graphql(guard = "Require::SignedIn")]
    async fn change_password(&self, ctx: &Context<'_>, current: String, new: String) -> Result<bool> {
        Ok(service::change_password(ctx.state(), ctx.viewer().require_signed_in()?, &current, &new).await?)
    }

    /// Changes how the viewer appears to others.
    #[graphql(guard = "Require::SignedIn")]
    async fn update_profile(&self, ctx: &Context<'_>, input: UpdateProfileInput) -> Result<User> {
        let id = ctx.viewer().require_signed_in()?;
        let profile = service::Profile {
            display_name: &input.display_name,
            bio: input.bio.as_deref(),
            time_zone: input.time_zone.as_deref(),
            profile_private: input.profile_private,
        };
        Ok(service::update_profile(ctx.state(), id, profile).await?.into())
    }

    /// Grants (a complimentary plan with no end) or withdraws (ends the complimentary
    /// plan) premium access by hand; admins only. Paid subscriptions are untouched.
    #[graphql(
        guard = "Require::Role(entity::user::Role::Admin)",
        deprecation = "Use grantComplimentaryPlan / revokeComplimentaryPlan."
    )]
    async fn set_premium_access(&self, ctx: &Context<'_>, user_id: ID, granted: bool) -> Result<User> {
        use crate::domains::billing::service as billing;
        let user_id = parse_id("userId", &user_id)?;
        if granted {
            billing::grant_complimentary(ctx.state(), ctx.viewer().id(), user_id, None).await?;
        } else {
            billing::revoke_complimentary(ctx.state(), user_id).await?;
        }
        Ok(service::get_user(&ctx.state().db, user_id).await?.into())
    }

    /// Gives a user another role (admins only).
    #[graphql(guard = "Require::Role(entity::user::Role::Admin)")]
    async fn set_user_role(&self, ctx: &Context<'_>, user_id: ID, role: GqlRole) -> Result<User> {
        let admin = ctx.viewer().require_role(entity::user::Role::Admin)?;
        let user_id = parse_id("userId", &user_id)?;
        Ok(service::set_role(ctx.state(), admin, user_id, role.into()).await?.into())
    }
}

#[derive(Default)]
pub struct AccountsSubscription;

#[Subscription]
impl AccountsSubscription {
    /// Events on the viewer's own account (verified email, password change,
    /// signed out everywhere), so open tabs can react.
    #[graphql(guard = "Require::SignedIn")]
    async fn account_events(&self, ctx: &Context<'_>) -> Result<BoxStream<'static, AccountEvent>> {
        let id = ctx.viewer().require_signed_in()?;
        Ok(ctx
            .state()
            .bus
            .subscribe(&service::account_topic(id))
            .filter_map(|payload| async move { serde_json::from_value(payload).ok() })
            .boxed())
    }
}

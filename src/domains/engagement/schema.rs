//! GraphQL surface of engagement: leaderboards (paged and live), the badge
//! catalogue and admin badge tools, referrals, and the pieces `User` shows
//! (standing, badges, recent XP) through the functions at the bottom.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject, Subscription};
use chrono::{DateTime, Utc};
use futures::{StreamExt, stream::BoxStream};

use super::{
    loaders::{BadgesOf, ReferralOf, StandingOf},
    service::{self, BadgeCriterion, LeaderboardPeriod, ReferralStatus, Standing, XpSource},
};
use crate::{
    domains::accounts::{loaders::UserById, schema::User},
    graphql::{
        ContextExt, Require,
        pagination::{Connection, connection, connection_with, page_args, page_complexity},
        parse_id,
    },
    pagination::PageArgs,
};
use entity::{badge, referral, user, xp_award};

/// One place on a leaderboard.
#[derive(Clone)]
pub struct LeaderboardEntry(service::Entry);

#[Object]
impl LeaderboardEntry {
    /// 1 for the most XP; ties go to the later account.
    async fn rank(&self) -> u64 {
        self.0.rank
    }

    /// XP earned in the period.
    async fn xp(&self) -> i64 {
        self.0.xp
    }

    /// Who holds the place (null for an account deleted since).
    async fn user(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        Ok(ctx.loader().load_one(UserById(self.0.user_id)).await?.map(User::from))
    }
}

/// What a leaderboard page carries besides its entries.
#[derive(SimpleObject)]
pub struct LeaderboardFields {
    /// How many users are on the board (everyone with XP in the period).
    pub total_count: u64,
    /// The viewer's own place, on this page or not; null when anonymous or without XP in the period.
    pub viewer_entry: Option<LeaderboardEntry>,
    /// The period of the board.
    pub period: LeaderboardPeriod,
}

/// A badge of the catalogue.
pub struct Badge(badge::Model);

#[Object]
impl Badge {
    /// Identifies the badge.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// Stable name for links and grants.
    async fn slug(&self) -> &str {
        &self.0.slug
    }

    /// Shown on profiles, 1–80 characters.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// What it was earned for, one line.
    async fn description(&self) -> &str {
        &self.0.description
    }

    /// One of the icons the web app ships: comment, book, books, layers, flame, trophy, star, heart.
    async fn icon(&self) -> &str {
        &self.0.icon
    }

    /// What earns it; MANUAL badges only come from an admin.
    async fn criterion(&self) -> Option<BadgeCriterion> {
        BadgeCriterion::parse(&self.0.criteria_kind)
    }

    /// The count the criterion needs (posts, series, days, a rank); 0 when it needs none.
    async fn threshold(&self) -> i32 {
        self.0.threshold
    }

    /// XP earning it awards.
    async fn xp(&self) -> i32 {
        self.0.xp
    }
}

/// A badge a user earned, and when.
#[derive(SimpleObject)]
pub struct EarnedBadge {
    /// The badge.
    pub badge: Badge,
    /// When it was earned (or granted).
    pub earned_at: DateTime<Utc>,
}

/// Where a user's level stands.
#[derive(SimpleObject)]
pub struct LevelProgress {
    /// The current level (1 + ⌊√(XP / 100)⌋).
    pub level: i32,
    /// XP earned since the level began.
    pub xp_into_level: i64,
    /// XP the level spans, from its start to the next level's.
    pub xp_for_level: i64,
    /// `xpIntoLevel / xpForLevel`, 0–100.
    pub percent: f64,
}

/// A user's streak of active days (in their own time zone).
#[derive(SimpleObject)]
pub struct Streak {
    /// Consecutive active days up to today or yesterday (0 once broken).
    pub current: i32,
    /// The longest streak ever.
    pub longest: i32,
    /// Missed days the streak can survive; one is earned every STREAK_FREEZE_EVERY_DAYS active days.
    pub freezes: i32,
}

/// One XP award.
pub struct XpAward(xp_award::Model);

#[Object]
impl XpAward {
    /// What earned it.
    async fn source(&self) -> Option<XpSource> {
        XpSource::parse(&self.0.source_kind)
    }

    /// XP given (after the daily cap).
    async fn amount(&self) -> i32 {
        self.0.amount
    }

    /// When it was given.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// Where in the web app it leads (the post or series it was for), when anywhere.
    async fn link(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        use crate::domains::posts::loaders::ReadablePostById;
        if XpSource::parse(&self.0.source_kind) != Some(XpSource::PostRead) {
            return Ok(None);
        }
        let Ok(post_id) = self.0.source_key.parse() else { return Ok(None) };
        Ok(ctx.loader().load_one(ReadablePostById(post_id)).await?.map(|p| format!("/posts/{}", p.slug)))
    }
}

/// Someone the viewer referred.
pub struct Referral(referral::Model);

#[Object]
impl Referral {
    /// Identifies the referral.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The referred account (its public name).
    async fn user(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        Ok(ctx.loader().load_one(UserById(self.0.referred_id)).await?.map(User::from))
    }

    /// PENDING until the referred account qualifies, then REWARDED or REJECTED.
    async fn status(&self) -> ReferralStatus {
        ReferralStatus::parse(&self.0.status)
    }

    /// Why it was rejected: SELF_REFERRAL for another address of the referrer's own mailbox.
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }

    /// When the account was referred.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When it was rewarded or rejected.
    async fn settled_at(&self) -> Option<DateTime<Utc>> {
        self.0.settled_at
    }
}

/// How a user came by a referral: who referred them, or until when they may
/// still enter a code (`applyReferralCode`).
pub struct ReferralEntry {
    referral: Option<referral::Model>,
    apply_until: Option<DateTime<Utc>>,
}

/// Whether and by whom a user was referred, or until when they may still enter a code.
#[Object]
impl ReferralEntry {
    /// Who referred the user (their public profile); null when nobody did, or that account is gone.
    async fn referred_by(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        let Some(referral) = &self.referral else { return Ok(None) };
        Ok(ctx.loader().load_one(UserById(referral.referrer_id)).await?.map(User::from))
    }

    /// When the user was referred; null when nobody referred them.
    async fn referred_at(&self) -> Option<DateTime<Utc>> {
        self.referral.as_ref().map(|r| r.created_at)
    }

    /// The referral's state: PENDING until the user qualifies (a confirmed address, and a
    /// first finished post where that is required), then REWARDED, or REJECTED (see `reason`);
    /// null when nobody referred them.
    async fn status(&self) -> Option<ReferralStatus> {
        self.referral.as_ref().map(|r| ReferralStatus::parse(&r.status))
    }

    /// Why the referral was rejected: SELF_REFERRAL when the code is the user's own under another address.
    async fn reason(&self) -> Option<&str> {
        self.referral.as_ref().and_then(|r| r.reason.as_deref())
    }

    /// Whether `applyReferralCode` still takes a code: nobody referred the user, and their
    /// first week is not over.
    async fn can_apply_code(&self) -> bool {
        self.apply_until.is_some()
    }

    /// Until when a code can be entered (a week after registering); null when it no longer can.
    async fn apply_code_until(&self) -> Option<DateTime<Utc>> {
        self.apply_until
    }
}

#[derive(InputObject)]
pub struct CreateBadgeInput {
    /// Lower-case letters, digits and dashes, at most 64 characters; unique.
    pub slug: String,
    /// 1–80 characters.
    pub name: String,
    /// One line, at most 300 characters.
    pub description: String,
    /// One of: comment, book, books, layers, flame, trophy, star, heart.
    pub icon: String,
    /// What earns it (MANUAL: only an admin's grant).
    pub criterion: BadgeCriterion,
    /// 1–100,000 for criteria that count (ignored for FIRST_COMMENT and MANUAL).
    #[graphql(default = 0)]
    pub threshold: i32,
    /// 0–10,000 XP awarded with the badge.
    #[graphql(default = 0)]
    pub xp: i32,
}

#[derive(Default)]
pub struct EngagementQuery;

#[Object]
impl EngagementQuery {
    /// Users by XP earned in `period` (this ISO week or month in UTC, or all
    /// time), highest first. Pages forward only (`first` ≤ 100, `after`).
    #[graphql(complexity = "page_complexity(child_complexity, first, None)")]
    async fn leaderboard(
        &self,
        ctx: &Context<'_>,
        period: LeaderboardPeriod,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<async_graphql::connection::Connection<String, LeaderboardEntry, LeaderboardFields>> {
        let args = PageArgs { count_total: true, ..page_args(ctx, first, after, None, None) };
        let page = service::page(ctx.state(), period, &args).await?;
        let viewer_entry = match ctx.viewer().id() {
            Some(id) if ctx.look_ahead().field("viewerEntry").exists() => {
                service::entry_of(ctx.state(), period, id).await?.map(LeaderboardEntry)
            }
            _ => None,
        };
        let fields = LeaderboardFields { total_count: page.total_count, viewer_entry, period };
        Ok(connection_with(page, fields, LeaderboardEntry))
    }

    /// Every badge that can be earned, in the order they were added.
    async fn badges(&self, ctx: &Context<'_>) -> Result<Vec<Badge>> {
        Ok(service::catalogue(&ctx.state().db).await?.into_iter().map(Badge).collect())
    }

    /// The people the viewer referred, newest first.
    #[graphql(guard = "Require::SignedIn", complexity = "page_complexity(child_complexity, first, last)")]
    async fn referrals(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Connection<Referral>> {
        let viewer = ctx.viewer().require_signed_in()?;
        let page = service::list(&ctx.state().db, viewer, &page_args(ctx, first, after, last, before)).await?;
        Ok(connection(page, Referral))
    }
}

#[derive(Default)]
pub struct EngagementMutation;

#[Object]
impl EngagementMutation {
    /// Enters a referral code within the first week of an account that has none
    /// (BAD_USER_INPUT on `referralCode` for an unknown or own code, or a late
    /// one; CONFLICT when already referred). Rewarded once the account qualifies.
    #[graphql(guard = "Require::SignedIn")]
    async fn apply_referral_code(&self, ctx: &Context<'_>, code: String) -> Result<Referral> {
        let viewer = ctx.viewer().require_signed_in()?;
        Ok(Referral(service::apply(ctx.state(), viewer, &code).await?))
    }

    /// Adds a badge to the catalogue (admins).
    #[graphql(guard = "Require::Role(entity::user::Role::Admin)")]
    async fn create_badge(&self, ctx: &Context<'_>, input: CreateBadgeInput) -> Result<Badge> {
        let input = service::NewBadge {
            slug: input.slug,
            name: input.name,
            description: input.description,
            icon: input.icon,
            criterion: input.criterion,
            threshold: input.threshold,
            xp: input.xp,
        };
        Ok(Badge(service::create(&ctx.state().db, ctx.viewer(), input).await?))
    }

    /// Gives a badge by hand (admins), with its XP and notification; false when
    /// the user already had it.
    #[graphql(guard = "Require::Role(entity::user::Role::Admin)")]
    async fn grant_badge(&self, ctx: &Context<'_>, user_id: ID, badge_slug: String) -> Result<bool> {
        let user_id = parse_id("userId", &user_id)?;
        Ok(service::grant(ctx.state(), ctx.viewer(), user_id, &badge_slug).await?)
    }
}

#[derive(Default)]
pub struct EngagementSubscription;

#[Subscription]
impl EngagementSubscription {
    /// The top 10 of a leaderboard: now, then whenever it changes (at most once
    /// a second, whichever instance the awards happen on).
    async fn leaderboard_changed(
        &self,
        ctx: &Context<'_>,
        period: LeaderboardPeriod,
    ) -> Result<BoxStream<'static, Vec<LeaderboardEntry>>> {
        let receiver = service::watch(ctx.state(), period);
        // The current top first (once there is one), then each change.
        let tops = futures::stream::unfold((receiver, true), |(mut receiver, mut first)| async move {
            loop {
                if !first && receiver.changed().await.is_err() {
                    return None;
                }
                first = false;
                let top = receiver.borrow_and_update().clone();
                if let Some(top) = top {
                    return Some((top, (receiver, false)));
                }
            }
        });
        Ok(tops
            .map(|top| {
                top.iter()
                    .map(|r| LeaderboardEntry(service::Entry { rank: r.rank, user_id: r.member, xp: r.score }))
                    .collect()
            })
            .boxed())
    }
}

// What `User` shows of engagement (resolved from `accounts::schema`).

/// The standing of `user`, or None when their profile is private to this viewer.
pub async fn standing_of(ctx: &Context<'_>, user: &user::Model) -> Result<Option<Standing>> {
    if !service::profile_visible(ctx.viewer(), user) {
        return Ok(None);
    }
    let key = StandingOf { user: user.id, zone: user.time_zone.clone() };
    ctx.loader().load_one(key).await
}

pub fn level_progress(standing: &Standing) -> LevelProgress {
    let percent = if standing.xp_for_level > 0 {
        (standing.xp_into_level as f64 * 100.0 / standing.xp_for_level as f64).clamp(0.0, 100.0)
    } else {
        0.0
    };
    LevelProgress {
        level: standing.level,
        xp_into_level: standing.xp_into_level,
        xp_for_level: standing.xp_for_level,
        percent,
    }
}

pub fn streak(standing: &Standing) -> Streak {
    Streak { current: standing.current_streak, longest: standing.longest_streak, freezes: standing.streak_freezes }
}

/// The badges `user` earned, or None when their profile is private to this viewer.
pub async fn badges_of(ctx: &Context<'_>, user: &user::Model) -> Result<Option<Vec<EarnedBadge>>> {
    if !service::profile_visible(ctx.viewer(), user) {
        return Ok(None);
    }
    let earned = ctx.loader().load_one(BadgesOf(user.id)).await?.unwrap_or_default();
    Ok(Some(earned.into_iter().map(|(badge, earned_at)| EarnedBadge { badge: Badge(badge), earned_at }).collect()))
}

/// `user`'s latest XP, or None when their profile is private to this viewer.
pub async fn recent_awards_of(ctx: &Context<'_>, user: &user::Model, first: i32) -> Result<Option<Vec<XpAward>>> {
    if !service::profile_visible(ctx.viewer(), user) {
        return Ok(None);
    }
    if !(1..=50).contains(&first) {
        return Err(crate::error::AppError::bad_input("first", "`first` is between 1 and 50").into());
    }
    let awards = service::recent_awards(&ctx.state().db, user.id, first as u64).await?;
    Ok(Some(awards.into_iter().map(XpAward).collect()))
}

/// The user's referral code (made on first ask); only for the user themself.
pub async fn referral_code_of(ctx: &Context<'_>, user: &user::Model) -> Result<Option<String>> {
    if ctx.viewer().id() != Some(user.id) {
        return Ok(None);
    }
    Ok(Some(service::code_of(&ctx.state().db, user.id).await?))
}

/// Whether and by whom `user` was referred, and whether a code can still be
/// entered; only for the user themself.
pub async fn referral_entry_of(ctx: &Context<'_>, user: &user::Model) -> Result<Option<ReferralEntry>> {
    if ctx.viewer().id() != Some(user.id) {
        return Ok(None);
    }
    let referral = ctx.loader().load_one(ReferralOf(user.id)).await?;
    let apply_until = service::apply_window(user.created_at, referral.is_some(), Utc::now());
    Ok(Some(ReferralEntry { referral, apply_until }))
}

//! Referrals: every user has a shareable code; an account registered with it
//! (or that enters it within its first week) is referred by its owner. The
//! referrer is rewarded once the referred account verifies its email (and,
//! with `REFERRAL_REQUIRES_FIRST_READ`, finishes a first post), never for an
//! account that is the referrer again under another address of the same
//! mailbox (`ada+2@…`, or dots in a Gmail name).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rand::Rng;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, Set,
};
use uuid::Uuid;

use super::{
    ledger::{self, XpSource},
    zone_of,
};
use crate::{
    config::EngagementConfig,
    error::{AppError, AppResult, OnConstraint, Unique},
    infra::rate_limit::Rule,
    pagination::{Cursor, Page, PageArgs, Sort, paginate},
    state::AppState,
    write::Write,
};
use entity::{reading_progress, referral, user};

/// How a referral stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, async_graphql::Enum)]
pub enum ReferralStatus {
    /// The referred account has not qualified yet.
    Pending,
    /// The referrer got their XP.
    Rewarded,
    /// Not rewarded (see `reason`).
    Rejected,
}

impl ReferralStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ReferralStatus::Pending => "PENDING",
            ReferralStatus::Rewarded => "REWARDED",
            ReferralStatus::Rejected => "REJECTED",
        }
    }

    pub fn parse(raw: &str) -> ReferralStatus {
        match raw {
            "REWARDED" => ReferralStatus::Rewarded,
            "REJECTED" => ReferralStatus::Rejected,
            _ => ReferralStatus::Pending,
        }
    }
}

/// Why a referral was rejected: the referred account is the referrer's own mailbox.
pub const SELF_REFERRAL: &str = "SELF_REFERRAL";
/// How long after registering an account may still enter a code.
pub const APPLY_WITHIN_DAYS: i64 = 7;
/// Referral codes: 8 characters from an alphabet without look-alikes.
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
const CODE_LEN: usize = 8;
const CODE_KEY: Unique = Unique::new("users_referral_code_key", "users.referral_code");
const REFERRED_KEY: Unique = Unique::new("referrals_referred_id_key", "referrals.referred_id");

/// The mailbox an address delivers to, as far as one can tell: lower case,
/// without a `+tag`, and without dots in a Gmail name.
pub fn mailbox(email: &str) -> String {
    let email = email.trim().to_lowercase();
    let Some((local, domain)) = email.rsplit_once('@') else { return email };
    let local = local.split('+').next().unwrap_or(local);
    let domain = if domain == "googlemail.com" { "gmail.com" } else { domain };
    let local = if domain == "gmail.com" { local.replace('.', "") } else { local.to_owned() };
    format!("{local}@{domain}")
}

fn new_code() -> String {
    let mut rng = rand::thread_rng();
    (0..CODE_LEN).map(|_| CODE_ALPHABET[rng.gen_range(0..CODE_ALPHABET.len())] as char).collect()
}

/// The user's referral code, made (and kept) the first time it is asked for.
pub async fn code_of(db: &impl ConnectionTrait, user_id: Uuid) -> AppResult<String> {
    let user = user::Entity::find_by_id(user_id).one(db).await?.ok_or(AppError::NotFound("User"))?;
    if let Some(code) = user.referral_code {
        return Ok(code);
    }
    for _ in 0..5 {
        let code = new_code();
        let set = user::Entity::update_many()
            .col_expr(user::Column::ReferralCode, sea_orm::sea_query::Expr::value(code.clone()))
            .filter(user::Column::Id.eq(user_id))
            .filter(user::Column::ReferralCode.is_null())
            .exec(db)
            .await
            .on_unique(&[CODE_KEY], "referralCode", "taken");
        match set {
            Ok(_) => {
                // Ours, or another request's that got there first.
                let user = user::Entity::find_by_id(user_id).one(db).await?.ok_or(AppError::NotFound("User"))?;
                return user.referral_code.ok_or_else(|| anyhow::anyhow!("referral code not stored").into());
            }
            Err(AppError::Conflict { .. }) => continue,
            Err(err) => return Err(err),
        }
    }
    Err(anyhow::anyhow!("no free referral code after 5 tries").into())
}

/// The owner of a code, normalised (codes are case-insensitive, spaces ignored).
async fn owner_of(db: &impl ConnectionTrait, code: &str) -> AppResult<Option<user::Model>> {
    let code: String = code.chars().filter(|c| !c.is_whitespace() && *c != '-').collect::<String>().to_uppercase();
    if code.is_empty() || code.len() > 16 || !code.bytes().all(|b| CODE_ALPHABET.contains(&b)) {
        return Ok(None);
    }
    Ok(user::Entity::find().filter(user::Column::ReferralCode.eq(code)).one(db).await?)
}

/// Records that `referred` was referred by the owner of `code`: BAD_USER_INPUT
/// on `referralCode` for an unknown code or one's own, CONFLICT when the
/// account already has a referral.
pub async fn refer(db: &impl ConnectionTrait, referred: &user::Model, code: &str) -> AppResult<referral::Model> {
    let owner = owner_of(db, code)
        .await?
        .ok_or_else(|| AppError::bad_input("referralCode", "There is no such referral code"))?;
    if owner.id == referred.id {
        return Err(AppError::bad_input("referralCode", "This is your own referral code"));
    }
    if referral::Entity::find().filter(referral::Column::ReferredId.eq(referred.id)).count(db).await? > 0 {
        return Err(AppError::conflict("referralCode", "This account was already referred"));
    }
    let row = referral::ActiveModel {
        id: Set(Uuid::now_v7()),
        referrer_id: Set(owner.id),
        referred_id: Set(referred.id),
        status: Set(ReferralStatus::Pending.as_str().into()),
        reason: Set(None),
        created_at: Set(Utc::now()),
        settled_at: Set(None),
    };
    referral::Entity::insert(row).exec_with_returning(db).await.on_unique(
        &[REFERRED_KEY],
        "referralCode",
        "This account was already referred",
    )
}

/// The last moment an account registered at `registered_at` may enter a code
/// with `applyReferralCode`.
pub fn apply_deadline(registered_at: DateTime<Utc>) -> DateTime<Utc> {
    registered_at + chrono::Duration::days(APPLY_WITHIN_DAYS)
}

/// Until when an account may still enter a code, as of `now`: None once it
/// was referred or its first week is over.
pub fn apply_window(registered_at: DateTime<Utc>, referred: bool, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let deadline = apply_deadline(registered_at);
    (!referred && now <= deadline).then_some(deadline)
}

/// The referral each of `referred_ids` came with, by the referred account (accounts
/// nobody referred have none).
pub async fn referrals_of_referred(
    db: &impl ConnectionTrait,
    referred_ids: &[Uuid],
) -> AppResult<HashMap<Uuid, referral::Model>> {
    if referred_ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(referral::Entity::find()
        .filter(referral::Column::ReferredId.is_in(referred_ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.referred_id, r))
        .collect())
}

/// Codes an account may try: enough for typos, not for guessing others' codes.
const APPLY_PER_ACCOUNT: Rule = Rule::new("referral:apply", 10, std::time::Duration::from_secs(3600));

/// `applyReferralCode`: an account without a referral enters a code within its
/// first week; settles at once when it already qualifies. RATE_LIMITED past
/// 10 tries an hour.
pub async fn apply(state: &AppState, user_id: Uuid, code: &str) -> AppResult<referral::Model> {
    state.limiter.hit(&APPLY_PER_ACCOUNT, &user_id.to_string()).await?;
    let write = Write::begin(state).await?;
    let referral = apply_in(&write, &state.config.engagement, user_id, code, Utc::now()).await?;
    write.commit().await?;
    Ok(referral)
}

async fn apply_in(
    write: &Write,
    config: &EngagementConfig,
    user_id: Uuid,
    code: &str,
    now: DateTime<Utc>,
) -> AppResult<referral::Model> {
    let user = user::Entity::find_by_id(user_id).one(write).await?.ok_or(AppError::NotFound("User"))?;
    if now > apply_deadline(user.created_at) {
        return Err(AppError::bad_input(
            "referralCode",
            format!("A referral code can be entered within {APPLY_WITHIN_DAYS} days of registering"),
        ));
    }
    let referral = refer(write, &user, code).await?;
    settle(write, config, user_id, now).await?;
    Ok(referral::Entity::find_by_id(referral.id).one(write).await?.unwrap_or(referral))
}

/// Rewards (or rejects) `referred_id`'s pending referral once the account
/// qualifies: a verified email, and a finished post when that is required.
/// Called when an address is verified and when a post is finished.
pub async fn settle(write: &Write, config: &EngagementConfig, referred_id: Uuid, now: DateTime<Utc>) -> AppResult<()> {
    let Some(pending) = referral::Entity::find()
        .filter(referral::Column::ReferredId.eq(referred_id))
        .filter(referral::Column::Status.eq(ReferralStatus::Pending.as_str()))
        .one(write)
        .await?
    else {
        return Ok(());
    };
    let Some(referred) = user::Entity::find_by_id(referred_id).one(write).await? else { return Ok(()) };
    if referred.email_verified_at.is_none() {
        return Ok(());
    }
    if config.referral_requires_first_read
        && reading_progress::Entity::find()
            .filter(reading_progress::Column::UserId.eq(referred_id))
            .filter(reading_progress::Column::CompletedAt.is_not_null())
            .count(write)
            .await?
            == 0
    {
        return Ok(());
    }
    let Some(referrer) = user::Entity::find_by_id(pending.referrer_id).one(write).await? else { return Ok(()) };
    let mut row = pending.into_active_model();
    row.settled_at = Set(Some(now));
    if mailbox(&referrer.email) == mailbox(&referred.email) {
        row.status = Set(ReferralStatus::Rejected.as_str().into());
        row.reason = Set(Some(SELF_REFERRAL.into()));
        row.update(write).await?;
        return Ok(());
    }
    row.status = Set(ReferralStatus::Rewarded.as_str().into());
    row.update(write).await?;
    let zone = zone_of(write, referrer.id).await?.unwrap_or(chrono_tz::UTC);
    ledger::award(
        write,
        config.xp_daily_cap,
        referrer.id,
        zone,
        XpSource::Referral,
        &referred_id.to_string(),
        config.xp_referral,
        now,
    )
    .await?;
    Ok(())
}

/// The people `referrer_id` referred, newest first.
pub async fn list(db: &impl ConnectionTrait, referrer_id: Uuid, args: &PageArgs) -> AppResult<Page<referral::Model>> {
    let select = referral::Entity::find().filter(referral::Column::ReferrerId.eq(referrer_id));
    paginate(db, select, referral::Column::Id, Sort::newest(), |r| Cursor::id(r.id), args).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_mailbox_under_several_addresses() {
        assert_eq!(mailbox("Ada@Example.com"), "ada@example.com");
        assert_eq!(mailbox("ada+second@example.com"), mailbox("ada@example.com"));
        assert_eq!(mailbox("a.d.a@gmail.com"), mailbox("ada@googlemail.com"));
        assert_ne!(mailbox("a.da@example.com"), mailbox("ada@example.com"), "dots matter outside Gmail");
        assert_ne!(mailbox("ada@example.com"), mailbox("ada@example.org"));
    }

    #[test]
    fn a_code_can_be_entered_for_a_week_unless_already_referred() {
        let registered = Utc::now();
        let deadline = registered + chrono::Duration::days(APPLY_WITHIN_DAYS);
        assert_eq!(apply_window(registered, false, registered), Some(deadline));
        assert_eq!(apply_window(registered, false, deadline), Some(deadline), "the last moment still counts");
        assert_eq!(apply_window(registered, false, deadline + chrono::Duration::seconds(1)), None);
        assert_eq!(apply_window(registered, true, registered), None);
    }

    #[test]
    fn codes_avoid_look_alikes() {
        for _ in 0..100 {
            let code = new_code();
            assert_eq!(code.len(), CODE_LEN);
            assert!(!code.contains(['0', 'O', '1', 'I']), "{code}");
        }
    }
}

//! Badges: a catalogue (seeded with a starting set, extended by admins), each
//! with a criterion; the `evaluate_badges` job checks a user's criteria after
//! the events that can meet them, and earning one (once: the key is user and
//! badge) awards its XP and a live `BADGE_EARNED` notification.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set, sea_query::OnConflict,
};
use uuid::Uuid;

use super::{
    ledger::{self, XpSource},
    zone_of,
};
use crate::{
    auth::Viewer,
    domains::{
        accounts::Role,
        notifications::{self, service::Notice},
    },
    error::{AppError, AppResult, OnConstraint, Unique},
    state::AppState,
    values::{Slug, Title},
    write::Write,
};
use entity::{badge, comment, user_badge, user_stats, xp_award};

/// What earns a badge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, async_graphql::Enum)]
pub enum BadgeCriterion {
    /// Writing a first comment.
    FirstComment,
    /// Finishing `threshold` posts.
    PostsRead,
    /// Finishing `threshold` series.
    SeriesFinished,
    /// A streak of `threshold` days.
    StreakDays,
    /// Ending a week within the top `threshold` of the weekly board.
    WeeklyTop,
    /// Only granted by an admin.
    Manual,
}

impl BadgeCriterion {
    const ALL: [BadgeCriterion; 6] = [
        BadgeCriterion::FirstComment,
        BadgeCriterion::PostsRead,
        BadgeCriterion::SeriesFinished,
        BadgeCriterion::StreakDays,
        BadgeCriterion::WeeklyTop,
        BadgeCriterion::Manual,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            BadgeCriterion::FirstComment => "FIRST_COMMENT",
            BadgeCriterion::PostsRead => "POSTS_READ",
            BadgeCriterion::SeriesFinished => "SERIES_FINISHED",
            BadgeCriterion::StreakDays => "STREAK_DAYS",
            BadgeCriterion::WeeklyTop => "WEEKLY_TOP",
            BadgeCriterion::Manual => "MANUAL",
        }
    }

    pub fn parse(raw: &str) -> Option<BadgeCriterion> {
        BadgeCriterion::ALL.into_iter().find(|c| c.as_str() == raw)
    }
}

/// The icons the web app ships for badges.
pub const BADGE_ICONS: [&str; 8] = ["comment", "book", "books", "layers", "flame", "trophy", "star", "heart"];

/// The starting catalogue: (slug, name, description, icon, criterion, threshold, XP).
const CATALOGUE: [(&str, &str, &str, &str, BadgeCriterion, i32, i32); 8] = [
    ("first-read", "First read", "Finished a first post.", "book", BadgeCriterion::PostsRead, 1, 5),
    ("first-comment", "First words", "Wrote a first comment.", "comment", BadgeCriterion::FirstComment, 1, 10),
    ("bookworm", "Bookworm", "Finished 10 posts.", "books", BadgeCriterion::PostsRead, 10, 50),
    ("scholar", "Scholar", "Finished 50 posts.", "books", BadgeCriterion::PostsRead, 50, 200),
    (
        "series-finisher",
        "Series finisher",
        "Finished every post of a series.",
        "layers",
        BadgeCriterion::SeriesFinished,
        1,
        50,
    ),
    ("week-streak", "Week streak", "Read 7 days in a row.", "flame", BadgeCriterion::StreakDays, 7, 25),
    ("month-streak", "Month streak", "Read 30 days in a row.", "flame", BadgeCriterion::StreakDays, 30, 100),
    (
        "weekly-top-10",
        "Top ten",
        "Ended a week in the top 10 of the weekly board.",
        "trophy",
        BadgeCriterion::WeeklyTop,
        10,
        100,
    ),
];

/// Puts the starting catalogue's badges in place (those missing; admins' edits stay).
pub async fn ensure_catalogue(db: &impl ConnectionTrait) -> AppResult<()> {
    let now = Utc::now();
    let rows = CATALOGUE.iter().map(|(slug, name, description, icon, criterion, threshold, xp)| badge::ActiveModel {
        id: Set(Uuid::now_v7()),
        slug: Set((*slug).into()),
        name: Set((*name).into()),
        description: Set((*description).into()),
        icon: Set((*icon).into()),
        criteria_kind: Set(criterion.as_str().into()),
        threshold: Set(*threshold),
        xp: Set(*xp),
        created_at: Set(now),
    });
    badge::Entity::insert_many(rows)
        .on_conflict(OnConflict::column(badge::Column::Slug).do_nothing().to_owned())
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// The whole catalogue, in the order badges were added.
pub async fn catalogue(db: &impl ConnectionTrait) -> AppResult<Vec<badge::Model>> {
    Ok(badge::Entity::find().order_by_asc(badge::Column::CreatedAt).order_by_asc(badge::Column::Slug).all(db).await?)
}

/// Each user's badges with when they earned them, newest first.
pub async fn badges_of_users(
    db: &impl ConnectionTrait,
    user_ids: &[Uuid],
) -> AppResult<std::collections::HashMap<Uuid, Vec<(badge::Model, DateTime<Utc>)>>> {
    let mut by_user: std::collections::HashMap<Uuid, Vec<(badge::Model, DateTime<Utc>)>> = Default::default();
    if user_ids.is_empty() {
        return Ok(by_user);
    }
    let earned = user_badge::Entity::find()
        .filter(user_badge::Column::UserId.is_in(user_ids.iter().copied()))
        .order_by_desc(user_badge::Column::AwardedAt)
        .all(db)
        .await?;
    let badges: std::collections::HashMap<Uuid, badge::Model> = badge::Entity::find()
        .filter(badge::Column::Id.is_in(earned.iter().map(|e| e.badge_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|b| (b.id, b))
        .collect();
    for row in earned {
        if let Some(badge) = badges.get(&row.badge_id) {
            by_user.entry(row.user_id).or_default().push((badge.clone(), row.awarded_at));
        }
    }
    Ok(by_user)
}

const BADGE_SLUG: Unique = Unique::new("badges_slug_key", "badges.slug");

/// What an admin gives a new badge.
#[derive(Debug, Clone)]
pub struct NewBadge {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub icon: String,
    pub criterion: BadgeCriterion,
    pub threshold: i32,
    pub xp: i32,
}

/// Adds a badge to the catalogue (admins). Users who already meet its
/// criterion get it with their next qualifying event (or an admin's grant).
pub async fn create(db: &impl ConnectionTrait, viewer: &Viewer, input: NewBadge) -> AppResult<badge::Model> {
    viewer.require_role(Role::Admin)?;
    let slug = Slug::parse("slug", &input.slug)?;
    if slug.as_str().len() > 64 {
        return Err(AppError::bad_input("slug", "A badge slug has at most 64 characters"));
    }
    let name = Title::parse("name", &input.name)?.into_inner();
    if name.chars().count() > 80 {
        return Err(AppError::bad_input("name", "A badge name has at most 80 characters"));
    }
    let description = input.description.trim().to_owned();
    if description.chars().count() > 300 || description.chars().any(char::is_control) {
        return Err(AppError::bad_input("description", "A description is one line of at most 300 characters"));
    }
    if !BADGE_ICONS.contains(&input.icon.as_str()) {
        return Err(AppError::bad_input("icon", format!("The icon is one of: {}", BADGE_ICONS.join(", "))));
    }
    let threshold_needed = !matches!(input.criterion, BadgeCriterion::FirstComment | BadgeCriterion::Manual);
    if threshold_needed && !(1..=100_000).contains(&input.threshold) {
        return Err(AppError::bad_input("threshold", "The threshold is between 1 and 100,000"));
    }
    if !(0..=10_000).contains(&input.xp) {
        return Err(AppError::bad_input("xp", "A badge awards between 0 and 10,000 XP"));
    }
    let row = badge::ActiveModel {
        id: Set(Uuid::now_v7()),
        slug: Set(slug.into_inner()),
        name: Set(name),
        description: Set(description),
        icon: Set(input.icon),
        criteria_kind: Set(input.criterion.as_str().into()),
        threshold: Set(if threshold_needed { input.threshold } else { 0 }),
        xp: Set(input.xp),
        created_at: Set(Utc::now()),
    };
    badge::Entity::insert(row).exec_with_returning(db).await.on_unique(
        &[BADGE_SLUG],
        "slug",
        "Another badge already uses this slug",
    )
}

/// Gives `badge` to `user_id` unless they have it: the row, its XP and the
/// notice ride on `write`. True when this call gave it.
async fn give(
    write: &Write,
    state: &AppState,
    user_id: Uuid,
    zone: Tz,
    badge: &badge::Model,
    granted_by: Option<Uuid>,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let given = user_badge::Entity::insert(user_badge::ActiveModel {
        user_id: Set(user_id),
        badge_id: Set(badge.id),
        awarded_at: Set(now),
        granted_by: Set(granted_by),
    })
    .on_conflict(OnConflict::columns([user_badge::Column::UserId, user_badge::Column::BadgeId]).do_nothing().to_owned())
    .exec_without_returning(write)
    .await?;
    if given == 0 {
        return Ok(false);
    }
    if badge.xp > 0 {
        let cap = state.config.engagement.xp_daily_cap;
        ledger::award(write, cap, user_id, zone, XpSource::Badge, &badge.slug, badge.xp, now).await?;
    }
    let notice = Notice {
        user_id,
        kind: notifications::Kind::BadgeEarned,
        title: format!("You earned the badge “{}”", badge.name),
        message: badge.description.clone(),
        link: Some("/profile".into()),
    };
    notifications::service::store(write, vec![notice]).await?;
    Ok(true)
}

/// Grants a badge by hand (admins); true when the user did not have it yet.
pub async fn grant(state: &AppState, viewer: &Viewer, user_id: Uuid, slug: &str) -> AppResult<bool> {
    let admin = viewer.require_role(Role::Admin)?;
    let badge = badge::Entity::find()
        .filter(badge::Column::Slug.eq(slug))
        .one(&state.db)
        .await?
        .ok_or_else(|| AppError::bad_input("badgeSlug", "There is no such badge"))?;
    let write = Write::begin(state).await?;
    let zone = zone_of(&write, user_id).await?.ok_or(AppError::NotFound("User"))?;
    let given = give(&write, state, user_id, zone, &badge, Some(admin), Utc::now()).await?;
    write.commit().await?;
    Ok(given)
}

/// Checks every criterion `user_id` may have met and gives what they earned
/// (the `evaluate_badges` job; running it again gives nothing twice). Returns
/// the slugs given.
pub async fn evaluate(state: &AppState, user_id: Uuid) -> AppResult<Vec<String>> {
    let write = Write::begin(state).await?;
    let Some(zone) = zone_of(&write, user_id).await? else {
        return Ok(Vec::new());
    };
    let have: Vec<Uuid> = user_badge::Entity::find()
        .filter(user_badge::Column::UserId.eq(user_id))
        .all(&write)
        .await?
        .into_iter()
        .map(|b| b.badge_id)
        .collect();
    let open: Vec<badge::Model> = catalogue(&write).await?.into_iter().filter(|b| !have.contains(&b.id)).collect();
    let mut given = Vec::new();
    let mut counts: std::collections::HashMap<BadgeCriterion, i64> = Default::default();
    let now = Utc::now();
    for badge in open {
        let Some(criterion) = BadgeCriterion::parse(&badge.criteria_kind) else { continue };
        let count = match counts.get(&criterion) {
            Some(count) => *count,
            None => {
                let count = measure(&write, user_id, criterion).await?;
                counts.insert(criterion, count);
                count
            }
        };
        let met = match criterion {
            BadgeCriterion::FirstComment => count >= 1,
            BadgeCriterion::PostsRead | BadgeCriterion::SeriesFinished | BadgeCriterion::StreakDays => {
                count >= i64::from(badge.threshold)
            }
            BadgeCriterion::WeeklyTop | BadgeCriterion::Manual => false,
        };
        if met && give(&write, state, user_id, zone, &badge, None, now).await? {
            given.push(badge.slug.clone());
        }
    }
    write.commit().await?;
    Ok(given)
}

/// The user's count for a criterion.
async fn measure(db: &impl ConnectionTrait, user_id: Uuid, criterion: BadgeCriterion) -> AppResult<i64> {
    Ok(match criterion {
        BadgeCriterion::FirstComment => {
            comment::Entity::find().filter(comment::Column::AuthorId.eq(user_id)).count(db).await? as i64
        }
        // Posts read for a plausible time (the ledger's reads, capped or not),
        // not merely marked finished: ten posts skimmed in a minute earn nothing.
        BadgeCriterion::PostsRead => {
            xp_award::Entity::find()
                .filter(xp_award::Column::UserId.eq(user_id))
                .filter(xp_award::Column::SourceKind.eq(XpSource::PostRead.as_str()))
                .count(db)
                .await? as i64
        }
        BadgeCriterion::SeriesFinished => {
            xp_award::Entity::find()
                .filter(xp_award::Column::UserId.eq(user_id))
                .filter(xp_award::Column::SourceKind.eq(XpSource::SeriesFinished.as_str()))
                .count(db)
                .await? as i64
        }
        BadgeCriterion::StreakDays => {
            user_stats::Entity::find_by_id(user_id).one(db).await?.map_or(0, |s| i64::from(s.longest_streak))
        }
        BadgeCriterion::WeeklyTop | BadgeCriterion::Manual => 0,
    })
}

/// Gives last week's top of the weekly board their WEEKLY_TOP badges (the
/// weekly job; a week's run repeats harmlessly).
pub async fn award_weekly_top(state: &AppState, now: DateTime<Utc>) -> AppResult<usize> {
    let badges: Vec<badge::Model> = badge::Entity::find()
        .filter(badge::Column::CriteriaKind.eq(BadgeCriterion::WeeklyTop.as_str()))
        .all(&state.db)
        .await?;
    let Some(widest) = badges.iter().map(|b| b.threshold).max() else { return Ok(0) };
    let top = super::boards::last_week_top(state, widest.max(0) as u64, now).await?;
    let mut given = 0;
    for entry in top {
        let write = Write::begin(state).await?;
        let Some(zone) = zone_of(&write, entry.user_id).await? else { continue };
        for badge in badges.iter().filter(|b| entry.rank <= b.threshold.max(0) as u64) {
            if give(&write, state, entry.user_id, zone, badge, None, now).await? {
                given += 1;
            }
        }
        write.commit().await?;
    }
    Ok(given)
}

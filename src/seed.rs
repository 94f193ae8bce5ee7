//! Demo data. `demo` loads a small, hand-written learning platform: the demo
//! accounts and a few readers, tags, two series and standalone posts (all
//! published over the past weeks), comment threads, bookmarks, reading
//! progress and reactions. Embedded mode loads it on first start; a PostgreSQL
//! database only when `lectern seed` is run. `synthetic` adds a large
//! generated dataset for benchmarks (`lectern seed --scale N`), `ranked_readers`
//! readers with XP for the leaderboard ones (`lectern seed --readers N`).
//!
//! Accounts, tags, series and posts go through their domain services, so the
//! demo obeys the same rules as the API. Comments, bookmarks, progress and
//! reactions are written through their entities, and publication dates are
//! back-dated with an entity update: no service offers either, and only the
//! seeder needs them.

mod demo_activity;
mod demo_posts;
mod phrases;
mod ranked_readers;
mod synthetic;

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, Set, sea_query::Expr};
use uuid::Uuid;

pub use ranked_readers::{RankedReport, ranked_email, ranked_readers};
pub use synthetic::{SYNTHETIC_PASSWORD, SyntheticReport, synthetic};

use crate::{
    auth::Viewer,
    domains::{
        accounts::{Role, password, password::Password, service as accounts},
        billing::service as billing,
        comments::service as comments,
        engagement::service::{self as engagement, XpSource},
        posts::service::{self as posts, PostInput},
        series::service::{self as series, SeriesInput},
        tags::service as tags,
    },
    error::{AppError, AppResult},
    infra::{
        response_cache::CacheTag,
        work::{self, Bound},
    },
    state::AppState,
    values::{DisplayName, Email, slugify},
    write::Write,
};
use demo_activity::{BOOKMARKS, DELETED, PROGRESS, REACTIONS, READERS, THREADS};
use demo_posts::{POSTS, SERIES, TAGS};
use entity::{bookmark, comment, post, reaction, reading_progress, user};

/// A demo account whose credentials are printed at start-up.
pub struct DemoAccount {
    pub email: &'static str,
    pub password: &'static str,
    pub role: Role,
    pub display_name: &'static str,
    /// Shown on the author page.
    pub bio: &'static str,
}

pub const DEMO_ACCOUNTS: [DemoAccount; 3] = [
    DemoAccount {
        email: "admin@lectern.dev",
        password: "lectern-admin-demo-2026",
        role: Role::Admin,
        display_name: "Ada Admin",
        bio: "Runs this Lectern. Writes about how systems stay up: hashing, caches and the databases under them.",
    },
    DemoAccount {
        email: "author@lectern.dev",
        password: "lectern-author-demo-2026",
        role: Role::Author,
        display_name: "Grace Author",
        bio: "Teaches Rust and databases.\nShe writes the Rust from Zero series, one idea per post, with code you can run.",
    },
    DemoAccount {
        email: "reader@lectern.dev",
        password: "lectern-reader-demo-2026",
        role: Role::Reader,
        display_name: "Linus Reader",
        bio: "",
    },
];

/// True when the database has no users yet (a fresh install).
pub async fn is_empty(state: &AppState) -> AppResult<bool> {
    Ok(entity::user::Entity::find().count(&state.db).await? == 0)
}

/// Inserts whatever part of the demo data is missing; running it twice changes nothing.
pub async fn demo(state: &AppState) -> AppResult<()> {
    let db = &state.db;
    // The extra readers share the demo reader's password.
    let reader_password = DEMO_ACCOUNTS[2].password;
    let people = DEMO_ACCOUNTS
        .iter()
        .map(|a| (a.email, a.password, a.display_name, a.role))
        .chain(READERS.iter().map(|r| (r.email, reader_password, r.display_name, Role::Reader)));
    // Side by side: each new account costs a deliberately slow argon2 hash, and
    // the embedded first start waits for the demo (as many at once as the bound allows).
    let passwords = &state.work.passwords;
    let found = futures::future::try_join_all(
        people.map(|(email, password, name, role)| ensure_account(db, passwords, email, password, name, role)),
    )
    .await?;
    let mut users: HashMap<String, user::Model> = HashMap::new();
    for mut user in found {
        if let Some(demo) = DEMO_ACCOUNTS.iter().find(|a| a.email == user.email && !a.bio.is_empty())
            && user.bio.is_empty()
        {
            let profile =
                accounts::Profile { display_name: &user.display_name, bio: Some(demo.bio), ..Default::default() };
            user = accounts::update_profile(state, user.id, profile).await?;
        }
        let premium = READERS.iter().any(|r| r.premium && r.email == user.email);
        if premium && billing::current_subscription(state, user.id).await?.is_none() {
            billing::grant_complimentary(state, None, user.id, None).await?;
        }
        users.insert(user.email.clone(), user);
    }
    for name in TAGS {
        if tags::find_by_slug(db, &slugify(name)).await?.is_none() {
            tags::create(state, name).await?;
        }
    }

    let mut series_ids: HashMap<&str, Uuid> = HashMap::new();
    for demo in &SERIES {
        let author = account(&users, demo.author)?;
        let found = match series::find_by_slug(db, demo.slug).await? {
            Some(found) => found,
            None => {
                let input = SeriesInput {
                    title: Some(demo.title.into()),
                    slug: Some(demo.slug.into()),
                    description: Some(demo.description.into()),
                    cover_image_url: None,
                };
                series::create(state, &viewer_of(author), input).await?
            }
        };
        series_ids.insert(demo.slug, found.id);
    }

    let now = Utc::now();
    let mut published: HashMap<&str, post::Model> = HashMap::new();
    for (index, demo) in POSTS.iter().enumerate() {
        let viewer = viewer_of(account(&users, demo.author)?);
        let mut current = match post::Entity::find().filter(post::Column::Slug.eq(demo.slug)).one(db).await? {
            Some(found) => found,
            None => {
                let input = PostInput {
                    title: Some(demo.title.into()),
                    slug: Some(demo.slug.into()),
                    body: Some(demo.body.into()),
                    difficulty: Some(demo.difficulty),
                    is_premium: Some(demo.premium),
                    tag_slugs: Some(demo.tags.iter().map(|name| slugify(name)).collect()),
                    ..Default::default()
                };
                posts::create(state, &viewer, input).await?
            }
        };
        if let Some(slug) = demo.series {
            let series_id = *series_ids.get(slug).ok_or(AppError::NotFound("Series"))?;
            if current.series_id != Some(series_id) {
                // POSTS lists a series' posts in reading order, so appending keeps the order.
                series::add_post(state, &viewer, series_id, current.id, None).await?;
            }
        }
        if current.status != post::Status::Published {
            posts::publish(state, &viewer, current.id).await?;
            // Spread over the past weeks, at different times of day.
            let published_at = now - Duration::days(demo.days_ago) - Duration::minutes((index as i64 * 137) % 600);
            post::Entity::update_many()
                .col_expr(post::Column::PublishedAt, Expr::value(published_at))
                .col_expr(post::Column::CreatedAt, Expr::value(published_at - Duration::days(3)))
                .col_expr(post::Column::UpdatedAt, Expr::value(published_at))
                .filter(post::Column::Id.eq(current.id))
                .exec(db)
                .await?;
        }
        current = post::Entity::find_by_id(current.id).one(db).await?.ok_or(AppError::NotFound("Post"))?;
        published.insert(demo.slug, current);
    }

    crate::domains::search::service::enqueue_unindexed(state).await?;
    for (index, thread) in THREADS.iter().enumerate() {
        let post = published.get(thread.post).ok_or(AppError::NotFound("Post"))?;
        ensure_thread(db, thread, post, &users, index, now).await?;
    }
    add_engagement(db, &users, &published, now).await?;
    award_demo_xp(state, &users, &published, now).await?;
    // Threads, reactions and publish dates were written directly: cached answers go.
    state.public_cache.invalidate(&[CacheTag::Content]).await;
    Ok(())
}

/// The XP the demo readers' finished posts earned, on the days they finished
/// them, so the leaderboards and profiles have something to show on a first
/// run (through the ledger, so running this again awards nothing twice).
async fn award_demo_xp(
    state: &AppState,
    users: &HashMap<String, user::Model>,
    published: &HashMap<&str, post::Model>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let config = &state.config.engagement;
    let mut reads = Vec::new();
    for (by, slug, _, finished) in PROGRESS {
        let (Some(post), true) = (published.get(slug), finished) else { continue };
        let at = (post.published_at.unwrap_or(now) + Duration::days(1)).min(now);
        reads.push((at, account(users, by)?.id, post.id));
    }
    // In time order, as they would have happened (streaks only move forward).
    reads.sort();
    for (at, user_id, post_id) in reads {
        let write = Write::begin(state).await?;
        let (cap, xp, key) = (config.xp_daily_cap, config.xp_post_read, post_id.to_string());
        engagement::award(&write, cap, user_id, chrono_tz::UTC, XpSource::PostRead, &key, xp, at).await?;
        engagement::record_activity(&write, config, user_id, chrono_tz::UTC, at).await?;
        write.commit().await?;
    }
    Ok(())
}

async fn ensure_account(
    db: &DatabaseConnection,
    passwords: &Bound,
    email: &str,
    password: &str,
    display_name: &str,
    role: Role,
) -> AppResult<user::Model> {
    if let Some(found) = user::Entity::find().filter(user::Column::Email.eq(email)).one(db).await? {
        return Ok(found);
    }
    let email = Email::parse("email", email)?;
    let password = Password::parse("password", password, &[])?;
    let hash = work::patiently(password::hash(passwords, &password)).await?;
    let created =
        accounts::create_user(db, &email, hash, DisplayName::parse("displayName", display_name)?, role).await?;
    accounts::mark_email_verified(db, created.id).await?;
    accounts::get_user(db, created.id).await
}

fn account<'a>(users: &'a HashMap<String, user::Model>, email: &str) -> AppResult<&'a user::Model> {
    users.get(email).ok_or(AppError::NotFound("User"))
}

fn viewer_of(user: &user::Model) -> Viewer {
    Viewer::User { id: user.id, role: user.role }
}

/// Inserts a thread unless its first comment is already there; the whole
/// thread is one statement, so it is either all there or not at all.
async fn ensure_thread(
    db: &DatabaseConnection,
    thread: &demo_activity::DemoThread,
    post: &post::Model,
    users: &HashMap<String, user::Model>,
    index: usize,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let Some(&(_, first_by, first_body)) = thread.comments.first() else {
        return Ok(());
    };
    let exists = comment::Entity::find()
        .filter(comment::Column::PostId.eq(post.id))
        .filter(comment::Column::ParentId.is_null())
        .filter(comment::Column::AuthorId.eq(account(users, first_by)?.id))
        .filter(comment::Column::Body.eq(first_body))
        .count(db)
        .await?
        > 0;
    if exists {
        return Ok(());
    }
    // The conversation starts some hours after publication and answers follow within the hour.
    let mut at = post.published_at.unwrap_or(now) + Duration::hours(5 + 4 * (index as i64 % 4));
    let mut ancestors: Vec<(Uuid, String, i32)> = Vec::new();
    let mut rows = Vec::with_capacity(thread.comments.len());
    for &(depth, by, body) in thread.comments {
        ancestors.truncate(depth as usize);
        let id = Uuid::now_v7();
        let parent = ancestors.last();
        let (thread_path, depth) = comments::thread_place(id, parent.map(|(_, path, depth)| (path.as_str(), *depth)));
        let deleted = body == DELETED;
        rows.push(comment::ActiveModel {
            id: Set(id),
            post_id: Set(post.id),
            author_id: Set(account(users, by)?.id),
            parent_id: Set(parent.map(|(id, _, _)| *id)),
            body: Set(body.to_owned()),
            status: Set(if deleted { comment::Status::Deleted } else { comment::Status::Visible }),
            edited_at: Set(None),
            created_at: Set(at.min(now)),
            thread_path: Set(thread_path.clone()),
            depth: Set(depth),
        });
        ancestors.push((id, thread_path, depth));
        at += Duration::minutes(41);
    }
    comment::Entity::insert_many(rows).exec_without_returning(db).await?;
    Ok(())
}

/// Bookmarks, progress and reactions; rows that exist already are left alone.
async fn add_engagement(
    db: &DatabaseConnection,
    users: &HashMap<String, user::Model>,
    published: &HashMap<&str, post::Model>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let post_of = |slug: &str| published.get(slug).ok_or(AppError::NotFound("Post"));
    let a_day_after = |post: &post::Model| (post.published_at.unwrap_or(now) + Duration::days(1)).min(now);

    let mut bookmarks = Vec::new();
    for (by, slug) in BOOKMARKS {
        let post = post_of(slug)?;
        bookmarks.push(bookmark::ActiveModel {
            user_id: Set(account(users, by)?.id),
            post_id: Set(post.id),
            created_at: Set(a_day_after(post)),
        });
    }
    bookmark::Entity::insert_many(bookmarks).on_conflict_do_nothing().exec_without_returning(db).await?;

    let mut progress = Vec::new();
    for (by, slug, seconds, finished) in PROGRESS {
        let post = post_of(slug)?;
        let at = a_day_after(post);
        progress.push(reading_progress::ActiveModel {
            user_id: Set(account(users, by)?.id),
            post_id: Set(post.id),
            seconds_spent: Set(seconds),
            completed_at: Set(finished.then_some(at)),
            updated_at: Set(at),
        });
    }
    reading_progress::Entity::insert_many(progress).on_conflict_do_nothing().exec_without_returning(db).await?;

    let mut reactions = Vec::new();
    for (by, slug, kind) in REACTIONS {
        let post = post_of(slug)?;
        reactions.push(reaction::ActiveModel {
            user_id: Set(account(users, by)?.id),
            post_id: Set(post.id),
            kind: Set(kind),
            created_at: Set(a_day_after(post)),
        });
    }
    reaction::Entity::insert_many(reactions).on_conflict_do_nothing().exec_without_returning(db).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{domains::posts::markdown, values::Slug};

    #[test]
    fn demo_posts_are_complete_articles() {
        for demo in &POSTS {
            let words = markdown::plain_text(demo.body).split_whitespace().count();
            assert!((300..=900).contains(&words), "{}: {words} words", demo.slug);
            assert!(Slug::parse("slug", demo.slug).is_ok(), "{}", demo.slug);
            assert!(demo.tags.iter().all(|t| TAGS.contains(t)), "{}: unknown tag", demo.slug);
            if let Some(series) = demo.series {
                let curator = SERIES.iter().find(|s| s.slug == series).map(|s| s.author);
                assert_eq!(curator, Some(demo.author), "{}: series posts are by the series' author", demo.slug);
            }
        }
        let html: String = POSTS.iter().map(|p| markdown::render(p.body)).collect();
        for element in ["<h2>", "<ul>", "<ol>", "<pre><code class=\"language-rust\">", "<table>"] {
            assert!(html.contains(element), "no {element} in the demo posts");
        }
    }

    #[test]
    fn demo_activity_refers_to_demo_posts_and_people() {
        let people: Vec<&str> = DEMO_ACCOUNTS.iter().map(|a| a.email).chain(READERS.iter().map(|r| r.email)).collect();
        let post = |slug: &str| POSTS.iter().find(|p| p.slug == slug).unwrap_or_else(|| panic!("no post {slug}"));
        for thread in &THREADS {
            post(thread.post);
            let mut previous = None;
            for (index, &(depth, by, _)) in thread.comments.iter().enumerate() {
                assert!(people.contains(&by), "{by}");
                // One comment on the post per thread; replies go at most one level deeper than the line above.
                assert_eq!(depth == 0, index == 0, "{}: depth {depth} at {index}", thread.post);
                assert!(previous.is_none_or(|p: u8| depth <= p + 1), "{}: skips a level", thread.post);
                previous = Some(depth);
            }
        }
        for (by, slug) in BOOKMARKS {
            assert!(people.contains(&by));
            post(slug);
        }
        for (by, slug, _, _) in PROGRESS {
            assert!(people.contains(&by));
            post(slug);
        }
        for (by, slug, _) in REACTIONS {
            assert!(people.contains(&by));
            post(slug);
        }
    }
}

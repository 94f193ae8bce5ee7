//! A large generated dataset for benchmarks (`lectern seed --scale N`): N
//! posts with about ten comments each, in threads up to four deep; 200 users
//! (20 of them authors) who share one password; the 30 phrase-bank topics as
//! tags, 1–3 on every post; up to 50 series of 3–10 posts; and bookmarks,
//! reading progress and reactions on published posts.
//!
//! Text, structure and dates come from a PRNG with a fixed seed, so every run
//! writes the same content; slugs and emails carry a random batch label, so
//! running it again adds another batch next to the first. One transaction
//! holds the whole batch, and rows go in with multi-row inserts while the next
//! posts' markdown renders on a blocking thread; `ANALYZE` runs at the end.

use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{DateTime, Utc};
use rand::{Rng, SeedableRng, rngs::StdRng, seq::SliceRandom};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, Iterable, PaginatorTrait, QueryFilter, Set,
};
use uuid::Uuid;

use super::phrases::{
    CODE, COMMENTS, FIRST_NAMES, HEADINGS, LAST_NAMES, LIST_ITEMS, REPLY_OPENERS, SENTENCES, SERIES_TITLES, SUBJECTS,
    TITLES, TOPICS,
};
use crate::{
    auth::Viewer,
    domains::{
        accounts::{Role, password, password::Password},
        posts::markdown,
        series::service::{self as series, SeriesInput},
        tags::service as tags,
    },
    error::AppResult,
    infra::{response_cache::CacheTag, work},
    state::AppState,
    state::BeginWrite,
    values::slugify,
};
use entity::{
    bookmark, comment,
    post::{self, Difficulty, Status},
    post_tag, reaction, reading_progress, subscription, user,
};

/// The password of every synthetic user (hashed once per batch).
pub const SYNTHETIC_PASSWORD: &str = "lectern-scale-reader-2026";

const SEED: u64 = 0x1EC7_E2E2;
const USERS: usize = 200;
const AUTHORS: usize = 20;
const MAX_SERIES: usize = 50;
/// Deepest reply level: a comment on the post is level 1.
const MAX_COMMENT_DEPTH: u8 = 4;
/// Posts generated, rendered and written per step; the next step renders while this one is written.
const POSTS_PER_STEP: usize = 500;
/// Bound parameters per statement: SQLite's default limit (PostgreSQL's is 65,535).
const MAX_BIND_PARAMS: usize = 32_766;
const MAX_ROWS_PER_STATEMENT: usize = 1_000;
pub(super) const DAY_SECS: i64 = 86_400;

/// What one run of `synthetic` added.
#[derive(Debug, Clone, Default)]
pub struct SyntheticReport {
    /// The label in this batch's slugs and emails.
    pub batch: String,
    pub users: u64,
    /// Tags created (topics that already had a tag reuse it).
    pub tags_created: u64,
    pub series: u64,
    pub posts: u64,
    pub published_posts: u64,
    pub post_tags: u64,
    pub comments: u64,
    pub bookmarks: u64,
    pub reading_progress: u64,
    pub reactions: u64,
    pub elapsed: Duration,
}

/// Adds a batch of `posts` generated posts and everything around them, printing progress.
pub async fn synthetic(state: &AppState, posts: u32) -> AppResult<SyntheticReport> {
    let started = Instant::now();
    let db = &state.db;
    let posts = posts as usize;
    let mut rng = StdRng::seed_from_u64(SEED);
    let batch = fresh_batch_label(db).await?;
    let now = Utc::now();
    let mut report = SyntheticReport { batch: batch.clone(), ..Default::default() };
    println!("seeding batch {batch}: {posts} posts");

    // One hash for every user: argon2 is deliberately slow, and they share the password.
    let password = Password::parse("password", SYNTHETIC_PASSWORD, &[])?;
    let password_hash = work::patiently(password::hash(&state.work.passwords, &password)).await?.into_inner();
    let txn = db.begin_write().await?;

    let (users, premium) = plan_users(&mut rng, &batch, &password_hash, now);
    let authors: Vec<Uuid> = users[..AUTHORS].iter().map(|u| u.id).collect();
    let everyone: Vec<Uuid> = users.iter().map(|u| u.id).collect();
    report.users = insert_chunked(&txn, users.into_iter().map(user::ActiveModel::from).collect()).await?;
    // About one reader in ten reads premium posts: a complimentary plan since they joined.
    insert_chunked(&txn, premium.into_iter().map(subscription::ActiveModel::from).collect()).await?;
    progress(started, "users", report.users);

    let existing = tags::list(&txn).await?;
    let mut tag_ids = Vec::with_capacity(TOPICS.len());
    for name in TOPICS {
        let slug = slugify(name);
        match existing.iter().find(|t| t.slug == slug) {
            Some(tag) => tag_ids.push(tag.id),
            None => {
                tag_ids.push(tags::insert(&txn, name).await?.id);
                report.tags_created += 1;
            }
        }
    }
    progress(started, "tags", tag_ids.len() as u64);

    // Series, and which posts belong to them (at random places in the batch).
    let series_count = if posts < 3 { 0 } else { (posts / 200).clamp(2, MAX_SERIES) };
    let mut slots: Vec<Option<SeriesSlot>> = vec![None; posts];
    let mut free: Vec<usize> = (0..posts).collect();
    free.shuffle(&mut rng);
    for index in 0..series_count {
        let size = rng.gen_range(3..=10).min(free.len());
        if size == 0 {
            break;
        }
        let author = authors[rng.gen_range(0..AUTHORS)];
        let (subject, topic, other) = pick_words(&mut rng);
        let title = fill(SERIES_TITLES.choose(&mut rng).copied().unwrap_or("{S}"), subject, topic, other);
        let input = SeriesInput {
            slug: Some(format!("{}-{batch}-{index}", slugify(&title))),
            title: Some(title),
            description: Some(sentences(&mut rng, 2..=3, subject, topic, other)),
            cover_image_url: None,
        };
        let created = series::insert(&txn, &Viewer::User { id: author, role: Role::Author }, input).await?;
        report.series += 1;
        // A series comes out weekly, ending some time in the past year.
        let first = now - chrono::Duration::seconds(rng.gen_range(size as i64 * 7 * DAY_SECS..365 * DAY_SECS));
        for position in 1..=size {
            if let Some(at) = free.pop() {
                let published_at = first + chrono::Duration::days(7 * (position as i64 - 1));
                slots[at] = Some(SeriesSlot { series_id: created.id, position: position as i32, author, published_at });
            }
        }
    }
    progress(started, "series", report.series);

    // Posts in steps: plan (cheap, sequential, draws from the PRNG), render
    // markdown on a blocking thread, and write the previous step meanwhile.
    let mut in_flight: Option<(tokio::task::JoinHandle<Vec<post::ActiveModel>>, Related)> = None;
    let report_every = (posts / 10).max(POSTS_PER_STEP) as u64;
    let mut next_report = report_every;
    for step_start in (0..posts).step_by(POSTS_PER_STEP) {
        let step_end = (step_start + POSTS_PER_STEP).min(posts);
        let mut planned = Vec::with_capacity(step_end - step_start);
        let mut related = Related::default();
        for (index, slot) in slots.iter().enumerate().take(step_end).skip(step_start) {
            let post = plan_post(&mut rng, index, &batch, &authors, slot.as_ref(), now);
            plan_related(&mut rng, &post, &tag_ids, &everyone, now, &mut related);
            report.published_posts += u64::from(post.status == Status::Published);
            planned.push(post);
        }
        let rendering = tokio::task::spawn_blocking(move || planned.into_iter().map(render).collect());
        if let Some((rendering, related)) = in_flight.replace((rendering, related)) {
            write_step(&txn, rendering, related, &mut report).await?;
            if report.posts >= next_report {
                let rate = report.posts as f64 / started.elapsed().as_secs_f64();
                println!(
                    "  {:<17} {:>9}   {:>6.1} s   {rate:.0} posts/s, {} comments so far",
                    "posts",
                    report.posts,
                    started.elapsed().as_secs_f64(),
                    report.comments
                );
                next_report += report_every;
            }
        }
    }
    if let Some((rendering, related)) = in_flight.take() {
        write_step(&txn, rendering, related, &mut report).await?;
    }
    progress(started, "posts", report.posts);
    progress(started, "comments", report.comments);
    progress(started, "bookmarks", report.bookmarks);
    progress(started, "reading progress", report.reading_progress);
    progress(started, "reactions", report.reactions);

    txn.commit().await.context("Failed to commit the synthetic batch")?;
    state.public_cache.invalidate(&[CacheTag::Content]).await;
    // Planner statistics for the new rows: PostgreSQL would otherwise plan for
    // the tables as they were before the load. (The feed's plan does not
    // depend on them: see `posts::live`.)
    db.execute_unprepared("ANALYZE").await.context("Failed to analyse the seeded tables")?;
    println!("  {:<27} {:>6.1} s", "statistics updated", started.elapsed().as_secs_f64());
    crate::domains::search::service::enqueue_unindexed(state).await.context("Failed to enqueue search indexing")?;
    report.elapsed = started.elapsed();
    Ok(report)
}

pub(super) fn progress(started: Instant, what: &str, count: u64) {
    println!("  {what:<17} {count:>9}   {:>6.1} s", started.elapsed().as_secs_f64());
}

/// Six random lower-case letters and digits no synthetic account uses yet.
pub(super) async fn fresh_batch_label(db: &impl ConnectionTrait) -> AppResult<String> {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    loop {
        let mut rng = rand::thread_rng();
        let label: String = (0..6).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect();
        let taken = user::Entity::find().filter(user::Column::Email.eq(user_email(0, &label))).count(db).await? > 0;
        if !taken {
            return Ok(label);
        }
    }
}

fn user_email(index: usize, batch: &str) -> String {
    let kind = if index < AUTHORS { "author" } else { "reader" };
    format!("{kind}{index:03}.{batch}@scale.lectern.dev")
}

fn plan_users(
    rng: &mut StdRng,
    batch: &str,
    password_hash: &str,
    now: DateTime<Utc>,
) -> (Vec<user::Model>, Vec<subscription::Model>) {
    let mut premium_plans = Vec::new();
    let users = (0..USERS)
        .map(|index| {
            let joined = now - chrono::Duration::seconds(rng.gen_range(30 * DAY_SECS..400 * DAY_SECS));
            let first = FIRST_NAMES[rng.gen_range(0..FIRST_NAMES.len())];
            let last = LAST_NAMES[rng.gen_range(0..LAST_NAMES.len())];
            let premium = index >= AUTHORS && rng.gen_bool(0.1);
            let id = Uuid::now_v7();
            if premium {
                premium_plans.push(complimentary(id, joined));
            }
            user::Model {
                id,
                email: user_email(index, batch),
                password_hash: password_hash.to_owned(),
                display_name: format!("{first} {last}"),
                role: if index < AUTHORS { Role::Author } else { Role::Reader },
                email_verified_at: Some(joined),
                created_at: joined,
                updated_at: joined,
                digest_frequency: if rng.gen_bool(0.3) {
                    user::DigestFrequency::Weekly
                } else {
                    user::DigestFrequency::Never
                },
                session_epoch: 0,
                bio: String::new(),
                time_zone: "UTC".into(),
                profile_private: false,
                referral_code: None,
            }
        })
        .collect();
    (users, premium_plans)
}

/// A complimentary plan with no end, granted when the user joined.
fn complimentary(user_id: Uuid, since: DateTime<Utc>) -> subscription::Model {
    subscription::Model {
        id: Uuid::now_v7(),
        user_id,
        source: subscription::Source::Complimentary,
        stripe_subscription_id: None,
        stripe_customer_id: None,
        plan_id: None,
        price_id: None,
        amount: None,
        currency: None,
        interval: None,
        status: subscription::Status::Active,
        current_period_end: None,
        cancel_at_period_end: false,
        canceled_at: None,
        ended_at: None,
        past_due_since: None,
        granted_by: None,
        synced_at: None,
        created_at: since,
        updated_at: since,
    }
}

/// Where a post sits in a series, and when that series published it.
#[derive(Clone)]
struct SeriesSlot {
    series_id: Uuid,
    position: i32,
    author: Uuid,
    published_at: DateTime<Utc>,
}

/// A post before its markdown is rendered.
struct PlannedPost {
    id: Uuid,
    author_id: Uuid,
    series: Option<(Uuid, i32)>,
    title: String,
    slug: String,
    body: String,
    status: Status,
    difficulty: Difficulty,
    is_premium: bool,
    published_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
}

fn plan_post(
    rng: &mut StdRng,
    index: usize,
    batch: &str,
    authors: &[Uuid],
    slot: Option<&SeriesSlot>,
    now: DateTime<Utc>,
) -> PlannedPost {
    let (subject, topic, other) = pick_words(rng);
    let title = fill(TITLES[rng.gen_range(0..TITLES.len())], subject, topic, other);
    let slug = format!("{}-{batch}-{index}", slugify(&title));
    let body = article(rng, subject, topic, other);
    let difficulty = match rng.gen_range(0..100) {
        0..45 => Difficulty::Beginner,
        45..80 => Difficulty::Intermediate,
        _ => Difficulty::Advanced,
    };
    let is_premium = rng.gen_bool(0.08);
    // A few drafts; posts in a series are all out.
    let draft = slot.is_none() && rng.gen_bool(0.03);
    let published_at = match slot {
        Some(slot) => Some(slot.published_at + chrono::Duration::minutes(rng.gen_range(0..600))),
        None if draft => None,
        None => Some(now - chrono::Duration::seconds(rng.gen_range(3_600..365 * DAY_SECS))),
    };
    let written_for = chrono::Duration::seconds(rng.gen_range(3_600..14 * DAY_SECS));
    PlannedPost {
        id: Uuid::now_v7(),
        author_id: slot.map_or_else(|| authors[rng.gen_range(0..authors.len())], |s| s.author),
        series: slot.map(|s| (s.series_id, s.position)),
        title,
        slug,
        body,
        status: if draft { Status::Draft } else { Status::Published },
        difficulty,
        is_premium,
        published_at,
        created_at: published_at.unwrap_or(now) - written_for,
    }
}

fn render(post: PlannedPost) -> post::ActiveModel {
    post::ActiveModel {
        id: Set(post.id),
        author_id: Set(post.author_id),
        series_id: Set(post.series.map(|s| s.0)),
        series_position: Set(post.series.map(|s| s.1)),
        title: Set(post.title),
        slug: Set(post.slug),
        excerpt: Set(markdown::excerpt(&post.body, crate::domains::posts::service::EXCERPT_CHARS)),
        body_html: Set(markdown::render(&post.body)),
        html_version: Set(markdown::RENDERER_VERSION),
        reading_minutes: Set(markdown::reading_minutes(&post.body)),
        body: Set(post.body),
        status: Set(post.status),
        difficulty: Set(post.difficulty),
        is_premium: Set(post.is_premium),
        cover_image_url: Set(None),
        published_at: Set(post.published_at),
        created_at: Set(post.created_at),
        updated_at: Set(post.published_at.unwrap_or(post.created_at)),
    }
}

/// The rows that hang off one step's posts.
#[derive(Default)]
struct Related {
    post_tags: Vec<post_tag::ActiveModel>,
    comments: Vec<comment::ActiveModel>,
    bookmarks: Vec<bookmark::ActiveModel>,
    reading_progress: Vec<reading_progress::ActiveModel>,
    reactions: Vec<reaction::ActiveModel>,
}

fn plan_related(
    rng: &mut StdRng,
    post: &PlannedPost,
    tag_ids: &[Uuid],
    users: &[Uuid],
    now: DateTime<Utc>,
    related: &mut Related,
) {
    let tag_count = rng.gen_range(1..=3);
    for tag_id in tag_ids.choose_multiple(rng, tag_count) {
        related.post_tags.push(post_tag::ActiveModel { post_id: Set(post.id), tag_id: Set(*tag_id) });
    }
    // Only published posts are read, discussed and reacted to.
    let Some(published_at) = post.published_at else {
        return;
    };
    let after = |rng: &mut StdRng, from: DateTime<Utc>, max_secs: i64| {
        (from + chrono::Duration::seconds(rng.gen_range(300..max_secs))).min(now)
    };

    // About ten comments; a reply answers the latest comment half the time, which builds deep threads.
    let count = rng.gen_range(0..=20);
    let mut thread: Vec<(Uuid, u8, DateTime<Utc>, String)> = Vec::with_capacity(count);
    for index in 0..count {
        let parent = if index == 0 || rng.gen_bool(0.35) {
            None
        } else {
            let candidate = if rng.gen_bool(0.5) { index - 1 } else { rng.gen_range(0..index) };
            Some(thread[candidate].clone()).filter(|(_, depth, _, _)| *depth < MAX_COMMENT_DEPTH)
        };
        let (depth, created_at) = match &parent {
            Some((_, depth, at, _)) => (depth + 1, after(rng, *at, 2 * DAY_SECS)),
            None => (1, after(rng, published_at, 10 * DAY_SECS)),
        };
        let status = match rng.gen_range(0..100) {
            0..2 => comment::Status::Deleted,
            2 => comment::Status::Hidden,
            _ => comment::Status::Visible,
        };
        let id = Uuid::now_v7();
        let body = if status == comment::Status::Deleted { String::new() } else { comment_text(rng, parent.is_some()) };
        let (thread_path, _) = crate::domains::comments::service::thread_place(
            id,
            parent.as_ref().map(|(_, depth, _, path)| (path.as_str(), i32::from(*depth) - 1)),
        );
        related.comments.push(comment::ActiveModel {
            id: Set(id),
            post_id: Set(post.id),
            author_id: Set(users[rng.gen_range(0..users.len())]),
            parent_id: Set(parent.as_ref().map(|p| p.0)),
            body: Set(body),
            status: Set(status),
            edited_at: Set(None),
            created_at: Set(created_at),
            thread_path: Set(thread_path.clone()),
            depth: Set(i32::from(depth) - 1),
        });
        thread.push((id, depth, created_at, thread_path));
    }

    let readers = rng.gen_range(0..=4);
    for user_id in users.choose_multiple(rng, readers).copied().collect::<Vec<_>>() {
        related.bookmarks.push(bookmark::ActiveModel {
            user_id: Set(user_id),
            post_id: Set(post.id),
            created_at: Set(after(rng, published_at, 30 * DAY_SECS)),
        });
    }
    let readers = rng.gen_range(0..=6);
    for user_id in users.choose_multiple(rng, readers).copied().collect::<Vec<_>>() {
        let at = after(rng, published_at, 30 * DAY_SECS);
        let finished = rng.gen_bool(0.6);
        related.reading_progress.push(reading_progress::ActiveModel {
            user_id: Set(user_id),
            post_id: Set(post.id),
            seconds_spent: Set(rng.gen_range(30..1_200)),
            completed_at: Set(finished.then_some(at)),
            updated_at: Set(at),
        });
    }
    let readers = rng.gen_range(0..=6);
    for user_id in users.choose_multiple(rng, readers).copied().collect::<Vec<_>>() {
        let kind = match rng.gen_range(0..10) {
            0..5 => reaction::Kind::Like,
            5..8 => reaction::Kind::Insightful,
            8 => reaction::Kind::Celebrate,
            _ => reaction::Kind::Confused,
        };
        related.reactions.push(reaction::ActiveModel {
            user_id: Set(user_id),
            post_id: Set(post.id),
            kind: Set(kind),
            created_at: Set(after(rng, published_at, 30 * DAY_SECS)),
        });
    }
}

async fn write_step(
    db: &impl ConnectionTrait,
    rendering: tokio::task::JoinHandle<Vec<post::ActiveModel>>,
    related: Related,
    report: &mut SyntheticReport,
) -> AppResult<()> {
    let posts = rendering.await.context("Rendering the synthetic posts failed")?;
    report.posts += insert_chunked(db, posts).await?;
    report.post_tags += insert_chunked(db, related.post_tags).await?;
    report.comments += insert_chunked(db, related.comments).await?;
    report.bookmarks += insert_chunked(db, related.bookmarks).await?;
    report.reading_progress += insert_chunked(db, related.reading_progress).await?;
    report.reactions += insert_chunked(db, related.reactions).await?;
    Ok(())
}

/// Multi-row inserts of at most 1,000 rows and within the bound-parameter limit.
pub(super) async fn insert_chunked<A>(db: &impl ConnectionTrait, rows: Vec<A>) -> AppResult<u64>
where
    A: ActiveModelTrait,
{
    let columns = <A::Entity as EntityTrait>::Column::iter().count().max(1);
    let per_statement = (MAX_BIND_PARAMS / columns).min(MAX_ROWS_PER_STATEMENT);
    let mut inserted = 0;
    let mut rows = rows.into_iter();
    loop {
        let chunk: Vec<A> = rows.by_ref().take(per_statement).collect();
        if chunk.is_empty() {
            return Ok(inserted);
        }
        inserted += <A::Entity as EntityTrait>::insert_many(chunk).exec_without_returning(db).await?;
    }
}

/// A subject, a topic and a second, different subject.
fn pick_words(rng: &mut StdRng) -> (&'static str, &'static str, &'static str) {
    let subject = rng.gen_range(0..SUBJECTS.len());
    let other = (subject + rng.gen_range(1..SUBJECTS.len())) % SUBJECTS.len();
    (SUBJECTS[subject], TOPICS[rng.gen_range(0..TOPICS.len())], SUBJECTS[other])
}

fn title_case(words: &str) -> String {
    words
        .split(' ')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| first.to_uppercase().chain(chars).collect())
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn fill(template: &str, subject: &str, topic: &str, other: &str) -> String {
    if !template.contains('{') {
        return template.to_owned();
    }
    template.replace("{S}", &title_case(subject)).replace("{s}", subject).replace("{t}", topic).replace("{x}", other)
}

fn sentences(
    rng: &mut StdRng,
    count: std::ops::RangeInclusive<usize>,
    subject: &str,
    topic: &str,
    other: &str,
) -> String {
    let count = rng.gen_range(count);
    let mut text = String::new();
    for index in 0..count {
        if index > 0 {
            text.push(' ');
        }
        text.push_str(&fill(SENTENCES[rng.gen_range(0..SENTENCES.len())], subject, topic, other));
    }
    text
}

/// A markdown article of roughly 250–900 words: an introduction, then
/// sections with paragraphs and now and then a list, a code block or a table.
fn article(rng: &mut StdRng, subject: &str, topic: &str, other: &str) -> String {
    let mut md = String::with_capacity(6_000);
    md.push_str(&sentences(rng, 4..=6, subject, topic, other));
    md.push_str("\n\n");
    let planned_sections = rng.gen_range(3..=5);
    let mut headings: Vec<&str> = HEADINGS.to_vec();
    headings.shuffle(rng);
    for (index, heading) in headings.into_iter().enumerate() {
        // Short draws get another section, so no article is much shorter than 300 markdown tokens.
        if index >= planned_sections && md.split_whitespace().count() >= 320 {
            break;
        }
        md.push_str("## ");
        md.push_str(&fill(heading, subject, topic, other));
        md.push_str("\n\n");
        for _ in 0..rng.gen_range(1..=2) {
            md.push_str(&sentences(rng, 3..=6, subject, topic, other));
            md.push_str("\n\n");
        }
        match rng.gen_range(0..10) {
            0..3 => {
                let items = rng.gen_range(3..=5);
                for item in LIST_ITEMS.choose_multiple(rng, items).collect::<Vec<_>>() {
                    md.push_str("- ");
                    md.push_str(item);
                    md.push('\n');
                }
                md.push('\n');
            }
            3..5 => {
                let (language, code) = CODE[rng.gen_range(0..CODE.len())];
                md.push_str(&format!("```{language}\n{code}\n```\n\n"));
            }
            5 => {
                md.push_str("| Approach | p50 | p99 | Effort |\n|---|---|---|---|\n");
                for approach in ["Naive", "Batched", "Cached"] {
                    let p50 = rng.gen_range(1..40);
                    md.push_str(&format!(
                        "| {approach} {subject} | {p50} ms | {} ms | {} |\n",
                        p50 * rng.gen_range(3..12),
                        ["low", "medium", "high"][rng.gen_range(0..3)]
                    ));
                }
                md.push('\n');
            }
            _ => {}
        }
    }
    md
}

fn comment_text(rng: &mut StdRng, reply: bool) -> String {
    let (subject, topic, other) = pick_words(rng);
    let mut text = String::new();
    if reply && rng.gen_bool(0.5) {
        text.push_str(REPLY_OPENERS[rng.gen_range(0..REPLY_OPENERS.len())]);
        text.push(' ');
    }
    for index in 0..rng.gen_range(1..=3) {
        if index > 0 {
            text.push(' ');
        }
        text.push_str(&fill(COMMENTS[rng.gen_range(0..COMMENTS.len())], subject, topic, other));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn articles_are_the_promised_length_and_render() {
        let mut rng = StdRng::seed_from_u64(SEED);
        for _ in 0..500 {
            let (subject, topic, other) = pick_words(&mut rng);
            let body = article(&mut rng, subject, topic, other);
            let words = markdown::plain_text(&body).split_whitespace().count();
            // Words as a reader counts them: table pipes and markup are not words.
            assert!((250..=900).contains(&words), "{words} words:\n{body}");
            assert!(markdown::render(&body).contains("<h2>"));
        }
    }

    #[test]
    fn the_same_seed_writes_the_same_text() {
        let text = |seed| {
            let mut rng = StdRng::seed_from_u64(seed);
            let (subject, topic, other) = pick_words(&mut rng);
            article(&mut rng, subject, topic, other)
        };
        assert_eq!(text(SEED), text(SEED));
        assert_ne!(text(SEED), text(SEED + 1));
    }

    #[test]
    fn statements_stay_within_the_parameter_limits() {
        for columns in [2, 3, 4, 5, 8, 9, 18] {
            let rows = (MAX_BIND_PARAMS / columns).min(MAX_ROWS_PER_STATEMENT);
            assert!(rows * columns <= MAX_BIND_PARAMS && rows <= 1_000);
        }
        assert_eq!(<post::Entity as EntityTrait>::Column::iter().count(), 18);
    }

    #[test]
    fn titles_are_title_case() {
        assert_eq!(title_case("load-shedding policies"), "Load-shedding Policies");
        assert_eq!(
            fill("{S} for {t} Developers", "connection pools", "Rust", "x"),
            "Connection Pools for Rust Developers"
        );
    }
}

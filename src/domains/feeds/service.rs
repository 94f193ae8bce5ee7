//! Syndication: the RSS 2.0 and Atom 1.0 feeds and the sitemap, built from
//! the live posts (served by `http::feeds`; the sitemap is rebuilt by a job).
//! Feeds carry titles and excerpts only, so premium bodies never leave
//! through them.
//!
//! Titles, excerpts, author names and tag names are plain text that anyone
//! with an account may write, and many feed readers render feed text as HTML.
//! So every such field is HTML-escaped (see [`html_text`] and [`plain_text`]):
//! a reader shows `<img onerror=…>` as those characters and never runs it.

use std::collections::HashMap;

use atom_syndication as atom;
use chrono::{DateTime, Utc};
use entity::{artifact, post, tag};
use sea_orm::{ConnectionTrait, DbBackend, EntityTrait, Set, Statement, sea_query::OnConflict};
use uuid::Uuid;

use crate::{
    domains::{
        accounts::service as accounts, posts::service as posts, series::service as series, tags::service as tags,
    },
    error::AppResult,
    infra::mail::escape_html,
    state::{AppState, BeginWrite},
};

/// Items per feed.
const FEED_SIZE: u64 = 50;
/// URLs per sitemap file (the sitemaps.org limit).
const SITEMAP_LIMIT: u64 = 50_000;

/// The newest live posts, with their authors' names and their tags.
struct Recent {
    posts: Vec<post::Model>,
    authors: HashMap<Uuid, String>,
    tags: HashMap<Uuid, Vec<tag::Model>>,
}

async fn recent(state: &AppState) -> AppResult<Recent> {
    let recent = posts::recent_live(&state.db, FEED_SIZE).await?;
    let author_ids: Vec<Uuid> = recent.iter().map(|p| p.author_id).collect();
    let post_ids: Vec<Uuid> = recent.iter().map(|p| p.id).collect();
    let authors = accounts::users_by_ids(&state.db, &author_ids).await?;
    let tags = posts::tags_of_posts(&state.db, &post_ids).await?;
    Ok(Recent { posts: recent, authors: authors.into_iter().map(|u| (u.id, u.display_name)).collect(), tags })
}

/// Text for a field readers take as HTML (RSS's fields; Atom's `type="html"`
/// title and summary): every markup character escaped, so the reader shows
/// exactly the text.
fn html_text(text: &str) -> String {
    escape_html(text)
}

/// Text for a field Atom defines as plain text (a person's name, a category
/// label). Readers that follow the spec show it as it is; for those that
/// render it as HTML anyway, the angle brackets are escaped so nothing in it
/// can be a tag, and nothing else changes (an `&` stays an `&`).
fn plain_text(text: &str) -> String {
    text.replace('<', "&lt;").replace('>', "&gt;")
}

fn published(post: &post::Model) -> DateTime<Utc> {
    post.published_at.unwrap_or(post.created_at)
}

impl Recent {
    /// A post's tags, alphabetically.
    fn tags_of(&self, post: &post::Model) -> impl Iterator<Item = &tag::Model> {
        self.tags.get(&post.id).into_iter().flatten()
    }
}

fn post_link(state: &AppState, post: &post::Model) -> String {
    state.link(&format!("/posts/{}", post.slug), None)
}

/// The RSS 2.0 feed of the newest live posts.
pub async fn rss(state: &AppState) -> anyhow::Result<String> {
    let recent = recent(state).await?;
    let items: Vec<rss::Item> = recent
        .posts
        .iter()
        .map(|post| {
            let link = post_link(state, post);
            let categories = recent
                .tags_of(post)
                .map(|tag| rss::CategoryBuilder::default().name(html_text(&tag.name)).build())
                .collect::<Vec<_>>();
            rss::ItemBuilder::default()
                .title(Some(html_text(&post.title)))
                .link(Some(link.clone()))
                .description(Some(html_text(&post.excerpt)))
                .author(recent.authors.get(&post.author_id).map(|name| html_text(name)))
                .categories(categories)
                .guid(Some(rss::GuidBuilder::default().value(format!("urn:uuid:{}", post.id)).permalink(false).build()))
                .pub_date(Some(published(post).to_rfc2822()))
                .build()
        })
        .collect();
    let channel = rss::ChannelBuilder::default()
        .title("Lectern")
        .link(state.link("/", None))
        .description("New posts on Lectern")
        .language(Some("en".to_owned()))
        .last_build_date(recent.posts.first().map(|p| published(p).to_rfc2822()))
        .items(items)
        .build();
    Ok(String::from_utf8(channel.write_to(Vec::new())?)?)
}

/// The Atom 1.0 feed of the newest live posts.
pub async fn atom(state: &AppState) -> AppResult<String> {
    let recent = recent(state).await?;
    let entries: Vec<atom::Entry> = recent
        .posts
        .iter()
        .map(|post| {
            let link = post_link(state, post);
            let categories = recent
                .tags_of(post)
                .map(|tag| {
                    atom::CategoryBuilder::default().term(tag.slug.clone()).label(Some(plain_text(&tag.name))).build()
                })
                .collect::<Vec<_>>();
            atom::EntryBuilder::default()
                .title(atom::Text::html(html_text(&post.title)))
                .id(format!("urn:uuid:{}", post.id))
                .updated(post.updated_at.fixed_offset())
                .published(Some(published(post).fixed_offset()))
                .authors(vec![
                    atom::PersonBuilder::default()
                        .name(plain_text(recent.authors.get(&post.author_id).map_or("", String::as_str)))
                        .build(),
                ])
                .categories(categories)
                .links(vec![atom::LinkBuilder::default().href(link).rel("alternate").build()])
                .summary(Some(atom::Text::html(html_text(&post.excerpt))))
                .build()
        })
        .collect();
    let updated = recent.posts.iter().map(|p| p.updated_at).max().unwrap_or_else(Utc::now);
    let feed = atom::FeedBuilder::default()
        .title("Lectern")
        .id(state.link("/atom.xml", None))
        .updated(updated.fixed_offset())
        .links(vec![
            atom::LinkBuilder::default().href(state.link("/atom.xml", None)).rel("self").build(),
            atom::LinkBuilder::default().href(state.link("/", None)).rel("alternate").build(),
        ])
        .entries(entries)
        .build();
    Ok(feed.to_string())
}

/// The stored sitemap, if one was built.
pub async fn stored_sitemap(state: &AppState) -> AppResult<Option<String>> {
    Ok(artifact::Entity::find_by_id(SITEMAP).one(&state.db).await?.map(|stored| stored.body))
}

const SITEMAP: &str = "sitemap.xml";

/// Builds the sitemap from the live posts, series and tags and stores it for every instance.
/// It holds only URLs built from validated slugs, XML-escaped all the same.
///
/// Refreshes take turns, each reading and storing in one write transaction
/// (SQLite's write lock; on PostgreSQL a transaction-scoped advisory lock):
/// two publishes a moment apart make two refreshes, two workers may run them
/// at once, and the one that read first could otherwise store its older
/// sitemap last. Taking turns, the last to store is the last to read.
pub async fn refresh_sitemap(state: &AppState) -> anyhow::Result<String> {
    const LOCK: i64 = 0x4c45_5349_5445; // "LESITE"
    let txn = state.db.begin_write().await?;
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [LOCK.into()],
        ))
        .await?;
    }
    let db = &txn;
    let post_slugs = posts::live_slugs(db, SITEMAP_LIMIT).await?;
    let series_slugs = series::list_slugs(db).await?;
    let tag_list = tags::list(db).await?;
    let mut body = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let mut push = |path: String, modified: Option<DateTime<Utc>>| {
        body.push_str("  <url><loc>");
        body.push_str(&quick_xml::escape::escape(state.link(&path, None)));
        body.push_str("</loc>");
        if let Some(modified) = modified {
            body.push_str(&format!("<lastmod>{}</lastmod>", modified.format("%Y-%m-%dT%H:%M:%SZ")));
        }
        body.push_str("</url>\n");
    };
    push("/".into(), None);
    for (slug, updated) in post_slugs {
        push(format!("/posts/{slug}"), Some(updated));
    }
    for (slug, updated) in series_slugs {
        push(format!("/series/{slug}"), Some(updated));
    }
    for tag in tag_list {
        push(format!("/tags/{}", tag.slug), None);
    }
    body.push_str("</urlset>\n");
    let row = artifact::ActiveModel {
        name: Set(SITEMAP.to_owned()),
        content_type: Set("application/xml".to_owned()),
        body: Set(body.clone()),
        updated_at: Set(Utc::now()),
    };
    artifact::Entity::insert(row)
        .on_conflict(
            OnConflict::column(artifact::Column::Name)
                .update_columns([artifact::Column::Body, artifact::Column::ContentType, artifact::Column::UpdatedAt])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    txn.commit().await?;
    Ok(body)
}

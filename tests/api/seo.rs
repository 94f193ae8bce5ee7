//! The web app's shareable pages carry their metadata in the HTML the server
//! sends (crawlers and link previews do not run the app): `/posts/<slug>` and
//! `/series/<slug>` get the title, description, canonical address (PUBLIC_URL),
//! Open Graph, Twitter card and JSON-LD, all escaped; an unknown slug is a 404
//! that still serves the app.

use reqwest::header;
use serde_json::{Value, json};

use crate::harness::TestApp;

/// Like Vite's build: the generic title and description the server replaces.
const INDEX: &str = "<!doctype html>\n<html lang=\"en\">\n  <head>\n    <meta charset=\"UTF-8\" />\n    \
<meta name=\"description\" content=\"Lectern: articles, series and discussions for learning.\" />\n    \
<title>Lectern</title>\n    <script src=\"/theme.js\"></script>\n  </head>\n  <body>\n    \
<div id=\"root\">seo-stand-in-app-5b1e</div>\n  </body>\n</html>\n";

fn build() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("assets")).unwrap();
    std::fs::write(dir.path().join("index.html"), INDEX).unwrap();
    dir
}

/// The value of the first `<meta {key}="{name}" content="…">`, still escaped.
fn meta<'a>(html: &'a str, key: &str, name: &str) -> Option<&'a str> {
    let start = html.find(&format!("<meta {key}=\"{name}\" content=\""))? + key.len() + name.len() + 19;
    let end = html[start..].find('"')? + start;
    Some(&html[start..end])
}

fn json_ld(html: &str) -> Value {
    const OPEN: &str = "<script type=\"application/ld+json\">";
    let start = html.find(OPEN).unwrap_or_else(|| panic!("no JSON-LD in {html}")) + OPEN.len();
    let end = html[start..].find("</script>").unwrap() + start;
    serde_json::from_str(&html[start..end]).unwrap_or_else(|e| panic!("JSON-LD does not parse ({e}): {html}"))
}

async fn page(app: &TestApp, path: &str) -> (u16, String) {
    let response = app.client.get(app.url(path)).send().await.unwrap();
    let status = response.status().as_u16();
    assert!(response.headers()[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"), "{path}");
    assert_eq!(response.headers()[header::CACHE_CONTROL], "no-cache", "{path}");
    (status, response.text().await.unwrap())
}

const HOSTILE_TITLE: &str = "Tags </script><script>alert(1)</script> & \"quotes\"";
const HOSTILE_NAME: &str = "Ann </script><!-- O'Neil";

#[tokio::test]
async fn a_post_page_carries_its_title_description_card_and_json_ld() {
    let dir = build();
    let app = TestApp::spawn_with(&[("FRONTEND_DIR", dir.path().to_str().unwrap())]).await;
    let author = app.user_with_role("AUTHOR").await;
    let renamed = app
        .graphql_as(
            &author,
            "mutation($i: UpdateProfileInput!) { updateProfile(input: $i) { displayName } }",
            json!({ "i": { "displayName": HOSTILE_NAME } }),
        )
        .await;
    assert_eq!(renamed["data"]["updateProfile"]["displayName"], HOSTILE_NAME, "{renamed}");
    let created = app
        .graphql_as(
            &author,
            "mutation($i: CreatePostInput!) { createPost(input: $i) { id slug } }",
            json!({ "i": {
                "title": HOSTILE_TITLE,
                "slug": "escaping-in-practice",
                "excerpt": "Why <b>escaping</b> & quoting \"matter\".",
                "body": "# Body\n\nText.",
                "coverImageUrl": "https://images.example/cover.png?size=large&v=2",
            } }),
        )
        .await;
    let id = created["data"]["createPost"]["id"].as_str().unwrap_or_else(|| panic!("{created}")).to_owned();

    // A draft is nobody's business yet: 404, the app still served as built.
    let (status, html) = page(&app, "/posts/escaping-in-practice").await;
    assert_eq!(status, 404);
    assert_eq!(html, INDEX);

    let published = app
        .graphql_as(
            &author,
            "mutation($id: ID!) { publishPost(id: $id) { publishedAt updatedAt } }",
            json!({ "id": id }),
        )
        .await;
    assert!(published["errors"].is_null(), "{published}");
    let (status, html) = page(&app, "/posts/escaping-in-practice").await;
    assert_eq!(status, 200, "{html}");

    // The build's generic title and description are replaced, not doubled; the app is intact.
    assert_eq!(html.matches("<title>").count(), 1, "{html}");
    assert!(!html.contains("Lectern: articles, series"), "{html}");
    assert!(html.contains("<div id=\"root\">seo-stand-in-app-5b1e</div>"), "{html}");
    assert!(html.contains("<script src=\"/theme.js\"></script>"), "{html}");
    assert!(
        html.contains("<title>Tags &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot; · Lectern</title>"),
        "{html}"
    );
    // Nothing the author wrote breaks out: the one script end tag after theme.js is the JSON-LD's.
    assert_eq!(html.matches("</script>").count(), 2, "{html}");
    assert!(!html.contains("<script>alert"), "{html}");
    assert!(!html.contains("<b>"), "{html}");

    let description = "Why &lt;b&gt;escaping&lt;/b&gt; &amp; quoting &quot;matter&quot;.";
    assert_eq!(meta(&html, "name", "description"), Some(description));
    assert!(
        html.contains("<link rel=\"canonical\" href=\"http://lectern.test/posts/escaping-in-practice\" />"),
        "{html}"
    );
    assert_eq!(meta(&html, "property", "og:type"), Some("article"));
    assert_eq!(
        meta(&html, "property", "og:title"),
        Some("Tags &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;")
    );
    assert_eq!(meta(&html, "property", "og:description"), Some(description));
    assert_eq!(meta(&html, "property", "og:url"), Some("http://lectern.test/posts/escaping-in-practice"));
    assert_eq!(meta(&html, "property", "og:image"), Some("https://images.example/cover.png?size=large&amp;v=2"));
    assert_eq!(meta(&html, "name", "twitter:card"), Some("summary_large_image"));
    assert_eq!(meta(&html, "name", "twitter:image"), Some("https://images.example/cover.png?size=large&amp;v=2"));
    assert_eq!(meta(&html, "name", "twitter:description"), Some(description));

    let ld = json_ld(&html);
    assert_eq!(ld["@type"], "Article");
    assert_eq!(ld["headline"], HOSTILE_TITLE);
    assert_eq!(ld["author"]["name"], HOSTILE_NAME);
    assert_eq!(ld["image"], "https://images.example/cover.png?size=large&v=2");
    assert_eq!(ld["url"], "http://lectern.test/posts/escaping-in-practice");
    let published_at =
        chrono::DateTime::parse_from_rfc3339(published["data"]["publishPost"]["publishedAt"].as_str().unwrap())
            .unwrap();
    let ld_published = chrono::DateTime::parse_from_rfc3339(ld["datePublished"].as_str().unwrap()).unwrap();
    assert_eq!(ld_published.timestamp(), published_at.timestamp());
    assert!(chrono::DateTime::parse_from_rfc3339(ld["dateModified"].as_str().unwrap()).is_ok(), "{ld}");

    // An old slug still answers, naming the current address as canonical.
    let moved = app
        .graphql_as(
            &author,
            "mutation($id: ID!, $i: UpdatePostInput!) { updatePost(id: $id, input: $i) { slug } }",
            json!({ "id": id, "i": { "slug": "escaping-explained", "coverImageUrl": null } }),
        )
        .await;
    assert_eq!(moved["data"]["updatePost"]["slug"], "escaping-explained", "{moved}");
    let (status, html) = page(&app, "/posts/escaping-in-practice").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("<link rel=\"canonical\" href=\"http://lectern.test/posts/escaping-explained\" />"),
        "{html}"
    );
    // Without a cover: a plain summary card and no image anywhere.
    assert_eq!(meta(&html, "name", "twitter:card"), Some("summary"));
    assert_eq!(meta(&html, "property", "og:image"), None);
    assert!(json_ld(&html).get("image").is_none());

    // Unknown: 404, the app as built (it shows its own "no such post").
    let (status, html) = page(&app, "/posts/no-such-post").await;
    assert_eq!(status, 404);
    assert_eq!(html, INDEX);
}

#[tokio::test]
async fn a_series_page_carries_its_metadata_and_an_unknown_one_is_a_404_with_the_app() {
    let dir = build();
    let app = TestApp::spawn_with(&[("FRONTEND_DIR", dir.path().to_str().unwrap())]).await;
    let author = app.user_with_role("AUTHOR").await;
    let created = app
        .graphql_as(
            &author,
            "mutation($i: CreateSeriesInput!) { createSeries(input: $i) { slug } }",
            json!({ "i": { "title": "Rust <from> zero", "slug": "rust-from-zero-seo", "description": "Four parts & a </script> test.", "coverImageUrl": "https://images.example/series.png" } }),
        )
        .await;
    assert_eq!(created["data"]["createSeries"]["slug"], "rust-from-zero-seo", "{created}");

    let (status, html) = page(&app, "/series/rust-from-zero-seo").await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("<title>Rust &lt;from&gt; zero · Lectern</title>"), "{html}");
    assert_eq!(meta(&html, "name", "description"), Some("Four parts &amp; a &lt;/script&gt; test."));
    assert!(
        html.contains("<link rel=\"canonical\" href=\"http://lectern.test/series/rust-from-zero-seo\" />"),
        "{html}"
    );
    assert_eq!(meta(&html, "property", "og:type"), Some("website"));
    assert_eq!(meta(&html, "property", "og:image"), Some("https://images.example/series.png"));
    assert_eq!(meta(&html, "name", "twitter:card"), Some("summary_large_image"));
    assert_eq!(html.matches("</script>").count(), 2, "{html}");
    let ld = json_ld(&html);
    assert_eq!(ld["@type"], "CreativeWorkSeries");
    assert_eq!(ld["name"], "Rust <from> zero");
    assert_eq!(ld["description"], "Four parts & a </script> test.");
    assert_eq!(ld["author"]["name"], "Test Reader");

    let (status, html) = page(&app, "/series/nothing-here").await;
    assert_eq!(status, 404);
    assert_eq!(html, INDEX);
    // Other app paths are as before.
    let (status, html) = page(&app, "/posts/a/b").await;
    assert_eq!(status, 200);
    assert_eq!(html, INDEX);
}

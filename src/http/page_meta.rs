//! Metadata for the web app's shareable pages, written into `index.html` by
//! the server (crawlers and link previews do not run the app): the title, the
//! description, the canonical address, Open Graph and Twitter card tags, and
//! JSON-LD. Every value is escaped for where it lands: text and attribute
//! values as HTML, JSON-LD as JSON that cannot close its `<script>`.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};

/// What a page says about itself.
#[derive(Debug, Clone)]
pub struct PageMeta {
    pub title: String,
    pub description: String,
    /// Absolute.
    pub canonical: String,
    /// `article` or `website`.
    pub og_type: &'static str,
    /// Absolute, when there is one.
    pub image: Option<String>,
    pub json_ld: Value,
}

/// The site's name, as the app's titles end (`<title> · Lectern`).
pub const SITE: &str = "Lectern";

/// A post: an Open Graph article and a schema.org `Article`.
#[allow(clippy::too_many_arguments)]
pub fn article(
    title: &str,
    description: &str,
    canonical: String,
    image: Option<String>,
    author: Option<&str>,
    published: Option<DateTime<Utc>>,
    modified: DateTime<Utc>,
) -> PageMeta {
    let mut ld = json!({
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": title,
        "description": description,
        "url": canonical,
        "mainEntityOfPage": canonical,
        "dateModified": modified.to_rfc3339_opts(SecondsFormat::Secs, true),
        "publisher": { "@type": "Organization", "name": SITE },
    });
    if let Some(published) = published {
        ld["datePublished"] = json!(published.to_rfc3339_opts(SecondsFormat::Secs, true));
    }
    if let Some(author) = author {
        ld["author"] = json!({ "@type": "Person", "name": author });
    }
    if let Some(image) = &image {
        ld["image"] = json!(image);
    }
    PageMeta {
        title: title.to_owned(),
        description: description.to_owned(),
        canonical,
        og_type: "article",
        image,
        json_ld: ld,
    }
}

/// A series: an Open Graph website and a schema.org `CreativeWorkSeries`.
pub fn series(
    title: &str,
    description: &str,
    canonical: String,
    image: Option<String>,
    author: Option<&str>,
    modified: DateTime<Utc>,
) -> PageMeta {
    let mut ld = json!({
        "@context": "https://schema.org",
        "@type": "CreativeWorkSeries",
        "name": title,
        "headline": title,
        "description": description,
        "url": canonical,
        "dateModified": modified.to_rfc3339_opts(SecondsFormat::Secs, true),
    });
    if let Some(author) = author {
        ld["author"] = json!({ "@type": "Person", "name": author });
    }
    if let Some(image) = &image {
        ld["image"] = json!(image);
    }
    PageMeta {
        title: title.to_owned(),
        description: description.to_owned(),
        canonical,
        og_type: "website",
        image,
        json_ld: ld,
    }
}

/// Text or an attribute value, safe inside either.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// JSON for a `<script type="application/ld+json">`: `<`, `>` and `&` as
/// `\u` escapes (so `</script>` or `<!--` in a title cannot end or confuse the
/// script), and the line separators JavaScript once disallowed in strings.
pub fn script_json(value: &Value) -> String {
    let text = value.to_string();
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// Descriptions longer than this are cut at a word (search engines show about 160 characters).
const DESCRIPTION_MAX: usize = 300;

fn shorten(text: &str) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= DESCRIPTION_MAX {
        return text;
    }
    let cut: String = text.chars().take(DESCRIPTION_MAX).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head).trim_end();
    format!("{cut}…")
}

/// The tags for `meta`, one a line.
pub fn head_tags(meta: &PageMeta) -> String {
    let title = escape_html(&format!("{} · {SITE}", meta.title));
    let og_title = escape_html(&meta.title);
    let description = escape_html(&shorten(&meta.description));
    let url = escape_html(&meta.canonical);
    let mut tags = vec![
        format!("<title>{title}</title>"),
        format!("<meta name=\"description\" content=\"{description}\" />"),
        format!("<link rel=\"canonical\" href=\"{url}\" />"),
        format!("<meta property=\"og:site_name\" content=\"{SITE}\" />"),
        format!("<meta property=\"og:type\" content=\"{}\" />", meta.og_type),
        format!("<meta property=\"og:title\" content=\"{og_title}\" />"),
        format!("<meta property=\"og:description\" content=\"{description}\" />"),
        format!("<meta property=\"og:url\" content=\"{url}\" />"),
    ];
    if let Some(image) = &meta.image {
        tags.push(format!("<meta property=\"og:image\" content=\"{}\" />", escape_html(image)));
    }
    let card = if meta.image.is_some() { "summary_large_image" } else { "summary" };
    tags.push(format!("<meta name=\"twitter:card\" content=\"{card}\" />"));
    tags.push(format!("<meta name=\"twitter:title\" content=\"{og_title}\" />"));
    tags.push(format!("<meta name=\"twitter:description\" content=\"{description}\" />"));
    if let Some(image) = &meta.image {
        tags.push(format!("<meta name=\"twitter:image\" content=\"{}\" />", escape_html(image)));
    }
    tags.push(format!("<script type=\"application/ld+json\">{}</script>", script_json(&meta.json_ld)));
    tags.join("\n    ")
}

/// `index.html` with the build's own `<title>` and description replaced by
/// `meta`'s tags (placed just before `</head>`).
pub fn inject(index: &str, meta: &PageMeta) -> String {
    let mut html = index.to_owned();
    remove_between(&mut html, "<title", "</title>");
    while let Some(start) = find_description(&html) {
        let Some(end) = html[start..].find('>') else { break };
        html.replace_range(start..start + end + 1, "");
    }
    let tags = head_tags(meta);
    match html.find("</head>") {
        Some(at) => html.insert_str(at, &format!("  {tags}\n  ")),
        None => html.insert_str(0, &tags),
    }
    html
}

fn remove_between(html: &mut String, open: &str, close: &str) {
    if let Some(start) = html.find(open)
        && let Some(len) = html[start..].find(close)
    {
        html.replace_range(start..start + len + close.len(), "");
    }
}

fn find_description(html: &str) -> Option<usize> {
    let lower = html.to_ascii_lowercase();
    lower.find("<meta name=\"description\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    const INDEX: &str = "<!doctype html><html><head><meta charset=\"UTF-8\" />\n<meta name=\"description\" content=\"Lectern: generic.\" />\n<title>Lectern</title>\n</head><body><div id=\"root\"></div></body></html>";

    fn hostile() -> PageMeta {
        article(
            "A </script><script>alert(1)</script> \"quoted\" & <b>bold</b>",
            "It's <em>here</em> & \u{2028}there",
            "http://lectern.test/posts/x?a=1&b=2".into(),
            Some("https://img.test/a.png?x=\"1\"&y=<2>".into()),
            Some("Ann </script> O'Neil"),
            None,
            Utc::now(),
        )
    }

    #[test]
    fn replaces_the_generic_title_and_description() {
        let html = inject(INDEX, &hostile());
        assert_eq!(html.matches("<title>").count(), 1, "{html}");
        assert!(!html.contains("Lectern: generic."), "{html}");
        assert_eq!(html.matches("name=\"description\"").count(), 1, "{html}");
        assert!(html.find("application/ld+json").unwrap() < html.find("</head>").unwrap());
        assert!(html.contains("<div id=\"root\"></div>"));
    }

    #[test]
    fn escapes_everything_it_writes() {
        let html = inject(INDEX, &hostile());
        // The only script end tags are the JSON-LD's own: no injected one.
        assert_eq!(html.matches("</script>").count(), 1, "{html}");
        assert!(!html.contains("<script>alert"), "{html}");
        assert!(!html.contains("<b>"), "{html}");
        assert!(html.contains("&lt;b&gt;bold&lt;/b&gt;"), "{html}");
        assert!(html.contains("&quot;quoted&quot; &amp;"), "{html}");
        assert!(html.contains("content=\"https://img.test/a.png?x=&quot;1&quot;&amp;y=&lt;2&gt;\""), "{html}");
        assert!(html.contains("href=\"http://lectern.test/posts/x?a=1&amp;b=2\""), "{html}");
        // The JSON-LD parses back to the original text.
        let start =
            html.find("<script type=\"application/ld+json\">").unwrap() + "<script type=\"application/ld+json\">".len();
        let end = html[start..].find("</script>").unwrap() + start;
        let json: Value = serde_json::from_str(&html[start..end]).unwrap();
        assert_eq!(json["headline"], "A </script><script>alert(1)</script> \"quoted\" & <b>bold</b>");
        assert_eq!(json["author"]["name"], "Ann </script> O'Neil");
        assert!(!html[start..end].contains('\u{2028}'));
    }

    #[test]
    fn long_descriptions_are_cut_at_a_word() {
        let long = "word ".repeat(200);
        let short = shorten(&long);
        assert!(short.chars().count() <= DESCRIPTION_MAX + 1);
        assert!(short.ends_with("word…"), "{short}");
        assert_eq!(shorten("  a \n b  "), "a b");
    }
}

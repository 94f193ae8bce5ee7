//! Markdown to HTML that is safe to put in a page: pulldown-cmark renders,
//! ammonia removes scripts, event handlers and anything else not on its
//! allow-list.
//!
//! Ids are the author's to choose (`# Setup {#setup}`, `<a id="x">`, footnotes),
//! but the page they land in is the app's: an id such as `root` would collide
//! with the app's own elements, and one such as `getElementById` would shadow
//! a property of `window` or `document` (DOM clobbering). So every id gets the
//! `user-content-` prefix (as GitHub does), in-document links (`href="#x"`) and
//! table `headers` references get the same prefix so they keep working, and
//! `name` (which clobbers `document` through forms and images) is never kept.
//! Links to the app's own comment anchors (`#comment-<id>`) stay as written.

use std::borrow::Cow;

use pulldown_cmark::{Options, Parser, html};

/// What every id in rendered markdown starts with.
pub const USER_ID_PREFIX: &str = "user-content-";

/// The version of what `render` emits, stored with each post's HTML. Raise it
/// whenever a change to `render` should reach posts rendered before it: the
/// workers then re-render the older ones (`posts::rerender`).
/// 1: the first renderer. 2: ids and in-document links get `USER_ID_PREFIX`.
pub const RENDERER_VERSION: i16 = 2;

pub fn render(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES;
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, Parser::new_ext(markdown, options));
    ammonia::Builder::default()
        .add_generic_attributes(["id"])
        .id_prefix(Some(USER_ID_PREFIX))
        .attribute_filter(prefix_id_references)
        .add_tag_attributes("code", ["class"])
        .link_rel(Some("noopener noreferrer nofollow"))
        .clean(&unsafe_html)
        .to_string()
}

/// Points in-document references at the prefixed ids. ammonia prefixes the
/// `id` attributes themselves and drops `name` (it is on no allow-list).
fn prefix_id_references<'a>(element: &str, attribute: &str, value: &'a str) -> Option<Cow<'a, str>> {
    let prefixed = |id: &str| {
        if id.starts_with(USER_ID_PREFIX) { id.to_owned() } else { format!("{USER_ID_PREFIX}{id}") }
    };
    match (element, attribute) {
        ("a", "href") => match value.strip_prefix('#') {
            Some(fragment) if !fragment.is_empty() && !fragment.starts_with("comment-") => {
                Some(Cow::Owned(format!("#{}", prefixed(fragment))))
            }
            _ => Some(Cow::Borrowed(value)),
        },
        ("td" | "th", "headers") => {
            Some(Cow::Owned(value.split_ascii_whitespace().map(prefixed).collect::<Vec<_>>().join(" ")))
        }
        _ => Some(Cow::Borrowed(value)),
    }
}

/// The words of a markdown text, for excerpts and reading time.
pub fn plain_text(markdown: &str) -> String {
    use pulldown_cmark::{Event, Tag, TagEnd};
    let mut text = String::with_capacity(markdown.len());
    for event in Parser::new(markdown) {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak | Event::End(TagEnd::Paragraph | TagEnd::Heading(_)) => text.push(' '),
            Event::Start(Tag::Item) => text.push(' '),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Minutes to read at 200 words a minute, at least one.
pub fn reading_minutes(markdown: &str) -> i32 {
    let words = plain_text(markdown).split_whitespace().count();
    words.div_ceil(200).max(1) as i32
}

/// The first `max_chars` characters of the text, cut at a word boundary.
pub fn excerpt(markdown: &str, max_chars: usize) -> String {
    let text = plain_text(markdown);
    if text.chars().count() <= max_chars {
        return text;
    }
    let cut: String = text.chars().take(max_chars).collect();
    let trimmed = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{}…", trimmed.trim_end_matches([',', '.', ';', ':']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_and_handlers_never_survive() {
        let hostile = "Hello <script>alert(1)</script>\n\n<img src=x onerror=\"alert(2)\">\n\n[x](javascript:alert(3))\n\n<a href=\"https://ok.example\" onclick=\"steal()\">ok</a>\n\n<iframe src=\"https://evil\"></iframe><style>body{}</style>";
        let html = render(hostile);
        for bad in ["<script", "onerror", "javascript:", "onclick", "<iframe", "<style"] {
            assert!(!html.to_lowercase().contains(bad), "{bad} in {html}");
        }
        assert!(html.contains("https://ok.example"));
        assert!(html.contains("rel=\"noopener noreferrer nofollow\""));
    }

    #[test]
    fn user_ids_are_prefixed_and_in_document_links_follow() {
        let html = render(
            "# Setup {#setup}\n\nSee [setup](#setup), [a comment](#comment-0190) and [top](#).\n\n\
             <a id=\"root\">x</a> <img name=\"getElementById\" src=\"/a.png\"> <a name=\"cookie\">y</a>\n\n\
             <form id=\"login\" name=\"login\"><input name=\"password\"></form>\n\n\
             <span id=\"user-content-kept\">z</span>\n\nNote[^1].\n\n[^1]: The note.",
        );
        assert!(html.contains("<h1 id=\"user-content-setup\">"), "{html}");
        assert!(html.contains("href=\"#user-content-setup\""), "{html}");
        assert!(html.contains("href=\"#comment-0190\""), "the app's comment anchors stay: {html}");
        assert!(html.contains("href=\"#\""), "{html}");
        assert!(html.contains("id=\"user-content-root\""), "{html}");
        assert!(html.contains("id=\"user-content-kept\""), "already prefixed, not twice: {html}");
        assert!(!html.contains("name="), "no name attribute survives: {html}");
        assert!(!html.contains("<form") && !html.contains("<input"), "{html}");
        // Footnote references and definitions still meet.
        assert!(html.contains("<sup><a href=\"#user-content-1\""), "{html}");
        assert!(html.contains("id=\"user-content-1\""), "{html}");
        for id in regex_ids(&html) {
            assert!(id.starts_with(USER_ID_PREFIX), "unprefixed id {id} in {html}");
        }
    }

    fn regex_ids(html: &str) -> Vec<String> {
        html.split(" id=\"").skip(1).map(|rest| rest.split('"').next().unwrap_or_default().to_owned()).collect()
    }

    #[test]
    fn renders_common_markdown() {
        let html = render(
            "# Title\n\nSome *emphasis* and `code`.\n\n```rust\nfn main() {}\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |",
        );
        assert!(html.contains("<h1>Title</h1>"));
        assert!(html.contains("<em>emphasis</em>"));
        assert!(html.contains("<code class=\"language-rust\">"));
        assert!(html.contains("<table>"));
    }

    #[test]
    fn reading_time_and_excerpts() {
        assert_eq!(reading_minutes("word "), 1);
        assert_eq!(reading_minutes(&"word ".repeat(401)), 3);
        assert_eq!(excerpt("# Heading\n\nShort *text*.", 100), "Heading Short text.");
        let long = excerpt(&"alpha beta gamma ".repeat(20), 30);
        assert!(long.ends_with('…') && long.chars().count() <= 31, "{long}");
    }
}

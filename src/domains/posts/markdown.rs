//! Markdown to HTML that is safe to put in a page: pulldown-cmark renders,
//! ammonia removes scripts, event handlers and anything else not on its
//! allow-list.

use pulldown_cmark::{Options, Parser, html};

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
        .add_tag_attributes("code", ["class"])
        .link_rel(Some("noopener noreferrer nofollow"))
        .clean(&unsafe_html)
        .to_string()
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

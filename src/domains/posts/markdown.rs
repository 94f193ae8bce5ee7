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
//!
//! Fenced code blocks in a language the highlighter knows are highlighted
//! here, on the server (syntect, Sublime Text's grammars): tokens become
//! `<span class="hl-…">` with the grammar's scope names, styled by the web
//! app's `highlight.css` in light and dark. The sanitiser keeps on a `span`
//! only classes that start with `hl-`, so an author's own HTML cannot borrow
//! the app's classes. Highlighting is bounded (per block and per document):
//! past the bounds, code is shown plain.

use std::{borrow::Cow, sync::LazyLock};

use pulldown_cmark::{CodeBlockKind, CowStr, Event, Options, Parser, Tag, TagEnd, html};
use syntect::{
    html::{ClassStyle, ClassedHTMLGenerator},
    parsing::{SyntaxReference, SyntaxSet},
    util::LinesWithEndings,
};

/// What every id in rendered markdown starts with.
pub const USER_ID_PREFIX: &str = "user-content-";

/// The version of what `render` emits, stored with each post's HTML. Raise it
/// whenever a change to `render` should reach posts rendered before it: the
/// workers then re-render the older ones (`posts::rerender`).
/// 1: the first renderer. 2: ids and in-document links get `USER_ID_PREFIX`.
/// 3: fenced code is highlighted.
pub const RENDERER_VERSION: i16 = 3;

/// What highlighted tokens' classes start with (`hl-keyword hl-control hl-rust`).
pub const HIGHLIGHT_CLASS_PREFIX: &str = "hl-";
/// A code block longer than this is shown plain (highlighting is regex work per line).
const HIGHLIGHT_MAX_BLOCK_BYTES: usize = 32 * 1024;
/// Nor is a block with a line longer than this (minified code: one huge line).
const HIGHLIGHT_MAX_LINE_BYTES: usize = 1_000;
/// Code highlighted per document, in all; later blocks are shown plain.
const HIGHLIGHT_MAX_DOCUMENT_BYTES: usize = 128 * 1024;

/// The markdown a post is written in.
const POST_OPTIONS: Options = Options::ENABLE_TABLES
    .union(Options::ENABLE_FOOTNOTES)
    .union(Options::ENABLE_STRIKETHROUGH)
    .union(Options::ENABLE_TASKLISTS)
    .union(Options::ENABLE_HEADING_ATTRIBUTES);

/// Renders a post's markdown (tables, footnotes, heading ids, highlighted code).
pub fn render(markdown: &str) -> String {
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, highlight_code(Parser::new_ext(markdown, POST_OPTIONS)));
    sanitize(&unsafe_html)
}

/// The sanitiser of a post's HTML.
fn sanitize(unsafe_html: &str) -> String {
    ammonia::Builder::default()
        .add_generic_attributes(["id"])
        .id_prefix(Some(USER_ID_PREFIX))
        .attribute_filter(filter_attribute)
        .add_tag_attributes("code", ["class"])
        .add_tag_attributes("span", ["class"])
        .link_rel(Some("noopener noreferrer nofollow"))
        .clean(unsafe_html)
        .to_string()
}

/// The tags a comment's HTML may have: text formatting, links, lists, quotes and code.
const COMMENT_TAGS: [&str; 14] =
    ["p", "br", "em", "strong", "del", "code", "pre", "a", "ul", "ol", "li", "blockquote", "span", "hr"];

/// Renders a comment: a safe subset of markdown. Emphasis, strikethrough,
/// links, lists, quotes and code (highlighted like a post's); headings become
/// paragraphs, images become links to them (no tracking pixels in threads),
/// and HTML is shown as the text it is. The sanitiser keeps only
/// `COMMENT_TAGS`, and links get `rel="nofollow ugc"` besides `noopener noreferrer`.
pub fn render_comment(markdown: &str) -> String {
    let events = Parser::new_ext(markdown, Options::ENABLE_STRIKETHROUGH).map(|event| match event {
        Event::Html(html) | Event::InlineHtml(html) => Event::Text(html),
        Event::Start(Tag::HtmlBlock) => Event::Start(Tag::Paragraph),
        Event::End(TagEnd::HtmlBlock) => Event::End(TagEnd::Paragraph),
        Event::Start(Tag::Heading { .. }) => Event::Start(Tag::Paragraph),
        Event::End(TagEnd::Heading(_)) => Event::End(TagEnd::Paragraph),
        Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
            Event::Start(Tag::Link { link_type, dest_url, title, id })
        }
        Event::End(TagEnd::Image) => Event::End(TagEnd::Link),
        other => other,
    });
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, highlight_code(events));
    ammonia::Builder::default()
        .tags(COMMENT_TAGS.into_iter().collect())
        .attribute_filter(filter_attribute)
        .add_tag_attributes("code", ["class"])
        .add_tag_attributes("span", ["class"])
        .link_rel(Some("noopener noreferrer nofollow ugc"))
        .clean(&unsafe_html)
        .to_string()
}

static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(SyntaxSet::load_defaults_newlines);

/// The grammar for a fence's language (`rust`, `rs`, `sql`, `js`, `sh` …), if any.
fn syntax_for(info: &str) -> Option<&'static SyntaxReference> {
    let lang = info.split([' ', ',', '{']).next().unwrap_or_default().trim().to_ascii_lowercase();
    let lang = match lang.as_str() {
        "" => return None,
        "ts" | "typescript" | "tsx" | "jsx" | "javascript" | "mjs" => "js",
        "shell" | "console" | "zsh" => "bash",
        "postgresql" | "psql" | "sqlite" | "pgsql" => "sql",
        "jsonc" | "json5" => "json",
        "graphql" | "gql" => return None,
        other => other,
    };
    SYNTAXES.find_syntax_by_token(lang)
}

/// Highlighted HTML of one code block, or None past the bounds.
fn highlighted(code: &str, syntax: &SyntaxReference) -> Option<String> {
    if code.len() > HIGHLIGHT_MAX_BLOCK_BYTES || code.lines().any(|line| line.len() > HIGHLIGHT_MAX_LINE_BYTES) {
        return None;
    }
    let style = ClassStyle::SpacedPrefixed { prefix: HIGHLIGHT_CLASS_PREFIX };
    let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, &SYNTAXES, style);
    for line in LinesWithEndings::from(code) {
        generator.parse_html_for_line_which_includes_newline(line).ok()?;
    }
    Some(generator.finalize())
}

/// Replaces each fenced code block in a known language by its highlighted HTML
/// (`<pre><code class="language-x">` as the plain renderer writes it).
fn highlight_code<'a>(events: impl Iterator<Item = Event<'a>>) -> impl Iterator<Item = Event<'a>> {
    let mut budget = HIGHLIGHT_MAX_DOCUMENT_BYTES;
    let mut block: Option<(&'static SyntaxReference, CowStr<'a>, String, Vec<Event<'a>>)> = None;
    events.flat_map(move |event| -> Vec<Event<'a>> {
        match (event, block.as_mut()) {
            (Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))), None) => match syntax_for(&info) {
                Some(syntax) => {
                    let start = Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info.clone())));
                    block = Some((syntax, info, String::new(), vec![start]));
                    vec![]
                }
                None => vec![Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info)))],
            },
            (Event::Text(text), Some((_, _, code, plain))) => {
                code.push_str(&text);
                plain.push(Event::Text(text));
                vec![]
            }
            (Event::End(TagEnd::CodeBlock), Some(_)) => {
                let Some((syntax, info, code, mut plain)) = block.take() else { return vec![] };
                plain.push(Event::End(TagEnd::CodeBlock));
                if code.len() > budget {
                    budget = 0;
                    return plain;
                }
                match highlighted(&code, syntax) {
                    Some(html) => {
                        budget -= code.len();
                        let lang = info.split([' ', ',', '{']).next().unwrap_or_default();
                        let class = html_escape_attribute(lang);
                        vec![Event::Html(format!("<pre><code class=\"language-{class}\">{html}</code></pre>\n").into())]
                    }
                    None => plain,
                }
            }
            (event, Some((_, _, _, plain))) => {
                plain.push(event);
                vec![]
            }
            (event, None) => vec![event],
        }
    })
}

fn html_escape_attribute(value: &str) -> String {
    value.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '+' | '.')).collect()
}

/// What the sanitiser keeps of an allowed attribute: prefixed id references,
/// and on a `span` only the highlighter's classes.
fn filter_attribute<'a>(element: &str, attribute: &str, value: &'a str) -> Option<Cow<'a, str>> {
    if (element, attribute) == ("span", "class") {
        let kept: Vec<&str> =
            value.split_ascii_whitespace().filter(|class| class.starts_with(HIGHLIGHT_CLASS_PREFIX)).collect();
        return (!kept.is_empty()).then(|| Cow::Owned(kept.join(" ")));
    }
    prefix_id_references(element, attribute, value)
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
    for event in Parser::new_ext(markdown, POST_OPTIONS) {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak | Event::End(TagEnd::Paragraph | TagEnd::Heading(_)) => text.push(' '),
            Event::Start(Tag::Item) => text.push(' '),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text of each heading of a post's markdown down to `max_level` (1–6),
/// in document order, as plain text (`## Using \`Rc\`` gives "Using Rc").
pub fn headings(markdown: &str, max_level: usize) -> Vec<String> {
    let mut headings = Vec::new();
    let mut current: Option<String> = None;
    for event in Parser::new_ext(markdown, POST_OPTIONS) {
        match event {
            Event::Start(Tag::Heading { level, .. }) if (level as usize) <= max_level => current = Some(String::new()),
            Event::Text(t) | Event::Code(t) => {
                if let Some(heading) = current.as_mut() {
                    heading.push_str(&t);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(heading) = current.as_mut() {
                    heading.push(' ');
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some(heading) = current.take() {
                    let heading = heading.split_whitespace().collect::<Vec<_>>().join(" ");
                    if !heading.is_empty() {
                        headings.push(heading);
                    }
                }
            }
            _ => {}
        }
    }
    headings
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
    fn headings_are_plain_text_in_document_order() {
        let markdown = "# Ownership\n\nIntro.\n\n## Moving `String`s {#moves}\n\nText.\n\n### The *borrow* checker\n\n#### Too deep\n\n```\n# not a heading\n```\n\nSetext\n------\n";
        assert_eq!(headings(markdown, 3), ["Ownership", "Moving Strings", "The borrow checker", "Setext"]);
        assert_eq!(headings(markdown, 1), ["Ownership"]);
        assert!(headings("Just a paragraph.", 6).is_empty());
    }

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
    fn fenced_code_is_highlighted_with_prefixed_classes_only() {
        let html = render("```rust\nfn main() { let x = \"hi\"; } // note\n```\n\n```nosuchlanguage\nplain <b>\n```");
        assert!(html.contains("<pre><code class=\"language-rust\">"), "{html}");
        assert!(html.contains("<span class=\"hl-"), "{html}");
        assert!(html.contains("hl-keyword") || html.contains("hl-storage"), "fn is a keyword: {html}");
        assert!(html.contains("hl-comment"), "{html}");
        assert!(html.contains("hl-string"), "{html}");
        // An unknown language stays plain, escaped.
        assert!(html.contains("<code class=\"language-nosuchlanguage\">plain &lt;b&gt;"), "{html}");
        // An author's own spans keep only highlighter classes.
        let own =
            render("<span class=\"app-menu hl-keyword\" style=\"color:red\">x</span> <span class=\"evil\">y</span>");
        assert!(own.contains("<span class=\"hl-keyword\">x</span>"), "{own}");
        assert!(!own.contains("app-menu") && !own.contains("evil") && !own.contains("style"), "{own}");
    }

    #[test]
    fn code_past_the_bounds_is_shown_plain() {
        let long_line = format!("```rust\nlet s = \"{}\";\n```", "a".repeat(HIGHLIGHT_MAX_LINE_BYTES + 1));
        let html = render(&long_line);
        assert!(!html.contains("hl-"), "a minified line is not highlighted");
        let block = "fn f() {}\n".repeat(HIGHLIGHT_MAX_BLOCK_BYTES / 10 + 1);
        assert!(!render(&format!("```rust\n{block}```")).contains("hl-"));
        // The document budget: blocks beyond it stay plain, the ones before are highlighted.
        let small = "fn f() {}\n".repeat(HIGHLIGHT_MAX_BLOCK_BYTES / 10 - 10);
        let many = format!("```rust\n{small}```\n\n").repeat(HIGHLIGHT_MAX_DOCUMENT_BYTES / small.len() + 2);
        let html = render(&many);
        let highlighted = html.matches("<pre><code class=\"language-rust\"><span").count();
        let blocks = html.matches("<pre>").count();
        assert!(highlighted >= 1 && highlighted < blocks, "{highlighted} of {blocks} blocks highlighted");
    }

    #[test]
    fn comments_render_a_safe_subset() {
        let html = render_comment(
            "Use `Option<T>` and **bold** ~~old~~.\n\n# Shout\n\n![pixel](https://t.example/p.gif)\n\n\
             <script>alert(1)</script><b onclick=x>b</b>\n\n> quoted\n\n- one\n- two\n\n[link](https://ok.example) [bad](javascript:alert(1))\n\n\
             | a | b |\n|---|---|\n| 1 | 2 |\n\n```sql\nselect 1;\n```",
        );
        assert!(html.contains("<code>Option&lt;T&gt;</code>"), "{html}");
        assert!(html.contains("<strong>bold</strong>") && html.contains("<del>old</del>"), "{html}");
        assert!(html.contains("<p>Shout</p>") && !html.contains("<h1"), "headings become paragraphs: {html}");
        assert!(!html.contains("<img") && html.contains("href=\"https://t.example/p.gif\""), "{html}");
        assert!(html.contains("&lt;script&gt;") && !html.contains("<script"), "HTML shows as text: {html}");
        assert!(!html.contains("onclick=x>") && !html.contains("<b "), "{html}");
        assert!(html.contains("<blockquote>") && html.contains("<li>one</li>"), "{html}");
        assert!(html.contains("rel=\"noopener noreferrer nofollow ugc\""), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(!html.contains("<table"), "no tables in comments: {html}");
        assert!(html.contains("hl-keyword"), "code is highlighted: {html}");
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

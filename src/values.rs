//! Values that parse: once a value of one of these types exists, it is valid.
//! Resolvers parse at the edge and name the input field in the error.

use std::str::FromStr;

use crate::error::{AppError, AppResult};

/// A normalised (trimmed, lower-cased) email address with a dotted domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(field: &'static str, raw: &str) -> AppResult<Self> {
        let candidate = raw.trim().to_lowercase();
        let invalid = || AppError::bad_input(field, "This is not a valid email address");
        if candidate.is_empty() || candidate.len() > 254 {
            return Err(invalid());
        }
        let parsed = email_address::EmailAddress::from_str(&candidate).map_err(|_| invalid())?;
        let domain = parsed.domain();
        if !domain.contains('.') || domain.starts_with('.') || domain.ends_with('.') || domain.starts_with('[') {
            return Err(invalid());
        }
        Ok(Email(candidate))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A name shown to other readers: 1–80 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(field: &'static str, raw: &str) -> AppResult<Self> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(AppError::bad_input(field, "The display name cannot be empty"));
        }
        if name.chars().count() > 80 {
            return Err(AppError::bad_input(field, "The display name can have at most 80 characters"));
        }
        if name.chars().any(char::is_control) {
            return Err(AppError::bad_input(field, "The display name cannot contain control characters"));
        }
        Ok(DisplayName(name.to_owned()))
    }
}

/// Text a person typed over several lines (a bio, a note): trimmed, CRLF made
/// LF, at most `max` characters, and no control characters but line breaks
/// and tabs (PostgreSQL refuses NUL in text; SQLite would keep it). `what`
/// names it in the messages ("The bio").
pub fn multiline_text(field: &'static str, raw: &str, max: usize, what: &str) -> AppResult<String> {
    let text = raw.trim();
    if text.chars().count() > max {
        return Err(AppError::bad_input(field, format!("{what} can have at most {max} characters")));
    }
    if text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err(AppError::bad_input(field, format!("{what} cannot contain control characters")));
    }
    Ok(text.replace("\r\n", "\n"))
}

/// A user's public biography: plain text, trimmed, at most 1,000 characters,
/// line breaks and tabs but no other control characters (PostgreSQL refuses NUL
/// in text; SQLite would keep it). Empty means none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bio(String);

impl Bio {
    pub const MAX: usize = 1_000;

    pub fn parse(field: &'static str, raw: &str) -> AppResult<Self> {
        multiline_text(field, raw, Self::MAX, "The bio").map(Bio)
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// The title of a post or a series: trimmed, 1–200 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Title(String);

impl Title {
    pub const MAX: usize = 200;

    /// A post's title; the message says which bound it missed.
    pub fn parse(field: &'static str, raw: &str) -> AppResult<Self> {
        let title = raw.trim();
        if title.is_empty() {
            return Err(AppError::bad_input(field, "The title cannot be empty"));
        }
        if title.chars().count() > Self::MAX {
            return Err(AppError::bad_input(field, format!("The title can have at most {} characters", Self::MAX)));
        }
        Ok(Title(title.to_owned()))
    }

    /// A series' title: the same rule, in the series' own words.
    pub fn parse_for_series(field: &'static str, raw: &str) -> AppResult<Self> {
        Self::parse(field, raw).map_err(|_| AppError::bad_input(field, "A series title has 1–200 characters"))
    }
}

/// A URL-safe slug of `text`: its lower-case ASCII letters and digits, the
/// runs of anything else between them made single dashes (maybe empty).
pub fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').to_owned()
}

/// The name of a post or series in its URL: lower-case letters, digits and
/// single dashes, 1–200 characters (trimmed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slug(String);

impl Slug {
    pub const MAX: usize = 200;

    pub fn parse(field: &'static str, raw: &str) -> AppResult<Self> {
        let slug = raw.trim();
        let valid = !slug.is_empty()
            && slug.len() <= Self::MAX
            && slug
                .split('-')
                .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()));
        if valid {
            Ok(Slug(slug.to_owned()))
        } else {
            Err(AppError::bad_input(field, "A slug has 1–200 lower-case letters, digits and single dashes"))
        }
    }
}

/// A link to a web page (a cover image): an absolute http(s) URL of at most
/// 2048 characters as given, kept in its normalised form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebUrl(String);

impl WebUrl {
    pub const MAX: usize = 2048;

    pub fn parse(field: &'static str, raw: &str) -> AppResult<Self> {
        let url = url::Url::parse(raw.trim()).map_err(|_| AppError::bad_input(field, "This is not a URL"))?;
        if !matches!(url.scheme(), "http" | "https") || raw.len() > Self::MAX {
            return Err(AppError::bad_input(field, "Use an http(s) URL of at most 2048 characters"));
        }
        Ok(WebUrl(url.to_string()))
    }
}

/// A post's summary as its author writes it: trimmed, at most 500 characters (may be empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Excerpt(String);

impl Excerpt {
    pub const MAX: usize = 500;

    pub fn parse(field: &'static str, raw: &str) -> AppResult<Self> {
        let excerpt = raw.trim();
        if excerpt.chars().count() > Self::MAX {
            return Err(AppError::bad_input(field, format!("The excerpt can have at most {} characters", Self::MAX)));
        }
        Ok(Excerpt(excerpt.to_owned()))
    }
}

/// A post's markdown, kept as written: not blank, at most 200,000 bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostBody(String);

impl PostBody {
    pub const MAX: usize = 200_000;

    pub fn parse(field: &'static str, raw: &str) -> AppResult<Self> {
        if raw.trim().is_empty() {
            return Err(AppError::bad_input(field, "The body cannot be empty"));
        }
        if raw.len() > Self::MAX {
            return Err(AppError::bad_input(field, format!("The body can have at most {} bytes", Self::MAX)));
        }
        Ok(PostBody(raw.to_owned()))
    }
}

/// A series' description: at most 5,000 characters as given, stored trimmed (may be empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Description(String);

impl Description {
    pub const MAX: usize = 5_000;

    pub fn parse(field: &'static str, raw: &str) -> AppResult<Self> {
        if raw.chars().count() > Self::MAX {
            return Err(AppError::bad_input(field, "A description has at most 5,000 characters"));
        }
        Ok(Description(raw.trim().to_owned()))
    }
}

/// A comment's text: trimmed, 1–10,000 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentBody(String);

impl CommentBody {
    pub const MAX: usize = 10_000;

    pub fn parse(field: &'static str, raw: &str) -> AppResult<Self> {
        let body = raw.trim();
        if body.is_empty() {
            return Err(AppError::bad_input(field, "A comment cannot be empty"));
        }
        if body.chars().count() > Self::MAX {
            return Err(AppError::bad_input(field, format!("A comment can have at most {} characters", Self::MAX)));
        }
        Ok(CommentBody(body.to_owned()))
    }
}

/// A tag's name (trimmed, 1–64 characters) and the slug it makes, which must
/// not be empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagName {
    name: String,
    slug: String,
}

impl TagName {
    pub const MAX: usize = 64;

    pub fn parse(field: &'static str, raw: &str) -> AppResult<Self> {
        let name = raw.trim();
        if name.is_empty() || name.chars().count() > Self::MAX {
            return Err(AppError::bad_input(field, "A tag name has 1–64 characters"));
        }
        let slug = slugify(name);
        if slug.is_empty() {
            return Err(AppError::bad_input(field, "A tag name needs at least one letter or digit"));
        }
        Ok(TagName { name: name.to_owned(), slug })
    }

    pub fn as_str(&self) -> &str {
        &self.name
    }

    pub fn slug(&self) -> &str {
        &self.slug
    }

    /// The name and its slug.
    pub fn into_parts(self) -> (String, String) {
        (self.name, self.slug)
    }
}

/// The accessors every single-string value has.
macro_rules! string_value {
    ($($value:ident),+) => {$(
        impl $value {
            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_inner(self) -> String {
                self.0
            }
        }
    )+};
}

string_value!(DisplayName, Title, Slug, WebUrl, Excerpt, PostBody, Description, CommentBody);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(Email::parse("email", "  Ada@Example.COM ").unwrap().as_str(), "ada@example.com");
        for bad in
            ["", "ada", "ada@", "@example.com", "ada@localhost", "ada@@example.com", "a b@example.com", "ada@example."]
        {
            let err = Email::parse("email", bad).unwrap_err();
            assert!(matches!(err, AppError::BadUserInput { field: "email", .. }), "{bad:?}");
        }
        assert!(Email::parse("email", &format!("{}@example.com", "a".repeat(250))).is_err());
    }

    #[test]
    fn display_names_are_trimmed_and_bounded() {
        assert_eq!(DisplayName::parse("displayName", "  Ada ").unwrap().into_inner(), "Ada");
        assert!(DisplayName::parse("displayName", "   ").is_err());
        assert!(DisplayName::parse("displayName", &"x".repeat(81)).is_err());
        assert!(DisplayName::parse("displayName", "bell\u{7}").is_err());
    }

    /// The message of a BAD_USER_INPUT on `field`.
    fn refused<T: std::fmt::Debug>(field: &'static str, parsed: AppResult<T>) -> String {
        match parsed {
            Err(AppError::BadUserInput { field: f, message }) if f == field => message,
            other => panic!("expected BAD_USER_INPUT on {field}, got {other:?}"),
        }
    }

    #[test]
    fn titles_are_trimmed_and_bounded_in_characters() {
        assert_eq!(Title::parse("title", "  Ownership \n").unwrap().as_str(), "Ownership");
        assert!(Title::parse("title", &"é".repeat(200)).is_ok());
        assert_eq!(refused("title", Title::parse("title", " \t")), "The title cannot be empty");
        assert_eq!(
            refused("title", Title::parse("title", &"a".repeat(201))),
            "The title can have at most 200 characters"
        );
        for bad in ["", &"a".repeat(201)] {
            assert_eq!(refused("title", Title::parse_for_series("title", bad)), "A series title has 1–200 characters");
        }
    }

    #[test]
    fn slugs_are_lower_case_words_joined_by_single_dashes() {
        assert_eq!(Slug::parse("slug", " rust-2026 ").unwrap().as_str(), "rust-2026");
        assert!(Slug::parse("slug", &"a".repeat(200)).is_ok());
        for bad in ["", "Rust", "rust--async", "-rust", "rust-", "rust async", "rüst", &"a".repeat(201)] {
            assert_eq!(
                refused("slug", Slug::parse("slug", bad)),
                "A slug has 1–200 lower-case letters, digits and single dashes",
                "{bad:?}"
            );
        }
        assert_eq!(slugify("Rust & Async  I/O!"), "rust-async-i-o");
        assert_eq!(slugify("  --  "), "");
        assert!(Slug::parse("slug", &slugify("Ownership, Borrowing & Lifetimes")).is_ok());
    }

    #[test]
    fn web_urls_are_http_and_normalised() {
        assert_eq!(
            WebUrl::parse("coverImageUrl", " https://Example.com/a.png ").unwrap().as_str(),
            "https://example.com/a.png"
        );
        assert_eq!(refused("coverImageUrl", WebUrl::parse("coverImageUrl", "not a url")), "This is not a URL");
        let long = format!("https://example.com/{}", "a".repeat(2048));
        for bad in ["ftp://example.com/a.png", "javascript:alert(1)", long.as_str()] {
            assert_eq!(
                refused("coverImageUrl", WebUrl::parse("coverImageUrl", bad)),
                "Use an http(s) URL of at most 2048 characters"
            );
        }
    }

    #[test]
    fn post_texts_keep_their_bounds() {
        assert_eq!(Excerpt::parse("excerpt", "  ").unwrap().as_str(), "");
        assert!(Excerpt::parse("excerpt", &"é".repeat(500)).is_ok());
        assert_eq!(
            refused("excerpt", Excerpt::parse("excerpt", &"a".repeat(501))),
            "The excerpt can have at most 500 characters"
        );
        assert_eq!(PostBody::parse("body", "  # Hi\n").unwrap().as_str(), "  # Hi\n", "kept as written");
        assert_eq!(refused("body", PostBody::parse("body", "\n \t")), "The body cannot be empty");
        assert!(PostBody::parse("body", &"a".repeat(200_000)).is_ok());
        assert_eq!(
            refused("body", PostBody::parse("body", &"é".repeat(100_001))),
            "The body can have at most 200000 bytes",
            "bytes, not characters"
        );
        assert_eq!(Description::parse("description", " About \n").unwrap().as_str(), "About");
        assert_eq!(
            refused("description", Description::parse("description", &"a".repeat(5_001))),
            "A description has at most 5,000 characters"
        );
    }

    #[test]
    fn comment_bodies_are_trimmed_and_bounded() {
        assert_eq!(CommentBody::parse("body", "  hello \n").unwrap().as_str(), "hello");
        assert_eq!(refused("body", CommentBody::parse("body", " \n\t ")), "A comment cannot be empty");
        assert!(CommentBody::parse("body", &"é".repeat(CommentBody::MAX)).is_ok(), "characters, not bytes");
        assert_eq!(
            refused("body", CommentBody::parse("body", &"a".repeat(CommentBody::MAX + 1))),
            "A comment can have at most 10000 characters"
        );
    }

    #[test]
    fn tag_names_need_a_slug() {
        let tag = TagName::parse("name", "  Async I/O ").unwrap();
        assert_eq!((tag.as_str(), tag.slug()), ("Async I/O", "async-i-o"));
        assert_eq!(refused("name", TagName::parse("name", " ")), "A tag name has 1–64 characters");
        assert_eq!(refused("name", TagName::parse("name", &"a".repeat(65))), "A tag name has 1–64 characters");
        assert_eq!(refused("name", TagName::parse("name", "!!")), "A tag name needs at least one letter or digit");
    }
}

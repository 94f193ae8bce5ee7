//! The demo's tags, series and posts. Bodies are markdown files under
//! `posts/`, so they read (and diff) like the articles they are.

use entity::post::Difficulty;

use super::phrases::TOPICS;

/// Every tag the demo uses (the first topics of the synthetic dataset, so a
/// scaled batch reuses them); posts refer to them by name.
pub const TAGS: &[&str] = TOPICS.split_at(10).0;

pub struct DemoSeries {
    pub slug: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    /// Email of the curating author.
    pub author: &'static str,
}

pub const SERIES: [DemoSeries; 2] = [
    DemoSeries {
        slug: "rust-from-zero",
        title: "Rust from Zero",
        description: "Learn Rust from an empty machine to traits and generics: installing the toolchain, \
                      ownership and borrowing, error handling, and the type system that ties it together.",
        author: "author@lectern.dev",
    },
    DemoSeries {
        slug: "databases-in-practice",
        title: "Databases in Practice",
        description: "What every application developer should know about the database underneath: indexes, \
                      transactions and isolation, and paging through large tables.",
        author: "admin@lectern.dev",
    },
];

pub struct DemoPost {
    pub slug: &'static str,
    pub title: &'static str,
    /// Email of the author (the series' author for posts in a series).
    pub author: &'static str,
    /// The series (by slug), in reading order of this list.
    pub series: Option<&'static str>,
    pub difficulty: Difficulty,
    pub premium: bool,
    pub tags: &'static [&'static str],
    /// How long ago it was published; the feed is spread over the past weeks.
    pub days_ago: i64,
    pub body: &'static str,
}

const GRACE: &str = "author@lectern.dev";
const ADA: &str = "admin@lectern.dev";

/// In publishing order within each series; series posts are listed in reading order.
pub const POSTS: [DemoPost; 12] = [
    DemoPost {
        slug: "installing-rust-and-your-first-program",
        title: "Installing Rust and Writing Your First Program",
        author: GRACE,
        series: Some("rust-from-zero"),
        difficulty: Difficulty::Beginner,
        premium: false,
        tags: &["Rust", "Beginners"],
        days_ago: 48,
        body: include_str!("posts/installing-rust-and-your-first-program.md"),
    },
    DemoPost {
        slug: "ownership-and-borrowing-explained",
        title: "Ownership and Borrowing, Explained",
        author: GRACE,
        series: Some("rust-from-zero"),
        difficulty: Difficulty::Beginner,
        premium: false,
        tags: &["Rust", "Beginners"],
        days_ago: 41,
        body: include_str!("posts/ownership-and-borrowing-explained.md"),
    },
    DemoPost {
        slug: "error-handling-with-result",
        title: "Error Handling with Result and the ? Operator",
        author: GRACE,
        series: Some("rust-from-zero"),
        difficulty: Difficulty::Intermediate,
        premium: false,
        tags: &["Rust"],
        days_ago: 34,
        body: include_str!("posts/error-handling-with-result.md"),
    },
    DemoPost {
        slug: "traits-and-generics-in-practice",
        title: "Traits and Generics in Practice",
        author: GRACE,
        series: Some("rust-from-zero"),
        difficulty: Difficulty::Intermediate,
        premium: true,
        tags: &["Rust"],
        days_ago: 27,
        body: include_str!("posts/traits-and-generics-in-practice.md"),
    },
    DemoPost {
        slug: "how-database-indexes-work",
        title: "How Database Indexes Really Work",
        author: ADA,
        series: Some("databases-in-practice"),
        difficulty: Difficulty::Intermediate,
        premium: false,
        tags: &["Databases", "PostgreSQL", "Performance"],
        days_ago: 39,
        body: include_str!("posts/how-database-indexes-work.md"),
    },
    DemoPost {
        slug: "transactions-and-isolation-levels",
        title: "Transactions and Isolation Levels Without the Jargon",
        author: ADA,
        series: Some("databases-in-practice"),
        difficulty: Difficulty::Intermediate,
        premium: false,
        tags: &["Databases", "PostgreSQL"],
        days_ago: 30,
        body: include_str!("posts/transactions-and-isolation-levels.md"),
    },
    DemoPost {
        slug: "keyset-pagination",
        title: "Keyset Pagination: Paging Without OFFSET",
        author: ADA,
        series: Some("databases-in-practice"),
        difficulty: Difficulty::Advanced,
        premium: true,
        tags: &["Databases", "Performance", "API Design"],
        days_ago: 21,
        body: include_str!("posts/keyset-pagination.md"),
    },
    DemoPost {
        slug: "designing-graphql-schemas-that-age-well",
        title: "Designing a GraphQL Schema That Ages Well",
        author: GRACE,
        series: None,
        difficulty: Difficulty::Intermediate,
        premium: false,
        tags: &["GraphQL", "API Design"],
        days_ago: 18,
        body: include_str!("posts/designing-graphql-schemas-that-age-well.md"),
    },
    DemoPost {
        slug: "the-n-plus-one-problem-and-dataloaders",
        title: "The N+1 Problem and DataLoaders",
        author: GRACE,
        series: None,
        difficulty: Difficulty::Intermediate,
        premium: false,
        tags: &["GraphQL", "Databases", "Performance"],
        days_ago: 14,
        body: include_str!("posts/the-n-plus-one-problem-and-dataloaders.md"),
    },
    DemoPost {
        slug: "property-based-testing-for-everyday-code",
        title: "Property-Based Testing for Everyday Code",
        author: ADA,
        series: None,
        difficulty: Difficulty::Intermediate,
        premium: false,
        tags: &["Testing", "Rust"],
        days_ago: 10,
        body: include_str!("posts/property-based-testing-for-everyday-code.md"),
    },
    DemoPost {
        slug: "consistent-hashing-in-ten-minutes",
        title: "Consistent Hashing in Ten Minutes",
        author: ADA,
        series: None,
        difficulty: Difficulty::Advanced,
        premium: true,
        tags: &["Distributed Systems", "Performance"],
        days_ago: 6,
        body: include_str!("posts/consistent-hashing-in-ten-minutes.md"),
    },
    DemoPost {
        slug: "writing-a-good-bug-report",
        title: "Writing a Good Bug Report",
        author: GRACE,
        series: None,
        difficulty: Difficulty::Beginner,
        premium: false,
        tags: &["Career", "Testing", "Beginners"],
        days_ago: 2,
        body: include_str!("posts/writing-a-good-bug-report.md"),
    },
];

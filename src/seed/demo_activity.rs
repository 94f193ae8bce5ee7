//! What the demo's readers did: comment threads, bookmarks, reading progress
//! and reactions, so every part of a post page and of a reader's shelf has
//! something to show.

use entity::reaction::Kind;

pub struct DemoReader {
    pub email: &'static str,
    pub display_name: &'static str,
    /// Granted premium access, so the demo has readers who open (and discuss) premium posts.
    pub premium: bool,
}

/// Readers besides the demo accounts; they sign in with the demo reader's password.
pub const READERS: [DemoReader; 3] = [
    DemoReader { email: "mina@lectern.dev", display_name: "Mina Okafor", premium: true },
    DemoReader { email: "tomas@lectern.dev", display_name: "Tomás Ribeiro", premium: true },
    DemoReader { email: "priya@lectern.dev", display_name: "Priya Natarajan", premium: false },
];

const ADA: &str = "admin@lectern.dev";
const GRACE: &str = "author@lectern.dev";
const LINUS: &str = "reader@lectern.dev";
const MINA: &str = "mina@lectern.dev";
const TOMAS: &str = "tomas@lectern.dev";
const PRIYA: &str = "priya@lectern.dev";

/// The body of a comment its author deleted: the text goes, the row stays
/// while it has replies (as the comments domain does it).
pub const DELETED: &str = "";

/// One comment on a post and its replies, in reading order. Each entry is
/// (depth, author's email, body); depth 0 is the comment on the post, and an
/// entry replies to the nearest entry above it that is one level shallower.
pub struct DemoThread {
    pub post: &'static str,
    pub comments: &'static [(u8, &'static str, &'static str)],
}

pub const THREADS: [DemoThread; 16] = [
    DemoThread {
        post: "installing-rust-and-your-first-program",
        comments: &[
            (0, MINA, "Worked first try on Windows. The `--` tip for passing arguments saved me a search."),
            (1, GRACE, "Glad it helped! `cargo run --release -- <args>` works the same way for optimised builds."),
        ],
    },
    DemoThread {
        post: "ownership-and-borrowing-explained",
        comments: &[
            (
                0,
                TOMAS,
                "The vector example finally made the borrow checker click for me. I kept hitting exactly that \
                 error in a loop that pushed to the list it was reading.",
            ),
            (
                1,
                GRACE,
                "That's the most common way people meet it. The usual fix is to collect what you want to add \
                 into a second `Vec` and `extend` the first one after the loop.",
            ),
            (2, TOMAS, "Would `retain` or `drain` help when I'm removing items instead of adding them?"),
            (
                3,
                PRIYA,
                "Yes: `retain` covers remove-while-iterating in one call, and `drain(..)` hands you ownership \
                 of the removed items if you still need them.",
            ),
            (1, MINA, "Same here. The comparison with C++ helped too: it's the bug, caught before it ships."),
        ],
    },
    DemoThread {
        post: "ownership-and-borrowing-explained",
        comments: &[
            (0, PRIYA, "Is `clone()` really that bad? Our team clones strings everywhere to keep the compiler quiet."),
            (
                1,
                ADA,
                "Not bad, just not free. Clone where it keeps the code simple and the data is small. The smell \
                 is cloning inside hot loops, or cloning a whole collection to dodge a borrow that a narrower \
                 scope would fix.",
            ),
            (2, PRIYA, "Makes sense. I'll look for the loop cases first."),
        ],
    },
    DemoThread {
        post: "ownership-and-borrowing-explained",
        comments: &[
            (0, LINUS, "Quick question: why can `length` take a `&str` when we pass `&title`, which is a `&String`?"),
            (
                1,
                GRACE,
                "Deref coercion: `String` implements `Deref<Target = str>`, so the compiler turns `&String` \
                 into `&str` at the call site for you.",
            ),
        ],
    },
    DemoThread {
        post: "error-handling-with-result",
        comments: &[
            (0, MINA, "\"thiserror in libraries, anyhow in binaries\": is that still the advice?"),
            (1, TOMAS, DELETED),
            (2, LINUS, "Whatever was here, I'd still like to know: does anyone mix both in one workspace?"),
            (
                3,
                GRACE,
                "Yes, that's the usual set-up: library crates expose `thiserror` enums, and the binary adds \
                 `anyhow` context at the top. Lectern itself is built that way.",
            ),
            (1, PRIYA, "We use snafu at work. Same idea, with context selectors instead of `map_err`."),
        ],
    },
    DemoThread {
        post: "error-handling-with-result",
        comments: &[
            (0, TOMAS, "The `initials` example returns `None` for a single name. Intentional?"),
            (
                1,
                GRACE,
                "Intentional for the example, but a good catch for real code. Plenty of people have a single \
                 name, and plenty have more than two parts.",
            ),
            (2, TOMAS, "Falsehoods programmers believe about names, chapter one."),
        ],
    },
    DemoThread {
        post: "traits-and-generics-in-practice",
        comments: &[
            (0, MINA, "The dispatch table is the clearest explanation of `dyn` I've read. Worth the subscription."),
            (1, GRACE, "Thank you! The iterator section was the hardest to keep short."),
        ],
    },
    DemoThread {
        post: "how-database-indexes-work",
        comments: &[
            (
                0,
                PRIYA,
                "The composite index table is going on our team wiki. We had an index on \
                 `(created_at, customer_id)` and wondered why the customer page was slow.",
            ),
            (
                1,
                ADA,
                "A classic! With a range on the leading column, the second column can't narrow the scan. Flip \
                 the order and check `EXPLAIN` again.",
            ),
            (2, PRIYA, "Flipped it: 1.2 s down to 4 ms. Thank you!"),
            (3, MINA, "I love a happy ending in a comment section."),
        ],
    },
    DemoThread {
        post: "how-database-indexes-work",
        comments: &[
            (0, LINUS, "Does SQLite use B-trees too?"),
            (
                1,
                ADA,
                "Yes: tables and indexes are both B-trees in SQLite, and `EXPLAIN QUERY PLAN` tells you \
                 whether an index is used (look for `SEARCH ... USING INDEX`).",
            ),
        ],
    },
    DemoThread {
        post: "transactions-and-isolation-levels",
        comments: &[
            (0, TOMAS, "The on-call example is the first time write skew made sense to me."),
            (1, PRIYA, "Same. Do people actually run serializable in production, though?"),
            (
                2,
                ADA,
                "More than you'd think, for the handful of transactions that need it. The cost is the retry \
                 loop, so keep those transactions short and free of side effects.",
            ),
        ],
    },
    DemoThread {
        post: "keyset-pagination",
        comments: &[
            (0, MINA, "What about sorting by a column that can be NULL?"),
            (
                1,
                ADA,
                "Good one. NULLs break row-value comparisons, so either make the sort column NOT NULL, or sort \
                 by `COALESCE(col, sentinel)` and index that expression.",
            ),
            (2, TOMAS, "Or page through the NULLs as a section of their own, which is what we ended up doing."),
        ],
    },
    DemoThread {
        post: "the-n-plus-one-problem-and-dataloaders",
        comments: &[
            (0, TOMAS, "Do DataLoaders help with mutations too?"),
            (
                1,
                GRACE,
                "Less often, since a mutation usually changes one thing. But its payload is resolved like a \
                 query, so the loaders still batch whatever you select in it.",
            ),
        ],
    },
    DemoThread {
        post: "the-n-plus-one-problem-and-dataloaders",
        comments: &[
            (
                0,
                PRIYA,
                "We started counting queries per request in our tests, as the table suggests, and found a page \
                 that made 400. Highly recommended.",
            ),
            (1, LINUS, "How did you count them? A tracing layer?"),
            (2, PRIYA, "A subscriber in the test harness that counts SQL statements per request id."),
            (3, LINUS, "Nice, stealing that."),
        ],
    },
    DemoThread {
        post: "consistent-hashing-in-ten-minutes",
        comments: &[
            (0, TOMAS, "How many virtual nodes do you use in practice?"),
            (
                1,
                ADA,
                "100 to 200 per server is a good start. Measure the spread with your real keys: more nodes cost \
                 memory and make the ring slower to rebuild.",
            ),
            (2, TOMAS, "And jump hash when the list of servers only ever grows?"),
            (3, ADA, "Exactly. It's perfect for numbered shards that only grow."),
        ],
    },
    DemoThread {
        post: "writing-a-good-bug-report",
        comments: &[
            (0, LINUS, "Shared this with our support team. The request id tip is underrated."),
            (1, TOMAS, "Agreed. We put the request id on our error page so people can copy it."),
            (2, GRACE, "That's the best version: nobody has to open the developer tools."),
        ],
    },
    DemoThread {
        post: "designing-graphql-schemas-that-age-well",
        comments: &[
            (0, MINA, "Nullable `author` felt wrong until I read the reason. Deleted accounts, of course."),
            (1, GRACE, "It's the field people most often regret making non-null."),
        ],
    },
];

/// Posts readers saved for later: (reader's email, post slug).
pub const BOOKMARKS: [(&str, &str); 6] = [
    (LINUS, "traits-and-generics-in-practice"),
    (LINUS, "keyset-pagination"),
    (LINUS, "consistent-hashing-in-ten-minutes"),
    (MINA, "transactions-and-isolation-levels"),
    (TOMAS, "writing-a-good-bug-report"),
    (PRIYA, "the-n-plus-one-problem-and-dataloaders"),
];

/// Reading progress: (reader's email, post slug, seconds spent, finished).
/// The demo reader is half-way through "Rust from Zero" and has started
/// "Databases in Practice".
pub const PROGRESS: [(&str, &str, i32, bool); 9] = [
    (LINUS, "installing-rust-and-your-first-program", 260, true),
    (LINUS, "ownership-and-borrowing-explained", 410, true),
    (LINUS, "error-handling-with-result", 150, false),
    (LINUS, "how-database-indexes-work", 380, true),
    (LINUS, "the-n-plus-one-problem-and-dataloaders", 90, false),
    (MINA, "installing-rust-and-your-first-program", 200, true),
    (MINA, "ownership-and-borrowing-explained", 330, true),
    (MINA, "error-handling-with-result", 300, true),
    (MINA, "traits-and-generics-in-practice", 420, true),
];

/// Reactions: (reader's email, post slug, kind).
pub const REACTIONS: [(&str, &str, Kind); 16] = [
    (LINUS, "ownership-and-borrowing-explained", Kind::Insightful),
    (LINUS, "writing-a-good-bug-report", Kind::Like),
    (MINA, "ownership-and-borrowing-explained", Kind::Like),
    (MINA, "traits-and-generics-in-practice", Kind::Celebrate),
    (MINA, "keyset-pagination", Kind::Insightful),
    (TOMAS, "ownership-and-borrowing-explained", Kind::Like),
    (TOMAS, "error-handling-with-result", Kind::Confused),
    (TOMAS, "transactions-and-isolation-levels", Kind::Insightful),
    (TOMAS, "writing-a-good-bug-report", Kind::Celebrate),
    (PRIYA, "how-database-indexes-work", Kind::Insightful),
    (PRIYA, "how-database-indexes-work", Kind::Like),
    (PRIYA, "the-n-plus-one-problem-and-dataloaders", Kind::Like),
    (TOMAS, "consistent-hashing-in-ten-minutes", Kind::Insightful),
    (GRACE, "how-database-indexes-work", Kind::Like),
    (ADA, "designing-graphql-schemas-that-age-well", Kind::Like),
    (ADA, "installing-rust-and-your-first-program", Kind::Celebrate),
];

//! Spaced-repetition rules. What is where (all re-exported here):
//! - `cards`: adding posts or a series to review, removing cards, the viewer's
//!   cards and the due queue (only cards of posts the viewer may still read).
//! - `reviewing`: grading a card (under the card's lock, compare-and-set on its
//!   version), the review log, XP, and replaying a card's log.
//! - `key_points`: authors' review prompts and what a card shows without them.
//! - `stats`: reviews per day in the reader's time zone, retention, cards by state.
//! - `reminders`: the reader's reminder setting and the daily reminder job.

mod cards;
mod key_points;
mod reminders;
mod reviewing;
mod stats;

pub use cards::*;
pub use key_points::*;
pub use reminders::*;
pub use reviewing::*;
pub use stats::*;

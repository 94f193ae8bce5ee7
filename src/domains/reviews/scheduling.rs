//! The FSRS glue: a card's stored scheduler state to and from `rs_fsrs::Card`,
//! one review through the scheduler, and the replay of a card's review log.
//! The formula is the crate's (rs-fsrs, open-spaced-repetition); this file
//! only maps between its types and ours.
//!
//! Everything here is deterministic: the scheduler runs without fuzz, and a
//! review's instant is kept to whole microseconds (what both databases store
//! exactly), so replaying the stored log reproduces the stored card bit for bit.

use chrono::{DateTime, SubsecRound, Utc};
use rs_fsrs::{Card, FSRS, Parameters, Rating, State};

use crate::config::ReviewsConfig;
use entity::{review_card::CardState, review_log::Grade};

/// A card's scheduler state, as the `review_cards` row stores it.
#[derive(Debug, Clone, PartialEq)]
pub struct Memory {
    pub state: CardState,
    pub due: DateTime<Utc>,
    pub stability: f64,
    pub difficulty: f64,
    pub elapsed_days: i32,
    pub scheduled_days: i32,
    pub reps: i32,
    pub lapses: i32,
    pub last_reviewed_at: Option<DateTime<Utc>>,
}

impl Memory {
    /// A card never reviewed, due from `created_at` on.
    pub fn new(created_at: DateTime<Utc>) -> Memory {
        Memory {
            state: CardState::New,
            due: created_at,
            stability: 0.0,
            difficulty: 0.0,
            elapsed_days: 0,
            scheduled_days: 0,
            reps: 0,
            lapses: 0,
            last_reviewed_at: None,
        }
    }

    pub fn of(card: &entity::review_card::Model) -> Memory {
        Memory {
            state: card.state,
            due: card.due,
            stability: card.stability,
            difficulty: card.difficulty,
            elapsed_days: card.elapsed_days,
            scheduled_days: card.scheduled_days,
            reps: card.reps,
            lapses: card.lapses,
            last_reviewed_at: card.last_reviewed_at,
        }
    }

    /// The instant a review asked for at `now` is recorded at: whole
    /// microseconds, and never before the card's last review (a clock that
    /// stepped back, or another instance's, must not make time run backwards).
    pub fn review_time(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        let now = now.trunc_subsecs(6);
        self.last_reviewed_at.map_or(now, |last| now.max(last))
    }

    /// The chance of recalling the card at `now` by the FSRS forgetting curve (0 while NEW).
    pub fn retrievability(&self, now: DateTime<Utc>) -> f64 {
        self.to_card().get_retrievability(now).clamp(0.0, 1.0)
    }

    fn to_card(&self) -> Card {
        Card {
            due: self.due,
            stability: self.stability,
            difficulty: self.difficulty,
            elapsed_days: i64::from(self.elapsed_days),
            scheduled_days: i64::from(self.scheduled_days),
            reps: self.reps,
            lapses: self.lapses,
            state: match self.state {
                CardState::New => State::New,
                CardState::Learning => State::Learning,
                CardState::Review => State::Review,
                CardState::Relearning => State::Relearning,
            },
            // Unused while NEW (the scheduler counts no elapsed days then).
            last_review: self.last_reviewed_at.unwrap_or(self.due),
        }
    }

    fn from_card(card: &Card) -> Memory {
        let days = |d: i64| i32::try_from(d.max(0)).unwrap_or(i32::MAX);
        Memory {
            state: match card.state {
                State::New => CardState::New,
                State::Learning => CardState::Learning,
                State::Review => CardState::Review,
                State::Relearning => CardState::Relearning,
            },
            due: card.due,
            stability: card.stability,
            difficulty: card.difficulty,
            elapsed_days: days(card.elapsed_days),
            scheduled_days: days(card.scheduled_days),
            reps: card.reps,
            lapses: card.lapses,
            last_reviewed_at: Some(card.last_review),
        }
    }
}

fn rating(grade: Grade) -> Rating {
    match grade {
        Grade::Again => Rating::Again,
        Grade::Hard => Rating::Hard,
        Grade::Good => Rating::Good,
        Grade::Easy => Rating::Easy,
    }
}

/// FSRS with the configured targets (desired retention, maximum interval) and
/// the crate's default weights, short-term steps on, fuzz off.
#[derive(Debug, Clone)]
pub struct Scheduler {
    fsrs: FSRS,
    max_interval_days: i32,
}

impl Scheduler {
    pub fn new(config: &ReviewsConfig) -> Scheduler {
        let parameters = Parameters {
            request_retention: config.desired_retention,
            maximum_interval: config.max_interval_days,
            enable_fuzz: false,
            enable_short_term: true,
            ..Parameters::default()
        };
        Scheduler { fsrs: FSRS::new(parameters), max_interval_days: config.max_interval_days }
    }

    /// The card's state after a review graded `grade` at `at`.
    pub fn review(&self, before: &Memory, grade: Grade, at: DateTime<Utc>) -> Memory {
        let mut card = self.fsrs.next(before.to_card(), at, rating(grade)).card;
        // rs-fsrs clamps each interval to the maximum and then keeps HARD < GOOD <
        // EASY a day apart, which can push GOOD and EASY a day or two past it: the
        // maximum is a promise of the configuration, so it holds here.
        let max = i64::from(self.max_interval_days);
        if card.scheduled_days > max {
            card.scheduled_days = max;
            card.due = at + chrono::Duration::days(max);
        }
        Memory::from_card(&card)
    }

    /// The state of a card made at `created_at` after `reviews` (grade and
    /// instant, in the order they happened).
    pub fn replay(
        &self,
        created_at: DateTime<Utc>,
        reviews: impl IntoIterator<Item = (Grade, DateTime<Utc>)>,
    ) -> Memory {
        reviews.into_iter().fold(Memory::new(created_at), |memory, (grade, at)| self.review(&memory, grade, at))
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;

    fn scheduler(retention: f64, max_days: i32) -> Scheduler {
        Scheduler::new(&ReviewsConfig { desired_retention: retention, max_interval_days: max_days, reminder_hour: 9 })
    }

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn a_new_card_starts_in_short_steps_unless_it_is_easy() {
        let fsrs = scheduler(0.9, 36_500);
        let start = at("2026-12-07T09:00:00Z");
        let new = Memory::new(start);
        let good = fsrs.review(&new, Grade::Good, start);
        assert_eq!(good.state, CardState::Learning);
        assert_eq!(good.due, start + Duration::minutes(10));
        assert_eq!((good.reps, good.lapses, good.scheduled_days), (1, 0, 0));
        assert!(good.stability > 0.0 && (1.0..=10.0).contains(&good.difficulty), "{good:?}");
        assert_eq!(good.last_reviewed_at, Some(start));
        let again = fsrs.review(&new, Grade::Again, start);
        assert_eq!((again.state, again.due), (CardState::Learning, start + Duration::minutes(1)));
        assert!(again.difficulty > good.difficulty, "a harder first grade makes a harder card");
        let easy = fsrs.review(&new, Grade::Easy, start);
        assert_eq!(easy.state, CardState::Review);
        assert!(easy.scheduled_days >= 1);
        assert_eq!(easy.due, start + Duration::days(i64::from(easy.scheduled_days)));
    }

    #[test]
    fn forgetting_a_card_in_review_is_a_lapse() {
        let fsrs = scheduler(0.9, 36_500);
        let start = at("2026-12-07T09:00:00Z");
        let learned = fsrs.replay(start, [(Grade::Good, start), (Grade::Good, start + Duration::minutes(10))]);
        assert_eq!(learned.state, CardState::Review, "{learned:?}");
        let later = learned.due + Duration::days(1);
        let forgot = fsrs.review(&learned, Grade::Again, later);
        assert_eq!((forgot.state, forgot.lapses, forgot.reps), (CardState::Relearning, 1, 3));
        assert!(forgot.stability < learned.stability, "forgetting lowers stability");
        assert_eq!(forgot.elapsed_days, (later - learned.last_reviewed_at.unwrap()).num_days() as i32);
        let recalled = fsrs.review(&learned, Grade::Good, later);
        assert_eq!((recalled.state, recalled.lapses), (CardState::Review, 0));
        assert!(recalled.stability > learned.stability, "recalling raises stability");
        assert!(recalled.scheduled_days > learned.scheduled_days);
    }

    #[test]
    fn the_targets_shape_the_intervals() {
        let start = at("2026-12-07T09:00:00Z");
        let easy_run = |fsrs: &Scheduler, reviews: usize| {
            let mut memory = Memory::new(start);
            for _ in 0..reviews {
                let when = memory.due.max(start);
                memory = fsrs.review(&memory, Grade::Easy, when);
            }
            memory
        };
        let capped = easy_run(&scheduler(0.9, 30), 12);
        assert_eq!(capped.scheduled_days, 30, "the maximum interval caps the schedule: {capped:?}");
        let loose = easy_run(&scheduler(0.8, 36_500), 3);
        let strict = easy_run(&scheduler(0.97, 36_500), 3);
        assert!(
            strict.scheduled_days < loose.scheduled_days,
            "a higher desired retention reviews sooner: {} vs {}",
            strict.scheduled_days,
            loose.scheduled_days
        );
    }

    #[test]
    fn a_replay_reproduces_the_reviews_one_by_one() {
        let fsrs = scheduler(0.9, 36_500);
        let start = at("2026-12-07T09:00:00.123456Z");
        let log = [
            (Grade::Good, start),
            (Grade::Hard, start + Duration::minutes(12)),
            (Grade::Good, start + Duration::days(2)),
            (Grade::Again, start + Duration::days(9)),
            (Grade::Good, start + Duration::days(9) + Duration::minutes(6)),
            (Grade::Easy, start + Duration::days(30)),
        ];
        let mut memory = Memory::new(start);
        for (grade, when) in log {
            memory = fsrs.review(&memory, grade, memory.review_time(when));
        }
        assert_eq!(fsrs.replay(start, log), memory);
        // The stored form round-trips.
        assert_eq!(Memory::from_card(&memory.to_card()), memory);
    }

    #[test]
    fn review_instants_are_whole_microseconds_and_never_go_back() {
        let memory =
            Memory { last_reviewed_at: Some(at("2026-12-07T10:00:00Z")), ..Memory::new(at("2026-12-01T00:00:00Z")) };
        assert_eq!(memory.review_time(at("2026-12-07T11:00:00.123456789Z")), at("2026-12-07T11:00:00.123456Z"));
        assert_eq!(memory.review_time(at("2026-12-07T09:00:00Z")), at("2026-12-07T10:00:00Z"));
        assert_eq!(Memory::new(at("2026-12-01T00:00:00Z")).retrievability(at("2026-12-07T00:00:00Z")), 0.0);
    }
}

//! GraphQL surface of spaced repetition: the viewer's cards and due queue,
//! grading a card, statistics, authors' review prompts and the reminder setting.

use async_graphql::{Context, Enum, ID, Object, Result, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};

use super::{
    loaders::{PromptsOfPost, ViewerCard},
    scheduling::Memory,
    service::{self, AddTarget, KeyPoints, KeyPointsSource},
};
use crate::{
    domains::{
        entitlements::loaders::PremiumAccess,
        posts::{loaders::ReadablePostById, schema::Post},
    },
    error::AppError,
    graphql::{
        ContextExt, Require,
        pagination::{Connection, connection, page_args, page_complexity},
        parse_id,
    },
};
use entity::{review_card, review_log};

/// The viewer's card for a post; None when anonymous or not in review. Batched per page.
pub async fn viewer_card(ctx: &Context<'_>, post_id: uuid::Uuid) -> Result<Option<ReviewCard>> {
    if ctx.viewer().id().is_none() {
        return Ok(None);
    }
    Ok(ctx.loader().load_one(ViewerCard(post_id)).await?.map(ReviewCard::new))
}

/// Where a card is in its schedule (FSRS states).
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(name = "ReviewState", remote = "entity::review_card::CardState")]
pub enum GqlReviewState {
    /// Never reviewed yet; due from the moment it was added.
    New,
    /// In its first short steps, minutes apart.
    Learning,
    /// Remembered; reviewed days to years apart.
    Review,
    /// Forgotten after it was remembered; back in short steps.
    Relearning,
}

/// How well the reader recalled a card's key points.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(name = "ReviewGrade", remote = "entity::review_log::Grade")]
pub enum GqlReviewGrade {
    /// Forgot: the card comes back in minutes.
    Again,
    /// Recalled with serious difficulty.
    Hard,
    /// Recalled after a moment's thought.
    Good,
    /// Recalled at once.
    Easy,
}

/// A post the viewer reviews, with its FSRS schedule.
pub struct ReviewCard {
    card: review_card::Model,
    /// Worked out once per card and request (`keyPoints` and `keyPointsSource` share it).
    points: tokio::sync::OnceCell<KeyPoints>,
}

impl ReviewCard {
    pub fn new(card: review_card::Model) -> ReviewCard {
        ReviewCard { card, points: tokio::sync::OnceCell::new() }
    }

    async fn points(&self, ctx: &Context<'_>) -> Result<&KeyPoints> {
        self.points.get_or_try_init(|| self.work_out_points(ctx)).await
    }

    async fn work_out_points(&self, ctx: &Context<'_>) -> Result<KeyPoints> {
        let Some(post) = ctx.loader().load_one(ReadablePostById(self.card.post_id)).await? else {
            return Ok(KeyPoints { points: Vec::new(), source: KeyPointsSource::Excerpt });
        };
        let viewer = ctx.viewer();
        let premium = match viewer.id() {
            Some(id) if post.is_premium => ctx.loader().load_one(PremiumAccess(id)).await?.unwrap_or(false),
            _ => false,
        };
        let locked = service::locked(viewer, &post, premium);
        let prompts =
            if locked { Vec::new() } else { ctx.loader().load_one(PromptsOfPost(post.id)).await?.unwrap_or_default() };
        Ok(service::key_points(&post, &prompts, locked))
    }
}

/// A post the viewer reviews, with its FSRS schedule.
#[Object]
impl ReviewCard {
    /// The card's stable id (for `reviewCard` and `removeFromReview`).
    async fn id(&self) -> ID {
        ID(self.card.id.to_string())
    }

    /// The post the card is for.
    async fn post(&self, ctx: &Context<'_>) -> Result<Option<Post>> {
        Ok(ctx.loader().load_one(ReadablePostById(self.card.post_id)).await?.map(Post::from))
    }

    /// What to recall: the author's review prompts, or without them the post's
    /// headings followed by its excerpt (see `keyPointsSource`).
    async fn key_points(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        Ok(self.points(ctx).await?.points.clone())
    }

    /// Where `keyPoints` come from.
    async fn key_points_source(&self, ctx: &Context<'_>) -> Result<KeyPointsSource> {
        Ok(self.points(ctx).await?.source)
    }

    /// Where the card is in its schedule.
    async fn state(&self) -> GqlReviewState {
        self.card.state.into()
    }

    /// When the card is next due (while NEW: when it was added).
    async fn due(&self) -> DateTime<Utc> {
        self.card.due
    }

    /// Whether the card is due now (reviewing it earlier is allowed, and recorded as early).
    async fn is_due(&self) -> bool {
        self.card.due <= Utc::now()
    }

    /// FSRS memory stability: days until recall falls to 90 % (0 while NEW).
    async fn stability(&self) -> f64 {
        self.card.stability
    }

    /// FSRS difficulty, 1 (easy) to 10 (hard); 0 while NEW.
    async fn difficulty(&self) -> f64 {
        self.card.difficulty
    }

    /// The estimated chance, 0–1, of recalling the card now (0 while NEW).
    async fn retrievability(&self) -> f64 {
        Memory::of(&self.card).retrievability(Utc::now())
    }

    /// Reviews so far.
    async fn reps(&self) -> i32 {
        self.card.reps
    }

    /// Times the card was forgotten (graded AGAIN) while in REVIEW.
    async fn lapses(&self) -> i32 {
        self.card.lapses
    }

    /// When it was last reviewed; null while NEW.
    async fn last_reviewed_at(&self) -> Option<DateTime<Utc>> {
        self.card.last_reviewed_at
    }

    /// When the post was added to review.
    async fn created_at(&self) -> DateTime<Utc> {
        self.card.created_at
    }

    /// The card's reviews, newest first, each with the schedule before and after it.
    #[graphql(complexity = "page_complexity(child_complexity, first, None)")]
    async fn reviews(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "The `endCursor` of the page before.")] after: Option<String>,
    ) -> Result<Connection<Review>> {
        let args = page_args(ctx, first, after, None, None);
        let page = service::history(&ctx.state().db, ctx.viewer(), self.card.id, &args).await?;
        Ok(connection(page, Review))
    }
}

/// One review of a card: the grade, and the scheduler's state before and after it.
pub struct Review(pub review_log::Model);

/// One review of a card: the grade, and the scheduler's state before and after it.
#[Object]
impl Review {
    /// The review's stable id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The grade given.
    async fn grade(&self) -> GqlReviewGrade {
        self.0.grade.into()
    }

    /// When the review happened.
    async fn reviewed_at(&self) -> DateTime<Utc> {
        self.0.reviewed_at
    }

    /// Whether the card was reviewed before it was due (allowed; FSRS counts the shorter wait).
    async fn early(&self) -> bool {
        self.0.early
    }

    /// Whole days since the card's previous review (0 for its first).
    async fn elapsed_days(&self) -> i32 {
        self.0.elapsed_days
    }

    /// Whole days until the next review this one scheduled (0 for a step of minutes).
    async fn scheduled_days(&self) -> i32 {
        self.0.scheduled_days
    }

    /// The card's state before the review.
    async fn state_before(&self) -> GqlReviewState {
        self.0.state_before.into()
    }

    /// The card's state after it.
    async fn state_after(&self) -> GqlReviewState {
        self.0.state_after.into()
    }

    /// Stability before the review, in days.
    async fn stability_before(&self) -> f64 {
        self.0.stability_before
    }

    /// Stability after it, in days.
    async fn stability_after(&self) -> f64 {
        self.0.stability_after
    }

    /// Difficulty (1–10) before the review; 0 for a NEW card.
    async fn difficulty_before(&self) -> f64 {
        self.0.difficulty_before
    }

    /// Difficulty (1–10) after it.
    async fn difficulty_after(&self) -> f64 {
        self.0.difficulty_after
    }

    /// When the card was due before the review.
    async fn due_before(&self) -> DateTime<Utc> {
        self.0.due_before
    }

    /// When the card is due after it.
    async fn due_after(&self) -> DateTime<Utc> {
        self.0.due_after
    }
}

/// What grading a card did.
#[derive(SimpleObject)]
pub struct ReviewOutcome {
    /// The card with its new schedule.
    pub card: ReviewCard,
    /// The review as logged.
    pub review: Review,
    /// When the card is due next.
    pub next_due: DateTime<Utc>,
    /// Whether the card was reviewed before it was due (allowed, and recorded as early).
    pub early: bool,
    /// XP the review earned: XP_REVIEW once per card and day (in the viewer's
    /// time zone), within the daily cap; 0 otherwise.
    pub xp_awarded: i32,
}

/// Reviews on one of the viewer's days.
#[derive(SimpleObject)]
pub struct ReviewDay {
    /// The date in the viewer's time zone.
    pub date: NaiveDate,
    /// Reviews that day.
    pub reviews: i32,
    /// Of them, graded AGAIN.
    pub again: i32,
}

/// The viewer's cards (of posts they may read) by state.
#[derive(SimpleObject)]
pub struct ReviewCardCounts {
    /// Never reviewed.
    pub new: u64,
    /// In their first steps.
    pub learning: u64,
    /// Remembered, on a schedule of days.
    pub review: u64,
    /// Forgotten and being relearned.
    pub relearning: u64,
    /// All of them.
    pub total: u64,
}

/// The viewer's review statistics.
#[derive(SimpleObject)]
pub struct ReviewStats {
    /// The last 30 days in the viewer's time zone, oldest first, days without reviews included.
    pub days: Vec<ReviewDay>,
    /// Reviews over those days.
    pub review_count: i32,
    /// Reviews over those days of cards in REVIEW state (what retention is measured on).
    pub mature_review_count: i32,
    /// The share (0–1) of those reviews not graded AGAIN; null without any.
    pub retention: Option<f64>,
    /// Cards by state.
    pub cards_by_state: ReviewCardCounts,
    /// Cards due now (the queue's length).
    pub due_now: u64,
    /// Cards due by the end of the viewer's day.
    pub due_today: u64,
    /// The time zone the days are counted in (the viewer's `timeZone`).
    pub time_zone: String,
    /// When the viewer's next card is due: the earliest due of their cards
    /// (in the past while some are due now); null without cards.
    pub next_due: Option<DateTime<Utc>>,
}

/// The viewer's spaced-repetition settings.
#[derive(SimpleObject)]
pub struct ReviewSettings {
    /// Whether the viewer gets a daily reminder (a notification, and a mail to a
    /// verified address) on days they have cards due.
    pub reminders: bool,
    /// The local hour (0–23, in the viewer's time zone) from which the day's reminder is sent.
    pub reminder_hour: i32,
}

fn settings(ctx: &Context<'_>, reminders: bool) -> ReviewSettings {
    ReviewSettings { reminders, reminder_hour: ctx.state().config.reviews.reminder_hour as i32 }
}

#[derive(Default)]
pub struct ReviewsQuery;

/// Spaced repetition: the viewer's cards, queue, statistics and settings.
#[Object]
impl ReviewsQuery {
    /// The viewer's cards due now, the longest due first; `totalCount` is how
    /// many are due. Only cards of posts the viewer may still read.
    #[graphql(guard = "Require::SignedIn", complexity = "page_complexity(child_complexity, first, None)")]
    async fn review_queue(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "The `endCursor` of the page before.")] after: Option<String>,
    ) -> Result<Connection<ReviewCard>> {
        let args = page_args(ctx, first, after, None, None);
        let page = service::queue(&ctx.state().db, ctx.viewer(), Utc::now(), &args).await?;
        Ok(connection(page, ReviewCard::new))
    }

    /// All the viewer's cards, due or not, most recently added first.
    #[graphql(guard = "Require::SignedIn", complexity = "page_complexity(child_complexity, first, None)")]
    async fn review_cards(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "The `endCursor` of the page before.")] after: Option<String>,
    ) -> Result<Connection<ReviewCard>> {
        let args = page_args(ctx, first, after, None, None);
        Ok(connection(service::list(&ctx.state().db, ctx.viewer(), &args).await?, ReviewCard::new))
    }

    /// The viewer's review statistics (days in their time zone).
    #[graphql(guard = "Require::SignedIn")]
    async fn review_stats(&self, ctx: &Context<'_>) -> Result<ReviewStats> {
        let stats = service::stats(&ctx.state().db, ctx.viewer(), Utc::now()).await?;
        let review_count = stats.days.iter().map(|d| d.reviews).sum::<u32>();
        Ok(ReviewStats {
            days: stats
                .days
                .iter()
                .map(|d| ReviewDay { date: d.date, reviews: d.reviews as i32, again: d.again as i32 })
                .collect(),
            review_count: review_count as i32,
            mature_review_count: stats.mature_reviews as i32,
            retention: stats.retention,
            cards_by_state: ReviewCardCounts {
                new: stats.new,
                learning: stats.learning,
                review: stats.review,
                relearning: stats.relearning,
                total: stats.new + stats.learning + stats.review + stats.relearning,
            },
            due_now: stats.due_now,
            due_today: stats.due_today,
            time_zone: stats.zone.name().to_owned(),
            next_due: stats.next_due,
        })
    }

    /// The viewer's spaced-repetition settings.
    #[graphql(guard = "Require::SignedIn")]
    async fn review_settings(&self, ctx: &Context<'_>) -> Result<ReviewSettings> {
        let reminders = service::reminders_on(&ctx.state().db, ctx.viewer()).await?;
        Ok(settings(ctx, reminders))
    }

    /// The review prompts of a post, for its editor (its author or an admin).
    #[graphql(guard = "Require::SignedIn")]
    async fn review_prompts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The post (one the viewer may edit).")] post_id: ID,
    ) -> Result<Vec<String>> {
        let post_id = parse_id("postId", &post_id)?;
        Ok(service::prompts_for_editor(&ctx.state().db, ctx.viewer(), post_id).await?)
    }
}

#[derive(Default)]
pub struct ReviewsMutation;

/// Spaced repetition: adding, grading and removing cards, prompts, reminders.
#[Object]
impl ReviewsMutation {
    /// Adds a post, or every published post of a series, to the viewer's review
    /// (give `postId` or `seriesId`); returns the cards, in the series' order.
    /// Adding again keeps the existing card. NOT_FOUND for a post the viewer
    /// cannot read or a series that does not exist; PAYMENT_REQUIRED for a
    /// premium post without a plan (a series skips those); BAD_USER_INPUT on
    /// `seriesId` for a series with no post the viewer can read.
    #[graphql(guard = "Require::SignedIn")]
    async fn add_to_review(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A post to add (or give `seriesId`).")] post_id: Option<ID>,
        #[graphql(desc = "A series whose published posts to add (or give `postId`).")] series_id: Option<ID>,
    ) -> Result<Vec<ReviewCard>> {
        let target = match (post_id, series_id) {
            (Some(post), None) => AddTarget::Post(parse_id("postId", &post)?),
            (None, Some(series)) => AddTarget::Series(parse_id("seriesId", &series)?),
            _ => return Err(AppError::bad_input("postId", "Give either `postId` or `seriesId`").into()),
        };
        let cards = service::add(ctx.state(), ctx.viewer(), target).await?;
        Ok(cards.into_iter().map(ReviewCard::new).collect())
    }

    /// Removes one of the viewer's cards and its review history (NOT_FOUND for
    /// another reader's card or one removed already).
    #[graphql(guard = "Require::SignedIn")]
    async fn remove_from_review(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "One of the viewer's cards.")] card_id: ID,
    ) -> Result<bool> {
        let card_id = parse_id("cardId", &card_id)?;
        service::remove(ctx.state(), ctx.viewer(), card_id).await?;
        Ok(true)
    }

    /// Grades one of the viewer's cards and schedules it again (FSRS). A card
    /// that is not due yet may be reviewed too: the review is recorded as early.
    /// NOT_FOUND for another reader's card, a removed one, or one whose post the
    /// viewer may no longer read.
    #[graphql(guard = "Require::SignedIn")]
    async fn review_card(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "One of the viewer's cards.")] card_id: ID,
        #[graphql(desc = "How well the viewer recalled the card's key points.")] grade: GqlReviewGrade,
    ) -> Result<ReviewOutcome> {
        let card_id = parse_id("cardId", &card_id)?;
        let reviewed = service::review(ctx.state(), ctx.viewer(), card_id, grade.into()).await?;
        Ok(ReviewOutcome {
            next_due: reviewed.card.due,
            early: reviewed.log.early,
            xp_awarded: reviewed.xp,
            card: ReviewCard::new(reviewed.card),
            review: Review(reviewed.log),
        })
    }

    /// Replaces the review prompts of a post (its author or an admin): at most
    /// 10, each one line of 1–300 characters; an empty list removes them, and
    /// cards show the post's headings and excerpt instead. Returns the prompts as stored.
    #[graphql(guard = "Require::SignedIn")]
    async fn set_review_prompts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The post (the viewer's own, or any for admins).")] post_id: ID,
        #[graphql(desc = "The prompts in order; `[]` removes them.")] prompts: Vec<String>,
    ) -> Result<Vec<String>> {
        let post_id = parse_id("postId", &post_id)?;
        Ok(service::set_prompts(ctx.state(), ctx.viewer(), post_id, &prompts).await?)
    }

    /// Turns the viewer's daily review reminder on or off.
    #[graphql(guard = "Require::SignedIn")]
    async fn set_review_reminders(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "True to get the daily reminder, false to stop it.")] enabled: bool,
    ) -> Result<ReviewSettings> {
        let reminders = service::set_reminders(&ctx.state().db, ctx.viewer(), enabled).await?;
        Ok(settings(ctx, reminders))
    }
}

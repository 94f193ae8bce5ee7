//! SeaORM entities for Lectern: table definitions only. Behaviour lives in the
//! domain services under `src/domains/`.

pub mod activity_day;
pub mod ai_answer;
pub mod artifact;
pub mod badge;
pub mod billing_customer;
pub mod bookmark;
pub mod certificate;
pub mod checkout_session;
pub mod comment;
pub mod digest_delivery;
pub mod job;
pub mod newsletter_subscription;
pub mod notification;
pub mod passage;
pub mod payment;
pub mod post;
pub mod post_tag;
pub mod post_view;
pub mod reaction;
pub mod reading_day;
pub mod reading_progress;
pub mod redirect;
pub mod referral;
pub mod refresh_token;
pub mod search_index;
pub mod series;
pub mod stripe_event;
pub mod study_note;
pub mod subscription;
pub mod tag;
pub mod user;
pub mod user_badge;
pub mod user_stats;
pub mod user_token;
pub mod xp_award;

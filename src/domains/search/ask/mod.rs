//! "Ask AI": retrieve passages (`retrieval`), then stream an answer that
//! cites them (`answerers`), and record it (`record`). This module runs one
//! question from the checks to the last event.

mod answerers;
mod record;
mod retrieval;

use std::time::{Duration, Instant};

use entity::post;
use futures::{StreamExt, stream::BoxStream};
use uuid::Uuid;

use answerers::AnswerChunk;
pub use answerers::{EXTRACTIVE_PREFIX, FinishReason, Source};
use retrieval::retrieve;

use crate::{
    auth::Viewer,
    domains::{entitlements::service as entitlements, posts::service as posts},
    error::{AppError, AppResult, code},
    infra::rate_limit::Rule,
    state::AppState,
};

/// What the `askAi` subscription streams.
pub enum AskEvent {
    Sources(Vec<Source>),
    Delta(String),
    Done(Finish),
    /// `code`: ANSWER_FAILED or SEMANTIC_SEARCH_UNAVAILABLE.
    Error {
        code: &'static str,
        message: String,
    },
}

#[derive(Debug, Clone)]
pub struct Finish {
    pub reason: FinishReason,
    pub characters: usize,
    pub tokens: Option<i32>,
    pub retrieval_ms: u64,
    pub first_delta_ms: Option<u64>,
    pub total_ms: u64,
}

/// The code of an answer that failed part-way (or whose search failed).
pub const ANSWER_FAILED: &str = "ANSWER_FAILED";

const NO_SOURCES_ANSWER: &str = "I could not find anything about this in the articles you can read.";

/// Checks the viewer, question and rate limit; then the returned stream
/// retrieves, answers and records. Errors before the stream starts are
/// GraphQL errors; failures while answering end the stream with an error event.
pub async fn ask(
    state: &AppState,
    viewer: &Viewer,
    question: &str,
    post_slug: Option<&str>,
) -> AppResult<BoxStream<'static, AskEvent>> {
    let user_id = viewer.require_signed_in()?;
    let question = question.split_whitespace().collect::<Vec<_>>().join(" ");
    let max = state.config.ai.max_question_chars;
    if question.is_empty() {
        return Err(AppError::bad_input("question", "Ask a question"));
    }
    if question.chars().count() > max {
        return Err(AppError::bad_input("question", format!("A question can have at most {max} characters")));
    }
    let post = match post_slug {
        Some(slug) => Some(posts::find_by_slug(&state.db, viewer, slug).await?.ok_or(AppError::NotFound("Post"))?),
        None => None,
    };
    let rule = Rule::new("ask_ai:user", state.config.ai.questions_per_hour, Duration::from_secs(3600));
    state.limiter.hit(&rule, &user_id.to_string()).await?;
    let premium = entitlements::can_read_premium(state, viewer).await?;

    let state = state.clone();
    let (tx, rx) = tokio::sync::mpsc::channel::<AskEvent>(64);
    tokio::spawn(async move {
        let started = Instant::now();
        let run = Run { state: &state, tx: &tx, started, first_delta: None, answer: String::new() };
        run.go(user_id, &question, post, premium).await;
    });
    Ok(futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|e| (e, rx)) }).boxed())
}

struct Run<'a> {
    state: &'a AppState,
    tx: &'a tokio::sync::mpsc::Sender<AskEvent>,
    started: Instant,
    first_delta: Option<u64>,
    answer: String,
}

impl Run<'_> {
    fn ms(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }

    async fn go(mut self, user_id: Uuid, question: &str, post: Option<post::Model>, premium: bool) {
        let post_id = post.as_ref().map(|p| p.id);
        let sources = match retrieve(self.state, question, post, premium).await {
            Ok(sources) => sources,
            Err(err) => {
                let event = match &err {
                    AppError::SemanticSearchUnavailable { .. } => {
                        tracing::warn!(error = ?err, "ask AI retrieval: search by meaning unavailable");
                        AskEvent::Error { code: code::SEMANTIC_SEARCH_UNAVAILABLE, message: err.to_string() }
                    }
                    _ => {
                        tracing::error!(error = %err, "ask AI retrieval failed");
                        AskEvent::Error { code: ANSWER_FAILED, message: "Searching the articles failed".into() }
                    }
                };
                let _ = self.tx.send(event).await;
                return;
            }
        };
        let retrieval_ms = self.ms();
        if self.tx.send(AskEvent::Sources(sources.clone())).await.is_err() {
            return;
        }
        let answerer = answerers::for_state(self.state);
        let (reason, tokens, error) = if sources.is_empty() {
            self.delta(NO_SOURCES_ANSWER.into()).await;
            (FinishReason::NoSources, None, None)
        } else {
            match answerer.answer(question, &sources).await {
                Err(err) => (FinishReason::Error, None, Some(err)),
                Ok(mut stream) => loop {
                    // A viewer who leaves stops the answer at once (and the model's
                    // request with it), even while the model is silent.
                    let next = tokio::select! {
                        next = stream.next() => next,
                        _ = self.tx.closed() => break (FinishReason::Cancelled, None, None),
                    };
                    match next {
                        Some(Ok(AnswerChunk::Delta(text))) => {
                            if !self.delta(text).await {
                                break (FinishReason::Cancelled, None, None);
                            }
                        }
                        Some(Ok(AnswerChunk::Done { reason, tokens })) => break (reason, tokens, None),
                        Some(Err(err)) => break (FinishReason::Error, None, Some(err)),
                        None => break (FinishReason::Error, None, Some(anyhow::anyhow!("the answer stopped early"))),
                    }
                },
            }
        };
        let finish = Finish {
            reason,
            characters: self.answer.chars().count(),
            tokens,
            retrieval_ms,
            first_delta_ms: self.first_delta,
            total_ms: self.ms(),
        };
        if let Err(err) =
            record::record(self.state, user_id, post_id, question, &sources, &self.answer, &answerer.name(), &finish)
                .await
        {
            tracing::error!(error = %err, "recording an ask AI answer failed");
        }
        let last = match error {
            Some(err) => {
                tracing::warn!(error = %err, answerer = %answerer.name(), "ask AI answer failed mid-stream");
                AskEvent::Error {
                    code: ANSWER_FAILED,
                    message: "The answer could not be completed; please try again".into(),
                }
            }
            None => AskEvent::Done(finish),
        };
        let _ = self.tx.send(last).await;
    }

    /// Sends a delta; false when the client has gone.
    async fn delta(&mut self, text: String) -> bool {
        if self.first_delta.is_none() {
            self.first_delta = Some(self.ms());
        }
        self.answer.push_str(&text);
        self.tx.send(AskEvent::Delta(text)).await.is_ok()
    }
}

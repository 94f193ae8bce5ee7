//! "Ask AI": retrieve passages, then stream an answer that cites them.
//!
//! Answerers sit behind one trait. The default is extractive: it quotes the
//! retrieved sentences nearest in meaning to the question, each with its
//! citation, and says that it does. With `LLM_BASE_URL` an OpenAI-compatible
//! chat model writes the answer from the same numbered sources.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use chrono::Utc;
use entity::{ai_answer, passage, post};
use futures::{StreamExt, stream::BoxStream};
use sea_orm::{ActiveModelTrait, ActiveValue::Set};
use uuid::Uuid;

use super::{
    highlight::Terms,
    service,
    store::{Nearest, Scope},
};
use crate::{
    config::AiConfig,
    domains::{entitlements::service as entitlements, posts::service as posts},
    error::{AppError, AppResult},
    graphql::Viewer,
    infra::{
        embeddings::{Embedder, dot},
        llm::{ChatChunk, ChatClient, Message},
        rate_limit::Rule,
    },
    state::AppState,
};

/// A retrieved passage the answer may cite as `[index]`.
#[derive(Clone)]
pub struct Source {
    /// 1-based, as cited.
    pub index: usize,
    pub post: post::Model,
    pub passage: passage::Model,
    pub score: f32,
}

impl Source {
    pub fn heading(&self) -> Option<String> {
        let path: Vec<String> = serde_json::from_value(self.passage.heading_path.clone()).unwrap_or_default();
        (!path.is_empty()).then(|| path.join(" › "))
    }
}

/// Why an answer ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, async_graphql::Enum)]
pub enum FinishReason {
    /// The answer is complete.
    Stop,
    /// The model hit its length limit.
    Length,
    /// Nothing relevant was found; the answer says so.
    NoSources,
    /// The answerer failed; an error event came instead of the rest.
    Error,
    /// The viewer left before the end (only ever recorded, never streamed).
    Cancelled,
}

impl FinishReason {
    fn as_str(self) -> &'static str {
        match self {
            FinishReason::Stop => "STOP",
            FinishReason::Length => "LENGTH",
            FinishReason::NoSources => "NO_SOURCES",
            FinishReason::Error => "ERROR",
            FinishReason::Cancelled => "CANCELLED",
        }
    }
}

pub enum AnswerChunk {
    Delta(String),
    Done { reason: FinishReason, tokens: Option<i32> },
}

pub type AnswerStream = BoxStream<'static, anyhow::Result<AnswerChunk>>;

#[async_trait::async_trait]
pub trait Answerer: Send + Sync {
    /// `extractive`, or `llm:<model>`; recorded with each answer.
    fn name(&self) -> String;
    async fn answer(&self, question: &str, sources: &[Source]) -> anyhow::Result<AnswerStream>;
}

pub fn from_config(config: &AiConfig, embedder: Arc<dyn Embedder>) -> anyhow::Result<Arc<dyn Answerer>> {
    Ok(match &config.llm_base_url {
        Some(url) => Arc::new(LlmAnswerer {
            client: ChatClient::new(
                url,
                config.llm_model.clone(),
                config.llm_api_key.clone(),
                config.llm_idle_timeout,
            )?,
        }),
        None => Arc::new(ExtractiveAnswerer { embedder }),
    })
}

/// Quotes the retrieved sentences closest in meaning to the question.
pub struct ExtractiveAnswerer {
    embedder: Arc<dyn Embedder>,
}

pub const EXTRACTIVE_PREFIX: &str = "From the articles (an extractive answer: these sentences are quoted from the sources, not written by a model):\n\n";
/// Sentences quoted at most.
const EXTRACTIVE_SENTENCES: usize = 3;
/// Sentences considered at most (each is embedded).
const EXTRACTIVE_CANDIDATES: usize = 48;

/// Splits text into sentences at `.`, `?` or `!` followed by a space.
pub fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    for (i, c) in text.char_indices() {
        if matches!(c, '.' | '?' | '!') && bytes.get(i + 1).is_none_or(|b| *b == b' ') {
            let sentence = text[start..=i].trim();
            if sentence.split_whitespace().count() >= 4 {
                out.push(sentence);
            }
            start = i + 1;
        }
    }
    let rest = text[start..].trim();
    if rest.split_whitespace().count() >= 4 {
        out.push(rest);
    }
    out
}

#[async_trait::async_trait]
impl Answerer for ExtractiveAnswerer {
    fn name(&self) -> String {
        "extractive".into()
    }

    async fn answer(&self, question: &str, sources: &[Source]) -> anyhow::Result<AnswerStream> {
        let candidates: Vec<(usize, usize, &str)> = sources
            .iter()
            .flat_map(|s| sentences(&s.passage.body).into_iter().enumerate().map(move |(i, t)| (s.index, i, t)))
            .take(EXTRACTIVE_CANDIDATES)
            .collect();
        let mut texts = vec![question.to_owned()];
        texts.extend(candidates.iter().map(|c| c.2.to_owned()));
        let vectors = self.embedder.embed(&texts).await?;
        let mut scored: Vec<(f32, &(usize, usize, &str))> =
            candidates.iter().zip(&vectors[1..]).map(|(c, v)| (dot(&vectors[0], v), c)).collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut chosen: Vec<&(usize, usize, &str)> = scored.iter().take(EXTRACTIVE_SENTENCES).map(|s| s.1).collect();
        // In reading order: by source, then by place in the passage.
        chosen.sort_by_key(|c| (c.0, c.1));
        let mut text = String::from(EXTRACTIVE_PREFIX);
        for (i, (index, _, sentence)) in chosen.iter().enumerate() {
            if i > 0 {
                text.push(' ');
            }
            text.push_str(&format!("{sentence} [{index}]"));
        }
        Ok(words_stream(text))
    }
}

/// Streams `text` a few words at a time, then `Done(Stop)`.
fn words_stream(text: String) -> AnswerStream {
    let mut deltas = Vec::new();
    let mut current = String::new();
    for (i, piece) in text.split_inclusive(' ').enumerate() {
        current.push_str(piece);
        if i % 4 == 3 {
            deltas.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        deltas.push(current);
    }
    let items = deltas
        .into_iter()
        .map(|d| Ok(AnswerChunk::Delta(d)))
        .chain(std::iter::once(Ok(AnswerChunk::Done { reason: FinishReason::Stop, tokens: None })));
    futures::stream::iter(items).boxed()
}

/// An OpenAI-compatible chat model, given the numbered sources.
pub struct LlmAnswerer {
    client: ChatClient,
}

const SYSTEM_PROMPT: &str = "You answer questions from readers of Lectern, a learning platform, using only the \
numbered sources given with the question. After each sentence that uses a source, cite it by its number in square \
brackets, like [1] or [2][3]. If the sources do not answer the question, say so plainly instead of guessing. Be \
concise: a short paragraph or a few bullet points.";

pub fn prompt(question: &str, sources: &[Source]) -> Vec<Message> {
    let mut user = String::from("Sources:\n\n");
    for s in sources {
        user.push_str(&format!("[{}] {}", s.index, s.post.title));
        if let Some(heading) = s.heading() {
            user.push_str(&format!(" — {heading}"));
        }
        user.push_str(&format!("\n{}\n\n", s.passage.body));
    }
    user.push_str(&format!("Question: {question}"));
    vec![Message { role: "system", content: SYSTEM_PROMPT.into() }, Message { role: "user", content: user }]
}

#[async_trait::async_trait]
impl Answerer for LlmAnswerer {
    fn name(&self) -> String {
        format!("llm:{}", self.client.model())
    }

    async fn answer(&self, question: &str, sources: &[Source]) -> anyhow::Result<AnswerStream> {
        let stream = self.client.stream(prompt(question, sources)).await?;
        Ok(stream
            .map(|chunk| {
                chunk.map(|c| match c {
                    ChatChunk::Delta(text) => AnswerChunk::Delta(text),
                    ChatChunk::Finished { reason, completion_tokens } => AnswerChunk::Done {
                        reason: if reason == "length" { FinishReason::Length } else { FinishReason::Stop },
                        tokens: completion_tokens.map(|t| t as i32),
                    },
                })
            })
            .boxed())
    }
}

/// What the `askAi` subscription streams.
pub enum AskEvent {
    Sources(Vec<Source>),
    Delta(String),
    Done(Finish),
    Error { message: String },
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

const NO_SOURCES_ANSWER: &str = "I could not find anything about this in the articles you can read.";
/// Passages below this cosine similarity are not worth citing.
const MIN_SOURCE_SCORE: f32 = 0.2;
/// At most this many sources from one post (unless the question is about that post).
const SOURCES_PER_POST: usize = 2;

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
    let premium = entitlements::can_read_premium(&state.db, viewer).await?;

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
                tracing::error!(error = %err, "ask AI retrieval failed");
                let _ = self.tx.send(AskEvent::Error { message: "Searching the articles failed".into() }).await;
                return;
            }
        };
        let retrieval_ms = self.ms();
        if self.tx.send(AskEvent::Sources(sources.clone())).await.is_err() {
            return;
        }
        let answerer = self.state.answerer.clone();
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
            record(self.state, user_id, post_id, question, &sources, &self.answer, &answerer.name(), &finish).await
        {
            tracing::error!(error = %err, "recording an ask AI answer failed");
        }
        let last = match error {
            Some(err) => {
                tracing::warn!(error = %err, answerer = %answerer.name(), "ask AI answer failed mid-stream");
                AskEvent::Error { message: "The answer could not be completed; please try again".into() }
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

/// The passages to answer from: nearest in meaning, nudged by shared words,
/// at most two per post, premium ones only for entitled viewers.
pub async fn retrieve(
    state: &AppState,
    question: &str,
    post: Option<post::Model>,
    premium: bool,
) -> AppResult<Vec<Source>> {
    let posts_scope = match &post {
        Some(p) => sea_orm::sea_query::Query::select().expr(sea_orm::sea_query::Expr::val(p.id)).to_owned(),
        None => posts::live_ids(&state.db, &Default::default()).await?,
    };
    let scope = Scope { posts: posts_scope, premium, exclude_post: None };
    let wanted = state.config.ai.sources;
    let nearest: Vec<Nearest> = service::nearest_passages(state, question, &scope, (wanted * 6) as u64).await?;
    let passages =
        service::passages_by_ids(&state.db, &nearest.iter().map(|n| n.passage_id).collect::<Vec<_>>()).await?;
    let terms = Terms::new(question);
    let term_count = terms.score(question).0.max(1) as f32;
    let mut ranked: Vec<(f32, passage::Model)> = nearest
        .iter()
        .filter_map(|n| {
            let p = passages.iter().find(|p| p.id == n.passage_id)?.clone();
            let lexical = terms.score(&p.body).0 as f32 / term_count;
            Some((n.score + 0.1 * lexical, p))
        })
        .filter(|(score, _)| *score >= MIN_SOURCE_SCORE)
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    let per_post = if post.is_some() { wanted } else { SOURCES_PER_POST };
    let mut taken: Vec<(f32, passage::Model)> = Vec::new();
    for (score, p) in ranked {
        if taken.iter().filter(|(_, t)| t.post_id == p.post_id).count() < per_post {
            taken.push((score, p));
        }
        if taken.len() == wanted {
            break;
        }
    }
    let post_ids: Vec<Uuid> = taken.iter().map(|(_, p)| p.post_id).collect();
    let found = posts::posts_by_ids(&state.db, &post_ids).await?;
    Ok(taken
        .into_iter()
        .filter_map(|(score, passage)| {
            let post = found.iter().find(|p| p.id == passage.post_id && posts::is_live(p))?.clone();
            (!post.is_premium || premium).then_some((score, passage, post))
        })
        .enumerate()
        .map(|(i, (score, passage, post))| Source { index: i + 1, post, passage, score })
        .collect())
}

#[allow(clippy::too_many_arguments)]
async fn record(
    state: &AppState,
    user_id: Uuid,
    post_id: Option<Uuid>,
    question: &str,
    sources: &[Source],
    answer: &str,
    answerer: &str,
    finish: &Finish,
) -> AppResult<()> {
    let sources = serde_json::json!(
        sources
            .iter()
            .map(|s| serde_json::json!({
                "index": s.index, "postId": s.post.id, "passageId": s.passage.id,
                "heading": s.heading(), "score": s.score,
            }))
            .collect::<Vec<_>>()
    );
    ai_answer::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        post_id: Set(post_id),
        question: Set(question.to_owned()),
        sources: Set(sources),
        answer: Set(answer.to_owned()),
        answerer: Set(answerer.to_owned()),
        finish_reason: Set(finish.reason.as_str().to_owned()),
        characters: Set(finish.characters as i32),
        tokens: Set(finish.tokens),
        retrieval_ms: Set(finish.retrieval_ms as i32),
        first_delta_ms: Set(finish.first_delta_ms.map(|ms| ms as i32)),
        total_ms: Set(finish.total_ms as i32),
        created_at: Set(Utc::now()),
    }
    .insert(&state.db)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_split_at_terminal_punctuation_and_skip_fragments() {
        let text =
            "Indexes speed up reads a lot. They cost writes too! Why? Because every insert updates them. e.g. this";
        assert_eq!(
            sentences(text),
            ["Indexes speed up reads a lot.", "They cost writes too!", "Because every insert updates them."]
        );
        assert_eq!(sentences("A version like 1.2.3 stays whole here."), ["A version like 1.2.3 stays whole here."]);
    }

    #[tokio::test]
    async fn deltas_reassemble_to_the_text_and_end_with_stop() {
        let text = "one two three four five six seven eight nine".to_owned();
        let items: Vec<_> = words_stream(text.clone()).collect().await;
        let mut joined = String::new();
        let mut deltas = 0;
        for item in &items[..items.len() - 1] {
            match item {
                Ok(AnswerChunk::Delta(d)) => {
                    joined.push_str(d);
                    deltas += 1;
                }
                _ => panic!("a delta expected"),
            }
        }
        assert_eq!(joined, text);
        assert_eq!(deltas, 3);
        assert!(matches!(items.last(), Some(Ok(AnswerChunk::Done { reason: FinishReason::Stop, .. }))));
    }
}

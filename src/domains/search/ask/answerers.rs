//! Who writes an answer. Answerers sit behind one trait. The default is
//! extractive: it quotes the retrieved sentences nearest in meaning to the
//! question, each with its citation, and says that it does. With
//! `LLM_BASE_URL` an OpenAI-compatible chat model (the shared `ChatClient`)
//! writes the answer from the same numbered sources.

use std::sync::Arc;

use entity::{passage, post};
use futures::{StreamExt, stream::BoxStream};

use crate::{
    infra::{
        embeddings::{Embedder, dot},
        llm::{ChatChunk, ChatClient, Message},
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
    pub fn as_str(self) -> &'static str {
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

/// The answerer this deployment is configured with.
pub fn for_state(state: &AppState) -> Box<dyn Answerer> {
    match &state.chat {
        Some(client) => Box::new(LlmAnswerer { client: client.clone() }),
        None => Box::new(ExtractiveAnswerer { embedder: state.embedder.clone() }),
    }
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
    client: Arc<ChatClient>,
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

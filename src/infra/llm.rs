//! A client for any OpenAI-compatible streaming chat-completions endpoint
//! (OpenAI, Ollama, vLLM, llama.cpp's server…): `POST {base}/chat/completions`
//! with `stream: true`, answered with server-sent events, one JSON chunk per
//! `data:` line and `data: [DONE]` at the end.
//!
//! A stream that stops before its end (connection cut, `[DONE]` missing) or
//! stays silent longer than the idle timeout yields an error, never a hang.

use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use futures::{StreamExt, stream::BoxStream};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

#[derive(Debug, Clone, PartialEq)]
pub enum ChatChunk {
    Delta(String),
    /// The last item of a complete stream.
    Finished {
        reason: String,
        completion_tokens: Option<i64>,
    },
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Message {
    pub role: &'static str,
    pub content: String,
}

pub struct ChatClient {
    client: reqwest::Client,
    endpoint: String,
    model: String,
    api_key: Option<SecretString>,
    idle_timeout: Duration,
}

#[derive(Deserialize)]
struct Chunk {
    #[serde(default)]
    choices: Vec<Choice>,
    usage: Option<Usage>,
}

#[derive(Deserialize)]
struct Choice {
    #[serde(default)]
    delta: Delta,
    finish_reason: Option<String>,
}

#[derive(Deserialize, Default)]
struct Delta {
    content: Option<String>,
}

#[derive(Deserialize)]
struct Usage {
    completion_tokens: Option<i64>,
}

impl ChatClient {
    pub fn new(
        base_url: &str,
        model: String,
        api_key: Option<SecretString>,
        idle_timeout: Duration,
    ) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder().connect_timeout(Duration::from_secs(10)).build()?;
        Ok(ChatClient {
            client,
            endpoint: format!("{}/chat/completions", base_url.trim_end_matches('/')),
            model,
            api_key,
            idle_timeout,
        })
    }

    pub fn model(&self) -> &str {
        &self.model
    }

    /// Starts a completion; the stream yields deltas, then `Finished`, or an error.
    pub async fn stream(
        &self,
        messages: Vec<Message>,
    ) -> anyhow::Result<BoxStream<'static, anyhow::Result<ChatChunk>>> {
        let body = serde_json::json!({
            "model": self.model,
            "messages": messages,
            "stream": true,
            "stream_options": { "include_usage": true },
        });
        let mut request = self.client.post(&self.endpoint).json(&body).header("accept", "text/event-stream");
        if let Some(key) = &self.api_key {
            request = request.bearer_auth(key.expose_secret());
        }
        let response = tokio::time::timeout(self.idle_timeout, request.send())
            .await
            .map_err(|_| anyhow!("{} did not answer within {:?}", self.endpoint, self.idle_timeout))?
            .with_context(|| format!("POST {}", self.endpoint))?;
        let status = response.status();
        if !status.is_success() {
            let text = response.text().await.unwrap_or_default();
            bail!("POST {} answered {status}: {}", self.endpoint, text.chars().take(300).collect::<String>());
        }
        let (tx, rx) = tokio::sync::mpsc::channel(32);
        tokio::spawn(read_chat_stream(response.bytes_stream(), self.idle_timeout, tx));
        Ok(futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|item| (item, rx)) }).boxed())
    }
}

/// The most bytes the model may send without completing an event: a stream
/// that never ends its event cannot grow the parser's buffer without end.
const MAX_EVENT_BYTES: usize = 1 << 20;
/// The most bytes one answer's stream may carry in all.
const MAX_STREAM_BYTES: usize = 16 << 20;

/// Why the byte stream under the SSE parser stopped.
#[derive(Debug)]
enum ReadError<E> {
    Transport(E),
    EventTooLarge,
    StreamTooLarge,
}

impl<E: std::fmt::Display> std::fmt::Display for ReadError<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Transport(err) => write!(f, "{err}"),
            ReadError::EventTooLarge => write!(f, "an event was longer than {MAX_EVENT_BYTES} bytes"),
            ReadError::StreamTooLarge => write!(f, "the answer was longer than {MAX_STREAM_BYTES} bytes"),
        }
    }
}

/// Reads an OpenAI-style SSE stream (eventsource-stream parses it, keeping a
/// character split across network chunks whole) into chat chunks for `tx`,
/// ending with `Finished` or an error: the stream ended before `[DONE]`, went
/// silent for `idle`, broke, sent something that is not a chunk, or grew
/// past the size limits.
async fn read_chat_stream<S, B, E>(bytes: S, idle: Duration, tx: tokio::sync::mpsc::Sender<anyhow::Result<ChatChunk>>)
where
    S: futures::Stream<Item = Result<B, E>> + Send + Unpin,
    B: AsRef<[u8]>,
    E: std::fmt::Display,
{
    use eventsource_stream::Eventsource;
    use std::sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    };
    // Bytes read since the last complete event, and in all; the parser buffers
    // at most what was read since its last event.
    let since_event = Arc::new(AtomicUsize::new(0));
    let counter = since_event.clone();
    let mut total = 0usize;
    let counted = bytes.map(move |chunk| {
        let chunk = chunk.map_err(ReadError::Transport)?;
        let len = chunk.as_ref().len();
        total += len;
        if counter.fetch_add(len, Ordering::Relaxed) + len > MAX_EVENT_BYTES {
            return Err(ReadError::EventTooLarge);
        }
        if total > MAX_STREAM_BYTES {
            return Err(ReadError::StreamTooLarge);
        }
        Ok(chunk)
    });
    let mut events = counted.eventsource();
    let mut finish: Option<String> = None;
    let mut tokens = None;
    loop {
        let event = match tokio::time::timeout(idle, events.next()).await {
            Err(_) => Err(anyhow!("the model sent nothing for {idle:?}")),
            Ok(None) => Err(anyhow!("the model's stream ended before [DONE]")),
            Ok(Some(Err(err))) => Err(anyhow!("the model's stream broke: {err}")),
            Ok(Some(Ok(event))) => Ok(event),
        };
        let data = match event {
            Ok(event) => {
                since_event.store(0, Ordering::Relaxed);
                event.data
            }
            Err(err) => {
                let _ = tx.send(Err(err)).await;
                return;
            }
        };
        if data.trim() == "[DONE]" {
            let reason = finish.take().unwrap_or_else(|| "stop".into());
            let _ = tx.send(Ok(ChatChunk::Finished { reason, completion_tokens: tokens })).await;
            return;
        }
        let chunk: Chunk = match serde_json::from_str(&data) {
            Ok(chunk) => chunk,
            Err(err) => {
                let _ = tx.send(Err(anyhow!("the model sent a chunk that is not JSON: {err}"))).await;
                return;
            }
        };
        if let Some(usage) = chunk.usage {
            tokens = usage.completion_tokens.or(tokens);
        }
        for choice in chunk.choices {
            if let Some(text) = choice.delta.content.filter(|t| !t.is_empty())
                && tx.send(Ok(ChatChunk::Delta(text))).await.is_err()
            {
                return; // nobody listens any more
            }
            if let Some(reason) = choice.finish_reason {
                finish = Some(reason);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs the reader over `chunks` and collects what it sends.
    async fn read(chunks: Vec<Vec<u8>>) -> Vec<Result<ChatChunk, String>> {
        let (tx, mut rx) = tokio::sync::mpsc::channel(1024);
        let stream = futures::stream::iter(chunks.into_iter().map(Ok::<_, std::convert::Infallible>));
        read_chat_stream(stream, Duration::from_secs(5), tx).await;
        let mut out = Vec::new();
        while let Some(item) = rx.recv().await {
            out.push(item.map_err(|e| e.to_string()));
        }
        out
    }

    fn delta(text: &str) -> String {
        format!("data: {}\n\n", serde_json::json!({ "choices": [{ "delta": { "content": text } }] }))
    }

    #[tokio::test]
    async fn a_character_split_across_chunks_stays_whole() {
        let wire = format!("{}{}data: [DONE]\n\n", delta("Ferris 🦀 says héllo"), delta(" — ok"));
        let bytes = wire.as_bytes();
        // Split inside the crab (4 bytes) and inside the é (2 bytes), and byte by byte.
        let crab = wire.find('🦀').unwrap();
        let e = wire.find('é').unwrap();
        for chunks in [
            vec![bytes[..crab + 2].to_vec(), bytes[crab + 2..e + 1].to_vec(), bytes[e + 1..].to_vec()],
            bytes.iter().map(|b| vec![*b]).collect(),
        ] {
            let out = read(chunks).await;
            let text: String = out
                .iter()
                .filter_map(|c| match c {
                    Ok(ChatChunk::Delta(t)) => Some(t.as_str()),
                    _ => None,
                })
                .collect();
            assert_eq!(text, "Ferris 🦀 says héllo — ok");
            assert!(!text.contains('\u{FFFD}'));
            assert_eq!(out.last(), Some(&Ok(ChatChunk::Finished { reason: "stop".into(), completion_tokens: None })));
        }
    }

    #[tokio::test]
    async fn events_with_crlf_comments_and_multiline_data() {
        let wire = "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\r\n\r\n: keep-alive\n\n\
                    data: {\"choices\":[{\"delta\":{\"content\":\"b\"},\n\
                    data: \"finish_reason\":\"length\"}]}\n\ndata: [DONE]\n\n";
        let out = read(vec![wire.as_bytes().to_vec()]).await;
        assert_eq!(
            out,
            vec![
                Ok(ChatChunk::Delta("a".into())),
                Ok(ChatChunk::Delta("b".into())),
                Ok(ChatChunk::Finished { reason: "length".into(), completion_tokens: None }),
            ]
        );
    }

    #[tokio::test]
    async fn an_event_that_never_ends_is_cut_off() {
        // A megabyte and more of one data line, with no blank line after it.
        let endless = format!("data: {}", "x".repeat(64 * 1024));
        let chunks: Vec<Vec<u8>> =
            std::iter::once(endless.into_bytes()).chain((0..32).map(|_| vec![b'y'; 64 * 1024])).collect();
        let out = read(chunks).await;
        assert_eq!(out.len(), 1, "{out:?}");
        assert!(out[0].as_ref().is_err_and(|e| e.contains("longer than")), "{out:?}");
    }

    #[tokio::test]
    async fn a_stream_without_done_is_an_error() {
        let out = read(vec![delta("partial").into_bytes()]).await;
        assert_eq!(out[0], Ok(ChatChunk::Delta("partial".into())));
        assert!(out[1].as_ref().is_err_and(|e| e.contains("before [DONE]")), "{out:?}");
    }
}

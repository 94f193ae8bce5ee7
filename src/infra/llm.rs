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
        let idle = self.idle_timeout;
        tokio::spawn(async move {
            let mut events = SseReader::default();
            let mut bytes = response.bytes_stream();
            let mut finish: Option<String> = None;
            let mut tokens = None;
            loop {
                let next = match tokio::time::timeout(idle, bytes.next()).await {
                    Err(_) => Err(anyhow!("the model sent nothing for {idle:?}")),
                    Ok(None) => Err(anyhow!("the model's stream ended before [DONE]")),
                    Ok(Some(Err(err))) => Err(anyhow!("the model's stream broke: {err}")),
                    Ok(Some(Ok(bytes))) => Ok(bytes),
                };
                let bytes = match next {
                    Ok(bytes) => bytes,
                    Err(err) => {
                        let _ = tx.send(Err(err)).await;
                        return;
                    }
                };
                for data in events.push(&bytes) {
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
        });
        Ok(futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|item| (item, rx)) }).boxed())
    }
}

/// Splits a byte stream into server-sent events and returns each event's data.
#[derive(Default)]
pub struct SseReader {
    buffer: String,
}

impl SseReader {
    pub fn push(&mut self, bytes: &[u8]) -> Vec<String> {
        self.buffer.push_str(&String::from_utf8_lossy(bytes));
        let mut out = Vec::new();
        loop {
            let normalized = self.buffer.replace("\r\n", "\n");
            let Some(end) = normalized.find("\n\n") else {
                self.buffer = normalized;
                break;
            };
            let event = normalized[..end].to_owned();
            self.buffer = normalized[end + 2..].to_owned();
            let data: Vec<&str> = event
                .lines()
                .filter_map(|l| l.strip_prefix("data:"))
                .map(|d| d.strip_prefix(' ').unwrap_or(d))
                .collect();
            if !data.is_empty() {
                out.push(data.join("\n"));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_split_across_reads_and_comments_are_skipped() {
        let mut reader = SseReader::default();
        assert!(reader.push(b"data: {\"a\"").is_empty());
        assert_eq!(reader.push(b":1}\r\n\r\n: keep-alive\n\ndata: [DONE]\n\n"), ["{\"a\":1}", "[DONE]"]);
        assert_eq!(reader.push(b"event: x\ndata: one\ndata: two\n\n"), ["one\ntwo"]);
    }
}

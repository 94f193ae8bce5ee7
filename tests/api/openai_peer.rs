//! A local server speaking the OpenAI wire protocol, for the production
//! clients to talk to: `POST /v1/embeddings` (JSON) and
//! `POST /v1/chat/completions` with `stream: true` (server-sent events), whose
//! stream can complete, be cut mid-way (the connection aborted before
//! `[DONE]`), or stall.

use std::{
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::{
    Json, Router,
    body::{Body, Bytes},
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::post,
};
use futures::StreamExt;
use serde_json::{Value, json};

#[derive(Clone, Debug)]
pub enum ChatMode {
    /// Streams these deltas, a usage chunk, then `[DONE]`.
    Complete(Vec<String>),
    /// Streams these deltas, then aborts the connection.
    Cut(Vec<String>),
    /// Streams these deltas, then sends nothing more.
    Stall(Vec<String>),
    /// Answers 500 with an error body.
    Fail,
}

#[derive(Default)]
pub struct Seen {
    pub chat_requests: Vec<Value>,
    pub embedding_requests: Vec<Value>,
    pub authorization: Vec<String>,
}

#[derive(Clone)]
pub struct Peer {
    pub base: String,
    pub seen: Arc<Mutex<Seen>>,
    mode: Arc<Mutex<ChatMode>>,
}

/// Dimensions of the peer's embeddings.
pub const DIMENSIONS: usize = 32;

impl Peer {
    pub async fn start(mode: ChatMode) -> Peer {
        let peer =
            Peer { base: String::new(), seen: Arc::new(Mutex::new(Seen::default())), mode: Arc::new(Mutex::new(mode)) };
        let app = Router::new()
            .route("/v1/chat/completions", post(chat))
            .route("/v1/embeddings", post(embeddings))
            .with_state(peer.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        Peer { base: format!("http://{addr}/v1"), ..peer }
    }

    pub fn set_mode(&self, mode: ChatMode) {
        *self.mode.lock().unwrap() = mode;
    }
}

fn record_auth(peer: &Peer, headers: &HeaderMap) {
    let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    peer.seen.lock().unwrap().authorization.push(auth);
}

/// A deterministic bag-of-words vector: texts sharing words are near.
pub fn embed(text: &str) -> Vec<f32> {
    let mut v = vec![0.0f32; DIMENSIONS];
    for word in text.to_lowercase().split(|c: char| !c.is_alphanumeric()).filter(|w| w.len() > 2) {
        let h = word.bytes().fold(2166136261u32, |h, b| (h ^ u32::from(b)).wrapping_mul(16777619));
        v[(h as usize) % DIMENSIONS] += 1.0;
    }
    v[0] += 0.01; // never all zero
    v
}

async fn embeddings(State(peer): State<Peer>, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    record_auth(&peer, &headers);
    peer.seen.lock().unwrap().embedding_requests.push(body.clone());
    let inputs: Vec<String> = match &body["input"] {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items.iter().map(|i| i.as_str().unwrap_or_default().to_owned()).collect(),
        _ => return (StatusCode::BAD_REQUEST, "input missing").into_response(),
    };
    // Answer out of order, as the API allows: clients must use `index`.
    let data: Vec<Value> = inputs
        .iter()
        .enumerate()
        .rev()
        .map(|(i, t)| json!({ "object": "embedding", "index": i, "embedding": embed(t) }))
        .collect();
    Json(json!({ "object": "list", "data": data, "model": body["model"], "usage": { "prompt_tokens": 1, "total_tokens": 1 } }))
        .into_response()
}

fn sse(data: &Value) -> Bytes {
    Bytes::from(format!("data: {data}\n\n"))
}

fn delta_chunk(text: &str) -> Value {
    json!({ "id": "c1", "object": "chat.completion.chunk", "choices": [{ "index": 0, "delta": { "content": text }, "finish_reason": null }] })
}

async fn chat(State(peer): State<Peer>, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    record_auth(&peer, &headers);
    peer.seen.lock().unwrap().chat_requests.push(body);
    let mode = peer.mode.lock().unwrap().clone();
    let role = json!({ "id": "c1", "object": "chat.completion.chunk", "choices": [{ "index": 0, "delta": { "role": "assistant" }, "finish_reason": null }] });
    let mut frames: Vec<Result<Bytes, std::io::Error>> = vec![Ok(sse(&role))];
    let tail: futures::stream::BoxStream<'static, Result<Bytes, std::io::Error>> = match mode {
        ChatMode::Fail => {
            return (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({ "error": { "message": "model overloaded" } })))
                .into_response();
        }
        ChatMode::Complete(deltas) => {
            frames.extend(deltas.iter().map(|d| Ok(sse(&delta_chunk(d)))));
            frames.push(Ok(sse(
                &json!({ "id": "c1", "choices": [{ "index": 0, "delta": {}, "finish_reason": "stop" }] }),
            )));
            frames.push(Ok(sse(&json!({ "id": "c1", "choices": [], "usage": { "prompt_tokens": 50, "completion_tokens": deltas.len(), "total_tokens": 50 + deltas.len() } }))));
            frames.push(Ok(Bytes::from("data: [DONE]\n\n")));
            futures::stream::empty().boxed()
        }
        ChatMode::Cut(deltas) => {
            frames.extend(deltas.iter().map(|d| Ok(sse(&delta_chunk(d)))));
            futures::stream::once(async {
                tokio::time::sleep(Duration::from_millis(50)).await;
                Err(std::io::Error::other("connection cut"))
            })
            .boxed()
        }
        ChatMode::Stall(deltas) => {
            frames.extend(deltas.iter().map(|d| Ok(sse(&delta_chunk(d)))));
            futures::stream::pending().boxed()
        }
    };
    // A little pause between frames, as a model streams.
    let head = futures::stream::iter(frames).then(|frame| async move {
        tokio::time::sleep(Duration::from_millis(5)).await;
        frame
    });
    Response::builder().header("content-type", "text/event-stream").body(Body::from_stream(head.chain(tail))).unwrap()
}

//! GraphQL over websockets: the `graphql-transport-ws` protocol to the letter,
//! and the legacy `graphql-ws` (subscriptions-transport-ws) protocol for old
//! clients.
//!
//! graphql-transport-ws close codes: no `connection_init` within the timeout
//! 4408, a second init 4429, subscribe before ack 4401, a duplicate operation
//! id 4409, an unparsable or unexpected message 4400, a rejected token at init
//! 4403, no supported subprotocol 4406. `ping` is answered with `pong`.
//!
//! A signed-in connection follows its session: it closes with 4403 when its
//! access token expires (clients reconnect with a fresh one), and as soon as the
//! account signs out everywhere, changes its password or has its role changed,
//! on whichever instance that happens (the bus carries account events). A
//! token whose session epoch is no longer the account's is refused at init, so
//! a revoked session cannot reconnect with a token that has not expired yet.
//!
//! Subscriptions that need a signed-in viewer (`notifications`,
//! `accountEvents`) refuse an anonymous connection by closing it with 4403 as
//! well, the way the protocol refuses an unauthorised connection. No list of
//! such fields is kept here: a subscription's root resolver (with its guard)
//! runs before its stream starts, so a refusal is the operation's first
//! response — no data, an UNAUTHENTICATED error. Seeing that for a
//! subscription operation, the connection closes 4403 instead of forwarding
//! it (both protocols). Queries and mutations sent over the socket keep
//! ordinary error responses, and other refusals (NOT_FOUND, FORBIDDEN) end only
//! their own operation.

use std::{collections::HashMap, net::SocketAddr, sync::Arc, time::Duration};

use async_graphql::Request as GqlRequest;
use axum::{
    extract::{
        ConnectInfo, State, WebSocketUpgrade,
        ws::{CloseFrame, Message, WebSocket},
    },
    http::{HeaderMap, HeaderValue, header},
    response::Response,
};
use futures::{
    SinkExt, StreamExt,
    channel::mpsc,
    stream::{BoxStream, SplitSink, SplitStream},
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::{task::JoinHandle, time::Instant};
use tracing::Instrument;

use super::{Http, request_meta};
use crate::{
    auth::{RequestMeta, Viewer},
    domains::accounts::service::{self as accounts, AccountEventKind},
    graphql::OperationKey,
    schema::limits,
};

pub const TRANSPORT_WS: &str = "graphql-transport-ws";
pub const LEGACY_WS: &str = "graphql-ws";

/// Operations one connection may run at once.
const MAX_OPERATIONS: usize = 100;
/// What a socket reads at a time (and keeps allocated while idle).
const READ_BUFFER_BYTES: usize = 1024;
/// Keep-alive interval for legacy clients, which expect `ka` messages.
const LEGACY_KEEP_ALIVE: Duration = Duration::from_secs(25);
/// How long a connection whose session ended stays open so the account event
/// that ended it reaches its `accountEvents` subscribers; it runs nothing new meanwhile.
const SESSION_END_GRACE: Duration = Duration::from_millis(250);

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Protocol {
    TransportWs,
    Legacy,
}

impl Protocol {
    fn next(self) -> &'static str {
        match self {
            Protocol::TransportWs => "next",
            Protocol::Legacy => "data",
        }
    }
}

pub async fn upgrade(
    State(http): State<Http>,
    peer: ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    let offered: Vec<String> = headers
        .get_all(header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|p| p.trim().to_owned())
        .collect();
    let protocol = if offered.iter().any(|p| p == TRANSPORT_WS) {
        Some(Protocol::TransportWs)
    } else if offered.iter().any(|p| p == LEGACY_WS) {
        Some(Protocol::Legacy)
    } else {
        None
    };
    let meta = request_meta(&http, &headers, peer);
    let authorization = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let max_size = http.state.config.graphql.max_body_bytes;
    // A small read buffer: tungstenite's default (128 KiB, zero-filled before each
    // read) stays resident on every idle socket, and so would 4 KiB on thousands of
    // them. Client messages are small; a larger one still arrives whole, in more reads.
    let ws = ws.max_message_size(max_size).max_frame_size(max_size).read_buffer_size(READ_BUFFER_BYTES);
    let ws = match protocol {
        Some(Protocol::TransportWs) => ws.protocols([TRANSPORT_WS]),
        Some(Protocol::Legacy) => ws.protocols([LEGACY_WS]),
        None => ws,
    };
    // The connection outlives the upgrade request; its logs keep that request's id.
    let span = tracing::info_span!("websocket", request_id = %meta.request_id);
    // What the connection keeps for as long as it is open is kept small: the state
    // behind an `Arc` (futures would otherwise hold copies of it), the socket split
    // before its future is made.
    let http = Arc::new(http);
    let mut response = ws.on_upgrade(move |socket| {
        let (mut sink, stream) = socket.split();
        async move {
            match protocol {
                Some(protocol) => Connection::run(http, sink, stream, protocol, meta, authorization).await,
                None => {
                    let _ = sink.send(close(4406, "Subprotocol not acceptable")).await;
                }
            }
        }
        .instrument(span)
    });
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn close(code: u16, reason: &str) -> Message {
    Message::Close(Some(CloseFrame { code, reason: reason.into() }))
}

fn text(value: Value) -> Message {
    Message::Text(value.to_string().into())
}

/// An operation's message, serialised straight to text (no `Value` tree between):
/// a response goes out once per subscriber per event.
#[derive(Serialize)]
struct OperationMessage<'a, P: Serialize> {
    #[serde(rename = "type")]
    kind: &'a str,
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    payload: Option<P>,
}

impl<P: Serialize> OperationMessage<'_, P> {
    fn text(&self) -> Message {
        match serde_json::to_string(self) {
            Ok(text) => Message::Text(text.into()),
            Err(err) => {
                tracing::error!(error = %err, "failed to serialise an operation message");
                text(json!({ "type": "error", "id": self.id, "payload": [{
                    "message": "Internal server error",
                    "extensions": { "code": crate::error::code::INTERNAL_SERVER_ERROR }
                }]}))
            }
        }
    }
}

/// The sending half of the socket, shared by the connection's reader and its
/// operations: each writes its own messages, in order, with no hop through
/// another task (a fan-out writes thousands at once). Closed once, after which
/// sending does nothing.
#[derive(Clone)]
struct Outbox(Arc<tokio::sync::Mutex<Option<SplitSink<WebSocket, Message>>>>);

impl Outbox {
    /// Writes one message; false when the connection is closed or the write failed.
    async fn send(&self, message: Message) -> bool {
        let mut sink = self.0.lock().await;
        let Some(writer) = sink.as_mut() else { return false };
        if writer.send(message).await.is_ok() {
            return true;
        }
        *sink = None;
        false
    }

    /// Sends the close frame, when there is one, and closes the socket's sending half.
    async fn close(&self, frame: Option<Message>) {
        let Some(mut writer) = self.0.lock().await.take() else { return };
        if let Some(frame) = frame {
            let _ = writer.send(frame).await;
        }
        let _ = writer.close().await;
    }
}

/// A client message: a `type` and whatever that type carries.
#[derive(Deserialize)]
struct ClientMessage {
    #[serde(rename = "type")]
    kind: String,
    id: Option<String>,
    payload: Option<Value>,
}

/// What keeps a signed-in connection true to its session: when its access
/// token expires, and the account's events (sign-outs, role changes).
struct SessionWatch {
    expires_at: Instant,
    events: BoxStream<'static, Value>,
}

/// Why a connection's credentials were refused.
enum Refusal {
    /// The token is invalid, expired or revoked: 4403.
    Forbidden(String),
    /// The session could not be checked (the database failed): 1011.
    Internal,
}

/// The viewer an `Authorization` value stands for, and for a signed-in viewer
/// the watch that ends the connection with the session.
async fn authenticate(http: &Http, authorization: Option<&str>) -> Result<(Viewer, Option<SessionWatch>), Refusal> {
    let (viewer, claims) = Viewer::from_bearer_with_claims(&http.state.jwt, authorization)
        .map_err(|err| Refusal::Forbidden(err.to_string()))?;
    let Some(claims) = claims else { return Ok((viewer, None)) };
    let left = claims.exp - chrono::Utc::now().timestamp();
    if left <= 0 {
        return Err(Refusal::Forbidden("The access token has expired".into()));
    }
    // Listen before checking, so a sign-out between the check and the
    // subscription is not missed.
    let events = http.state.bus.subscribe(&accounts::account_topic(claims.sub));
    match accounts::access_is_current(&http.state.db, claims.sub, claims.role, claims.sev).await {
        Ok(true) => {}
        Ok(false) => return Err(Refusal::Forbidden("The session has ended; sign in again".into())),
        Err(err) => {
            tracing::error!(error = %err, "failed to check a websocket's session");
            return Err(Refusal::Internal);
        }
    }
    let expires_at = Instant::now() + Duration::from_secs(left.unsigned_abs());
    Ok((viewer, Some(SessionWatch { expires_at, events })))
}

/// Whether an account event ends the access of tokens issued before it.
fn ends_access(event: &Value) -> bool {
    event
        .get("kind")
        .and_then(|kind| serde_json::from_value::<AccountEventKind>(kind.clone()).ok())
        .is_some_and(AccountEventKind::ends_access)
}

/// What an operation does with one of its responses.
enum Step {
    Next(Message),
    /// The operation was refused before it ran: its error ends it.
    Refused(Message),
    /// A subscription refused the connection's viewer for not being signed in.
    Unauthenticated,
}

/// What the reader loop hears from operation tasks.
enum Internal {
    Finished(String),
    /// A subscription refused the connection's viewer for not being signed in.
    Unauthenticated,
}

struct Connection {
    http: Arc<Http>,
    protocol: Protocol,
    meta: RequestMeta,
    viewer: Viewer,
    /// When the viewer's access token expires (signed-in connections).
    expires_at: Option<Instant>,
    /// A session watch from `connection_init`, for the loop to take over (in a
    /// mutex only because a stream is not `Sync`).
    new_watch: std::sync::Mutex<Option<SessionWatch>>,
    /// The session ended: nothing new runs, and the connection is about to close.
    session_ended: bool,
    init_received: bool,
    acknowledged: bool,
    operations: HashMap<String, JoinHandle<()>>,
    outbox: Outbox,
    internal: mpsc::UnboundedSender<Internal>,
}

/// How the connection ends.
struct Closing(u16, String);

impl Connection {
    async fn run(
        http: Arc<Http>,
        sink: SplitSink<WebSocket, Message>,
        mut stream: SplitStream<WebSocket>,
        protocol: Protocol,
        meta: RequestMeta,
        authorization: Option<String>,
    ) {
        let outbox = Outbox(Arc::new(tokio::sync::Mutex::new(Some(sink))));
        let (internal, mut internal_rx) = mpsc::unbounded();

        // Boxed, as are the messages' handlers below: this future lives as long as the
        // connection, and would otherwise keep room for their database calls all along.
        let (viewer, watch) = match Box::pin(authenticate(&http, authorization.as_deref())).await {
            Ok(found) => found,
            Err(refusal) => {
                let (code, reason) = match refusal {
                    Refusal::Forbidden(reason) => (4403, reason),
                    Refusal::Internal => (1011, "Internal server error".to_owned()),
                };
                outbox.close(Some(close(code, &reason))).await;
                return;
            }
        };
        let init_timeout = http.state.config.ws_init_timeout;
        let shutdown = http.state.shutdown.clone();
        let mut connection = Connection {
            http,
            protocol,
            meta,
            viewer,
            expires_at: None,
            new_watch: std::sync::Mutex::new(watch),
            session_ended: false,
            init_received: false,
            acknowledged: false,
            operations: HashMap::new(),
            outbox,
            internal,
        };

        let init_deadline = tokio::time::sleep(init_timeout);
        tokio::pin!(init_deadline);
        // Legacy clients expect `ka` messages; other connections keep no timer for them.
        let mut keep_alive = (protocol == Protocol::Legacy)
            .then(|| tokio::time::interval_at(Instant::now() + LEGACY_KEEP_ALIVE, LEGACY_KEEP_ALIVE));
        // The session watch: the token's expiry, the account's events, and the
        // close that follows an event that ends the session.
        let far_future = Instant::now() + Duration::from_secs(100 * 365 * 86_400);
        let mut account_events: BoxStream<'static, Value> = futures::stream::pending().boxed();
        let mut session_end: Option<Instant> = None;

        let closing = loop {
            let watch = connection.new_watch.get_mut().unwrap_or_else(|p| p.into_inner()).take();
            if let Some(watch) = watch {
                connection.expires_at = Some(watch.expires_at);
                account_events = watch.events;
            }
            tokio::select! {
                _ = tokio::time::sleep_until(connection.expires_at.unwrap_or(far_future)), if connection.expires_at.is_some() => {
                    break Some(Closing(4403, "The access token has expired".into()));
                }
                Some(event) = account_events.next() => {
                    if ends_access(&event) && session_end.is_none() {
                        connection.session_ended = true;
                        session_end = Some(Instant::now() + SESSION_END_GRACE);
                    }
                }
                _ = tokio::time::sleep_until(session_end.unwrap_or(far_future)), if session_end.is_some() => {
                    break Some(Closing(4403, "The session has ended; sign in again".into()));
                }
                _ = &mut init_deadline, if !connection.init_received => {
                    break Some(Closing(4408, "Connection initialisation timeout".into()));
                }
                _ = tick(&mut keep_alive), if connection.acknowledged => {
                    connection.send(json!({ "type": "ka" })).await;
                }
                _ = shutdown.cancelled() => break Some(Closing(1001, "Server shutting down".into())),
                Some(internal) = internal_rx.next() => match internal {
                    Internal::Finished(id) => {
                        if connection.operations.get(&id).is_some_and(JoinHandle::is_finished) {
                            connection.operations.remove(&id);
                        }
                    }
                    Internal::Unauthenticated => break Some(Closing(4403, "Forbidden".into())),
                },
                message = stream.next() => match message {
                    None | Some(Err(_)) | Some(Ok(Message::Close(_))) => break None,
                    Some(Ok(Message::Text(raw))) => {
                        if let Err(closing) = Box::pin(connection.handle(raw.as_str())).await {
                            break closing;
                        }
                    }
                    Some(Ok(Message::Binary(_))) => break Some(Closing(4400, "Binary messages are not supported".into())),
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                }
            }
        };

        for (_, task) in connection.operations.drain() {
            task.abort();
        }
        connection.outbox.close(closing.map(|Closing(code, reason)| close(code, &reason))).await;
    }

    async fn send(&self, value: Value) {
        self.outbox.send(text(value)).await;
    }

    /// Handles one client message; `Err` closes the connection.
    async fn handle(&mut self, raw: &str) -> Result<(), Option<Closing>> {
        let invalid = |why: &str| Some(Closing(4400, why.to_owned()));
        let message: ClientMessage = serde_json::from_str(raw).map_err(|_| invalid("Invalid message received"))?;
        match (self.protocol, message.kind.as_str()) {
            (_, "connection_init") => self.init(message.payload).await,
            (Protocol::TransportWs, "ping") => {
                let mut pong = json!({ "type": "pong" });
                if let Some(payload) = message.payload {
                    pong["payload"] = payload;
                }
                self.send(pong).await;
                Ok(())
            }
            (Protocol::TransportWs, "pong") => Ok(()),
            (Protocol::TransportWs, "subscribe") | (Protocol::Legacy, "start") => {
                let id = message.id.filter(|id| !id.is_empty()).ok_or_else(|| invalid("The operation needs an id"))?;
                if !self.acknowledged {
                    return Err(Some(Closing(4401, "Unauthorized".into())));
                }
                let mut payload =
                    message.payload.ok_or_else(|| invalid("The operation needs a payload with a query"))?;
                // A subscription may be named by hash too (APQ); trusted-only mode checks what it names.
                let mut register = None;
                if let Some(fields) = payload.as_object_mut()
                    && fields.get("extensions").and_then(|e| e.get("persistedQuery")).is_some()
                {
                    let query = fields.remove("query").and_then(|q| q.as_str().map(str::to_owned));
                    let extensions = fields.get_mut("extensions").and_then(Value::as_object_mut);
                    match self.http.persisted.resolve(query, extensions).await {
                        Ok(resolved) => {
                            register = resolved.register.map(|hash| (hash, resolved.query.clone()));
                            fields.insert("query".into(), resolved.query.into());
                        }
                        Err(refusal) => return self.refuse(id, refusal.code, &refusal.message).await,
                    }
                }
                if !payload.get("query").is_some_and(Value::is_string) {
                    return Err(invalid("The operation needs a payload with a query"));
                }
                let request: GqlRequest =
                    serde_json::from_value(payload).map_err(|_| invalid("Invalid subscribe payload"))?;
                if let Err(refusal) = self.http.persisted.check_trusted(&self.viewer, &request.query) {
                    return self.refuse(id, refusal.code, &refusal.message).await;
                }
                if let Some((hash, query)) = register {
                    self.http.persisted.register(&hash, &query).await;
                }
                self.start(id, request).await
            }
            (Protocol::TransportWs, "complete") | (Protocol::Legacy, "stop") => {
                let id = message.id.ok_or_else(|| invalid("The message needs an id"))?;
                if let Some(task) = self.operations.remove(&id) {
                    task.abort();
                }
                Ok(())
            }
            (Protocol::Legacy, "connection_terminate") => Err(Some(Closing(1000, "Normal closure".into()))),
            (_, other) => Err(invalid(&format!("Unexpected message of type {other:?}"))),
        }
    }

    async fn init(&mut self, payload: Option<Value>) -> Result<(), Option<Closing>> {
        if self.init_received {
            return Err(Some(Closing(4429, "Too many initialisation requests".into())));
        }
        self.init_received = true;
        if let Some(authorization) = payload.as_ref().and_then(authorization_from_payload) {
            match authenticate(&self.http, Some(&authorization)).await {
                Ok((viewer, watch)) => {
                    self.viewer = viewer;
                    *self.new_watch.get_mut().unwrap_or_else(|p| p.into_inner()) = watch;
                }
                Err(Refusal::Forbidden(reason)) => {
                    if self.protocol == Protocol::Legacy {
                        self.send(json!({ "type": "connection_error", "payload": { "message": reason } })).await;
                    }
                    return Err(Some(Closing(4403, reason)));
                }
                Err(Refusal::Internal) => return Err(Some(Closing(1011, "Internal server error".into()))),
            }
        }
        self.acknowledged = true;
        self.send(json!({ "type": "connection_ack" })).await;
        if self.protocol == Protocol::Legacy {
            self.send(json!({ "type": "ka" })).await;
        }
        Ok(())
    }

    /// Ends one operation with an error before it runs; the connection stays open.
    async fn refuse(&mut self, id: String, code: &str, message: &str) -> Result<(), Option<Closing>> {
        self.send(
            json!({ "type": "error", "id": id, "payload": [{ "message": message, "extensions": { "code": code } }] }),
        )
        .await;
        Ok(())
    }

    async fn start(&mut self, id: String, request: GqlRequest) -> Result<(), Option<Closing>> {
        // The loop closes the connection at these moments; an operation that
        // arrives in between must not run on the ended session either.
        if self.session_ended {
            return Err(Some(Closing(4403, "The session has ended; sign in again".into())));
        }
        if self.expires_at.is_some_and(|at| at <= Instant::now()) {
            return Err(Some(Closing(4403, "The access token has expired".into())));
        }
        if let Some(existing) = self.operations.get(&id)
            && !existing.is_finished()
        {
            if self.protocol == Protocol::TransportWs {
                return Err(Some(Closing(4409, format!("Subscriber for {id} already exists"))));
            }
            // Legacy clients reuse ids after `stop`; the old operation gives way.
            existing.abort();
        }
        self.operations.retain(|_, task| !task.is_finished());
        if self.operations.len() >= MAX_OPERATIONS {
            self.send(json!({ "type": "error", "id": id, "payload": [{
                "message": format!("At most {MAX_OPERATIONS} operations can run on one connection"),
                "extensions": { "code": crate::error::code::QUERY_TOO_COMPLEX }
            }]}))
            .await;
            return Ok(());
        }

        let (loader, batches) = crate::graphql::loaders::for_request();
        let key = OperationKey::of(&request.query, request.operation_name.as_deref(), &request.variables);
        let mut request = request.data(self.viewer.clone()).data(self.meta.clone()).data(loader).data(key);
        let (query, operation_name) = (request.query.clone(), request.operation_name.clone());
        // Made here, so the operation's task does not keep the request it was made from.
        let mut responses = self.http.schema_for([&mut request]).execute_stream(request);
        let outbox = self.outbox.clone();
        let internal = self.internal.clone();
        let protocol = self.protocol;
        let request_id = self.meta.request_id.clone();
        let task_id = id.clone();
        let operation = async move {
            let mut first = true;
            while let Some(mut response) = responses.next().await {
                limits::finalize(&mut response, &request_id);
                // The response becomes its message before anything is awaited, so the
                // task's state keeps no room for one.
                let step =
                    if first && refuses_anonymous(&response) && is_subscription(&query, operation_name.as_deref()) {
                        Step::Unauthenticated
                    } else if first && limits::is_request_error(&response) {
                        // Rejected before execution: `error` ends the operation (no `complete`).
                        Step::Refused(
                            OperationMessage { kind: "error", id: &task_id, payload: Some(&response.errors) }.text(),
                        )
                    } else {
                        Step::Next(
                            OperationMessage { kind: protocol.next(), id: &task_id, payload: Some(&response) }.text(),
                        )
                    };
                drop(response);
                first = false;
                match step {
                    Step::Unauthenticated => {
                        let _ = internal.unbounded_send(Internal::Unauthenticated);
                        return;
                    }
                    Step::Refused(error) => {
                        outbox.send(error).await;
                        let _ = internal.unbounded_send(Internal::Finished(task_id));
                        return;
                    }
                    Step::Next(next) => {
                        if !outbox.send(next).await {
                            return;
                        }
                    }
                }
            }
            let complete = OperationMessage::<()> { kind: "complete", id: &task_id, payload: None };
            outbox.send(complete.text()).await;
            let _ = internal.unbounded_send(Internal::Finished(task_id));
        };
        // Loader batches run on this operation's task, next to it.
        let task = tokio::spawn(batches.drive(operation).in_current_span());
        self.operations.insert(id, task);
        Ok(())
    }
}

/// The interval's next tick; never, without one.
async fn tick(interval: &mut Option<tokio::time::Interval>) {
    match interval {
        Some(interval) => {
            interval.tick().await;
        }
        None => std::future::pending().await,
    }
}

/// A response with no data whose errors say the viewer must sign in: how a
/// subscription's guard refuses an anonymous connection.
fn refuses_anonymous(response: &async_graphql::Response) -> bool {
    let unauthenticated = async_graphql::Value::from(crate::error::code::UNAUTHENTICATED);
    response.data == async_graphql::Value::Null
        && response.errors.iter().any(|error| {
            error.extensions.as_ref().and_then(|extensions| extensions.get("code")) == Some(&unauthenticated)
        })
}

/// Whether the operation a request runs (by `operation_name` when it names one) is a subscription.
fn is_subscription(query: &str, operation_name: Option<&str>) -> bool {
    use async_graphql::parser::types::{DocumentOperations, OperationType};
    let Ok(document) = async_graphql::parser::parse_query(query) else {
        return false;
    };
    let operation = match (&document.operations, operation_name) {
        (DocumentOperations::Single(operation), _) => Some(operation),
        (DocumentOperations::Multiple(operations), Some(name)) => operations.get(name),
        (DocumentOperations::Multiple(operations), None) => operations.values().next(),
    };
    operation.is_some_and(|operation| operation.node.ty == OperationType::Subscription)
}

/// Clients put the token in different places of the `connection_init` payload;
/// accept the common ones (`Authorization`, `authorization`, `headers.Authorization`, `token`).
fn authorization_from_payload(payload: &Value) -> Option<String> {
    let object = payload.as_object()?;
    let find = |map: &serde_json::Map<String, Value>| {
        map.iter()
            .find(|(key, _)| key.eq_ignore_ascii_case("authorization"))
            .and_then(|(_, value)| value.as_str())
            .map(str::to_owned)
    };
    find(object)
        .or_else(|| object.get("headers").and_then(Value::as_object).and_then(find))
        .or_else(|| object.get("token").and_then(Value::as_str).map(|token| format!("Bearer {token}")))
}

//! The event bus behind GraphQL subscriptions. Events are delivered to local
//! subscribers through per-topic broadcast channels; with Redis, every
//! instance publishes to one Redis channel and relays what it hears to its own
//! subscribers, so a client on one instance sees events raised on another.
//!
//! Locally an event is one [`Delivery`] shared by every subscriber of its
//! topic: thousands of subscribers of one post get the same payload behind an
//! `Arc`, and what they make of it (the decoded event, a row it names) is made
//! once, by the first of them, for all.

use std::{
    any::Any,
    collections::HashMap,
    sync::{Arc, OnceLock},
    time::Duration,
};

use anyhow::Context;
use futures::{StreamExt, stream::BoxStream};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

use crate::infra::redis_guard::RedisGuard;

/// How many events a slow subscriber may fall behind before it skips ahead.
const SUBSCRIBER_BUFFER: usize = 64;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Event {
    pub topic: String,
    pub payload: serde_json::Value,
}

/// One event as every subscriber of its topic in this process receives it.
pub struct Delivery {
    payload: serde_json::Value,
    derived: OnceLock<Arc<dyn Any + Send + Sync>>,
}

impl Delivery {
    fn new(payload: serde_json::Value) -> Arc<Self> {
        Arc::new(Delivery { payload, derived: OnceLock::new() })
    }

    pub fn payload(&self) -> &serde_json::Value {
        &self.payload
    }

    /// What `derive` makes of the payload, made once per event by the first
    /// subscriber that asks and shared with the others. Whatever it holds is
    /// seen by every subscriber, whoever they are: nothing that depends on a
    /// viewer belongs in it. A topic's subscribers ask for one type; `None`
    /// if another type was derived first.
    pub fn derived<T: Any + Send + Sync>(&self, derive: impl FnOnce(&serde_json::Value) -> T) -> Option<Arc<T>> {
        let derived = self.derived.get_or_init(|| Arc::new(derive(&self.payload)));
        Arc::clone(derived).downcast::<T>().ok()
    }
}

#[async_trait::async_trait]
pub trait EventBus: Send + Sync {
    /// Publishes to every subscriber of `topic`, on every instance.
    async fn publish(&self, topic: &str, payload: serde_json::Value) -> anyhow::Result<()>;
    /// Events on `topic` from now on, each shared with the topic's other subscribers.
    fn subscribe_shared(&self, topic: &str) -> BoxStream<'static, Arc<Delivery>>;
    /// Events on `topic` from now on, each subscriber with its own copy of the payload.
    fn subscribe(&self, topic: &str) -> BoxStream<'static, serde_json::Value> {
        self.subscribe_shared(topic).map(|delivery| delivery.payload().clone()).boxed()
    }
}

/// Local fan-out shared by both adapters.
#[derive(Default)]
struct Fanout {
    topics: std::sync::Mutex<HashMap<String, broadcast::Sender<Arc<Delivery>>>>,
}

impl Fanout {
    fn deliver(&self, event: Event) {
        let mut topics = self.topics.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(sender) = topics.get(&event.topic)
            && sender.send(Delivery::new(event.payload)).is_err()
        {
            topics.remove(&event.topic);
        }
    }

    fn subscribe(&self, topic: &str) -> BoxStream<'static, Arc<Delivery>> {
        let receiver = {
            let mut topics = self.topics.lock().unwrap_or_else(|p| p.into_inner());
            topics.entry(topic.to_owned()).or_insert_with(|| broadcast::channel(SUBSCRIBER_BUFFER).0).subscribe()
        };
        futures::stream::unfold(receiver, |mut receiver| async move {
            loop {
                match receiver.recv().await {
                    Ok(value) => return Some((value, receiver)),
                    Err(broadcast::error::RecvError::Lagged(skipped)) => {
                        tracing::warn!(skipped, "a slow subscriber skipped events");
                    }
                    Err(broadcast::error::RecvError::Closed) => return None,
                }
            }
        })
        .boxed()
    }
}

/// Embedded mode: events stay in this process.
#[derive(Default)]
pub struct InProcessBus {
    fanout: Fanout,
}

#[async_trait::async_trait]
impl EventBus for InProcessBus {
    async fn publish(&self, topic: &str, payload: serde_json::Value) -> anyhow::Result<()> {
        self.fanout.deliver(Event { topic: topic.to_owned(), payload });
        Ok(())
    }

    fn subscribe_shared(&self, topic: &str) -> BoxStream<'static, Arc<Delivery>> {
        self.fanout.subscribe(topic)
    }
}

/// Scaled mode: Redis pub/sub carries events between instances.
pub struct RedisBus {
    publisher: Arc<RedisGuard>,
    channel: String,
    fanout: Arc<Fanout>,
}

impl RedisBus {
    /// Connects, subscribes, and keeps relaying (reconnecting with backoff) until `shutdown`.
    pub async fn start(
        client: redis::Client,
        publisher: Arc<RedisGuard>,
        prefix: &str,
        shutdown: CancellationToken,
    ) -> anyhow::Result<Self> {
        let channel = format!("{prefix}events");
        let fanout = Arc::new(Fanout::default());
        // The first subscription happens before start-up finishes, so no event published after it is missed.
        let pubsub = subscribe(&client, &channel).await?;
        tokio::spawn(relay(client, channel.clone(), pubsub, fanout.clone(), shutdown));
        Ok(RedisBus { publisher, channel, fanout })
    }
}

async fn subscribe(client: &redis::Client, channel: &str) -> anyhow::Result<redis::aio::PubSub> {
    let mut pubsub = client.get_async_pubsub().await.context("Failed to open the Redis pub/sub connection")?;
    pubsub.subscribe(channel).await.context("Failed to subscribe to the Redis event channel")?;
    Ok(pubsub)
}

async fn relay(
    client: redis::Client,
    channel: String,
    mut pubsub: redis::aio::PubSub,
    fanout: Arc<Fanout>,
    shutdown: CancellationToken,
) {
    let mut backoff = Duration::from_millis(100);
    loop {
        {
            let mut messages = pubsub.on_message();
            loop {
                tokio::select! {
                    _ = shutdown.cancelled() => return,
                    message = messages.next() => match message {
                        Some(message) => match serde_json::from_slice::<Event>(message.get_payload_bytes()) {
                            Ok(event) => fanout.deliver(event),
                            Err(err) => tracing::warn!(%err, "ignored an undecodable event from Redis"),
                        },
                        None => break,
                    }
                }
            }
        }
        tracing::warn!("lost the Redis pub/sub connection; reconnecting");
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(backoff) => {}
            }
            match subscribe(&client, &channel).await {
                Ok(fresh) => {
                    pubsub = fresh;
                    backoff = Duration::from_millis(100);
                    break;
                }
                Err(err) => {
                    tracing::warn!(error = %err, "Redis pub/sub reconnect failed");
                    backoff = (backoff * 2).min(Duration::from_secs(5));
                }
            }
        }
    }
}

#[async_trait::async_trait]
impl EventBus for RedisBus {
    async fn publish(&self, topic: &str, payload: serde_json::Value) -> anyhow::Result<()> {
        let event = Event { topic: topic.to_owned(), payload };
        let encoded = serde_json::to_string(&event)?;
        let channel = self.channel.clone();
        let published = self
            .publisher
            .call("publish an event", |mut conn| async move {
                redis::cmd("PUBLISH").arg(channel).arg(encoded).query_async::<i64>(&mut conn).await
            })
            .await;
        // Without Redis, at least this instance's subscribers hear of it (a call
        // that timed out may still have been published: then they hear it twice).
        if published.is_err() {
            self.fanout.deliver(event);
        }
        Ok(())
    }

    fn subscribe_shared(&self, topic: &str) -> BoxStream<'static, Arc<Delivery>> {
        self.fanout.subscribe(topic)
    }
}

//! Shared live values per topic in this process: the first subscriber to a
//! topic starts its producer, later ones share its `watch` channel, and the
//! producer stops once nobody listens. Used so that N subscribers to the same
//! live view cost one producer (one read per change), not N.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use tokio::sync::watch;

pub struct Watches<T> {
    topics: Mutex<HashMap<String, watch::Sender<Option<T>>>>,
}

impl<T> Default for Watches<T> {
    fn default() -> Self {
        Watches { topics: Mutex::new(HashMap::new()) }
    }
}

impl<T: Clone + Send + Sync + 'static> Watches<T> {
    /// A receiver of `topic`'s value (None until the producer's first one).
    /// `start` runs, with the topic's sender, when no producer is running.
    pub fn subscribe(self: &Arc<Self>, topic: &str, start: impl FnOnce(Producer<T>)) -> watch::Receiver<Option<T>> {
        let mut topics = self.topics.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(sender) = topics.get(topic)
            && !sender.is_closed()
        {
            return sender.subscribe();
        }
        let (sender, receiver) = watch::channel(None);
        topics.insert(topic.to_owned(), sender.clone());
        drop(topics);
        start(Producer { sender, topic: topic.to_owned(), watches: Arc::clone(self) });
        receiver
    }

    /// Topics with a producer (for tests and metrics).
    pub fn running(&self) -> usize {
        self.topics.lock().unwrap_or_else(|p| p.into_inner()).values().filter(|s| !s.is_closed()).count()
    }
}

/// The producing side of one topic.
pub struct Producer<T> {
    sender: watch::Sender<Option<T>>,
    topic: String,
    watches: Arc<Watches<T>>,
}

impl<T> Producer<T> {
    /// Sends a value when it differs from the current one.
    pub fn send_if_changed(&self, value: T)
    where
        T: PartialEq,
    {
        self.sender.send_if_modified(|current| {
            if current.as_ref() == Some(&value) {
                false
            } else {
                *current = Some(value);
                true
            }
        });
    }

    /// True, and the topic released, once every subscriber is gone: the producer
    /// should stop. Checked under the registry's lock, so a subscriber arriving
    /// at the same moment either keeps this producer alive or starts a new one.
    pub fn finished(&self) -> bool {
        let mut topics = self.watches.topics.lock().unwrap_or_else(|p| p.into_inner());
        if !self.sender.is_closed() {
            return false;
        }
        if topics.get(&self.topic).is_some_and(|s| s.same_channel(&self.sender)) {
            topics.remove(&self.topic);
        }
        true
    }

    /// Resolves when the last subscriber is gone (then check `finished`).
    pub async fn closed(&self) {
        self.sender.closed().await
    }
}

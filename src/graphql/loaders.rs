//! The one registration point for per-request DataLoaders.
//!
//! A request gets one `DataLoader<Loaders>`. Each domain implements
//! `Loader<K> for Loaders` in its own `loaders.rs` with a key type of its own
//! (`UserById`, `TagsOfPost`, …), so every per-parent lookup in a request is
//! batched into one query per kind, however many parents the page has.
//!
//! Batches run on the request's own task (see [`Batches`]): a batch is sent
//! only once the operation has registered every key it can before waiting,
//! so a page of 20 and a page of 100 produce exactly the same queries, not a
//! number that depends on thread timing.

use std::{
    future::Future,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    task::{Context, Poll, Waker},
};

use async_graphql::dataloader::DataLoader;
use futures::{
    StreamExt,
    channel::mpsc,
    future::BoxFuture,
    stream::FuturesUnordered,
    task::{ArcWake, waker},
};

use super::Viewer;
use crate::state::AppState;

/// What loaders need: the database (through the state) and who is asking,
/// for the viewer's own flags (bookmarked, progress, reactions).
pub struct Loaders {
    pub state: AppState,
    pub viewer: Viewer,
}

/// Shared by the operations of one batched request.
pub type RequestLoader = Arc<DataLoader<Loaders>>;

/// The batch queries of one request, to be driven next to its execution.
pub struct Batches(mpsc::UnboundedReceiver<BoxFuture<'static, ()>>);

/// A fresh loader for one request (or one websocket operation) and the batches it will queue.
pub fn for_request(state: &AppState, viewer: &Viewer) -> (RequestLoader, Batches) {
    let (queue, batches) = mpsc::unbounded();
    let loader = DataLoader::new(Loaders { state: state.clone(), viewer: viewer.clone() }, move |batch| {
        // The receiver lives as long as the request; a send after it ended has nothing left to answer.
        let _ = queue.unbounded_send(batch);
    })
    .delay(std::time::Duration::ZERO);
    (Arc::new(loader), Batches(batches))
}

impl Batches {
    /// Runs `operation` to completion while running its batch queries on the same task.
    ///
    /// A batch takes its keys the first time it is polled, so new batches are only
    /// started once the operation has stopped making progress on its own: it
    /// returned `Pending` without waking itself. (Large lists are resolved in slices
    /// that wake themselves between slices; every slice registers its keys first.)
    pub async fn drive<T>(self, operation: impl Future<Output = T>) -> T {
        let mut queued = self.0;
        let mut running: FuturesUnordered<BoxFuture<'static, ()>> = FuturesUnordered::new();
        let mut operation = std::pin::pin!(operation);
        let wake = Arc::new(SelfWake::default());
        futures::future::poll_fn(move |cx| {
            loop {
                wake.arm(cx.waker());
                if let Poll::Ready(value) = operation.as_mut().poll(&mut Context::from_waker(&waker(wake.clone()))) {
                    return Poll::Ready(value);
                }
                if wake.fired() {
                    continue;
                }
                while let Poll::Ready(Some(batch)) = queued.poll_next_unpin(cx) {
                    running.push(batch);
                }
                // Finished batches answered the operation: poll it again before anything else.
                let mut answered = false;
                while !running.is_empty() {
                    match running.poll_next_unpin(cx) {
                        Poll::Ready(Some(())) => answered = true,
                        _ => break,
                    }
                }
                if !answered {
                    return Poll::Pending;
                }
            }
        })
        .await
    }
}

/// A waker that remembers whether it was woken, and passes the wake on.
#[derive(Default)]
struct SelfWake {
    fired: AtomicBool,
    outer: std::sync::Mutex<Option<Waker>>,
}

impl SelfWake {
    fn arm(&self, outer: &Waker) {
        self.fired.store(false, Ordering::SeqCst);
        let mut slot = self.outer.lock().unwrap_or_else(|p| p.into_inner());
        if !slot.as_ref().is_some_and(|w| w.will_wake(outer)) {
            *slot = Some(outer.clone());
        }
    }

    fn fired(&self) -> bool {
        self.fired.load(Ordering::SeqCst)
    }
}

impl ArcWake for SelfWake {
    fn wake_by_ref(arc_self: &Arc<Self>) {
        arc_self.fired.store(true, Ordering::SeqCst);
        if let Some(outer) = arc_self.outer.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
            outer.wake_by_ref();
        }
    }
}

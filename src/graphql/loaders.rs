//! The one registration point for per-request DataLoaders.
//!
//! A request gets one `DataLoader<Loaders>`, made when a resolver first asks
//! for it: many operations never do (a subscription's root, `{ me { id } }`),
//! and an idle subscription should not carry one. Each domain implements
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
        Arc, OnceLock,
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

/// A request's loader, made on first use; shared by the operations of one batched request.
#[derive(Clone)]
pub struct RequestLoader(Arc<LazyLoader>);

struct LazyLoader {
    loader: OnceLock<DataLoader<Loaders>>,
    queue: mpsc::UnboundedSender<BoxFuture<'static, ()>>,
}

impl RequestLoader {
    /// The loader, made for `state` and `viewer` the first time it is asked for.
    pub fn get(&self, state: &AppState, viewer: &Viewer) -> &DataLoader<Loaders> {
        self.0.loader.get_or_init(|| {
            let queue = self.0.queue.clone();
            DataLoader::new(Loaders { state: state.clone(), viewer: viewer.clone() }, move |batch| {
                // The receiver lives as long as the request; a send after it ended has nothing left to answer.
                let _ = queue.unbounded_send(batch);
            })
            .delay(std::time::Duration::ZERO)
        })
    }
}

/// The batch queries of one request, to be driven next to its execution.
pub struct Batches {
    queued: mpsc::UnboundedReceiver<BoxFuture<'static, ()>>,
    lazy: Arc<LazyLoader>,
}

/// A fresh loader for one request (or one websocket operation) and the batches it will
/// queue; the loader itself is made for the context's state and viewer on first use.
pub fn for_request() -> (RequestLoader, Batches) {
    let (queue, queued) = mpsc::unbounded();
    let lazy = Arc::new(LazyLoader { loader: OnceLock::new(), queue });
    (RequestLoader(lazy.clone()), Batches { queued, lazy })
}

impl Batches {
    /// Runs `operation` to completion while running its batch queries on the same task.
    ///
    /// A batch takes its keys the first time it is polled, so new batches are only
    /// started once the operation has stopped making progress on its own: it
    /// returned `Pending` without waking itself. (Large lists are resolved in slices
    /// that wake themselves between slices; every slice registers its keys first.)
    /// Until the operation makes its loader it can have no batches, and is polled
    /// as it is: a subscription waiting for events, or delivering ones that need
    /// no lookups, pays nothing for batching.
    pub fn drive<F: Future>(self, operation: F) -> Driven<F> {
        Driven { operation, batches: self, running: None, wake: None }
    }
}

pin_project_lite::pin_project! {
    /// An operation driven with its batches ([`Batches::drive`]). A named future
    /// rather than an `async fn`, which would keep the operation twice (as its
    /// argument and pinned): a subscription's lives as long as the subscription.
    pub struct Driven<F> {
        #[pin]
        operation: F,
        batches: Batches,
        running: Option<FuturesUnordered<BoxFuture<'static, ()>>>,
        wake: Option<Arc<SelfWake>>,
    }
}

impl<F: Future> Future for Driven<F> {
    type Output = F::Output;

    fn poll(self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let mut this = self.project();
        if this.batches.lazy.loader.get().is_none() {
            let polled = this.operation.poll(cx);
            if polled.is_pending() && this.batches.lazy.loader.get().is_some() {
                // The loader was made just now, and may hold keys: poll again the
                // batching way before any batch is sent.
                cx.waker().wake_by_ref();
            }
            return polled;
        }
        let wake = this.wake.get_or_insert_with(Default::default);
        let running = this.running.get_or_insert_with(FuturesUnordered::new);
        loop {
            wake.arm(cx.waker());
            if let Poll::Ready(value) = this.operation.as_mut().poll(&mut Context::from_waker(&waker(wake.clone()))) {
                return Poll::Ready(value);
            }
            if wake.fired() {
                continue;
            }
            while let Poll::Ready(Some(batch)) = this.batches.queued.poll_next_unpin(cx) {
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

//! Repeated warnings, throttled: a warning or error from one place in the
//! code is logged at most `burst` times per `window`; the rest of that
//! window's are dropped, so one broken dependency (a missing model, Redis
//! down) cannot bury everything else in the log. Other levels pass untouched.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer};

pub struct RepeatThrottle {
    window: Duration,
    burst: u32,
    /// Per call site (the address of its static metadata): when its window began, and its count.
    seen: Mutex<HashMap<usize, (Instant, u32)>>,
}

impl RepeatThrottle {
    pub fn new(window: Duration, burst: u32) -> Self {
        RepeatThrottle { window, burst, seen: Mutex::new(HashMap::new()) }
    }

    /// Whether one more event from `callsite` may be logged at `now`.
    fn admit(&self, callsite: usize, now: Instant) -> bool {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        let entry = seen.entry(callsite).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        entry.1 += 1;
        entry.1 <= self.burst
    }
}

impl<S: Subscriber> Layer<S> for RepeatThrottle {
    fn event_enabled(&self, event: &Event<'_>, _ctx: Context<'_, S>) -> bool {
        let level = *event.metadata().level();
        if level != Level::WARN && level != Level::ERROR {
            return true;
        }
        self.admit(std::ptr::from_ref(event.metadata()) as usize, Instant::now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_site_gets_its_burst_per_window_and_then_is_quiet_until_the_next() {
        let throttle = RepeatThrottle::new(Duration::from_secs(60), 3);
        let start = Instant::now();
        let admitted = (0..10).filter(|_| throttle.admit(1, start)).count();
        assert_eq!(admitted, 3);
        assert!(throttle.admit(2, start), "another call site has its own budget");
        assert!(!throttle.admit(1, start + Duration::from_secs(59)));
        assert!(throttle.admit(1, start + Duration::from_secs(61)), "a new window");
    }
}

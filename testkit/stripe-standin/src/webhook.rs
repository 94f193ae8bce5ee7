//! Signing and delivering events to the webhook url, as Stripe does: the
//! event JSON POSTed as `application/json` with
//! `Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`,
//! one `v1=` per configured secret.

use std::sync::{Arc, Weak};

use hmac::{Hmac, Mac};
use sha2::Sha256;
use tokio::sync::mpsc;

use crate::state::now;
use crate::{Delivery, QueueItem, Shared, StandinError};

/// The `Stripe-Signature` header for `payload` at `timestamp`: one `v1=` per secret.
pub fn sign(payload: &[u8], timestamp: i64, secrets: &[String]) -> String {
    let mut header = format!("t={timestamp}");
    for secret in secrets {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC accepts any key length");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(payload);
        header.push_str(",v1=");
        header.push_str(&hex::encode(mac.finalize().into_bytes()));
    }
    header
}

/// Sends one event now; records and returns the receiver's status (0 = failed).
async fn send(shared: &Shared, url: &str, event_id: &str) -> Result<u16, StandinError> {
    let event = shared
        .lock()
        .event(event_id)
        .cloned()
        .ok_or_else(|| StandinError::NotFound(format!("No such event: '{event_id}'")))?;
    let body = serde_json::to_vec(&event).expect("JSON values serialize");
    let signature = sign(&body, now(), &shared.secrets);
    let result = shared
        .http
        .post(url)
        .header("content-type", "application/json; charset=utf-8")
        .header("user-agent", "Stripe/1.0 (+https://stripe.com/docs/webhooks)")
        .header("stripe-signature", signature)
        .body(body)
        .send()
        .await;
    let (status, error) = match result {
        Ok(response) => (response.status().as_u16(), None),
        Err(e) => (0, Some(e.to_string())),
    };
    shared.lock().deliveries.push(Delivery {
        event_id: event_id.to_owned(),
        event_type: event["type"].as_str().unwrap_or_default().to_owned(),
        status,
        error,
    });
    Ok(status)
}

/// [`crate::Standin::deliver`]: regardless of the delivery switch.
pub(crate) async fn deliver_now(shared: &Shared, event_id: &str) -> Result<u16, StandinError> {
    let url =
        shared.lock().webhook_url.clone().ok_or_else(|| StandinError::Conflict("no webhook url is set".to_owned()))?;
    send(shared, &url, event_id).await
}

/// Delivers queued events one at a time, in order (to the webhook url set
/// when their turn comes; none set = skipped).
pub(crate) async fn worker(shared: Weak<Shared>, mut queue: mpsc::UnboundedReceiver<QueueItem>) {
    while let Some(item) = queue.recv().await {
        let Some(shared): Option<Arc<Shared>> = shared.upgrade() else { return };
        match item {
            QueueItem::Deliver(ids, done) => {
                for id in ids {
                    let target = shared.lock().webhook_url.clone();
                    if let Some(url) = target {
                        // An unknown id cannot happen: ids come from recorded events.
                        let _ = send(&shared, &url, &id).await;
                    }
                }
                if let Some(done) = done {
                    let _ = done.send(());
                }
            }
            QueueItem::Flush(done) => {
                let _ = done.send(());
            }
        }
    }
}

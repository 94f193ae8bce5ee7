//! Signed, stateless link tokens for mails: `base64url(claims).base64url(mac)`,
//! HMAC-SHA256 under a key derived from `JWT_SECRET`. A token names its purpose,
//! so a confirmation link cannot be used to unsubscribe and the other way round.
//! Unsubscribe links never expire (old mails must keep working); confirmation
//! links do.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::{
    error::{AppError, AppResult},
    state::AppState,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    ConfirmNewsletter,
    Unsubscribe,
}

impl Purpose {
    fn tag(self) -> &'static str {
        match self {
            Purpose::ConfirmNewsletter => "newsletter-confirm",
            Purpose::Unsubscribe => "unsubscribe",
        }
    }
}

#[derive(Serialize, Deserialize)]
struct Claims {
    /// Purpose.
    p: String,
    /// Subject: what the link acts on.
    s: String,
    /// Expiry (Unix seconds), if any.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    e: Option<i64>,
}

fn mac(secret: &str) -> Hmac<Sha256> {
    // A key of its own, so a link token can never pass for anything signed with the JWT key.
    let mut derive = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    derive.update(b"lectern mail links v1");
    Hmac::<Sha256>::new_from_slice(&derive.finalize().into_bytes()).expect("HMAC takes any key length")
}

pub fn sign(state: &AppState, purpose: Purpose, subject: &str, expires: Option<DateTime<Utc>>) -> String {
    sign_with(state.config.jwt_secret.expose_secret(), purpose, subject, expires)
}

fn sign_with(secret: &str, purpose: Purpose, subject: &str, expires: Option<DateTime<Utc>>) -> String {
    let claims = Claims { p: purpose.tag().into(), s: subject.into(), e: expires.map(|e| e.timestamp()) };
    let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).expect("claims serialise"));
    let mut mac = mac(secret);
    mac.update(body.as_bytes());
    format!("{body}.{}", URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()))
}

/// The subject of a valid token for `purpose`; BAD_USER_INPUT on `token` otherwise.
pub fn verify(state: &AppState, purpose: Purpose, token: &str) -> AppResult<String> {
    verify_with(state.config.jwt_secret.expose_secret(), purpose, token, Utc::now())
}

fn verify_with(secret: &str, purpose: Purpose, token: &str, now: DateTime<Utc>) -> AppResult<String> {
    let invalid = || AppError::bad_input("token", "This link is invalid or has expired");
    let (body, signature) = token.trim().split_once('.').ok_or_else(invalid)?;
    let signature = URL_SAFE_NO_PAD.decode(signature).map_err(|_| invalid())?;
    let mut mac = mac(secret);
    mac.update(body.as_bytes());
    mac.verify_slice(&signature).map_err(|_| invalid())?;
    let claims: Claims =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(body).map_err(|_| invalid())?).map_err(|_| invalid())?;
    if claims.p != purpose.tag() || claims.e.is_some_and(|e| e <= now.timestamp()) {
        return Err(invalid());
    }
    Ok(claims.s)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "unit-test-secret-0123456789abcdef";

    #[test]
    fn round_trips_and_rejects_tampering_expiry_and_other_purposes() {
        let now = Utc::now();
        let token = sign_with(SECRET, Purpose::Unsubscribe, "newsletter:a@example.com", None);
        assert_eq!(verify_with(SECRET, Purpose::Unsubscribe, &token, now).unwrap(), "newsletter:a@example.com");
        // Another purpose, another key, a changed body or signature: all refused.
        assert!(verify_with(SECRET, Purpose::ConfirmNewsletter, &token, now).is_err());
        assert!(verify_with("another-secret-0123456789abcdefghij", Purpose::Unsubscribe, &token, now).is_err());
        let (body, sig) = token.split_once('.').unwrap();
        let forged_body = URL_SAFE_NO_PAD.encode(br#"{"p":"unsubscribe","s":"newsletter:b@example.com"}"#);
        assert!(verify_with(SECRET, Purpose::Unsubscribe, &format!("{forged_body}.{sig}"), now).is_err());
        assert!(verify_with(SECRET, Purpose::Unsubscribe, &format!("{body}.{}", &sig[1..]), now).is_err());
        assert!(verify_with(SECRET, Purpose::Unsubscribe, "not-a-token", now).is_err());
        // Expiry is part of the signed claims.
        let expiring =
            sign_with(SECRET, Purpose::ConfirmNewsletter, "a@example.com", Some(now + chrono::Duration::hours(1)));
        assert!(verify_with(SECRET, Purpose::ConfirmNewsletter, &expiring, now).is_ok());
        assert!(verify_with(SECRET, Purpose::ConfirmNewsletter, &expiring, now + chrono::Duration::hours(2)).is_err());
    }
}

//! The `Stripe-Signature` header of a webhook delivery:
//! `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">[,v1=…]`.
//!
//! A delivery is genuine when ANY `v1` signature in the header matches ANY of
//! the configured endpoint secrets, over the raw bytes as received, and its
//! timestamp is within the tolerance of now (either way). Stripe sends one
//! `v1` per active secret while a secret is rolled, and a deployment may
//! accept more than one secret while it rolls its own, hence any × any.
//! async-stripe's verifier takes one secret and a fixed 300 s tolerance, and
//! refuses a header with a space after a comma; this one does neither.
//!
//! Every candidate is compared in constant time (`Mac::verify_slice`) and all
//! of them are compared, so timing says nothing about which one matched.

use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Why a delivery is refused (each is a 400, and nothing is stored).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the Stripe-Signature header is missing")]
    Missing,
    #[error("the Stripe-Signature header has no valid timestamp or no v1 signature")]
    Malformed,
    #[error("no v1 signature matches a configured endpoint secret")]
    NoMatch,
    #[error("the signature's timestamp is outside the tolerance")]
    OutsideTolerance,
}

fn mac(secret: &[u8], timestamp: i64, payload: &[u8]) -> Hmac<Sha256> {
    // HMAC takes a key of any length: this cannot fail.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC accepts any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(payload);
    mac
}

/// Checks `header` over `payload` (the raw request body) against `secrets` at
/// `now` (unix seconds); the delivery's timestamp when it is genuine.
pub fn verify(
    header: Option<&str>,
    payload: &[u8],
    secrets: &[impl AsRef<[u8]>],
    tolerance: Duration,
    now: i64,
) -> Result<i64, SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        let Some((scheme, value)) = part.split_once('=') else { continue };
        match scheme.trim() {
            "t" => timestamp = Some(value.trim().parse::<i64>().map_err(|_| SignatureError::Malformed)?),
            // A v1 that is not hex cannot match; the others may.
            "v1" => signatures.extend(hex::decode(value.trim()).ok()),
            // v0 (legacy test mode) and unknown schemes carry nothing to check.
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if signatures.is_empty() {
        return Err(SignatureError::Malformed);
    }
    let mut matched = false;
    for secret in secrets {
        let expected = mac(secret.as_ref(), timestamp, payload);
        for signature in &signatures {
            matched |= expected.clone().verify_slice(signature).is_ok();
        }
    }
    if !matched {
        return Err(SignatureError::NoMatch);
    }
    let tolerance = i64::try_from(tolerance.as_secs()).unwrap_or(i64::MAX);
    if now.abs_diff(timestamp) > tolerance.unsigned_abs() {
        return Err(SignatureError::OutsideTolerance);
    }
    Ok(timestamp)
}

/// The `v1` signature Stripe computes for `payload` at `timestamp` with `secret`
/// (for a header of one's own: tests and the stand-in Stripe).
pub fn sign(secret: &[u8], timestamp: i64, payload: &[u8]) -> String {
    hex::encode(mac(secret, timestamp, payload).finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &[u8] = br#"{"id":"evt_1","type":"invoice.paid"}"#;
    const OLD: &str = "whsec_old";
    const NEW: &str = "whsec_new";
    const NOW: i64 = 1_800_000_000;
    const TOLERANCE: Duration = Duration::from_secs(300);

    fn header(t: i64, secrets: &[&str]) -> String {
        let mut header = format!("t={t}");
        for secret in secrets {
            header.push_str(&format!(",v1={}", sign(secret.as_bytes(), t, BODY)));
        }
        header
    }

    fn check(header: &str, secrets: &[&str]) -> Result<i64, SignatureError> {
        verify(Some(header), BODY, secrets, TOLERANCE, NOW)
    }

    /// Headers made by Stripe's official Node library (scripts/stripe-signature-fixture.mjs).
    #[test]
    fn headers_from_stripes_own_library_verify_and_the_signer_matches_them() {
        let fixture: serde_json::Value =
            serde_json::from_str(include_str!("../../../tests/fixtures/stripe-signatures.json")).unwrap();
        let cases = fixture["cases"].as_array().unwrap();
        assert!(!cases.is_empty());
        for case in cases {
            let secret = case["secret"].as_str().unwrap();
            let payload = case["payload"].as_str().unwrap().as_bytes();
            let timestamp = case["timestamp"].as_i64().unwrap();
            let header = case["header"].as_str().unwrap();
            assert_eq!(verify(Some(header), payload, &[secret], TOLERANCE, timestamp + 10), Ok(timestamp));
            assert_eq!(header, format!("t={timestamp},v1={}", sign(secret.as_bytes(), timestamp, payload)));
            assert_eq!(
                verify(Some(header), payload, &["whsec_other"], TOLERANCE, timestamp),
                Err(SignatureError::NoMatch)
            );
        }
    }

    #[test]
    fn a_genuine_delivery_passes() {
        assert_eq!(check(&header(NOW, &[NEW]), &[NEW]), Ok(NOW));
        // Stripe's own test vector shape: v0 entries and spaces after commas are fine.
        let spaced = format!("t={NOW}, v1={}, v0=abc", sign(NEW.as_bytes(), NOW, BODY));
        assert_eq!(check(&spaced, &[NEW]), Ok(NOW));
    }

    #[test]
    fn any_signature_matches_any_secret_while_secrets_roll() {
        // Stripe rolls its secret: two v1s, we know either one.
        let both = header(NOW, &[OLD, NEW]);
        assert_eq!(check(&both, &[NEW]), Ok(NOW));
        assert_eq!(check(&both, &[OLD]), Ok(NOW));
        // We roll ours: one v1, we accept two secrets, in either order.
        assert_eq!(check(&header(NOW, &[OLD]), &[NEW, OLD]), Ok(NOW));
        assert_eq!(check(&header(NOW, &[NEW]), &[NEW, OLD]), Ok(NOW));
        // A matching signature after a foreign and a non-hex one.
        let mixed = format!("t={NOW},v1={},v1=zz,v1={}", sign(b"other", NOW, BODY), sign(NEW.as_bytes(), NOW, BODY));
        assert_eq!(check(&mixed, &[NEW]), Ok(NOW));
    }

    #[test]
    fn forged_or_altered_deliveries_are_refused() {
        assert_eq!(check(&header(NOW, &["whsec_attacker"]), &[NEW]), Err(SignatureError::NoMatch));
        assert_eq!(check(&header(NOW, &[NEW]), &[] as &[&str]), Err(SignatureError::NoMatch));
        let altered =
            verify(Some(&header(NOW, &[NEW])), br#"{"id":"evt_1","type":"invoice.paid "}"#, &[NEW], TOLERANCE, NOW);
        assert_eq!(altered, Err(SignatureError::NoMatch));
        // The timestamp is signed: moving it breaks the signature.
        let moved = header(NOW, &[NEW]).replace(&format!("t={NOW}"), &format!("t={}", NOW + 1));
        assert_eq!(check(&moved, &[NEW]), Err(SignatureError::NoMatch));
    }

    #[test]
    fn stale_and_future_timestamps_are_refused() {
        assert_eq!(check(&header(NOW - 300, &[NEW]), &[NEW]), Ok(NOW - 300));
        assert_eq!(check(&header(NOW - 301, &[NEW]), &[NEW]), Err(SignatureError::OutsideTolerance));
        assert_eq!(check(&header(NOW + 301, &[NEW]), &[NEW]), Err(SignatureError::OutsideTolerance));
        let wide = verify(Some(&header(NOW - 3_000, &[NEW])), BODY, &[NEW], Duration::from_secs(3_600), NOW);
        assert_eq!(wide, Ok(NOW - 3_000), "the tolerance is a setting");
        let extreme = verify(Some(&header(i64::MIN, &[NEW])), BODY, &[NEW], TOLERANCE, NOW);
        assert_eq!(extreme, Err(SignatureError::OutsideTolerance), "no overflow");
    }

    #[test]
    fn malformed_headers_are_refused() {
        assert_eq!(verify(None, BODY, &[NEW], TOLERANCE, NOW), Err(SignatureError::Missing));
        let v1 = sign(NEW.as_bytes(), NOW, BODY);
        for bad in [
            String::new(),
            format!("v1={v1}"),
            format!("t=soon,v1={v1}"),
            format!("t={NOW}"),
            format!("t={NOW},v1=not-hex"),
            format!("t={NOW},v0={v1}"),
            "garbage".to_owned(),
        ] {
            assert_eq!(check(&bad, &[NEW]), Err(SignatureError::Malformed), "{bad:?}");
        }
    }
}

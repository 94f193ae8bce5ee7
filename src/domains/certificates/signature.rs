//! What a certificate's signature covers and how it is encoded, so that anyone
//! holding the server's public key can check a certificate without asking the
//! server (README, "Certificates").
//!
//! **Canonical encoding, version 1.** The signed message is seven fields in
//! this order, each written as its length in bytes (4 bytes, big-endian)
//! followed by its bytes:
//!
//! 1. the context string `lectern-certificate/v1`;
//! 2. the verification code: 32 characters, `A`–`Z` and `2`–`7`;
//! 3. the recipient's user id: a lower-case, hyphenated UUID (36 characters);
//! 4. the series id, in the same form;
//! 5. the recipient's name as issued, UTF-8;
//! 6. the series title as issued, UTF-8;
//! 7. the issue time in UTC to the second, RFC 3339 with `Z` (`2026-12-07T09:30:00Z`).
//!
//! Length prefixes make the encoding unambiguous: no choice of name or title
//! can make two different certificates produce the same message. The
//! signature is Ed25519 (RFC 8032) over the message, stored and shown as
//! base64url without padding (86 characters).

use base64::Engine;
use chrono::{DateTime, SubsecRound, Utc};
use rand::RngCore;
use uuid::Uuid;

use crate::infra::signing::Ed25519Key;
use entity::certificate;

/// The first field of every signed message; a new encoding gets a new context.
pub const CONTEXT: &str = "lectern-certificate/v1";
/// Random bytes in a verification code (160 bits: not guessable, not enumerable).
pub const CODE_BYTES: usize = 20;
/// Characters in a verification code (base32 of [`CODE_BYTES`], no padding).
pub const CODE_LEN: usize = 32;
/// The longest input read as a code: a grouped code (`ABCD-EFGH-…`) with spaces
/// around it fits; anything longer is not a code and is never looked up.
pub const MAX_CODE_INPUT: usize = 64;

/// The fields a certificate's signature covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed<'a> {
    pub code: &'a str,
    pub user_id: Uuid,
    pub series_id: Uuid,
    pub recipient_name: &'a str,
    pub series_title: &'a str,
    pub issued_at: DateTime<Utc>,
}

impl<'a> Signed<'a> {
    /// The signed fields of a stored certificate, as they are now.
    pub fn of(row: &'a certificate::Model) -> Self {
        Signed {
            code: &row.code,
            user_id: row.user_id,
            series_id: row.series_id,
            recipient_name: &row.recipient_name,
            series_title: &row.series_title,
            issued_at: row.issued_at,
        }
    }

    /// The canonical encoding (version 1) of these fields: the bytes that are signed.
    pub fn message(&self) -> Vec<u8> {
        let user_id = self.user_id.hyphenated().to_string();
        let series_id = self.series_id.hyphenated().to_string();
        let issued_at = issued_at_text(self.issued_at);
        let fields: [&[u8]; 7] = [
            CONTEXT.as_bytes(),
            self.code.as_bytes(),
            user_id.as_bytes(),
            series_id.as_bytes(),
            self.recipient_name.as_bytes(),
            self.series_title.as_bytes(),
            issued_at.as_bytes(),
        ];
        let mut message = Vec::with_capacity(fields.iter().map(|f| 4 + f.len()).sum());
        for field in fields {
            // Every field is far below 4 GiB (codes, ids, names and titles are bounded).
            message.extend_from_slice(&(field.len() as u32).to_be_bytes());
            message.extend_from_slice(field);
        }
        message
    }

    /// The signature of these fields with `key`, base64url without padding.
    pub fn sign(&self, key: &Ed25519Key) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key.sign(&self.message()))
    }
}

/// Whether `row`'s stored signature is `key`'s signature of its fields as they
/// are now: false for a row changed since it was signed, or a malformed signature.
pub fn authentic(key: &Ed25519Key, row: &certificate::Model) -> bool {
    let Ok(signature) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(&row.signature) else {
        return false;
    };
    key.verify(&Signed::of(row).message(), &signature)
}

/// The issue time as signed: UTC, whole seconds, RFC 3339 with `Z`.
pub fn issued_at_text(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// An issue time that every database stores exactly: whole seconds.
pub fn issue_time(now: DateTime<Utc>) -> DateTime<Utc> {
    now.trunc_subsecs(0)
}

/// A fresh verification code: [`CODE_BYTES`] random bytes in base32 (RFC 4648, no padding).
pub fn new_code() -> String {
    let mut bytes = [0u8; CODE_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    data_encoding::BASE32_NOPAD.encode(&bytes)
}

/// The code `raw` stands for, as stored: without the dashes and spaces it may be
/// grouped with, in upper case. None when it cannot be a code (wrong length or
/// characters, NUL bytes, anything over [`MAX_CODE_INPUT`] bytes), so such
/// input never reaches the database.
pub fn parse_code(raw: &str) -> Option<String> {
    if raw.len() > MAX_CODE_INPUT {
        return None;
    }
    let code: String = raw.trim().chars().filter(|c| !matches!(c, '-' | ' ')).map(|c| c.to_ascii_uppercase()).collect();
    let base32 = |b: u8| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b);
    (code.len() == CODE_LEN && code.bytes().all(base32)).then_some(code)
}

/// The code in groups of four (`ABCD-EFGH-…`), as printed for people to type.
pub fn grouped(code: &str) -> String {
    code.as_bytes().chunks(4).map(|group| String::from_utf8_lossy(group).into_owned()).collect::<Vec<_>>().join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> Ed25519Key {
        Ed25519Key::from_seed(&[3u8; 32]).unwrap()
    }

    fn row(key: &Ed25519Key) -> certificate::Model {
        let mut row = certificate::Model {
            id: Uuid::now_v7(),
            code: "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".into(),
            user_id: Uuid::parse_str("0192f0c4-1a2b-7c3d-8e4f-5a6b7c8d9e0f").unwrap(),
            series_id: Uuid::parse_str("0192f0c4-0000-7000-8000-000000000001").unwrap(),
            recipient_name: "Zoë Ångström".into(),
            series_title: "Learn Rust".into(),
            issued_at: DateTime::parse_from_rfc3339("2026-12-07T09:30:00Z").unwrap().with_timezone(&Utc),
            signature: String::new(),
            revoked_at: None,
            revoked_reason: None,
            revoked_by: None,
        };
        row.signature = Signed::of(&row).sign(key);
        row
    }

    #[test]
    fn the_canonical_encoding_is_length_prefixed_fields_in_order() {
        let key = key();
        let row = row(&key);
        let mut expected = Vec::new();
        for field in [
            "lectern-certificate/v1",
            "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
            "0192f0c4-1a2b-7c3d-8e4f-5a6b7c8d9e0f",
            "0192f0c4-0000-7000-8000-000000000001",
            "Zoë Ångström",
            "Learn Rust",
            "2026-12-07T09:30:00Z",
        ] {
            expected.extend_from_slice(&(field.len() as u32).to_be_bytes());
            expected.extend_from_slice(field.as_bytes());
        }
        assert_eq!(Signed::of(&row).message(), expected);
        // The prefix counts bytes, not characters: "Zoë Ångström" is 12 characters, 15 bytes.
        let name = "Zoë Ångström".as_bytes();
        assert_eq!(name.len(), 15);
        assert!(expected.windows(19).any(|w| w[..4] == [0, 0, 0, 15] && &w[4..] == name));
    }

    #[test]
    fn moving_text_between_fields_changes_the_message() {
        let key = key();
        let mut one = row(&key);
        let mut two = one.clone();
        one.recipient_name = "Ada Lovelace".into();
        one.series_title = "Rust".into();
        two.recipient_name = "Ada".into();
        two.series_title = "Lovelace Rust".into();
        assert_ne!(Signed::of(&one).message(), Signed::of(&two).message());
    }

    #[test]
    fn a_signed_row_verifies_until_any_signed_field_changes() {
        let key = key();
        let row = row(&key);
        assert!(authentic(&key, &row));
        assert_eq!(row.signature.len(), 86);
        let changes: [fn(&mut certificate::Model); 7] = [
            |r| r.code.replace_range(0..1, "B"),
            |r| r.user_id = Uuid::now_v7(),
            |r| r.series_id = Uuid::now_v7(),
            |r| r.recipient_name.push('!'),
            |r| r.series_title = "Learn Go".into(),
            |r| r.issued_at += chrono::Duration::seconds(1),
            |r| r.signature.replace_range(0..2, "AA"),
        ];
        for (index, change) in changes.iter().enumerate() {
            let mut altered = row.clone();
            change(&mut altered);
            assert!(!authentic(&key, &altered), "change {index} still verifies");
        }
        // Revocation is not signed: the server's current word, checked separately.
        let mut revoked = row.clone();
        revoked.revoked_at = Some(Utc::now());
        assert!(authentic(&key, &revoked));
        assert!(!authentic(&Ed25519Key::from_seed(&[4u8; 32]).unwrap(), &row), "another key's row");
        let mut garbled = row.clone();
        garbled.signature = "not base64!".into();
        assert!(!authentic(&key, &garbled));
    }

    #[test]
    fn codes_are_random_base32_and_parse_back_from_what_people_type() {
        let code = new_code();
        assert_eq!(code.len(), CODE_LEN);
        assert_ne!(code, new_code());
        assert_eq!(parse_code(&code).as_deref(), Some(code.as_str()));
        assert_eq!(parse_code(&grouped(&code)).as_deref(), Some(code.as_str()));
        assert_eq!(parse_code(&format!("  {}  ", grouped(&code).to_lowercase())).as_deref(), Some(code.as_str()));
        assert_eq!(grouped("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), "ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-4567");
        for bad in [
            "",
            "ABC",
            "ABCDEFGHIJKLMNOPQRSTUVWXYZ23456",
            "ABCDEFGHIJKLMNOPQRSTUVWXYZ2345678",
            "ABCDEFGHIJKLMNOPQRSTUVWXYZ234561",
            "ABCDEFGHIJKLMNOPQRSTUVWXYZ23456\0",
            "ABCDEFGHIJKLMNOPQRSTUVWXYZ23456É",
            &"A".repeat(10_000),
            &format!("{}{}", "-".repeat(40), "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
        ] {
            assert_eq!(parse_code(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn issue_times_are_whole_seconds_in_utc() {
        let at = DateTime::parse_from_rfc3339("2026-12-07T09:30:00.987654321+02:00").unwrap().with_timezone(&Utc);
        let issued = issue_time(at);
        assert_eq!(issued_at_text(issued), "2026-12-07T07:30:00Z");
        assert_eq!(issued.timestamp_subsec_nanos(), 0);
    }
}

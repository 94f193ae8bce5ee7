//! Passwords: a `Password` newtype that only holds acceptable passwords, and
//! argon2id hashing with OWASP's parameters (19 MiB, t=2, p=1) off the async
//! runtime, a bounded number at a time.

use anyhow::Context;
use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version, password_hash::SaltString};

use crate::{
    error::{AppError, AppResult},
    infra::work::Bound,
};

pub const MIN_LEN: usize = 10;
pub const MAX_LEN: usize = 128;

/// A password that passed the strength rules. Its `Debug` never shows it.
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password([REDACTED])")
    }
}

impl Password {
    /// Accepts 10–128 characters that zxcvbn does not consider guessable,
    /// also given the account's own email and name.
    pub fn parse(field: &'static str, raw: &str, user_inputs: &[&str]) -> AppResult<Self> {
        let len = raw.chars().count();
        if len < MIN_LEN {
            return Err(AppError::bad_input(field, format!("The password needs at least {MIN_LEN} characters")));
        }
        if len > MAX_LEN {
            return Err(AppError::bad_input(field, format!("The password can have at most {MAX_LEN} characters")));
        }
        let estimate = zxcvbn::zxcvbn(raw, user_inputs);
        if (estimate.score() as u8) < 3 {
            let hint = estimate
                .feedback()
                .and_then(|f| f.warning().map(|w| w.to_string()))
                .unwrap_or_else(|| "Add more words or characters that are hard to guess.".into());
            return Err(AppError::bad_input(field, format!("The password is too easy to guess. {hint}")));
        }
        Ok(Password(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

fn argon2() -> Argon2<'static> {
    // OWASP password storage cheat sheet minimum for argon2id.
    let params = Params::new(19 * 1024, 2, 1, None).expect("static argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// An argon2id hash of a [`Password`]; only [`hash`] makes one.
#[derive(Debug, Clone)]
pub struct PasswordHash(String);

impl PasswordHash {
    pub fn into_inner(self) -> String {
        self.0
    }
}

/// Hashes on a blocking thread under `bound` (`PASSWORD_HASH_CONCURRENCY`):
/// each hash takes 19 MiB and a core for tens of milliseconds.
pub async fn hash(bound: &Bound, password: &Password) -> anyhow::Result<PasswordHash> {
    let password = password.expose().to_owned();
    bound
        .run_blocking(move || {
            let salt = SaltString::generate(&mut rand::rngs::OsRng);
            argon2()
                .hash_password(password.as_bytes(), &salt)
                .map(|h| PasswordHash(h.to_string()))
                .map_err(|e| anyhow::anyhow!("argon2: {e}"))
        })
        .await
        .context("The password hashing task failed")?
}

/// True when `password` matches `stored`. A malformed stored hash never matches.
/// With no stored hash (an unknown account) it verifies against a dummy hash
/// all the same, so sign-in takes as long for unknown emails as for known ones.
pub async fn verify(bound: &Bound, password: &str, stored: Option<&str>) -> anyhow::Result<bool> {
    let (password, known, stored) = (password.to_owned(), stored.is_some(), stored.map(str::to_owned));
    bound
        .run_blocking(move || {
            let stored = stored.unwrap_or_else(|| dummy_hash().to_owned());
            let Ok(parsed) = argon2::PasswordHash::new(&stored) else {
                return false;
            };
            argon2().verify_password(password.as_bytes(), &parsed).is_ok() && known
        })
        .await
        .context("The password verification task failed")
}

/// A valid hash of a random password, computed once per process (on the
/// blocking thread of the first unknown-account sign-in, under its permit).
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        argon2()
            .hash_password(crate::domains::accounts::tokens::opaque_token().as_bytes(), &salt)
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_with_owasp_parameters_and_verifies() {
        let bound = Bound::unbounded("testing");
        let password = Password::parse("password", "correct horse battery staple", &[]).unwrap();
        let stored = hash(&bound, &password).await.unwrap().into_inner();
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{stored}");
        assert!(verify(&bound, "correct horse battery staple", Some(&stored)).await.unwrap());
        assert!(!verify(&bound, "wrong horse battery staple", Some(&stored)).await.unwrap());
        assert!(!verify(&bound, "anything", Some("not-a-hash")).await.unwrap());
        assert!(!verify(&bound, "anything", None).await.unwrap(), "no account never matches");
        assert!(dummy_hash().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "the dummy costs what a real hash costs");
    }

    #[test]
    fn weak_passwords_are_refused() {
        for weak in ["short", "password123", "aaaaaaaaaaaa", "qwertyuiop"] {
            let err = Password::parse("password", weak, &[]).unwrap_err();
            assert_eq!(err.code(), "BAD_USER_INPUT", "{weak}");
        }
        let err = Password::parse(
            "password",
            "ada.lovelace@lectern.dev",
            &["ada.lovelace@lectern.dev", "ada", "lovelace", "lectern"],
        )
        .unwrap_err();
        assert_eq!(err.code(), "BAD_USER_INPUT");
        assert!(Password::parse("password", &"x".repeat(200), &[]).is_err());
        assert!(Password::parse("password", "violet-otter-sings-97", &[]).is_ok());
    }
}

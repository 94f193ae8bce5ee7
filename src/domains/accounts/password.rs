//! Passwords: a `Password` newtype that only holds acceptable passwords, and
//! argon2id hashing with OWASP's parameters (19 MiB, t=2, p=1) off the async
//! runtime, a bounded number at a time.

use anyhow::Context;
use argon2::{Algorithm, Argon2, Block, Params, Version, password_hash::SaltString};

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

/// Argon2's working memory (19 MiB per hash), kept for reuse. Allocated per
/// hash, it ended up retained by the allocator arena of whichever blocking
/// thread ran the hash, and blocking threads come and go: `bench/soak.sh` saw
/// RSS climb in steps of 19–20 MiB (101 → 256 MiB in two minutes of logins).
/// Reused, it exists at most once per concurrent hash (the
/// `PASSWORD_HASH_CONCURRENCY` permits bound that), and is never freed.
static WORKING_MEMORY: std::sync::Mutex<Vec<Vec<Block>>> = std::sync::Mutex::new(Vec::new());

/// Runs `work` with `blocks` blocks of working memory from the pool.
fn with_working_memory<T>(blocks: usize, work: impl FnOnce(&mut [Block]) -> T) -> T {
    let reused = WORKING_MEMORY.lock().unwrap_or_else(|p| p.into_inner()).pop();
    let mut memory = match reused {
        Some(memory) if memory.len() == blocks => memory,
        // Other parameters (an old hash): its own buffer, returned to the pool like any other.
        _ => vec![Block::default(); blocks],
    };
    let out = work(&mut memory);
    WORKING_MEMORY.lock().unwrap_or_else(|p| p.into_inner()).push(memory);
    out
}

/// Computes the raw argon2 output for `password` and `salt` into an `Output`
/// of `len` bytes, with pooled working memory.
fn argon2_output(
    hasher: &Argon2<'_>,
    blocks: usize,
    password: &[u8],
    salt: &argon2::password_hash::Salt<'_>,
    len: usize,
) -> argon2::password_hash::Result<argon2::password_hash::Output> {
    let mut salt_bytes = [0u8; 64];
    let salt = salt.decode_b64(&mut salt_bytes)?;
    argon2::password_hash::Output::init_with(len, |out| {
        with_working_memory(blocks, |memory| hasher.hash_password_into_with_memory(password, salt, out, memory))
            .map_err(Into::into)
    })
}

/// A PHC string (`$argon2id$v=19$m=…`) for `password` under a fresh salt.
fn hash_phc(password: &[u8]) -> argon2::password_hash::Result<String> {
    let hasher = argon2();
    let params = hasher.params().clone();
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    let output = argon2_output(&hasher, params.block_count(), password, &salt.as_salt(), Params::DEFAULT_OUTPUT_LEN)?;
    Ok(argon2::password_hash::PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: argon2::password_hash::ParamsString::try_from(&params)?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    }
    .to_string())
}

/// Whether `password` matches a stored PHC string (with its own parameters);
/// the outputs are compared in constant time.
fn verify_phc(password: &[u8], stored: &str) -> bool {
    let check = || -> argon2::password_hash::Result<bool> {
        let parsed = argon2::password_hash::PasswordHash::new(stored)?;
        let algorithm = Algorithm::try_from(parsed.algorithm)?;
        let version = parsed.version.map(Version::try_from).transpose()?.unwrap_or_default();
        let params = Params::try_from(&parsed)?;
        let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else { return Ok(false) };
        let hasher = Argon2::new(algorithm, version, params.clone());
        let computed = argon2_output(&hasher, params.block_count(), password, &salt, expected.len())?;
        Ok(computed == expected)
    };
    check().unwrap_or(false)
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
            hash_phc(password.as_bytes()).map(PasswordHash).map_err(|e| anyhow::anyhow!("argon2: {e}"))
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
            verify_phc(password.as_bytes(), &stored) && known
        })
        .await
        .context("The password verification task failed")
}

/// A valid hash of a random password, computed once per process (on the
/// blocking thread of the first unknown-account sign-in, under its permit).
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_phc(crate::auth::tokens::opaque_token().as_bytes()).unwrap_or_default())
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
    fn pooled_hashing_agrees_with_the_argon2_crate_both_ways() {
        use argon2::{PasswordHasher, PasswordVerifier};
        let ours = hash_phc(b"plum orbit canoe 42").unwrap();
        let parsed = argon2::PasswordHash::new(&ours).unwrap();
        assert!(argon2().verify_password(b"plum orbit canoe 42", &parsed).is_ok(), "the crate accepts our hash");
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        let theirs = argon2().hash_password(b"plum orbit canoe 42", &salt).unwrap().to_string();
        assert!(verify_phc(b"plum orbit canoe 42", &theirs), "we accept the crate's hash");
        assert!(!verify_phc(b"plum orbit canoe 43", &theirs));
        // A hash made with other parameters still verifies (with a buffer of its own size).
        let light = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(1024, 1, 1, None).unwrap());
        let old = light.hash_password(b"older", &salt).unwrap().to_string();
        assert!(verify_phc(b"older", &old) && !verify_phc(b"newer", &old));
        // The pool holds buffers for reuse rather than allocating per hash.
        assert!(!WORKING_MEMORY.lock().unwrap().is_empty());
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

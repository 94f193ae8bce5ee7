//! Access tokens (short-lived JWTs) and opaque tokens (refresh, email links).
//!
//! Access tokens are HS256 with the algorithm pinned; `exp`, `nbf`, `iss`,
//! `aud`, `sub` and a token type are all required and checked, so nothing but
//! an access token minted here passes as one.

use std::time::Duration;

use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{config::Config, error::AppError};
use entity::user::Role;

const ACCESS_TOKEN_TYPE: &str = "access";

#[derive(Debug, Serialize, Deserialize)]
pub struct AccessClaims {
    pub sub: Uuid,
    pub role: Role,
    pub typ: String,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub jti: Uuid,
    /// The account's session epoch when the token was issued (tokens from before epochs existed are 0).
    #[serde(default)]
    pub sev: i32,
}

/// Signs and checks access tokens for this deployment.
#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
    audience: String,
    ttl: Duration,
}

impl JwtKeys {
    pub fn from_config(config: &Config) -> Self {
        let secret = config.jwt_secret.expose_secret().as_bytes();
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[&config.jwt_issuer]);
        validation.set_audience(&[&config.jwt_audience]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = 5;
        JwtKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            issuer: config.jwt_issuer.clone(),
            audience: config.jwt_audience.clone(),
            ttl: config.access_token_ttl,
        }
    }

    pub fn access_ttl(&self) -> Duration {
        self.ttl
    }

    pub fn issue_access(&self, user_id: Uuid, role: Role, session_epoch: i32) -> Result<String, AppError> {
        let now = chrono::Utc::now().timestamp();
        let claims = AccessClaims {
            sub: user_id,
            role,
            typ: ACCESS_TOKEN_TYPE.into(),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            iat: now,
            nbf: now,
            exp: now + self.ttl.as_secs() as i64,
            jti: Uuid::now_v7(),
            sev: session_epoch,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("Failed to sign an access token")))
    }

    /// The claims of a valid access token; any other token is UNAUTHENTICATED.
    pub fn verify_access(&self, token: &str) -> Result<AccessClaims, AppError> {
        let data = jsonwebtoken::decode::<AccessClaims>(token, &self.decoding, &self.validation).map_err(|err| {
            use jsonwebtoken::errors::ErrorKind;
            match err.kind() {
                ErrorKind::ExpiredSignature => AppError::UnauthenticatedBecause("The access token has expired"),
                _ => AppError::UnauthenticatedBecause("The access token is invalid"),
            }
        })?;
        if data.claims.typ != ACCESS_TOKEN_TYPE {
            return Err(AppError::UnauthenticatedBecause("The access token is invalid"));
        }
        Ok(data.claims)
    }
}

/// A fresh 256-bit random token, URL-safe, for refresh tokens and mailed links.
pub fn opaque_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// What is stored in place of an opaque token. The tokens are random, so a
/// plain SHA-256 is enough (no salt or slow hash needed).
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(secret: &str, issuer: &str, audience: &str) -> JwtKeys {
        let map = std::collections::HashMap::from([
            ("JWT_SECRET".to_owned(), secret.to_owned()),
            ("JWT_ISSUER".to_owned(), issuer.to_owned()),
            ("JWT_AUDIENCE".to_owned(), audience.to_owned()),
            ("DATA_DIR".to_owned(), std::env::temp_dir().display().to_string()),
        ]);
        JwtKeys::from_config(&Config::from_env(&crate::config::Env::from_map(&map)).unwrap())
    }

    const SECRET: &str = "0123456789abcdef0123456789abcdef-test";

    #[test]
    fn round_trip() {
        let keys = keys(SECRET, "https://lectern.test", "lectern-api");
        let id = Uuid::now_v7();
        let token = keys.issue_access(id, Role::Author, 0).unwrap();
        let claims = keys.verify_access(&token).unwrap();
        assert_eq!(claims.sub, id);
        assert_eq!(claims.role, Role::Author);
    }

    #[test]
    fn rejects_other_secret_issuer_audience() {
        let good = keys(SECRET, "https://lectern.test", "lectern-api");
        let token = good.issue_access(Uuid::now_v7(), Role::Reader, 0).unwrap();
        for other in [
            keys("another-secret-another-secret-another", "https://lectern.test", "lectern-api"),
            keys(SECRET, "https://evil.test", "lectern-api"),
            keys(SECRET, "https://lectern.test", "other-api"),
        ] {
            assert!(other.verify_access(&token).is_err());
        }
    }

    #[test]
    fn rejects_alg_none_and_wrong_type() {
        let keys = keys(SECRET, "https://lectern.test", "lectern-api");
        let now = chrono::Utc::now().timestamp();
        let claims = serde_json::json!({
            "sub": Uuid::now_v7(), "role": "ADMIN", "typ": "access", "iss": "https://lectern.test",
            "aud": "lectern-api", "iat": now, "nbf": now, "exp": now + 600, "jti": Uuid::now_v7(),
        });
        let b64 = |v: &serde_json::Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
        let none = format!("{}.{}.", b64(&serde_json::json!({"alg": "none", "typ": "JWT"})), b64(&claims));
        assert!(keys.verify_access(&none).is_err());

        let mut refresh = claims.clone();
        refresh["typ"] = "refresh".into();
        let forged = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &refresh,
            &EncodingKey::from_secret(SECRET.as_bytes()),
        )
        .unwrap();
        assert!(keys.verify_access(&forged).is_err(), "a token of another type never passes as an access token");

        let hs512 =
            jsonwebtoken::encode(&Header::new(Algorithm::HS512), &claims, &EncodingKey::from_secret(SECRET.as_bytes()))
                .unwrap();
        assert!(keys.verify_access(&hs512).is_err(), "the algorithm is pinned");
    }

    #[test]
    fn opaque_tokens_are_unique_and_hashed() {
        let (a, b) = (opaque_token(), opaque_token());
        assert_ne!(a, b);
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), a);
    }
}

//! Certificate files: `GET /certificates/{code}/pdf`, the PDF for its owner and
//! admins (bearer token; the web app fetches it and saves the blob), and
//! `GET /.well-known/lectern-certificate-key`, the public signing key as a JWK
//! for anyone verifying a certificate without GraphQL. The certificate's
//! public page, `/certificates/{code}`, belongs to the web app.

use axum::{
    extract::{Path, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use base64::Engine;

use super::{Http, REQUEST_ID, auth::app_error};
use crate::{auth::Viewer, domains::certificates::service as certificates, error::AppError};

/// The PDF of a certificate: 401 without (or with a bad) bearer token, 404 for
/// a code that is not the viewer's (or unknown, revoked, no longer verifying),
/// so codes reveal nothing about downloads.
pub async fn pdf(State(http): State<Http>, Path(code): Path<String>, headers: HeaderMap) -> Response {
    let request_id = headers.get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-").to_owned();
    let authorization = headers.get(header::AUTHORIZATION).map(|v| v.to_str().unwrap_or("invalid"));
    let refused = |err: AppError| {
        let mut response = app_error(&err, &request_id);
        if response.status() == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    };
    let viewer = match Viewer::from_bearer(&http.state.jwt, authorization) {
        Ok(viewer) => viewer,
        Err(err) => return refused(err),
    };
    match certificates::pdf(&http.state, &viewer, &code).await {
        Ok(bytes) => {
            let disposition = format!("attachment; filename=\"lectern-certificate-{}.pdf\"", code_for_filename(&code));
            let mut response = bytes.into_response();
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/pdf"));
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
            if let Ok(value) = HeaderValue::from_str(&disposition) {
                headers.insert(header::CONTENT_DISPOSITION, value);
            }
            response
        }
        Err(err) => refused(err),
    }
}

/// The code as it may appear in a file name (the served code parsed, so only A–Z and 2–7).
fn code_for_filename(raw: &str) -> String {
    crate::domains::certificates::signature::parse_code(raw).unwrap_or_default()
}

/// The certificate signing key as a JSON Web Key (RFC 8037: `OKP`, `Ed25519`).
pub async fn signing_key(State(http): State<Http>) -> Response {
    let key = &http.state.certificate_key;
    let body = serde_json::json!({
        "kty": "OKP",
        "crv": "Ed25519",
        "alg": "EdDSA",
        "use": "sig",
        "kid": key.key_id(),
        "x": base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key.public_key()),
    });
    (
        [(header::CONTENT_TYPE, "application/jwk+json"), (header::CACHE_CONTROL, "public, max-age=3600")],
        body.to_string(),
    )
        .into_response()
}

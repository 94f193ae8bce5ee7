//! GraphQL surface of certificates: the public check by code and the signing
//! key, the viewer's certificates and their request, admins' revocation, and
//! what `User.certificates` shows (through `certificates_of` at the bottom).
//!
//! The roots box their service futures: the merged query and mutation roots
//! nest every domain's resolver futures, so one domain's large future (issuing
//! writes, signs and renders) would deepen the stack of every operation (a
//! debug-build test's 2 MiB thread overflowed in another domain's mutation).

use async_graphql::{Context, ID, Object, Result};
use base64::Engine;
use chrono::{DateTime, Utc};

use super::{
    loaders::CertificatesOf,
    service::{self, CertificateStatus, Verification},
    signature::{self, Signed},
};
use crate::{
    domains::{
        accounts::{loaders::UserById, schema::User},
        engagement::service as engagement,
        series::{loaders::SeriesById, schema::Series},
    },
    graphql::{
        ContextExt, Require,
        pagination::{Connection, connection, page_args, page_complexity},
        parse_id,
    },
};
use entity::{certificate, user};

fn base64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A certificate of completion: its recipient finished every published post of a series.
pub struct Certificate(pub certificate::Model);

#[Object]
impl Certificate {
    /// Identifies the certificate (for `revokeCertificate` and `restoreCertificate`).
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The public verification code: 32 characters, A–Z and 2–7. Anyone can
    /// check it with `certificate(code:)` or on its page (`verificationUrl`).
    async fn code(&self) -> &str {
        &self.0.code
    }

    /// The recipient's display name when the certificate was issued.
    async fn recipient_name(&self) -> &str {
        &self.0.recipient_name
    }

    /// The series' title when the certificate was issued.
    async fn series_title(&self) -> &str {
        &self.0.series_title
    }

    /// Who earned it.
    async fn user(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        Ok(ctx.loader().load_one(UserById(self.0.user_id)).await?.map(User::from))
    }

    /// The series it was issued for; null once the series is deleted (the certificate stays).
    async fn series(&self, ctx: &Context<'_>) -> Result<Option<Series>> {
        Ok(ctx.loader().load_one(SeriesById(self.0.series_id)).await?.map(Series::from))
    }

    /// When it was issued (UTC, whole seconds).
    async fn issued_at(&self) -> DateTime<Utc> {
        self.0.issued_at
    }

    /// Whether an admin revoked it.
    async fn revoked(&self) -> bool {
        self.0.revoked_at.is_some()
    }

    /// When it was revoked; null unless revoked.
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }

    /// Why it was revoked; only the recipient and admins see it (null for
    /// others, and while it is not revoked).
    async fn revoked_reason(&self, ctx: &Context<'_>) -> Option<&str> {
        if !ctx.viewer().is_owner_or_admin(self.0.user_id) {
            return None;
        }
        self.0.revoked_reason.as_deref()
    }

    /// VALID, REVOKED, or INVALID_SIGNATURE when its stored fields no longer match its signature.
    async fn status(&self, ctx: &Context<'_>) -> CertificateStatus {
        service::status_of(&ctx.state().certificate_key, &self.0)
    }

    /// Whether it holds: signed by this server, unchanged since, and not revoked.
    async fn valid(&self, ctx: &Context<'_>) -> bool {
        service::status_of(&ctx.state().certificate_key, &self.0) == CertificateStatus::Valid
    }

    /// Its public page, where anyone checks it: `PUBLIC_URL/certificates/<code>`.
    async fn verification_url(&self, ctx: &Context<'_>) -> String {
        ctx.state().link(&service::page_path(&self.0.code), None)
    }

    /// Where the recipient (or an admin) downloads it as a PDF, with their
    /// bearer token: `PUBLIC_URL/certificates/<code>/pdf`.
    async fn pdf_url(&self, ctx: &Context<'_>) -> String {
        ctx.state().link(&service::pdf_path(&self.0.code), None)
    }
}

/// What a certificate code says, for anyone: the status, and the certificate's
/// fields when one is stored under the code (also when it is revoked or its
/// signature fails, so a reader sees what is claimed and that it does not hold).
pub struct CertificateVerification(Verification);

impl CertificateVerification {
    fn row(&self) -> Option<&certificate::Model> {
        self.0.certificate.as_ref()
    }
}

#[Object]
impl CertificateVerification {
    /// VALID, REVOKED, INVALID_SIGNATURE (stored, but changed since it was
    /// signed) or UNKNOWN (no certificate has this code, or it is not a code).
    async fn status(&self) -> CertificateStatus {
        self.0.status
    }

    /// True only for a certificate this server issued, unchanged since and not revoked.
    async fn valid(&self) -> bool {
        self.0.status == CertificateStatus::Valid
    }

    /// Whether the certificate is revoked (false for an unknown code).
    async fn revoked(&self) -> bool {
        self.row().is_some_and(|row| row.revoked_at.is_some())
    }

    /// When it was revoked; null unless revoked.
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.row().and_then(|row| row.revoked_at)
    }

    /// The code as stored (upper case, no dashes); null for an unknown code.
    async fn code(&self) -> Option<&str> {
        self.row().map(|row| row.code.as_str())
    }

    /// The recipient's name as issued; null for an unknown code.
    async fn recipient_name(&self) -> Option<&str> {
        self.row().map(|row| row.recipient_name.as_str())
    }

    /// The series' title as issued; null for an unknown code.
    async fn series_title(&self) -> Option<&str> {
        self.row().map(|row| row.series_title.as_str())
    }

    /// When it was issued; null for an unknown code.
    async fn issued_at(&self) -> Option<DateTime<Utc>> {
        self.row().map(|row| row.issued_at)
    }

    /// The series, while it exists; null for an unknown code.
    async fn series(&self, ctx: &Context<'_>) -> Result<Option<Series>> {
        let Some(row) = self.row() else { return Ok(None) };
        Ok(ctx.loader().load_one(SeriesById(row.series_id)).await?.map(Series::from))
    }

    /// The recipient's user id (a signed field); null for an unknown code.
    async fn recipient_id(&self) -> Option<ID> {
        self.row().map(|row| ID(row.user_id.to_string()))
    }

    /// The series id (a signed field); null for an unknown code.
    async fn series_id(&self) -> Option<ID> {
        self.row().map(|row| ID(row.series_id.to_string()))
    }

    /// The stored Ed25519 signature, base64url without padding; null for an unknown code.
    async fn signature(&self) -> Option<&str> {
        self.row().map(|row| row.signature.as_str())
    }

    /// The canonical encoding of the stored fields, base64url without padding:
    /// the bytes the signature must verify over with `certificateSigningKey`
    /// (README, "Certificates"); null for an unknown code.
    async fn signed_message(&self) -> Option<String> {
        self.row().map(|row| base64url(&Signed::of(row).message()))
    }
}

/// The public half of the key certificates are signed with.
pub struct CertificateSigningKey;

#[Object]
impl CertificateSigningKey {
    /// Always `Ed25519` (RFC 8032).
    async fn algorithm(&self) -> &str {
        "Ed25519"
    }

    /// The 32-byte public key, base64url without padding (the `x` of a JWK).
    async fn public_key(&self, ctx: &Context<'_>) -> String {
        base64url(&ctx.state().certificate_key.public_key())
    }

    /// A short name for the key: the first 8 bytes of SHA-256 of the public key, in hex (printed on the PDFs).
    async fn key_id(&self, ctx: &Context<'_>) -> String {
        ctx.state().certificate_key.key_id()
    }

    /// The context string that opens every signed message (the canonical encoding's version).
    async fn encoding(&self) -> &str {
        signature::CONTEXT
    }
}

#[derive(Default)]
pub struct CertificatesQuery;

#[Object]
impl CertificatesQuery {
    /// Checks a certificate code, for anyone (no sign-in). Grouped or lower-case
    /// input is read as the code it spells. Unknown, forged or malformed input
    /// answers `valid: false` with status UNKNOWN, not an error (a NUL byte,
    /// refused in every argument, is BAD_USER_INPUT).
    async fn certificate(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The verification code, e.g. from the PDF (`ABCD-EFGH-…`) or the page's address.")]
        code: String,
    ) -> Result<CertificateVerification> {
        Ok(CertificateVerification(Box::pin(service::verify(ctx.state(), &code)).await?))
    }

    /// The public key certificates are signed with, so anyone can check one
    /// without this server (also at `/.well-known/lectern-certificate-key` as a JWK).
    async fn certificate_signing_key(&self) -> CertificateSigningKey {
        CertificateSigningKey
    }

    /// The viewer's certificates, newest first (revoked ones included).
    #[graphql(guard = "Require::SignedIn", complexity = "page_complexity(child_complexity, first, last)")]
    async fn my_certificates(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most 100.")] first: Option<i32>,
        #[graphql(desc = "A cursor from this list: the page after it.")] after: Option<String>,
        #[graphql(desc = "At most 100.")] last: Option<i32>,
        #[graphql(desc = "A cursor from this list: the page before it.")] before: Option<String>,
    ) -> Result<Connection<Certificate>> {
        let args = page_args(ctx, first, after, last, before);
        Ok(connection(Box::pin(service::list(&ctx.state().db, ctx.viewer(), &args)).await?, Certificate))
    }
}

#[derive(Default)]
pub struct CertificatesMutation;

#[Object]
impl CertificatesMutation {
    /// The viewer's certificate for a series they finished, issued now if they
    /// have none (e.g. they finished it before certificates existed); the one
    /// they have otherwise. BAD_USER_INPUT on `seriesId` while a published post
    /// of the series is unfinished; NOT_FOUND for an unknown series.
    #[graphql(guard = "Require::SignedIn")]
    async fn request_certificate(&self, ctx: &Context<'_>, series_id: ID) -> Result<Certificate> {
        let series_id = parse_id("seriesId", &series_id)?;
        Ok(Certificate(Box::pin(service::request(ctx.state(), ctx.viewer(), series_id)).await?))
    }

    /// Revokes a certificate (admins): it then checks as REVOKED, not as
    /// missing. BAD_USER_INPUT on `reason` unless it is one line of 1–500
    /// characters; CONFLICT when revoked already; NOT_FOUND for an unknown id.
    #[graphql(guard = "Require::Role(entity::user::Role::Admin)")]
    async fn revoke_certificate(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(desc = "Why, for the recipient and other admins (1–500 characters, one line).")] reason: String,
    ) -> Result<Certificate> {
        let id = parse_id("id", &id)?;
        Ok(Certificate(Box::pin(service::revoke(&ctx.state().db, ctx.viewer(), id, &reason)).await?))
    }

    /// Lifts a revocation (admins). CONFLICT when the certificate is not
    /// revoked; NOT_FOUND for an unknown id.
    #[graphql(guard = "Require::Role(entity::user::Role::Admin)")]
    async fn restore_certificate(&self, ctx: &Context<'_>, id: ID) -> Result<Certificate> {
        let id = parse_id("id", &id)?;
        Ok(Certificate(Box::pin(service::restore(&ctx.state().db, ctx.viewer(), id)).await?))
    }
}

// What `User` shows of certificates (resolved from `accounts::schema`).

/// `user`'s certificates, newest first (revoked ones only for the user and
/// admins), or None when their profile is private to this viewer.
pub async fn certificates_of(ctx: &Context<'_>, user: &user::Model) -> Result<Option<Vec<Certificate>>> {
    if !engagement::profile_visible(ctx.viewer(), user) {
        return Ok(None);
    }
    let rows = ctx.loader().load_one(CertificatesOf(user.id)).await?.unwrap_or_default();
    let viewer = ctx.viewer();
    Ok(Some(rows.into_iter().filter(|row| service::listed_for(viewer, row)).map(Certificate).collect()))
}

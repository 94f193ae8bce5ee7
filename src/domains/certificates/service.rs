//! Certificates rules: one per reader and series, issued once every published
//! post of the series is finished (by the `issue_certificate` job that
//! finishing it queues, or on the reader's request), signed with the server's
//! key (see `signature`), checked by anyone who has the code, revoked and
//! restored by admins, and downloadable as a PDF (see `pdf`) by its owner.
//!
//! Issuing is idempotent: the unique key on (user, series) makes a repeated
//! or concurrent issue find the certificate the first one made, and only the
//! issue that stored it raises the `CERTIFICATE_ISSUED` notification.

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set, TryInsertResult,
    sea_query::Expr,
};
use uuid::Uuid;

use super::{
    pdf::{self, Sheet},
    signature::{self, Signed},
};
use crate::{
    auth::Viewer,
    domains::{
        accounts::{Role, service as accounts},
        notifications::{self, service::Notice},
        posts::service as posts,
        progress::service as progress,
        series::service as series,
    },
    error::{AppError, AppResult},
    infra::{files::FileKey, signing::Ed25519Key},
    jobs::Job,
    pagination::{Cursor, Page, PageArgs, Sort, paginate},
    state::{AppState, BeginWrite},
    write::Write,
};
use entity::certificate;

/// Longest revocation reason, in characters.
pub const MAX_REASON: usize = 500;

/// What a certificate's check says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, async_graphql::Enum)]
pub enum CertificateStatus {
    /// Issued by this server, unchanged since, and not revoked.
    Valid,
    /// Issued by this server and unchanged, but revoked by an admin.
    Revoked,
    /// A certificate is stored under the code, but its fields no longer match
    /// its signature (changed after it was issued, or signed with another key).
    InvalidSignature,
    /// No certificate has this code (or the input is not a code at all).
    Unknown,
}

/// The status of a stored certificate: its signature first, then revocation.
pub fn status_of(key: &Ed25519Key, row: &certificate::Model) -> CertificateStatus {
    if !signature::authentic(key, row) {
        CertificateStatus::InvalidSignature
    } else if row.revoked_at.is_some() {
        CertificateStatus::Revoked
    } else {
        CertificateStatus::Valid
    }
}

/// A reader finished a series (in `write`, the change that finished it): their
/// certificate is queued unless they have one.
pub async fn on_series_finished(write: &Write, user_id: Uuid, series_id: Uuid) -> AppResult<()> {
    if find_for(write, user_id, series_id).await?.is_none() {
        write.enqueue(&Job::IssueCertificate { user: user_id, series: series_id }).await?;
    }
    Ok(())
}

/// What an attempt to issue a certificate came to.
#[derive(Debug, Clone, PartialEq)]
pub enum Issue {
    /// This call stored it (and raised the notification).
    Issued(certificate::Model),
    /// The user had it already.
    Existing(certificate::Model),
    /// Some published post of the series is not finished (or it has none).
    NotFinished,
    /// The user or the series no longer exists.
    Gone,
}

impl Issue {
    /// One word for the logs.
    pub fn describe(&self) -> &'static str {
        match self {
            Issue::Issued(_) => "issued",
            Issue::Existing(_) => "already issued",
            Issue::NotFinished => "series not finished",
            Issue::Gone => "user or series gone",
        }
    }
}

/// Issues `user_id`'s certificate for `series_id` if they finished every
/// published post of it and have none yet (the `issue_certificate` job, and
/// `request`). Safe to run again or at the same time: one certificate, one
/// notification. Its PDF is stored once the certificate is.
pub async fn issue(state: &AppState, user_id: Uuid, series_id: Uuid) -> AppResult<Issue> {
    let write = Write::begin(state).await?;
    let outcome = issue_in(&write, state, user_id, series_id).await?;
    write.commit().await?;
    if let Issue::Issued(row) | Issue::Existing(row) = &outcome {
        store_pdf(state, row).await?;
    }
    Ok(outcome)
}

async fn issue_in(write: &Write, state: &AppState, user_id: Uuid, series_id: Uuid) -> AppResult<Issue> {
    if let Some(existing) = find_for(write, user_id, series_id).await? {
        return Ok(Issue::Existing(existing));
    }
    let Some(user) = accounts::find_user(write, user_id).await? else { return Ok(Issue::Gone) };
    let Some(series) = series::by_ids(write, &[series_id]).await?.pop() else { return Ok(Issue::Gone) };
    if !finished(write, user_id, series_id).await? {
        return Ok(Issue::NotFinished);
    }
    let code = signature::new_code();
    let issued_at = signature::issue_time(Utc::now());
    let signed = Signed {
        code: &code,
        user_id,
        series_id,
        recipient_name: &user.display_name,
        series_title: &series.title,
        issued_at,
    };
    let row = certificate::Model {
        id: Uuid::now_v7(),
        signature: signed.sign(&state.certificate_key),
        code: code.clone(),
        user_id,
        series_id,
        recipient_name: user.display_name.clone(),
        series_title: series.title.clone(),
        issued_at,
        revoked_at: None,
        revoked_reason: None,
        revoked_by: None,
    };
    let inserted = certificate::Entity::insert(certificate::ActiveModel {
        id: Set(row.id),
        code: Set(row.code.clone()),
        user_id: Set(row.user_id),
        series_id: Set(row.series_id),
        recipient_name: Set(row.recipient_name.clone()),
        series_title: Set(row.series_title.clone()),
        issued_at: Set(row.issued_at),
        signature: Set(row.signature.clone()),
        revoked_at: Set(None),
        revoked_reason: Set(None),
        revoked_by: Set(None),
    })
    .on_conflict_do_nothing_on([certificate::Column::UserId, certificate::Column::SeriesId])
    .exec_without_returning(write)
    .await?;
    if !matches!(inserted, TryInsertResult::Inserted(1)) {
        // Another issue for the same user and series committed first (PostgreSQL
        // waited for it on the unique key): that one is the certificate.
        let existing = find_for(write, user_id, series_id).await?;
        return Ok(existing.map_or(Issue::Gone, Issue::Existing));
    }
    let notice = Notice {
        user_id,
        kind: notifications::Kind::CertificateIssued,
        title: format!("Your certificate for “{}”", series.title),
        message: format!(
            "You finished every post of “{}”. Anyone can check your certificate with the code {}.",
            series.title,
            signature::grouped(&code)
        ),
        link: Some(page_path(&code)),
    };
    notifications::service::store(write, vec![notice]).await?;
    Ok(Issue::Issued(row))
}

/// Whether `user_id` has finished every published post of the series (and it has at least one).
async fn finished(db: &impl ConnectionTrait, user_id: Uuid, series_id: Uuid) -> AppResult<bool> {
    let published =
        posts::posts_of_series(db, &Viewer::Anonymous, &[series_id]).await?.remove(&series_id).unwrap_or_default();
    let ids: Vec<Uuid> = published.iter().map(|p| p.id).collect();
    let done = progress::progress_of_posts(db, user_id, &ids).await?;
    Ok(progress::series_progress(&published, &done).completed_at.is_some())
}

/// The viewer's certificate for a series they finished, issued now if they
/// have none (say, they finished it before certificates existed). NOT_FOUND
/// for an unknown series; BAD_USER_INPUT on `seriesId` while some published
/// post of it is unfinished.
pub async fn request(state: &AppState, viewer: &Viewer, series_id: Uuid) -> AppResult<certificate::Model> {
    let user_id = viewer.require_signed_in()?;
    match issue(state, user_id, series_id).await? {
        Issue::Issued(row) | Issue::Existing(row) => Ok(row),
        Issue::NotFinished => Err(AppError::bad_input(
            "seriesId",
            "Finish every published post of the series first; the certificate follows",
        )),
        Issue::Gone => Err(AppError::NotFound("Series")),
    }
}

async fn find_for(db: &impl ConnectionTrait, user_id: Uuid, series_id: Uuid) -> AppResult<Option<certificate::Model>> {
    Ok(certificate::Entity::find()
        .filter(certificate::Column::UserId.eq(user_id))
        .filter(certificate::Column::SeriesId.eq(series_id))
        .one(db)
        .await?)
}

/// The certificate stored under `raw` (the code as typed: grouped, any case);
/// None for an unknown code or input that cannot be a code (never looked up).
pub async fn find_by_code(db: &impl ConnectionTrait, raw: &str) -> AppResult<Option<certificate::Model>> {
    let Some(code) = signature::parse_code(raw) else { return Ok(None) };
    Ok(certificate::Entity::find().filter(certificate::Column::Code.eq(code)).one(db).await?)
}

/// What anyone learns from a code: the status, and the certificate when one is stored under it.
#[derive(Debug, Clone, PartialEq)]
pub struct Verification {
    pub status: CertificateStatus,
    pub certificate: Option<certificate::Model>,
}

/// Checks a code for anyone, signed in or not. An unknown, forged or
/// malformed code (wrong characters, thousands of them, NUL bytes) is
/// UNKNOWN, never an error; a stored row changed since it was signed is INVALID_SIGNATURE; a
/// revoked one is REVOKED, with its fields.
pub async fn verify(state: &AppState, raw: &str) -> AppResult<Verification> {
    Ok(match find_by_code(&state.db, raw).await? {
        Some(row) => Verification { status: status_of(&state.certificate_key, &row), certificate: Some(row) },
        None => Verification { status: CertificateStatus::Unknown, certificate: None },
    })
}

/// The viewer's certificates, newest first.
pub async fn list(db: &impl ConnectionTrait, viewer: &Viewer, args: &PageArgs) -> AppResult<Page<certificate::Model>> {
    let owner = viewer.require_signed_in()?;
    let select = certificate::Entity::find().filter(certificate::Column::UserId.eq(owner));
    paginate(db, select, certificate::Column::Id, Sort::newest(), |row| Cursor::id(row.id), args).await
}

/// Each user's certificates, newest first (for the loader behind `User.certificates`).
pub async fn of_users(
    db: &impl ConnectionTrait,
    user_ids: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<certificate::Model>>> {
    let mut by_user: HashMap<Uuid, Vec<certificate::Model>> = HashMap::new();
    if user_ids.is_empty() {
        return Ok(by_user);
    }
    let rows = certificate::Entity::find()
        .filter(certificate::Column::UserId.is_in(user_ids.iter().copied()))
        .order_by_desc(certificate::Column::Id)
        .all(db)
        .await?;
    for row in rows {
        by_user.entry(row.user_id).or_default().push(row);
    }
    Ok(by_user)
}

/// Whether a profile shows `row` to `viewer`: revoked certificates only to their owner and admins.
pub fn listed_for(viewer: &Viewer, row: &certificate::Model) -> bool {
    row.revoked_at.is_none() || viewer.is_owner_or_admin(row.user_id)
}

/// A revocation reason: trimmed, 1–500 characters on one line.
fn parse_reason(raw: &str) -> AppResult<String> {
    let reason = raw.trim();
    if reason.is_empty() {
        return Err(AppError::bad_input("reason", "Say why the certificate is revoked"));
    }
    if reason.chars().count() > MAX_REASON {
        return Err(AppError::bad_input("reason", format!("A reason has at most {MAX_REASON} characters")));
    }
    if reason.chars().any(char::is_control) {
        return Err(AppError::bad_input("reason", "A reason is one line without control characters"));
    }
    Ok(reason.to_owned())
}

async fn get(db: &impl ConnectionTrait, id: Uuid) -> AppResult<certificate::Model> {
    certificate::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound("Certificate"))
}

/// Revokes a certificate (admins): it then verifies as REVOKED, not as
/// missing. CONFLICT when it is revoked already.
pub async fn revoke(db: &DatabaseConnection, viewer: &Viewer, id: Uuid, reason: &str) -> AppResult<certificate::Model> {
    let admin = viewer.require_role(Role::Admin)?;
    let reason = parse_reason(reason)?;
    let txn = db.begin_write().await?;
    let row = get(&txn, id).await?;
    if row.revoked_at.is_some() {
        return Err(AppError::conflict("id", "This certificate is revoked already"));
    }
    let now = Utc::now();
    certificate::Entity::update_many()
        .col_expr(certificate::Column::RevokedAt, Expr::value(Some(now)))
        .col_expr(certificate::Column::RevokedReason, Expr::value(Some(reason.clone())))
        .col_expr(certificate::Column::RevokedBy, Expr::value(Some(admin)))
        .filter(certificate::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    let row = get(&txn, id).await?;
    txn.commit().await?;
    tracing::info!(certificate = %id, %admin, "certificate revoked");
    Ok(row)
}

/// Lifts a revocation (admins). CONFLICT when the certificate is not revoked.
pub async fn restore(db: &DatabaseConnection, viewer: &Viewer, id: Uuid) -> AppResult<certificate::Model> {
    let admin = viewer.require_role(Role::Admin)?;
    let txn = db.begin_write().await?;
    let row = get(&txn, id).await?;
    if row.revoked_at.is_none() {
        return Err(AppError::conflict("id", "This certificate is not revoked"));
    }
    certificate::Entity::update_many()
        .col_expr(certificate::Column::RevokedAt, Expr::value(Option::<chrono::DateTime<Utc>>::None))
        .col_expr(certificate::Column::RevokedReason, Expr::value(Option::<String>::None))
        .col_expr(certificate::Column::RevokedBy, Expr::value(Option::<Uuid>::None))
        .filter(certificate::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    let row = get(&txn, id).await?;
    txn.commit().await?;
    tracing::info!(certificate = %id, %admin, "certificate restored");
    Ok(row)
}

/// The certificate's public page in the web app.
pub fn page_path(code: &str) -> String {
    format!("/certificates/{code}")
}

/// Where its owner downloads the PDF (with their bearer token).
pub fn pdf_path(code: &str) -> String {
    format!("/certificates/{code}/pdf")
}

fn pdf_key(row: &certificate::Model) -> AppResult<FileKey> {
    Ok(FileKey::new(format!("certificates/{}.pdf", row.id))?)
}

/// Renders `row`'s PDF (off the async threads: it measures text glyph by glyph).
async fn render(state: &AppState, row: &certificate::Model) -> AppResult<Vec<u8>> {
    let (name, title, issued_at) = (row.recipient_name.clone(), row.series_title.clone(), row.issued_at);
    let code = signature::grouped(&row.code);
    let url = state.link(&page_path(&row.code), None);
    let key_id = state.certificate_key.key_id();
    let bytes = tokio::task::spawn_blocking(move || {
        pdf::render(&Sheet {
            recipient_name: &name,
            series_title: &title,
            issued_at,
            code: &code,
            verification_url: &url,
            key_id: &key_id,
        })
    })
    .await
    .map_err(|err| anyhow::anyhow!("Rendering a certificate stopped: {err}"))?;
    Ok(bytes)
}

/// Stores the PDF of a certificate whose signature holds, unless it is stored already.
async fn store_pdf(state: &AppState, row: &certificate::Model) -> AppResult<()> {
    if !signature::authentic(&state.certificate_key, row) {
        return Ok(());
    }
    let key = pdf_key(row)?;
    if !state.files.exists(&key).await? {
        let bytes = render(state, row).await?;
        state.files.put(&key, &bytes).await?;
    }
    Ok(())
}

/// The PDF of the certificate with code `raw`, for its owner and admins;
/// NOT_FOUND for anyone else, an unknown code, a certificate whose signature
/// no longer holds, and (except for admins) a revoked one. Served from the
/// file store, rendered again (and stored) when the store lacks it: another
/// instance's disk, a lost file.
pub async fn pdf(state: &AppState, viewer: &Viewer, raw: &str) -> AppResult<Vec<u8>> {
    let user_id = viewer.require_signed_in()?;
    let missing = || AppError::NotFound("Certificate");
    let row = find_by_code(&state.db, raw).await?.ok_or_else(missing)?;
    let admin = viewer.role() == Some(Role::Admin);
    if row.user_id != user_id && !admin {
        return Err(missing());
    }
    match status_of(&state.certificate_key, &row) {
        CertificateStatus::Valid => {}
        CertificateStatus::Revoked if admin => {}
        CertificateStatus::InvalidSignature => {
            tracing::warn!(certificate = %row.id, "a stored certificate no longer matches its signature; no PDF served");
            return Err(missing());
        }
        CertificateStatus::Revoked | CertificateStatus::Unknown => return Err(missing()),
    }
    let key = pdf_key(&row)?;
    if let Some(bytes) = state.files.get(&key).await? {
        return Ok(bytes);
    }
    let bytes = render(state, &row).await?;
    if let Err(err) = state.files.put(&key, &bytes).await {
        // The download does not depend on the copy: the next one renders again.
        tracing::warn!(certificate = %row.id, error = %err, "failed to keep a rendered certificate");
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_one_trimmed_line() {
        assert_eq!(parse_reason("  Plagiarised answers ").unwrap(), "Plagiarised answers");
        for bad in ["", "   ", "two\nlines", "nul\0byte", &"x".repeat(MAX_REASON + 1)] {
            let err = parse_reason(bad).unwrap_err();
            assert_eq!((err.code(), format!("{err:?}").contains("reason")), ("BAD_USER_INPUT", true), "{bad:?}");
        }
        assert!(parse_reason(&"é".repeat(MAX_REASON)).is_ok());
    }
}

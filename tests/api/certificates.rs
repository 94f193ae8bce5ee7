//! Certificates: finishing a series issues one (once, however often the job
//! runs), signed so that anyone can check it with the public key; the PDF is
//! its owner's; admins revoke and restore. And the bad input: unfinished
//! series, forged, altered and malformed codes, rows changed in the database,
//! other people's PDFs.

use base64::Engine;
use entity::certificate;
use lectern::domains::certificates::service::{self as certificates, Issue};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set, sea_query::Expr};
use serde_json::{Value, json};

use crate::harness::{TestApp, TestUser, captured_logs, error_code, error_field};

const MARK: &str = "mutation($p: ID!, $s: Int!) { markPostRead(postId: $p, secondsSpent: $s) { secondsSpent } }";
const FIELDS: &str = "id code recipientName seriesTitle issuedAt valid status revoked revokedAt revokedReason
    verificationUrl pdfUrl series { id title } user { id }";
const VERIFY: &str = "query($code: String!) { certificate(code: $code) {
    status valid revoked revokedAt code recipientName seriesTitle issuedAt recipientId seriesId signature
    signedMessage series { id title } } }";
const REQUEST: &str =
    "mutation($seriesId: ID!) { requestCertificate(seriesId: $seriesId) { id code valid seriesTitle } }";
const REVOKE: &str = "mutation($id: ID!, $reason: String!) { revokeCertificate(id: $id, reason: $reason) {
    id revoked revokedAt revokedReason valid status } }";
const RESTORE: &str = "mutation($id: ID!) { restoreCertificate(id: $id) { id revoked revokedAt valid status } }";

/// A series with published posts (and a draft, which does not count).
struct Course {
    series: String,
    posts: Vec<String>,
}

async fn course(app: &TestApp, author: &TestUser, title: &str, published: usize) -> Course {
    let made = app
        .graphql_as(
            author,
            "mutation($t: String!) { createSeries(input: { title: $t, description: \"A course\" }) { id } }",
            json!({ "t": title }),
        )
        .await;
    let series = made["data"]["createSeries"]["id"].as_str().unwrap_or_else(|| panic!("{made}")).to_owned();
    let mut posts = Vec::new();
    for n in 1..=published {
        posts.push(app.published_post(author, &format!("{title}, part {n}")).await.0);
    }
    let draft = app.draft_post(author, &format!("{title}, coming soon")).await.id.to_string();
    for post in posts.iter().chain([&draft]) {
        let added = app
            .graphql_as(
                author,
                "mutation($s: ID!, $p: ID!) { addPostToSeries(seriesId: $s, postId: $p) { id } }",
                json!({ "s": series, "p": post }),
            )
            .await;
        assert!(added["errors"].is_null(), "{added}");
    }
    Course { series, posts }
}

async fn read(app: &TestApp, user: &TestUser, post: &str) {
    let body = app.graphql_as(user, MARK, json!({ "p": post, "s": 600 })).await;
    assert!(body["errors"].is_null(), "{body}");
}

/// Reads every published post of the course and waits for the certificate job.
async fn finish(app: &TestApp, user: &TestUser, course: &Course) -> Value {
    for post in &course.posts {
        read(app, user, post).await;
    }
    app.jobs_done("issue_certificate").await;
    let mine = my_certificates(app, user).await;
    mine.into_iter()
        .find(|c| c["series"]["id"] == course.series.as_str())
        .unwrap_or_else(|| panic!("no certificate for {}", course.series))
}

async fn my_certificates(app: &TestApp, user: &TestUser) -> Vec<Value> {
    let query = format!("{{ myCertificates(first: 50) {{ totalCount nodes {{ {FIELDS} }} }} }}");
    let body = app.graphql_as(user, &query, json!({})).await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["myCertificates"]["nodes"].as_array().unwrap().clone()
}

async fn verify(app: &TestApp, code: &str) -> Value {
    let body = app.graphql(VERIFY, json!({ "code": code })).await;
    assert!(body["errors"].is_null(), "a code is never an error: {body}");
    body["data"]["certificate"].clone()
}

async fn reader(app: &TestApp, email: &str, name: &str) -> TestUser {
    let user = app.register_verified(email).await;
    let renamed = app
        .graphql_as(
            &user,
            "mutation($n: String!) { updateProfile(input: { displayName: $n }) { id } }",
            json!({ "n": name }),
        )
        .await;
    assert!(renamed["errors"].is_null(), "{renamed}");
    user
}

fn uuid(id: &str) -> uuid::Uuid {
    uuid::Uuid::parse_str(id).unwrap()
}

fn data_dir(app: &TestApp) -> std::path::PathBuf {
    std::path::PathBuf::from(&app.env["DATA_DIR"])
}

async fn download(app: &TestApp, token: Option<&str>, code: &str) -> reqwest::Response {
    let mut request = app.client.get(app.url(&format!("/certificates/{code}/pdf")));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("request sent")
}

/// The text of a PDF, by poppler's `pdftotext` (install `poppler-utils`), in
/// the order it is drawn (`-raw`: the default reading-order analysis puts the
/// words of a large italic line into blocks of their own, one per line).
fn pdf_text(pdf: &[u8]) -> String {
    ensure_pdftotext();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("certificate.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-raw", "-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext runs (apt-get install poppler-utils)");
    assert!(out.status.success(), "pdftotext failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Installs poppler-utils (Debian) once when `pdftotext` is missing, as the
/// harness fetches the embedding model: `cargo test` needs nothing set up first.
fn ensure_pdftotext() {
    static READY: std::sync::Once = std::sync::Once::new();
    READY.call_once(|| {
        let present = || std::process::Command::new("pdftotext").arg("-v").output().is_ok();
        if present() {
            return;
        }
        let install = "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null 2>&1 || \
            { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null 2>&1; }";
        let _ = std::process::Command::new("sh").args(["-c", install]).status();
        assert!(present(), "pdftotext is missing and could not be installed (apt-get install poppler-utils)");
    });
}

async fn rows_for(app: &TestApp, user: &TestUser) -> Vec<certificate::Model> {
    certificate::Entity::find().filter(certificate::Column::UserId.eq(uuid(&user.id))).all(&app.state.db).await.unwrap()
}

async fn certificate_notifications(app: &TestApp, user: &TestUser) -> Vec<Value> {
    let body =
        app.graphql_as(user, "{ notifications(first: 50) { nodes { kind title message link } } }", json!({})).await;
    body["data"]["notifications"]["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .filter(|n| n["kind"] == "CERTIFICATE_ISSUED")
        .cloned()
        .collect()
}

async fn issue_jobs(app: &TestApp) -> u64 {
    entity::job::Entity::find()
        .filter(entity::job::Column::Kind.eq("issue_certificate"))
        .count(&app.state.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn finishing_a_series_issues_a_signed_certificate_with_a_pdf_and_a_live_notification() {
    let app = TestApp::spawn().await;
    let author = app.user_with_role("AUTHOR").await;
    let zoe = reader(&app, "zoe@example.com", "Zoë Ångström").await;
    let course = course(&app, &author, "Learn Rust", 2).await;
    let mut ws = app.ws("graphql-transport-ws").await;
    ws.init(Some(&zoe.access_token)).await;
    let live = "subscription { notifications { kind title link } }";
    ws.send(json!({ "id": "s", "type": "subscribe", "payload": { "query": live } })).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;

    read(&app, &zoe, &course.posts[0]).await;
    assert_eq!(issue_jobs(&app).await, 0, "half a series earns nothing");
    read(&app, &zoe, &course.posts[1]).await;
    // Badges may come first (a first read); the certificate's notice follows.
    let mut next = ws.message().await;
    for _ in 0..10 {
        if next["payload"]["data"]["notifications"]["kind"] == "CERTIFICATE_ISSUED" {
            break;
        }
        next = ws.message().await;
    }
    let notice = &next["payload"]["data"]["notifications"];
    assert_eq!(notice["kind"], "CERTIFICATE_ISSUED", "{next}");
    assert_eq!(notice["title"], "Your certificate for “Learn Rust”");
    app.jobs_done("issue_certificate").await;

    let mine = my_certificates(&app, &zoe).await;
    assert_eq!(mine.len(), 1, "{mine:?}");
    let cert = &mine[0];
    let code = cert["code"].as_str().unwrap();
    assert_eq!(code.len(), 32);
    assert!(code.bytes().all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b)), "{code}");
    assert_eq!(notice["link"], format!("/certificates/{code}"));
    assert_eq!((cert["valid"].as_bool(), cert["status"].as_str()), (Some(true), Some("VALID")), "{cert}");
    assert_eq!(cert["recipientName"], "Zoë Ångström");
    assert_eq!(cert["seriesTitle"], "Learn Rust");
    assert_eq!(cert["series"]["id"], course.series.as_str());
    assert_eq!(cert["user"]["id"], zoe.id.as_str());
    assert_eq!(cert["revoked"], false);
    assert_eq!(cert["verificationUrl"], format!("http://lectern.test/certificates/{code}"));
    assert_eq!(cert["pdfUrl"], format!("http://lectern.test/certificates/{code}/pdf"));
    let stored = certificate_notifications(&app, &zoe).await;
    assert_eq!(stored.len(), 1);
    assert!(stored[0]["message"].as_str().unwrap().contains(&code[..4]), "{}", stored[0]);

    // Anyone checks it, signed in or not.
    let checked = verify(&app, code).await;
    assert_eq!((checked["valid"].as_bool(), checked["status"].as_str()), (Some(true), Some("VALID")), "{checked}");
    assert_eq!(checked["recipientName"], "Zoë Ångström");
    assert_eq!(checked["seriesTitle"], "Learn Rust");
    assert_eq!(checked["issuedAt"], cert["issuedAt"]);
    assert_eq!(checked["revoked"], false);
    assert!(checked["revokedAt"].is_null());

    // The PDF was stored when the certificate was issued, and is what the owner downloads.
    let file = data_dir(&app).join("certificates").join(format!("{}.pdf", cert["id"].as_str().unwrap()));
    let kept = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let response = download(&app, Some(&zoe.access_token), code).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    assert!(response.headers()["content-disposition"].to_str().unwrap().contains(code));
    let pdf = response.bytes().await.unwrap();
    assert_eq!(&pdf[..], &kept[..]);
    let text = pdf_text(&pdf);
    for expected in
        ["Certificate of Completion", "Zoë Ångström", "Learn Rust", &code[..4], "lectern.test/certificates/"]
    {
        assert!(text.contains(expected), "{expected:?} is not in the PDF's text:\n{text}");
    }

    // Reading again changes nothing: no second job, no second certificate.
    read(&app, &zoe, &course.posts[1]).await;
    assert_eq!(issue_jobs(&app).await, 1);
    let again = app.graphql_as(&zoe, REQUEST, json!({ "seriesId": course.series })).await;
    assert_eq!(again["data"]["requestCertificate"]["id"], cert["id"], "{again}");
    assert_eq!(rows_for(&app, &zoe).await.len(), 1);
    assert_eq!(certificate_notifications(&app, &zoe).await.len(), 1);
}

#[tokio::test]
async fn a_third_party_verifies_a_certificate_with_the_published_key() {
    let app = TestApp::spawn().await;
    let author = app.user_with_role("AUTHOR").await;
    let ada = reader(&app, "ada-verify@example.com", "Ada “Countess” Lovelace").await;
    let course = course(&app, &author, "Analytical Engines", 1).await;
    let cert = finish(&app, &ada, &course).await;

    // The key, as a JWK and in GraphQL.
    let jwk: Value =
        app.client.get(app.url("/.well-known/lectern-certificate-key")).send().await.unwrap().json().await.unwrap();
    assert_eq!((jwk["kty"].as_str(), jwk["crv"].as_str()), (Some("OKP"), Some("Ed25519")), "{jwk}");
    let key = app.graphql("{ certificateSigningKey { algorithm publicKey keyId encoding } }", json!({})).await;
    let key = &key["data"]["certificateSigningKey"];
    assert_eq!(key["algorithm"], "Ed25519");
    assert_eq!(key["publicKey"], jwk["x"]);
    assert_eq!(key["keyId"], jwk["kid"]);
    assert_eq!(key["encoding"], "lectern-certificate/v1");

    // Rebuild the signed message from the published fields, as the README describes it.
    let checked = verify(&app, cert["code"].as_str().unwrap()).await;
    let issued_at = chrono::DateTime::parse_from_rfc3339(checked["issuedAt"].as_str().unwrap()).unwrap();
    let fields = [
        "lectern-certificate/v1".to_owned(),
        checked["code"].as_str().unwrap().to_owned(),
        checked["recipientId"].as_str().unwrap().to_owned(),
        checked["seriesId"].as_str().unwrap().to_owned(),
        checked["recipientName"].as_str().unwrap().to_owned(),
        checked["seriesTitle"].as_str().unwrap().to_owned(),
        issued_at.with_timezone(&chrono::Utc).format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    ];
    let encode = |fields: &[String]| {
        let mut message = Vec::new();
        for field in fields {
            message.extend_from_slice(&(field.len() as u32).to_be_bytes());
            message.extend_from_slice(field.as_bytes());
        }
        message
    };
    let message = encode(&fields);
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    assert_eq!(b64.decode(checked["signedMessage"].as_str().unwrap()).unwrap(), message);
    let public: [u8; 32] = b64.decode(jwk["x"].as_str().unwrap()).unwrap().try_into().unwrap();
    let public = ed25519_dalek::VerifyingKey::from_bytes(&public).unwrap();
    let signature =
        ed25519_dalek::Signature::from_slice(&b64.decode(checked["signature"].as_str().unwrap()).unwrap()).unwrap();
    assert!(public.verify_strict(&message, &signature).is_ok(), "the published key verifies the certificate");
    let mut forged = fields.clone();
    forged[4] = "Charles Babbage".into();
    assert!(public.verify_strict(&encode(&forged), &signature).is_err(), "another name does not verify");
}

#[tokio::test]
async fn a_certificate_is_requested_only_for_a_finished_series() {
    let app = TestApp::spawn().await;
    let author = app.user_with_role("AUTHOR").await;
    let bob = reader(&app, "bob-request@example.com", "Bob").await;
    let course = course(&app, &author, "Databases", 2).await;

    // Half read: BAD_USER_INPUT on seriesId, nothing stored.
    read(&app, &bob, &course.posts[0]).await;
    let early = app.graphql_as(&bob, REQUEST, json!({ "seriesId": course.series })).await;
    assert_eq!((error_code(&early), error_field(&early)), ("BAD_USER_INPUT", "seriesId"), "{early}");
    assert!(rows_for(&app, &bob).await.is_empty());
    // A series with no published post cannot be finished.
    let empty = app
        .graphql_as(
            &author,
            "mutation { createSeries(input: { title: \"Empty\", description: \"\" }) { id } }",
            json!({}),
        )
        .await;
    let empty = empty["data"]["createSeries"]["id"].as_str().unwrap().to_owned();
    let none = app.graphql_as(&bob, REQUEST, json!({ "seriesId": empty })).await;
    assert_eq!((error_code(&none), error_field(&none)), ("BAD_USER_INPUT", "seriesId"), "{none}");
    // Unknown, malformed, anonymous.
    let unknown = app.graphql_as(&bob, REQUEST, json!({ "seriesId": uuid::Uuid::now_v7().to_string() })).await;
    assert_eq!(error_code(&unknown), "NOT_FOUND", "{unknown}");
    for malformed in ["series-one", "0192f0c4-1a2b-7c3d-8e4f-5a6b7c8d9e0\u{0}"] {
        let refused = app.graphql_as(&bob, REQUEST, json!({ "seriesId": malformed })).await;
        assert_eq!((error_code(&refused), error_field(&refused)), ("BAD_USER_INPUT", "seriesId"), "{refused}");
    }
    assert_eq!(error_code(&app.graphql(REQUEST, json!({ "seriesId": course.series })).await), "UNAUTHENTICATED");

    // Finished before certificates existed: the progress is there, no job ever ran.
    for post in &course.posts {
        entity::reading_progress::Entity::insert(entity::reading_progress::ActiveModel {
            user_id: Set(uuid(&bob.id)),
            post_id: Set(uuid(post)),
            seconds_spent: Set(600),
            completed_at: Set(Some(chrono::Utc::now())),
            updated_at: Set(chrono::Utc::now()),
        })
        .on_conflict(
            sea_orm::sea_query::OnConflict::columns([
                entity::reading_progress::Column::UserId,
                entity::reading_progress::Column::PostId,
            ])
            .update_column(entity::reading_progress::Column::CompletedAt)
            .to_owned(),
        )
        .exec_without_returning(&app.state.db)
        .await
        .unwrap();
    }
    assert_eq!(issue_jobs(&app).await, 0);
    let issued = app.graphql_as(&bob, REQUEST, json!({ "seriesId": course.series })).await;
    let issued = &issued["data"]["requestCertificate"];
    assert_eq!(
        (issued["valid"].as_bool(), issued["seriesTitle"].as_str()),
        (Some(true), Some("Databases")),
        "{issued}"
    );
    let again = app.graphql_as(&bob, REQUEST, json!({ "seriesId": course.series })).await;
    assert_eq!(again["data"]["requestCertificate"]["id"], issued["id"], "the same certificate, not a second");
    assert_eq!(rows_for(&app, &bob).await.len(), 1);
    assert_eq!(certificate_notifications(&app, &bob).await.len(), 1);
    let pdf = download(&app, Some(&bob.access_token), issued["code"].as_str().unwrap()).await;
    assert_eq!(pdf.status(), 200);
}

#[tokio::test]
async fn forged_altered_and_malformed_codes_are_not_valid_and_never_errors() {
    let app = TestApp::spawn().await;
    let author = app.user_with_role("AUTHOR").await;
    let cy = reader(&app, "cy-codes@example.com", "Cy").await;
    let course = course(&app, &author, "Compilers", 1).await;
    let code = finish(&app, &cy, &course).await["code"].as_str().unwrap().to_owned();

    // As people type it: grouped, lower case, spaced.
    let grouped: Vec<String> = code.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect();
    let typed = format!("  {}  ", grouped.join("-").to_lowercase());
    assert_eq!(verify(&app, &typed).await["status"], "VALID");

    let mut altered = code.clone();
    let last = if altered.ends_with('A') { "B" } else { "A" };
    altered.replace_range(31..32, last);
    let forged = "A".repeat(32);
    let nul = format!("{}\u{0}{}", &code[..16], &code[17..]);
    let long = code.repeat(400);
    for bad in [altered.as_str(), &forged, &long, "", "   ", "'; DROP TABLE certificates; --", "☃"] {
        let checked = verify(&app, bad).await;
        assert_eq!((checked["valid"].as_bool(), checked["status"].as_str()), (Some(false), Some("UNKNOWN")), "{bad:?}");
        for field in ["code", "recipientName", "seriesTitle", "issuedAt", "signature", "series"] {
            assert!(checked[field].is_null(), "{bad:?}: {field} in {checked}");
        }
        assert_eq!(checked["revoked"], false);
    }
    // NUL bytes never reach a resolver, here as in every argument (PostgreSQL cannot hold them).
    let body = app.graphql(VERIFY, json!({ "code": nul })).await;
    assert_eq!((error_code(&body), error_field(&body)), ("BAD_USER_INPUT", "code"), "{body}");
    // The PDF route: the same codes are simply not found (never a 500).
    for bad in [altered.as_str(), &forged, &nul, &long, "", "   ", "'; DROP TABLE certificates; --", "☃"] {
        let response = download(&app, Some(&cy.access_token), &urlencode(bad)).await;
        assert_eq!(response.status(), 404, "{bad:?}");
    }
    assert_eq!(verify(&app, &code).await["status"], "VALID", "the real one still is");
}

fn urlencode(raw: &str) -> String {
    url::form_urlencoded::byte_serialize(raw.as_bytes()).collect::<String>().replace('+', "%20")
}

#[tokio::test]
async fn a_row_changed_in_the_database_no_longer_verifies() {
    let app = TestApp::spawn().await;
    let author = app.user_with_role("AUTHOR").await;
    let admin = app.user_with_role("ADMIN").await;
    let dee = reader(&app, "dee-tamper@example.com", "Dee").await;
    let course = course(&app, &author, "Networks", 1).await;
    let cert = finish(&app, &dee, &course).await;
    let code = cert["code"].as_str().unwrap().to_owned();
    let id = uuid(cert["id"].as_str().unwrap());

    let tamper = |column: certificate::Column, value: sea_orm::Value| {
        let db = app.state.db.clone();
        async move {
            certificate::Entity::update_many()
                .col_expr(column, Expr::value(value))
                .filter(certificate::Column::Id.eq(id))
                .exec(&db)
                .await
                .unwrap();
        }
    };
    tamper(certificate::Column::RecipientName, "Mallory".into()).await;
    let checked = verify(&app, &code).await;
    assert_eq!((checked["valid"].as_bool(), checked["status"].as_str()), (Some(false), Some("INVALID_SIGNATURE")));
    assert_eq!(checked["recipientName"], "Mallory", "what is claimed is shown, and that it does not hold");
    let mine = my_certificates(&app, &dee).await;
    assert_eq!((mine[0]["valid"].as_bool(), mine[0]["status"].as_str()), (Some(false), Some("INVALID_SIGNATURE")));
    for user in [&dee, &admin] {
        assert_eq!(download(&app, Some(&user.access_token), &code).await.status(), 404, "no PDF of a forged row");
    }
    tamper(certificate::Column::RecipientName, "Dee".into()).await;
    assert_eq!(verify(&app, &code).await["status"], "VALID", "the signature holds for the issued fields only");

    let row = certificate::Entity::find_by_id(id).one(&app.state.db).await.unwrap().unwrap();
    tamper(certificate::Column::IssuedAt, (row.issued_at - chrono::Duration::days(365)).into()).await;
    assert_eq!(verify(&app, &code).await["status"], "INVALID_SIGNATURE", "a backdated row");
    tamper(certificate::Column::IssuedAt, row.issued_at.into()).await;
    tamper(certificate::Column::SeriesTitle, "Networks (Honours)".into()).await;
    assert_eq!(verify(&app, &code).await["status"], "INVALID_SIGNATURE");
    tamper(certificate::Column::SeriesTitle, row.series_title.clone().into()).await;
    tamper(certificate::Column::Signature, "A".repeat(86).into()).await;
    assert_eq!(verify(&app, &code).await["status"], "INVALID_SIGNATURE");
}

#[tokio::test]
async fn admins_revoke_and_restore_and_a_revoked_certificate_shows_as_revoked() {
    let app = TestApp::spawn().await;
    let author = app.user_with_role("AUTHOR").await;
    let admin = app.user_with_role("ADMIN").await;
    let eve = reader(&app, "eve-revoke@example.com", "Eve").await;
    let other = reader(&app, "other-revoke@example.com", "Other").await;
    let course = course(&app, &author, "Security", 1).await;
    let cert = finish(&app, &eve, &course).await;
    let (id, code) = (cert["id"].as_str().unwrap().to_owned(), cert["code"].as_str().unwrap().to_owned());

    for (user, expected) in [(&eve, "FORBIDDEN"), (&author, "FORBIDDEN")] {
        let refused = app.graphql_as(user, REVOKE, json!({ "id": id, "reason": "Because" })).await;
        assert_eq!(error_code(&refused), expected, "{refused}");
    }
    assert_eq!(error_code(&app.graphql(REVOKE, json!({ "id": id, "reason": "Because" })).await), "UNAUTHENTICATED");
    for bad in ["", "   ", "two\nlines", "nul\u{0}byte", &"x".repeat(501)] {
        let refused = app.graphql_as(&admin, REVOKE, json!({ "id": id, "reason": bad })).await;
        assert_eq!((error_code(&refused), error_field(&refused)), ("BAD_USER_INPUT", "reason"), "{bad:?}");
    }
    let unknown =
        app.graphql_as(&admin, REVOKE, json!({ "id": uuid::Uuid::now_v7().to_string(), "reason": "x" })).await;
    assert_eq!(error_code(&unknown), "NOT_FOUND");
    let malformed = app.graphql_as(&admin, REVOKE, json!({ "id": "nope", "reason": "x" })).await;
    assert_eq!((error_code(&malformed), error_field(&malformed)), ("BAD_USER_INPUT", "id"));
    assert_eq!(verify(&app, &code).await["status"], "VALID", "refused revocations changed nothing");

    let revoked =
        app.graphql_as(&admin, REVOKE, json!({ "id": id, "reason": "  Answers copied from another reader " })).await;
    let revoked = &revoked["data"]["revokeCertificate"];
    assert_eq!((revoked["revoked"].as_bool(), revoked["status"].as_str()), (Some(true), Some("REVOKED")), "{revoked}");
    assert_eq!(revoked["revokedReason"], "Answers copied from another reader");
    let twice = app.graphql_as(&admin, REVOKE, json!({ "id": id, "reason": "again" })).await;
    assert_eq!((error_code(&twice), error_field(&twice)), ("CONFLICT", "id"));

    // Shown as revoked, not missing.
    let checked = verify(&app, &code).await;
    assert_eq!((checked["valid"].as_bool(), checked["status"].as_str()), (Some(false), Some("REVOKED")));
    assert_eq!(checked["revoked"], true);
    assert_eq!(checked["revokedAt"], revoked["revokedAt"]);
    assert_eq!(checked["recipientName"], "Eve");
    let mine = my_certificates(&app, &eve).await;
    assert_eq!((mine[0]["revoked"].as_bool(), mine[0]["valid"].as_bool()), (Some(true), Some(false)));
    assert_eq!(mine[0]["revokedReason"], "Answers copied from another reader", "the owner sees why");
    // On the profile: the owner and admins see it, others do not (nor the reason).
    let profile = "query($id: ID!) { user(id: $id) { certificates { id revoked revokedReason } } }";
    for (viewer, listed) in [(&eve, 1), (&admin, 1), (&other, 0)] {
        let body = app.graphql_as(viewer, profile, json!({ "id": eve.id })).await;
        assert_eq!(body["data"]["user"]["certificates"].as_array().unwrap().len(), listed, "{body}");
    }
    // The PDF: no longer for the owner; admins still see it.
    assert_eq!(download(&app, Some(&eve.access_token), &code).await.status(), 404);
    assert_eq!(download(&app, Some(&admin.access_token), &code).await.status(), 200);

    let restored = app.graphql_as(&admin, RESTORE, json!({ "id": id })).await;
    let restored = &restored["data"]["restoreCertificate"];
    assert_eq!((restored["revoked"].as_bool(), restored["valid"].as_bool()), (Some(false), Some(true)), "{restored}");
    assert!(restored["revokedAt"].is_null());
    assert_eq!(verify(&app, &code).await["status"], "VALID");
    assert_eq!(download(&app, Some(&eve.access_token), &code).await.status(), 200);
    let again = app.graphql_as(&admin, RESTORE, json!({ "id": id })).await;
    assert_eq!((error_code(&again), error_field(&again)), ("CONFLICT", "id"));
    assert_eq!(error_code(&app.graphql_as(&eve, RESTORE, json!({ "id": id })).await), "FORBIDDEN");
}

#[tokio::test]
async fn a_pdf_is_for_its_owner_and_admins_only_and_rendered_again_when_missing() {
    let app = TestApp::spawn().await;
    let author = app.user_with_role("AUTHOR").await;
    let admin = app.user_with_role("ADMIN").await;
    let fay = reader(&app, "fay-pdf@example.com", "Fay").await;
    let gil = reader(&app, "gil-pdf@example.com", "Gil").await;
    let course = course(&app, &author, "Typography", 1).await;
    let cert = finish(&app, &fay, &course).await;
    let code = cert["code"].as_str().unwrap();

    assert_eq!(download(&app, Some(&gil.access_token), code).await.status(), 404, "another reader's");
    let anonymous = download(&app, None, code).await;
    assert_eq!(anonymous.status(), 401);
    assert!(anonymous.headers().contains_key("www-authenticate"));
    let body: Value = anonymous.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
    assert_eq!(download(&app, Some("not-a-token"), code).await.status(), 401);
    assert_eq!(download(&app, Some(&fay.access_token), &"B".repeat(32)).await.status(), 404, "an unknown code");
    assert_eq!(download(&app, Some(&admin.access_token), code).await.status(), 200);

    // A lost file (another instance's disk, a restore without files) is rendered again and kept.
    let file = data_dir(&app).join("certificates").join(format!("{}.pdf", cert["id"].as_str().unwrap()));
    std::fs::remove_file(&file).unwrap();
    let response = download(&app, Some(&fay.access_token), code).await;
    assert_eq!(response.status(), 200);
    let pdf = response.bytes().await.unwrap();
    assert!(pdf_text(&pdf).contains("Fay"));
    assert!(file.exists(), "kept again");
}

#[tokio::test]
async fn the_issue_job_may_run_twice_or_at_the_same_time() {
    let app = TestApp::spawn().await;
    let author = app.user_with_role("AUTHOR").await;
    let hal = reader(&app, "hal-twice@example.com", "Hal").await;
    let ivy = reader(&app, "ivy-twice@example.com", "Ivy").await;
    let course = course(&app, &author, "Concurrency", 2).await;
    let first = finish(&app, &hal, &course).await;

    // The job again, twice (a retry after a crash, a duplicate enqueue).
    let job = lectern::jobs::Job::IssueCertificate { user: uuid(&hal.id), series: uuid(&course.series) };
    for _ in 0..2 {
        lectern::jobs::enqueue(&app.state.db, &job).await.unwrap();
    }
    app.state.job_wake.notify_one();
    app.jobs_done("issue_certificate").await;
    assert_eq!(issue_jobs(&app).await, 3);
    let rows = rows_for(&app, &hal).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].id.to_string(), first["id"].as_str().unwrap());
    assert_eq!(certificate_notifications(&app, &hal).await.len(), 1);

    // At the same time: ivy's progress is there without the job; three issues race.
    let viewer = app.viewer_of(&ivy).await;
    for post in &course.posts {
        lectern::domains::progress::service::mark_post_read(&app.state, &viewer, uuid(post), 600).await.unwrap();
    }
    app.jobs_done("issue_certificate").await;
    certificate::Entity::delete_many()
        .filter(certificate::Column::UserId.eq(uuid(&ivy.id)))
        .exec(&app.state.db)
        .await
        .unwrap();
    let (ivy_id, series) = (uuid(&ivy.id), uuid(&course.series));
    let (a, b, c) = tokio::join!(
        certificates::issue(&app.state, ivy_id, series),
        certificates::issue(&app.state, ivy_id, series),
        certificates::issue(&app.state, ivy_id, series),
    );
    let outcomes = [a.unwrap(), b.unwrap(), c.unwrap()];
    let issued: Vec<_> = outcomes.iter().filter(|o| matches!(o, Issue::Issued(_))).collect();
    assert_eq!(issued.len(), 1, "{outcomes:?}");
    let Issue::Issued(winner) = issued[0] else { unreachable!() };
    for outcome in &outcomes {
        match outcome {
            Issue::Issued(row) | Issue::Existing(row) => assert_eq!(row.id, winner.id),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(rows_for(&app, &ivy).await.len(), 1);
    // One notification from the first issue (whose row was deleted above), one from the race's winner.
    assert_eq!(certificate_notifications(&app, &ivy).await.len(), 2);
}

#[tokio::test]
async fn a_private_profile_hides_certificates_from_others() {
    let app = TestApp::spawn().await;
    let author = app.user_with_role("AUTHOR").await;
    let admin = app.user_with_role("ADMIN").await;
    let jo = reader(&app, "jo-private@example.com", "Jo").await;
    let kim = reader(&app, "kim-private@example.com", "Kim").await;
    let course = course(&app, &author, "Privacy", 1).await;
    let cert = finish(&app, &jo, &course).await;
    let profile = "query($id: ID!) { user(id: $id) { certificates { code seriesTitle } } }";

    let public = app.graphql_as(&kim, profile, json!({ "id": jo.id })).await;
    assert_eq!(public["data"]["user"]["certificates"][0]["code"], cert["code"], "{public}");
    let anonymous = app.graphql(profile, json!({ "id": jo.id })).await;
    assert_eq!(anonymous["data"]["user"]["certificates"][0]["seriesTitle"], "Privacy", "{anonymous}");

    let private = app
        .graphql_as(
            &jo,
            "mutation { updateProfile(input: { displayName: \"Jo\", profilePrivate: true }) { id } }",
            json!({}),
        )
        .await;
    assert!(private["errors"].is_null(), "{private}");
    for viewer in [Some(&kim), None] {
        let body = match viewer {
            Some(user) => app.graphql_as(user, profile, json!({ "id": jo.id })).await,
            None => app.graphql(profile, json!({ "id": jo.id })).await,
        };
        assert!(body["data"]["user"]["certificates"].is_null(), "{body}");
    }
    for viewer in [&jo, &admin] {
        let body = app.graphql_as(viewer, profile, json!({ "id": jo.id })).await;
        assert_eq!(body["data"]["user"]["certificates"].as_array().unwrap().len(), 1, "{body}");
    }
    // The code itself still checks publicly: whoever holds it may verify it.
    assert_eq!(verify(&app, cert["code"].as_str().unwrap()).await["status"], "VALID");
}

#[tokio::test]
async fn the_signing_key_is_private_and_never_stored_or_logged() {
    captured_logs(); // capture from the start
    let app = TestApp::spawn().await;
    let author = app.user_with_role("AUTHOR").await;
    let lee = reader(&app, "lee-key@example.com", "Lee").await;
    let course = course(&app, &author, "Keys", 1).await;
    let cert = finish(&app, &lee, &course).await;
    assert_eq!(download(&app, Some(&lee.access_token), cert["code"].as_str().unwrap()).await.status(), 200);

    let seed = match app.env.get("CERTIFICATE_SIGNING_KEY") {
        Some(given) => given.clone(),
        None => {
            // Embedded: generated once under the data directory, readable by the server's user only.
            let path = data_dir(&app).join("certificate_signing_key");
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
            }
            std::fs::read_to_string(&path).unwrap().trim().to_owned()
        }
    };
    let raw = base64::engine::general_purpose::STANDARD.decode(&seed).unwrap();
    assert_eq!(raw.len(), 32);
    let forms = [
        seed.trim_end_matches('=').to_owned(),
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&raw),
        hex::encode(&raw),
    ];
    let logs = captured_logs();
    let rows = app.stored_rows().await;
    for form in &forms {
        assert!(!logs.contains(form.as_str()), "the signing key is in the logs");
        assert!(!rows.contains(form.as_str()), "the signing key is in the database");
    }
    // The public half is what is published, and it is not the seed.
    let jwk: Value =
        app.client.get(app.url("/.well-known/lectern-certificate-key")).send().await.unwrap().json().await.unwrap();
    assert!(!forms.contains(&jwk["x"].as_str().unwrap().to_owned()));
}

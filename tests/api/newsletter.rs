//! Newsletter double opt-in, one-click unsubscribe (GraphQL and RFC 8058 POST),
//! digests (at most one per user and period) and the sitemap refresh job.

use chrono::Utc;
use lectern::domains::newsletter::{
    digest,
    links::{self, Purpose},
};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;

use crate::harness::{TestApp, error_code, error_field, mail_header, mail_text, token_in};
use entity::digest_delivery;

const SUBSCRIBE: &str = "mutation($email: String!) { subscribeNewsletter(email: $email) }";
const CONFIRM: &str = "mutation($token: String!) { confirmNewsletter(token: $token) { email status confirmedAt } }";
const UNSUBSCRIBE: &str = "mutation($token: String!) { unsubscribeNewsletter(token: $token) { list email } }";

#[tokio::test]
async fn newsletter_is_double_opt_in_and_answers_alike_for_every_address() {
    let app = TestApp::spawn().await;
    let email = "reader@example.com";
    let body = app.graphql(SUBSCRIBE, json!({ "email": email })).await;
    assert_eq!(body["data"]["subscribeNewsletter"], true, "{body}");
    let text = app.mail_to(email, "Confirm your Lectern newsletter").await;
    assert!(text.contains("/newsletter/confirm?token="), "{text}");
    let token = token_in(&text);

    // Tampered, wrong-purpose and expired tokens are refused with a stable code on `token`.
    let mut tampered = token.clone();
    tampered.insert(3, 'x');
    for bad in [tampered, "garbage".to_owned(), links::sign(&app.state, Purpose::Unsubscribe, email, None)] {
        let body = app.graphql(CONFIRM, json!({ "token": bad })).await;
        assert_eq!((error_code(&body), error_field(&body)), ("BAD_USER_INPUT", "token"), "{body}");
    }
    let expired =
        links::sign(&app.state, Purpose::ConfirmNewsletter, email, Some(Utc::now() - chrono::Duration::minutes(1)));
    assert_eq!(error_code(&app.graphql(CONFIRM, json!({ "token": expired })).await), "BAD_USER_INPUT");

    let body = app.graphql(CONFIRM, json!({ "token": token })).await;
    assert_eq!(body["data"]["confirmNewsletter"]["status"], "CONFIRMED", "{body}");
    assert_eq!(body["data"]["confirmNewsletter"]["email"], email);
    // Using the link again is harmless.
    let again = app.graphql(CONFIRM, json!({ "token": token })).await;
    assert_eq!(again["data"]["confirmNewsletter"]["status"], "CONFIRMED");

    // Subscribing a confirmed address answers the same and sends nothing.
    let mails = app.outbox_len();
    let body = app.graphql(SUBSCRIBE, json!({ "email": email.to_uppercase() })).await;
    assert_eq!(body["data"]["subscribeNewsletter"], true);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(app.outbox_len(), mails);

    // Malformed addresses are refused on `email`.
    for bad in ["", "not-an-address", "a@", "@example.com"] {
        let body = app.graphql(SUBSCRIBE, json!({ "email": bad })).await;
        assert_eq!((error_code(&body), error_field(&body)), ("BAD_USER_INPUT", "email"), "{bad:?}: {body}");
    }

    // Unsubscribing needs no sign-in, is idempotent, and a confirmation link cannot undo it.
    let unsubscribe = links::sign(&app.state, Purpose::Unsubscribe, &format!("newsletter:{email}"), None);
    for _ in 0..2 {
        let body = app.graphql(UNSUBSCRIBE, json!({ "token": unsubscribe })).await;
        assert_eq!(body["data"]["unsubscribeNewsletter"], json!({ "list": "NEWSLETTER", "email": email }), "{body}");
    }
    let body = app.graphql(CONFIRM, json!({ "token": token })).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
    assert_eq!(error_code(&app.graphql(UNSUBSCRIBE, json!({ "token": token })).await), "BAD_USER_INPUT");
}

#[tokio::test]
async fn digests_go_out_once_per_period_with_one_click_unsubscribe() {
    let app = TestApp::spawn().await;
    let author = app.user_with_role("AUTHOR").await;
    let reader = app.register("digest@example.com").await;
    let reader_id = uuid::Uuid::parse_str(&reader.id).unwrap();

    let set = "mutation($f: DigestFrequency!) { setDigestFrequency(frequency: $f) { id digestFrequency } }";
    assert_eq!(error_code(&app.graphql(set, json!({ "f": "DAILY" })).await), "UNAUTHENTICATED");
    assert_eq!(error_code(&app.graphql_as(&reader, set, json!({ "f": "HOURLY" })).await), "GRAPHQL_VALIDATION_FAILED");
    let body = app.graphql_as(&reader, set, json!({ "f": "DAILY" })).await;
    assert_eq!(body["data"]["setDigestFrequency"]["digestFrequency"], "DAILY", "{body}");
    // Others do not see the preference.
    let other = app.register("other@example.com").await;
    let peek = app
        .graphql_as(&other, "query($id: ID!) { user(id: $id) { digestFrequency } }", json!({ "id": reader.id }))
        .await;
    if peek["errors"].is_null() {
        assert!(peek["data"]["user"]["digestFrequency"].is_null(), "{peek}");
    }

    app.published_post(&author, "Digest worthy").await;
    let today = Utc::now().date_naive();
    // Unverified addresses get no digest.
    assert_eq!(digest::send_due(&app.state, today).await.unwrap(), 0);
    lectern::domains::accounts::service::mark_email_verified(&app.state.db, reader_id).await.unwrap();

    // Run twice (a retried or duplicated job): one digest.
    assert_eq!(digest::send_due(&app.state, today).await.unwrap(), 1);
    assert_eq!(digest::send_due(&app.state, today).await.unwrap(), 0);
    let deliveries = digest_delivery::Entity::find()
        .filter(digest_delivery::Column::UserId.eq(reader_id))
        .count(&app.state.db)
        .await
        .unwrap();
    assert_eq!(deliveries, 1);

    let raw = app.raw_mail_to("digest@example.com", "Your daily Lectern digest").await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(app.raw_mails_to("digest@example.com", "digest", 1).await.len(), 1);
    let mail = mailparse::parse_mail(&raw).unwrap();
    let text = mail_text(&mail);
    assert!(text.contains("Digest worthy"), "{text}");
    assert_eq!(mail_header(&mail, "List-Unsubscribe-Post"), "List-Unsubscribe=One-Click");
    let header = mail_header(&mail, "List-Unsubscribe");
    assert!(header.starts_with("<http://lectern.test/unsubscribe?token="), "{header}");
    let token = token_in(&header);
    assert_eq!(token_in(&text), token, "the visible link is the header's");

    // GET only shows a confirmation page; the one-click POST unsubscribes.
    let page = app.client.get(app.url(&format!("/unsubscribe?token={token}"))).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("method=\"post\""));
    let me = "{ me { digestFrequency } }";
    assert_eq!(app.graphql_as(&reader, me, json!({})).await["data"]["me"]["digestFrequency"], "DAILY");
    let done = app
        .client
        .post(app.url(&format!("/unsubscribe?token={token}")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 200);
    assert_eq!(app.graphql_as(&reader, me, json!({})).await["data"]["me"]["digestFrequency"], "NEVER");
    let bad = app.client.post(app.url("/unsubscribe?token=forged.token")).send().await.unwrap();
    assert_eq!(bad.status(), 400);
}

#[tokio::test]
async fn the_sitemap_is_rebuilt_by_a_job_after_publishing() {
    let app = TestApp::spawn().await;
    let author = app.user_with_role("AUTHOR").await;
    app.published_post(&author, "First in the map").await;
    let sitemap = || async { app.client.get(app.url("/sitemap.xml")).send().await.unwrap().text().await.unwrap() };
    assert!(sitemap().await.contains("first-in-the-map"));
    let (_, slug) = app.published_post(&author, "Second in the map").await;
    // A bound far past any plausible run (10 minutes): the job may queue behind indexing on a
    // loaded machine.
    for _ in 0..12_000 {
        if sitemap().await.contains(&slug) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the stored sitemap never gained {slug}");
}

#[tokio::test]
async fn a_newsletter_issue_reaches_each_confirmed_address_once() {
    let app = TestApp::spawn().await;
    let admin = app.user_with_role("ADMIN").await;
    let mut tokens = Vec::new();
    for email in ["one@example.com", "two@example.com", "pending@example.com", "gone@example.com"] {
        app.graphql(SUBSCRIBE, json!({ "email": email })).await;
        tokens.push(token_in(&app.mail_to(email, "Confirm your Lectern newsletter").await));
    }
    for token in [&tokens[0], &tokens[1], &tokens[3]] {
        app.graphql(CONFIRM, json!({ "token": token })).await;
    }
    let leave = links::sign(&app.state, Purpose::Unsubscribe, "newsletter:gone@example.com", None);
    app.graphql(UNSUBSCRIBE, json!({ "token": leave })).await;

    let send = "mutation($input: NewsletterInput!) { sendNewsletter(input: $input) { id kind status } }";
    let issue =
        json!({ "input": { "subject": "Lectern monthly", "body": "# News\n\nA **new** series <script>x</script>" } });
    assert_eq!(
        error_code(&app.graphql_as(&app.register("nobody@example.com").await, send, issue.clone()).await),
        "FORBIDDEN"
    );
    let long_subject = "s".repeat(201);
    let long_body = "b".repeat(100_001);
    for (subject, body, field) in [
        (" ", "x", "subject"),
        (long_subject.as_str(), "x", "subject"),
        ("Hi", " \n", "body"),
        ("Hi", long_body.as_str(), "body"),
    ] {
        let bad = json!({ "input": { "subject": subject, "body": body } });
        let answer = app.graphql_as(&admin, send, bad).await;
        assert_eq!((error_code(&answer), error_field(&answer)), ("BAD_USER_INPUT", field), "{answer}");
    }
    assert!(
        entity::job::Entity::find()
            .filter(entity::job::Column::Kind.eq("send_newsletter"))
            .one(&app.state.db)
            .await
            .unwrap()
            .is_none()
    );
    let body = app.graphql_as(&admin, send, issue).await;
    assert_eq!(body["data"]["sendNewsletter"]["kind"], "send_newsletter", "{body}");

    for email in ["one@example.com", "two@example.com"] {
        let raw = app.raw_mail_to(email, "Lectern monthly").await;
        let mail = mailparse::parse_mail(&raw).unwrap();
        assert!(mail_header(&mail, "List-Unsubscribe").contains("/unsubscribe?token="));
        let html = mail.subparts.iter().find(|p| p.ctype.mimetype == "text/html").unwrap().get_body().unwrap();
        assert!(html.contains("<strong>new</strong>") && !html.contains("<script>"), "{html}");
    }
    // Re-running the fan-out (a retry after a crash) mails nobody twice.
    let issue_job = entity::job::Entity::find()
        .filter(entity::job::Column::Kind.eq("send_newsletter"))
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let issue_id = uuid::Uuid::parse_str(issue_job.payload["issue"].as_str().unwrap()).unwrap();
    let again =
        lectern::domains::newsletter::service::fan_out_issue(&app.state, issue_id, "Lectern monthly", "x").await;
    assert_eq!(again.unwrap(), 0);
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    for email in ["one@example.com", "two@example.com"] {
        assert_eq!(app.raw_mails_to(email, "Lectern monthly", 1).await.len(), 1, "{email}");
    }
    let outbox = std::path::PathBuf::from(&app.env["DATA_DIR"]).join("outbox");
    let monthly_to = |to: &str| {
        std::fs::read_dir(&outbox)
            .unwrap()
            .flatten()
            .filter(|e| {
                let raw = std::fs::read_to_string(e.path()).unwrap_or_default();
                raw.contains("Lectern monthly") && raw.contains(&format!("To: {to}"))
            })
            .count()
    };
    assert_eq!(monthly_to("one@example.com"), 1, "the matcher finds a real recipient");
    assert_eq!(monthly_to("pending@example.com"), 0);
    assert_eq!(monthly_to("gone@example.com"), 0);
}

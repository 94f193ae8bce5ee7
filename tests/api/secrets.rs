//! No secret at rest: after every auth and mail flow, no password, access or
//! refresh token, or mailed link token is in any stored row (the job queue
//! included) or in anything the server logged, and no error message echoes a
//! token it was given.

use serde_json::{Value, json};

use crate::harness::{PASSWORD, TestApp, captured_logs, error_code, token_in};

const LOGIN: &str = "mutation($input: LoginInput!) { login(input: $input) { accessToken refreshToken } }";
const REFRESH: &str = "mutation($t: String!) { refreshToken(token: $t) { accessToken refreshToken } }";

fn field(body: &Value, path: &[&str]) -> String {
    let mut value = body;
    for key in path {
        value = &value[*key];
    }
    value.as_str().unwrap_or_else(|| panic!("no {path:?} in {body}")).to_owned()
}

#[tokio::test]
async fn no_token_or_password_is_stored_or_logged() {
    captured_logs(); // start capturing before the app logs anything
    let app = TestApp::spawn().await;
    let email = "careful@example.com";
    let mut secrets: Vec<(&str, String)> = vec![("password", PASSWORD.to_owned())];

    // Register, verify the address from the mail.
    let user = app.register(email).await;
    secrets.push(("access token", user.access_token.clone()));
    secrets.push(("refresh token", user.refresh_token.clone()));
    let verify = token_in(&app.mail_to(email, "Confirm your email").await);
    let body = app.graphql("mutation($t: String!) { verifyEmail(token: $t) { id } }", json!({ "t": verify })).await;
    assert!(body["errors"].is_null(), "{body}");
    secrets.push(("verification token", verify));

    // Sign in (once with a wrong password), refresh, and replay a spent refresh token.
    let wrong = "not-my-password-but-secret-91";
    let body = app.graphql(LOGIN, json!({ "input": { "email": email, "password": wrong } })).await;
    assert_eq!(error_code(&body), "UNAUTHENTICATED");
    secrets.push(("wrong password", wrong.to_owned()));
    let body = app.graphql(LOGIN, json!({ "input": { "email": email, "password": PASSWORD } })).await;
    let spent = field(&body, &["data", "login", "refreshToken"]);
    secrets.push(("access token", field(&body, &["data", "login", "accessToken"])));
    let body = app.graphql(REFRESH, json!({ "t": spent })).await;
    secrets.push(("access token", field(&body, &["data", "refreshToken", "accessToken"])));
    secrets.push(("refresh token", field(&body, &["data", "refreshToken", "refreshToken"])));
    let replayed = app.graphql(REFRESH, json!({ "t": spent })).await;
    assert_eq!(error_code(&replayed), "UNAUTHENTICATED");
    secrets.push(("refresh token", spent));

    // A websocket signed in with an access token.
    let mut ws = app.ws("graphql-transport-ws").await;
    ws.init(Some(&user.access_token)).await;

    // Reset the password from the mail, then change it.
    let body = app.graphql("mutation($e: String!) { requestPasswordReset(email: $e) }", json!({ "e": email })).await;
    assert_eq!(body["data"]["requestPasswordReset"], true, "{body}");
    let reset = token_in(&app.mail_to(email, "Reset your Lectern password").await);
    let second = "a-second-secret-password-48";
    let body = app
        .graphql(
            "mutation($t: String!, $p: String!) { resetPassword(token: $t, newPassword: $p) }",
            json!({ "t": reset, "p": second }),
        )
        .await;
    assert_eq!(body["data"]["resetPassword"], true, "{body}");
    secrets.push(("reset token", reset));
    secrets.push(("password", second.to_owned()));
    let signed_in = app.login(email, second).await;
    let third = "the-third-secret-password-63";
    let body = app
        .graphql_as(
            &signed_in,
            "mutation($c: String!, $n: String!) { changePassword(current: $c, new: $n) }",
            json!({ "c": second, "n": third }),
        )
        .await;
    assert_eq!(body["data"]["changePassword"], true, "{body}");
    secrets.push(("password", third.to_owned()));
    secrets.push(("access token", signed_in.access_token.clone()));
    secrets.push(("refresh token", signed_in.refresh_token.clone()));

    // The newsletter: a confirmation link, then a bulk mail with an unsubscribe link.
    let body = app.graphql("mutation($e: String!) { subscribeNewsletter(email: $e) }", json!({ "e": email })).await;
    assert_eq!(body["data"]["subscribeNewsletter"], true, "{body}");
    let confirm = token_in(&app.mail_to(email, "Confirm your Lectern newsletter").await);
    let body =
        app.graphql("mutation($t: String!) { confirmNewsletter(token: $t) { status } }", json!({ "t": confirm })).await;
    assert_eq!(body["data"]["confirmNewsletter"]["status"], "CONFIRMED", "{body}");
    secrets.push(("newsletter confirmation token", confirm));
    let admin = app.user_with_role("ADMIN").await;
    let body = app
        .graphql_as(
            &admin,
            "mutation($input: NewsletterInput!) { sendNewsletter(input: $input) { id } }",
            json!({ "input": { "subject": "Careful news", "body": "Hello." } }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let unsubscribe = token_in(&app.mail_to(email, "Careful news").await);
    secrets.push(("unsubscribe token", unsubscribe));

    // Bad tokens are refused without being repeated back.
    let bogus = "bogus-token-that-must-not-echo-5521";
    for (query, variables) in [
        ("mutation($t: String!) { verifyEmail(token: $t) { id } }", json!({ "t": bogus })),
        ("mutation($t: String!) { refreshToken(token: $t) { accessToken } }", json!({ "t": bogus })),
        (
            "mutation($t: String!) { resetPassword(token: $t, newPassword: \"x-long-enough-pass-1\") }",
            json!({ "t": bogus }),
        ),
        ("mutation($t: String!) { confirmNewsletter(token: $t) { status } }", json!({ "t": bogus })),
        ("mutation($t: String!) { unsubscribeNewsletter(token: $t) { list } }", json!({ "t": bogus })),
    ] {
        let body = app.graphql(query, variables).await;
        assert!(body["errors"].is_array(), "{body}");
        assert!(!body.to_string().contains(bogus), "an error echoed the token it was given: {body}");
    }
    let body = app.graphql_with(Some(bogus), "{ me { id } }", json!({})).await;
    assert!(!body.to_string().contains(bogus), "{body}");
    drop(ws);

    // Let the queue settle (every mail above was delivered, so the jobs ran).
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let stored = app.stored_rows().await;
    let logs = captured_logs();
    assert!(stored.contains(email), "the dump reads the stored rows");
    assert!(logs.contains("mail written to the outbox"), "the capture sees the server's logs");
    for (what, secret) in &secrets {
        assert!(!stored.contains(secret.as_str()), "a {what} is stored in the database");
        assert!(!logs.contains(secret.as_str()), "a {what} was logged");
    }
    assert!(!logs.contains(bogus), "a presented token was logged");
    // The job payloads in particular hold no link that grants anything.
    assert!(!stored.contains("token="), "a stored row holds a link with a token");
}

/// The start-up banner says what runs, and names hosts, never credentials.
#[tokio::test]
async fn the_startup_banner_says_what_runs_without_a_secret() {
    let app = TestApp::spawn_with(&[
        ("SMTP_URL", "smtp://mailer:hunter2-smtp-pass@mail.example.com:2525"),
        ("STRIPE_SECRET_KEY", "sk_test_banner_secret_key"),
        ("STRIPE_WEBHOOK_SECRET", "whsec_banner_secret"),
        ("STRIPE_PLANS", "monthly=price_m:900:month"),
        ("STRIPE_API_BASE", "http://127.0.0.1:9"),
    ])
    .await;
    let banner = lectern::startup_banner(&app.state);
    for expected in [
        "open      http://lectern.test/",
        "GraphiQL",
        "web app   not built in",
        "mail      SMTP at mail.example.com:2525",
        "payments  Stripe at 127.0.0.1:9 (1 plans)",
        "answers   extractive (no LLM_BASE_URL)",
        "jobs      in this process",
    ] {
        assert!(banner.contains(expected), "{expected:?} missing from:\n{banner}");
    }
    let storage =
        if std::env::var("TEST_DATABASE_URL").is_ok() { "storage   PostgreSQL at" } else { "storage   SQLite at" };
    assert!(banner.contains(storage), "{banner}");
    for secret in ["hunter2-smtp-pass", "mailer", "sk_test_banner_secret_key", "whsec_banner_secret", "test-secret"] {
        assert!(!banner.contains(secret), "{secret} in the banner:\n{banner}");
    }
}

//! The SMTP mail adapter (lettre, used when `SMTP_URL` is set) against a real
//! SMTP server: `scripts/test-services` starts aiosmtpd, which stores every
//! message it receives in a Maildir (`TEST_SMTP_MAILDIR`). Skipped when
//! `TEST_SMTP_URL` is unset (the embedded pass has no SMTP server).

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

use mailparse::{MailHeaderMap, ParsedMail, addrparse_header};
use serde_json::json;

use crate::harness::{TestApp, token_in};

const FROM: &str = "Lectern <no-reply@lectern.test>";

/// Waits (up to ~10 s) for a message to `to` whose subject is `subject` in the
/// Maildir's `new/` folder and returns its raw bytes.
async fn received(maildir: &Path, to: &str, subject: &str) -> Vec<u8> {
    let new = maildir.join("new");
    // Far beyond any run: the mail job can queue behind other work on a loaded machine.
    for _ in 0..1_200 {
        if let Ok(entries) = std::fs::read_dir(&new) {
            for entry in entries.flatten() {
                let Ok(raw) = std::fs::read(entry.path()) else { continue };
                let Ok(mail) = mailparse::parse_mail(&raw) else { continue };
                let addressed = mail.headers.get_all_values("To").iter().any(|v| v.contains(to));
                if addressed && mail.headers.get_first_value("Subject").as_deref() == Some(subject) {
                    return raw;
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no mail to {to} with subject {subject:?} reached {} within 60 s", new.display());
}

/// Checks the envelope headers and the multipart/alternative structure and
/// returns the plain-text part.
fn check_structure(mail: &ParsedMail, to: &str) -> String {
    let from = addrparse_header(mail.headers.get_first_header("From").expect("a From header")).unwrap();
    let from = from.extract_single_info().expect("one sender");
    assert_eq!(from.display_name.as_deref(), Some("Lectern"));
    assert_eq!(from.addr, "no-reply@lectern.test");
    let recipients = addrparse_header(mail.headers.get_first_header("To").expect("a To header")).unwrap();
    let recipient = recipients.extract_single_info().expect("one recipient");
    assert_eq!(recipient.addr, to);
    // aiosmtpd records the SMTP envelope: the mail really went through MAIL FROM / RCPT TO.
    assert_eq!(mail.headers.get_first_value("X-MailFrom").as_deref(), Some("no-reply@lectern.test"));
    assert_eq!(mail.headers.get_first_value("X-RcptTo").as_deref(), Some(to));

    assert_eq!(mail.ctype.mimetype, "multipart/alternative");
    let types: Vec<&str> = mail.subparts.iter().map(|p| p.ctype.mimetype.as_str()).collect();
    assert_eq!(types, ["text/plain", "text/html"]);
    let html = mail.subparts[1].get_body().unwrap();
    assert!(html.contains("<a href=\"http://lectern.test/"), "{html}");
    mail.subparts[0].get_body().unwrap()
}

#[tokio::test]
async fn mail_is_delivered_over_smtp() {
    let Ok(smtp_url) = std::env::var("TEST_SMTP_URL") else {
        eprintln!("skipped: TEST_SMTP_URL is unset (run `eval \"$(scripts/test-services)\"` for a real SMTP server)");
        return;
    };
    let maildir =
        PathBuf::from(std::env::var("TEST_SMTP_MAILDIR").expect("TEST_SMTP_MAILDIR is set with TEST_SMTP_URL"));
    let app = TestApp::spawn_with(&[("SMTP_URL", &smtp_url), ("MAIL_FROM", FROM)]).await;
    let email = format!("smtp{}@example.com", uuid::Uuid::now_v7().simple());

    // Registration mails a verification link.
    app.register(&email).await;
    let raw = received(&maildir, &email, "Confirm your email address for Lectern").await;
    let mail = mailparse::parse_mail(&raw).unwrap();
    let text = check_structure(&mail, &email);
    assert!(text.contains("http://lectern.test/verify-email?token="), "{text}");
    let verified = app
        .graphql(
            "mutation($t: String!) { verifyEmail(token: $t) { email emailVerified } }",
            json!({ "t": token_in(&text) }),
        )
        .await;
    assert_eq!(verified["data"]["verifyEmail"]["email"], email.as_str(), "{verified}");
    assert_eq!(verified["data"]["verifyEmail"]["emailVerified"], true, "{verified}");

    // A password reset mail arrives the same way, and its link works.
    let requested =
        app.graphql("mutation($e: String!) { requestPasswordReset(email: $e) }", json!({ "e": email })).await;
    assert_eq!(requested["data"]["requestPasswordReset"], true, "{requested}");
    let raw = received(&maildir, &email, "Reset your Lectern password").await;
    let mail = mailparse::parse_mail(&raw).unwrap();
    let text = check_structure(&mail, &email);
    assert!(text.contains("http://lectern.test/reset-password?token="), "{text}");
    let reset = app
        .graphql(
            "mutation($t: String!, $p: String!) { resetPassword(token: $t, newPassword: $p) }",
            json!({ "t": token_in(&text), "p": "granite-lantern-moves-5" }),
        )
        .await;
    assert_eq!(reset["data"]["resetPassword"], true, "{reset}");
    app.login(&email, "granite-lantern-moves-5").await;

    // Everything went over SMTP: nothing fell back to the outbox.
    assert_eq!(app.outbox_len(), 0, "no .eml files in the outbox with SMTP_URL set");
}

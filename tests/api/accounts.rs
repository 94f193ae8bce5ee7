//! Accounts and auth, as a user meets them.

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use secrecy::ExposeSecret;
use serde_json::json;

use crate::harness::{PASSWORD, TestApp, error_code, error_field, token_in};

const ME: &str = "{ me { id email displayName role emailVerified createdAt } }";

#[tokio::test]
async fn register_sign_in_and_verify_email() {
    let app = TestApp::spawn().await;
    let user = app.register("Ada@Example.com").await;
    assert_eq!(user.email, "ada@example.com", "emails are normalised");

    let me = app.graphql_as(&user, ME, json!({})).await;
    assert_eq!(me["data"]["me"]["email"], "ada@example.com");
    assert_eq!(me["data"]["me"]["role"], "READER");
    assert_eq!(me["data"]["me"]["emailVerified"], false);

    let anonymous = app.graphql(ME, json!({})).await;
    assert!(anonymous["data"]["me"].is_null());
    assert!(anonymous.get("errors").is_none());

    let mail = app.mail_to("ada@example.com", "Confirm your email").await;
    assert!(mail.contains("http://lectern.test/verify-email?token="), "{mail}");
    let token = token_in(&mail);
    let verified = app
        .graphql("mutation($t: String!) { verifyEmail(token: $t) { email emailVerified } }", json!({ "t": token }))
        .await;
    assert_eq!(verified["data"]["verifyEmail"]["emailVerified"], true, "{verified}");

    let again = app.graphql("mutation($t: String!) { verifyEmail(token: $t) { id } }", json!({ "t": token })).await;
    assert_eq!(error_code(&again), "BAD_USER_INPUT");
    assert_eq!(error_field(&again), "token");

    let tampered = app
        .graphql("mutation($t: String!) { verifyEmail(token: $t) { id } }", json!({ "t": format!("{token}x") }))
        .await;
    assert_eq!(error_code(&tampered), "BAD_USER_INPUT");

    let signed_in = app.login("ADA@example.com", PASSWORD).await;
    assert_eq!(signed_in.id, user.id);

    let already = app.graphql_as(&signed_in, "mutation { requestEmailVerification }", json!({})).await;
    assert_eq!(error_code(&already), "BAD_USER_INPUT");
}

#[tokio::test]
async fn registration_rejects_bad_input_with_the_field() {
    let app = TestApp::spawn().await;
    app.register("taken@example.com").await;
    let register = |email: &str, password: &str, name: &str| {
        let vars = json!({ "input": { "email": email, "password": password, "displayName": name } });
        let app = &app;
        async move {
            app.graphql("mutation($input: RegisterInput!) { register(input: $input) { accessToken } }", vars).await
        }
    };

    let duplicate = register("TAKEN@example.com", PASSWORD, "Someone").await;
    assert_eq!(error_code(&duplicate), "CONFLICT");
    assert_eq!(error_field(&duplicate), "email");

    for (email, password, name, field) in [
        ("not-an-email", PASSWORD, "A", "email"),
        ("x@localhost", PASSWORD, "A", "email"),
        ("weak@example.com", "password1", "A", "password"),
        ("weak2@example.com", "aaaaaaaaaaaaaaaa", "A", "password"),
        ("ada.lovelace@example.com", "ada.lovelace@example.com", "Ada Lovelace", "password"),
        ("long@example.com", &"Zq9!".repeat(40), "A", "password"),
        ("noname@example.com", PASSWORD, "   ", "displayName"),
    ] {
        let body = register(email, password, name).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{email}: {body}");
        assert_eq!(error_field(&body), field, "{email}: {body}");
    }

    let count = app.graphql_as(&app.user_with_role("ADMIN").await, "{ users { totalCount } }", json!({})).await;
    assert_eq!(count["data"]["users"]["totalCount"], 2, "nothing half-written: {count}");
}

#[tokio::test]
async fn wrong_credentials_look_the_same_for_known_and_unknown_accounts() {
    let app = TestApp::spawn().await;
    app.register("known@example.com").await;
    let login = |email: &str, password: &str| {
        let vars = json!({ "input": { "email": email, "password": password } });
        let app = &app;
        async move { app.graphql("mutation($input: LoginInput!) { login(input: $input) { accessToken } }", vars).await }
    };
    let wrong = login("known@example.com", "not-the-password-at-all").await;
    let unknown = login("nobody@example.com", PASSWORD).await;
    assert_eq!(error_code(&wrong), "UNAUTHENTICATED");
    assert_eq!(error_code(&unknown), "UNAUTHENTICATED");
    assert_eq!(wrong["errors"][0]["message"], unknown["errors"][0]["message"]);
}

#[tokio::test]
async fn refresh_tokens_rotate_and_reuse_revokes_the_family() {
    let app = TestApp::spawn().await;
    let user = app.register("rotate@example.com").await;
    let refresh = |token: String| {
        let app = &app;
        async move {
            app.graphql(
                "mutation($t: String!) { refreshToken(token: $t) { accessToken refreshToken user { email } } }",
                json!({ "t": token }),
            )
            .await
        }
    };

    let first = refresh(user.refresh_token.clone()).await;
    let second_token = first["data"]["refreshToken"]["refreshToken"].as_str().expect("rotated").to_owned();
    assert_ne!(second_token, user.refresh_token);
    assert_eq!(first["data"]["refreshToken"]["user"]["email"], "rotate@example.com");

    // The old token is presented again: someone copied it. The whole family dies.
    let reuse = refresh(user.refresh_token.clone()).await;
    assert_eq!(error_code(&reuse), "UNAUTHENTICATED");
    let after = refresh(second_token).await;
    assert_eq!(error_code(&after), "UNAUTHENTICATED", "the newer token of the family is revoked too");

    let garbage = refresh("not-a-token".into()).await;
    assert_eq!(error_code(&garbage), "UNAUTHENTICATED");

    // Another session of the same user is unaffected.
    let other = app.login("rotate@example.com", PASSWORD).await;
    let ok = refresh(other.refresh_token.clone()).await;
    assert!(ok["data"]["refreshToken"]["accessToken"].is_string(), "{ok}");
}

/// A session family lives `REFRESH_SESSION_MAX_DAYS` (90) from its sign-in, however
/// often its token rotates; each rotated token keeps the family's start and
/// expires no later than the family does.
#[tokio::test]
async fn refresh_sessions_end_at_their_absolute_lifetime() {
    let app = TestApp::spawn().await;
    let refresh = |token: String| {
        let app = &app;
        async move {
            app.graphql(
                "mutation($t: String!) { refreshToken(token: $t) { accessToken refreshToken } }",
                json!({ "t": token }),
            )
            .await
        }
    };
    let day = chrono::Duration::days(1);

    // A fresh sign-in: the family starts now and the token lives its 30 days.
    let user = app.register("lifetime@example.com").await;
    let first = app.refresh_row(&user.refresh_token).await;
    assert_eq!(first.family_started_at, first.created_at);
    assert_eq!(first.expires_at, first.created_at + day * 30);

    // 89 days in: still inside the lifetime, so the refresh works; the new token keeps
    // the family's start and is capped at its end (one day away, not 30).
    let started = app.backdate_session(&user.refresh_token, day * 89).await;
    let inside = refresh(user.refresh_token.clone()).await;
    let rotated = inside["data"]["refreshToken"]["refreshToken"].as_str().unwrap_or_else(|| panic!("{inside}"));
    let row = app.refresh_row(rotated).await;
    assert_eq!(row.family_id, first.family_id);
    assert_eq!(row.family_started_at, started, "the rotated token keeps the family's start");
    assert_eq!(row.expires_at, started + day * 90, "capped at the family's absolute end");

    // 91 days in: refused with a clear reason, although the token itself has not expired.
    app.backdate_session(rotated, day * 91).await;
    assert!(app.refresh_row(rotated).await.expires_at > chrono::Utc::now());
    let outside = refresh(rotated.to_owned()).await;
    assert_eq!(error_code(&outside), "UNAUTHENTICATED", "{outside}");
    assert!(outside["errors"][0]["message"].as_str().unwrap().contains("maximum age"), "{outside}");

    // Signing in again starts a new family with a full lifetime.
    let again = app.login("lifetime@example.com", PASSWORD).await;
    let fresh = app.refresh_row(&again.refresh_token).await;
    assert_ne!(fresh.family_id, first.family_id);
    let renewed = refresh(again.refresh_token.clone()).await;
    assert!(renewed["data"]["refreshToken"]["accessToken"].is_string(), "{renewed}");
}

/// The migration that adds the family start gives sessions already running their
/// family's first sign-in (the earliest token still stored), on both databases.
#[tokio::test]
async fn the_family_start_migration_backfills_running_sessions() {
    use chrono::SubsecRound;
    use entity::refresh_token;
    use migration::{Migrator, MigratorTrait};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};

    let app = TestApp::spawn().await;
    let user = app.register("backfill@example.com").await;
    let rotated = app
        .graphql(
            "mutation($t: String!) { refreshToken(token: $t) { refreshToken } }",
            json!({ "t": user.refresh_token }),
        )
        .await;
    let rotated = rotated["data"]["refreshToken"]["refreshToken"].as_str().unwrap().to_owned();
    let other = app.login("backfill@example.com", PASSWORD).await;
    let other_created = app.refresh_row(&other.refresh_token).await.created_at;

    // Back to the schema before the column (undoing the later migrations too), with
    // the family's first token ten days old.
    let since_column =
        Migrator::migrations().iter().filter(|m| m.name() >= "m20261201_000010_session_family_start").count();
    Migrator::down(&app.state.db, Some(since_column as u32)).await.unwrap();
    let signed_in = chrono::Utc::now().trunc_subsecs(0) - chrono::Duration::days(10);
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::CreatedAt, Expr::value(signed_in))
        .filter(refresh_token::Column::TokenHash.eq(lectern::auth::tokens::token_hash(&user.refresh_token)))
        .exec(&app.state.db)
        .await
        .unwrap();
    Migrator::up(&app.state.db, None).await.unwrap();

    for token in [&user.refresh_token, &rotated] {
        assert_eq!(app.refresh_row(token).await.family_started_at, signed_in, "the family's first sign-in");
    }
    assert_eq!(app.refresh_row(&other.refresh_token).await.family_started_at, other_created, "each family its own");
}

/// The lifetime is a setting, and shortening it applies to sessions already running.
#[tokio::test]
async fn the_session_lifetime_is_configurable() {
    let app = TestApp::spawn_with(&[("REFRESH_SESSION_MAX_DAYS", "2")]).await;
    let user = app.register("short@example.com").await;
    let row = app.refresh_row(&user.refresh_token).await;
    assert_eq!(row.expires_at, row.created_at + chrono::Duration::days(2), "the token's 30 days are capped at 2");
    app.backdate_session(&user.refresh_token, chrono::Duration::days(2) + chrono::Duration::minutes(1)).await;
    let refused = app
        .graphql(
            "mutation($t: String!) { refreshToken(token: $t) { accessToken } }",
            json!({ "t": user.refresh_token }),
        )
        .await;
    assert_eq!(error_code(&refused), "UNAUTHENTICATED", "{refused}");
}

#[tokio::test]
async fn refresh_tokens_never_pass_as_access_tokens() {
    let app = TestApp::spawn().await;
    let user = app.register("types@example.com").await;
    let response = app
        .client
        .post(app.url("/graphql"))
        .bearer_auth(&user.refresh_token)
        .json(&json!({ "query": ME }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(error_code(&body), "UNAUTHENTICATED");
}

#[tokio::test]
async fn forged_expired_and_foreign_access_tokens_are_refused() {
    let app = TestApp::spawn().await;
    let user = app.register("forge@example.com").await;
    let secret = app.state.config.jwt_secret.expose_secret().to_owned();
    let now = chrono::Utc::now().timestamp();
    let claims = |overrides: serde_json::Value| {
        let mut base = json!({
            "sub": user.id, "role": "ADMIN", "typ": "access", "iss": app.state.config.jwt_issuer,
            "aud": app.state.config.jwt_audience, "iat": now, "nbf": now, "exp": now + 600, "jti": uuid::Uuid::now_v7(),
        });
        for (key, value) in overrides.as_object().unwrap() {
            if value.is_null() {
                base.as_object_mut().unwrap().remove(key);
            } else {
                base[key] = value.clone();
            }
        }
        base
    };
    let sign = |claims: &serde_json::Value, key: &str| {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &EncodingKey::from_secret(key.as_bytes())).unwrap()
    };
    let b64 = |v: &serde_json::Value| {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };

    // The control: correctly signed claims are accepted.
    let valid = sign(&claims(json!({})), &secret);
    assert_eq!(app.graphql_with(Some(&valid), ME, json!({})).await["data"]["me"]["id"], user.id.as_str());

    let cases = [
        ("expired", sign(&claims(json!({ "exp": now - 3600, "iat": now - 7200, "nbf": now - 7200 })), &secret)),
        ("not yet valid", sign(&claims(json!({ "nbf": now + 3600 })), &secret)),
        ("forged", sign(&claims(json!({})), "some-other-secret-some-other-secret")),
        ("wrong audience", sign(&claims(json!({ "aud": "another-api" })), &secret)),
        ("wrong issuer", sign(&claims(json!({ "iss": "https://evil.example" })), &secret)),
        ("wrong type", sign(&claims(json!({ "typ": "refresh" })), &secret)),
        ("no exp", sign(&claims(json!({ "exp": null })), &secret)),
        ("alg none", format!("{}.{}.", b64(&json!({ "alg": "none", "typ": "JWT" })), b64(&claims(json!({}))))),
        ("garbage", "abc.def.ghi".to_owned()),
    ];
    for (name, token) in cases {
        let body = app.graphql_with(Some(&token), ME, json!({})).await;
        assert_eq!(error_code(&body), "UNAUTHENTICATED", "{name}: {body}");
        assert!(body["data"].is_null() || body.get("data").is_none(), "{name}: nothing runs");
    }
}

#[tokio::test]
async fn logout_ends_the_session_family() {
    let app = TestApp::spawn().await;
    let user = app.register("bye@example.com").await;
    let out =
        app.graphql("mutation($t: String) { logout(refreshToken: $t) }", json!({ "t": user.refresh_token })).await;
    assert_eq!(out["data"]["logout"], true);
    let refresh = app
        .graphql(
            "mutation($t: String!) { refreshToken(token: $t) { accessToken } }",
            json!({ "t": user.refresh_token }),
        )
        .await;
    assert_eq!(error_code(&refresh), "UNAUTHENTICATED");
    let unknown = app.graphql("mutation { logout(refreshToken: \"nope\") }", json!({})).await;
    assert_eq!(unknown["data"]["logout"], false);
    let anonymous = app.graphql("mutation { logout }", json!({})).await;
    assert_eq!(error_code(&anonymous), "BAD_USER_INPUT");
}

#[tokio::test]
async fn change_password_revokes_every_refresh_token() {
    let app = TestApp::spawn().await;
    let user = app.register("change@example.com").await;
    let second = app.login("change@example.com", PASSWORD).await;
    let change = |current: &str, new: &str| {
        let vars = json!({ "c": current, "n": new });
        let (app, user) = (&app, &user);
        async move {
            app.graphql_as(user, "mutation($c: String!, $n: String!) { changePassword(current: $c, new: $n) }", vars)
                .await
        }
    };

    let wrong = change("not-my-password", "violet-otter-sings-97").await;
    assert_eq!(error_code(&wrong), "BAD_USER_INPUT");
    assert_eq!(error_field(&wrong), "current");
    let weak = change(PASSWORD, "12345678").await;
    assert_eq!(error_field(&weak), "new");

    let ok = change(PASSWORD, "violet-otter-sings-97").await;
    assert_eq!(ok["data"]["changePassword"], true, "{ok}");
    for token in [&user.refresh_token, &second.refresh_token] {
        let body = app
            .graphql("mutation($t: String!) { refreshToken(token: $t) { accessToken } }", json!({ "t": token }))
            .await;
        assert_eq!(error_code(&body), "UNAUTHENTICATED");
    }
    app.login("change@example.com", "violet-otter-sings-97").await;

    let anonymous = app.graphql("mutation { changePassword(current: \"a\", new: \"b\") }", json!({})).await;
    assert_eq!(error_code(&anonymous), "UNAUTHENTICATED");
}

#[tokio::test]
async fn password_reset_by_mail() {
    let app = TestApp::spawn().await;
    let user = app.register("reset@example.com").await;
    app.mail_to("reset@example.com", "Confirm").await;
    let mails_before = app.outbox_len();

    let request = |email: &str| {
        let vars = json!({ "e": email });
        let app = &app;
        async move { app.graphql("mutation($e: String!) { requestPasswordReset(email: $e) }", vars).await }
    };
    let unknown = request("nobody@example.com").await;
    let known = request("reset@example.com").await;
    assert_eq!(unknown, known, "the answer does not reveal whether the account exists");
    assert_eq!(known["data"]["requestPasswordReset"], true);
    assert_eq!(error_code(&request("not an email").await), "BAD_USER_INPUT");

    let mail = app.mail_to("reset@example.com", "Reset your Lectern password").await;
    let token = token_in(&mail);
    assert_eq!(app.outbox_len(), mails_before + 1, "only the existing account gets a mail");

    let reset = |token: &str, password: &str| {
        let vars = json!({ "t": token, "p": password });
        let app = &app;
        async move {
            app.graphql("mutation($t: String!, $p: String!) { resetPassword(token: $t, newPassword: $p) }", vars).await
        }
    };
    let weak = reset(&token, "short").await;
    assert_eq!(error_field(&weak), "newPassword");
    // A rejected password does not spend the link.
    let done = reset(&token, "granite-lantern-moves-5").await;
    assert_eq!(done["data"]["resetPassword"], true, "{done}");
    let reused = reset(&token, "granite-lantern-moves-6").await;
    assert_eq!(error_field(&reused), "token");
    let forged = reset("forged-token", "granite-lantern-moves-7").await;
    assert_eq!(error_field(&forged), "token");

    let old_session = app
        .graphql(
            "mutation($t: String!) { refreshToken(token: $t) { accessToken } }",
            json!({ "t": user.refresh_token }),
        )
        .await;
    assert_eq!(error_code(&old_session), "UNAUTHENTICATED", "a reset signs out every session");
    let after = app.login("reset@example.com", "granite-lantern-moves-5").await;
    let me = app.graphql_as(&after, ME, json!({})).await;
    assert_eq!(me["data"]["me"]["emailVerified"], true, "the reset link proves the address");
}

#[tokio::test]
async fn sign_in_is_rate_limited_per_account() {
    let app = TestApp::spawn().await;
    app.register("limited@example.com").await;
    let mut last = serde_json::Value::Null;
    for _ in 0..11 {
        last = app
            .graphql(
                "mutation($input: LoginInput!) { login(input: $input) { accessToken } }",
                json!({ "input": { "email": "limited@example.com", "password": "wrong-password-here" } }),
            )
            .await;
    }
    assert_eq!(error_code(&last), "RATE_LIMITED", "{last}");
    assert!(last["errors"][0]["extensions"]["retryAfter"].as_u64().unwrap() > 0);
    // Even the right password waits: the limit is per account, not per failure.
    let right = app
        .graphql(
            "mutation($input: LoginInput!) { login(input: $input) { accessToken } }",
            json!({ "input": { "email": "limited@example.com", "password": PASSWORD } }),
        )
        .await;
    assert_eq!(error_code(&right), "RATE_LIMITED");
}

#[tokio::test]
async fn password_reset_requests_are_rate_limited() {
    let app = TestApp::spawn().await;
    let mut codes = Vec::new();
    for _ in 0..4 {
        let body = app.graphql("mutation { requestPasswordReset(email: \"flood@example.com\") }", json!({})).await;
        codes.push(body["errors"][0]["extensions"]["code"].as_str().unwrap_or("OK").to_owned());
    }
    assert_eq!(codes, ["OK", "OK", "OK", "RATE_LIMITED"]);
}

#[tokio::test]
async fn registration_is_rate_limited_per_ip() {
    let app = TestApp::spawn().await;
    for i in 0..10 {
        app.register(&format!("ip{i}@example.com")).await;
    }
    let body = app
        .graphql(
            "mutation($input: RegisterInput!) { register(input: $input) { accessToken } }",
            json!({ "input": { "email": "ip-over@example.com", "password": PASSWORD, "displayName": "X" } }),
        )
        .await;
    assert_eq!(error_code(&body), "RATE_LIMITED");
}

#[tokio::test]
async fn roles_guard_the_user_directory_and_emails() {
    let app = TestApp::spawn().await;
    let reader = app.register("reader@example.com").await;
    let admin = app.user_with_role("ADMIN").await;
    let query = "query($s: String) { users(first: 10, search: $s) { totalCount edges { cursor node { email role } } pageInfo { hasNextPage hasPreviousPage } } }";

    assert_eq!(error_code(&app.graphql(query, json!({})).await), "UNAUTHENTICATED");
    assert_eq!(error_code(&app.graphql_as(&reader, query, json!({})).await), "FORBIDDEN");
    let listed = app.graphql_as(&admin, query, json!({})).await;
    assert_eq!(listed["data"]["users"]["totalCount"], 2, "{listed}");
    let searched = app.graphql_as(&admin, query, json!({ "s": "READER@" })).await;
    assert_eq!(searched["data"]["users"]["edges"][0]["node"]["email"], "reader@example.com", "{searched}");
    assert_eq!(searched["data"]["users"]["totalCount"], 1);

    // Emails are shown to their owner and admins only.
    let profile = "query($id: ID!) { user(id: $id) { displayName email } }";
    let seen_by_admin = app.graphql_as(&admin, profile, json!({ "id": reader.id })).await;
    assert_eq!(seen_by_admin["data"]["user"]["email"], "reader@example.com");
    let seen_by_other = app.graphql_as(&reader, profile, json!({ "id": admin.id })).await;
    assert!(seen_by_other["data"]["user"]["email"].is_null());
    assert_eq!(seen_by_other["data"]["user"]["displayName"], "Test Reader");
    let bad_id = app.graphql(profile, json!({ "id": "42" })).await;
    assert_eq!(error_code(&bad_id), "BAD_USER_INPUT");

    let promote = "mutation($id: ID!) { setUserRole(userId: $id, role: AUTHOR) { role } }";
    assert_eq!(error_code(&app.graphql_as(&reader, promote, json!({ "id": reader.id })).await), "FORBIDDEN");
    let promoted = app.graphql_as(&admin, promote, json!({ "id": reader.id })).await;
    assert_eq!(promoted["data"]["setUserRole"]["role"], "AUTHOR");
    let self_demote = app
        .graphql_as(
            &admin,
            "mutation($id: ID!) { setUserRole(userId: $id, role: READER) { role } }",
            json!({ "id": admin.id }),
        )
        .await;
    assert_eq!(error_code(&self_demote), "BAD_USER_INPUT");
}

#[tokio::test]
async fn user_pages_walk_both_directions() {
    let app = TestApp::spawn().await;
    let admin = app.user_with_role("ADMIN").await;
    for i in 0..4 {
        app.register(&format!("page{i}@example.com")).await;
    }
    let page = |vars: serde_json::Value| {
        let (app, admin) = (&app, &admin);
        async move {
            app.graphql_as(
                admin,
                "query($f: Int, $a: String, $l: Int, $b: String) { users(first: $f, after: $a, last: $l, before: $b) { totalCount edges { cursor node { email } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }",
                vars,
            )
            .await
        }
    };
    let first = page(json!({ "f": 2 })).await;
    let emails = |body: &serde_json::Value| -> Vec<String> {
        body["data"]["users"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["email"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(emails(&first), ["page3@example.com", "page2@example.com"], "newest first");
    assert_eq!(first["data"]["users"]["pageInfo"]["hasNextPage"], true);
    assert_eq!(first["data"]["users"]["totalCount"], 5);
    let end = first["data"]["users"]["pageInfo"]["endCursor"].as_str().unwrap();
    let second = page(json!({ "f": 10, "a": end })).await;
    assert_eq!(emails(&second), ["page1@example.com", "page0@example.com", admin.email.as_str()]);
    assert_eq!(second["data"]["users"]["pageInfo"]["hasNextPage"], false);
    assert_eq!(second["data"]["users"]["pageInfo"]["hasPreviousPage"], true);
    let start = second["data"]["users"]["pageInfo"]["startCursor"].as_str().unwrap();
    let back = page(json!({ "l": 1, "b": start })).await;
    assert_eq!(emails(&back), ["page2@example.com"]);

    for (vars, field) in [
        (json!({ "f": 101 }), "first"),
        (json!({ "l": 500 }), "last"),
        (json!({ "f": -1 }), "first"),
        (json!({ "f": 1, "a": "!!nope" }), "after"),
    ] {
        let body = page(vars.clone()).await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{vars}");
        assert_eq!(error_field(&body), field, "{vars}");
    }
}

/// Links in the raw message are whole (no quoted-printable soft breaks), on a
/// line of their own in the plain-text part, so they can be copied from the `.eml`.
#[tokio::test]
async fn mailed_links_are_whole_in_the_raw_message() {
    let app = TestApp::spawn().await;
    let user = app.register("copyable@example.com").await;
    let raw = String::from_utf8(app.raw_mail_to(&user.email, "Confirm your email").await).unwrap();
    let text = app.mail_to(&user.email, "Confirm your email").await;
    let link = text.lines().find(|l| l.starts_with("http://lectern.test/verify-email?token=")).unwrap_or_else(|| {
        panic!("the link is not on a line of its own: {text}");
    });
    assert!(link.len() > 76, "a link long enough to have been split: {link}");
    assert!(raw.contains(link), "the raw message splits {link}:\n{raw}");
    assert!(raw.contains("Content-Transfer-Encoding: 8bit"), "{raw}");
}

#[tokio::test]
async fn a_bio_is_set_shown_publicly_and_validated() {
    let app = TestApp::spawn().await;
    let author = app.user_with_role("AUTHOR").await;
    const UPDATE: &str = "mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { displayName bio } }";
    let set = app
        .graphql_as(
            &author,
            UPDATE,
            json!({ "input": { "displayName": "Grace", "bio": "  Teaches Rust.\r\nWrites about databases.  " } }),
        )
        .await;
    assert_eq!(set["data"]["updateProfile"]["bio"], "Teaches Rust.\nWrites about databases.", "{set}");

    // Anyone reads it on the public profile.
    let public = app.graphql("query($id: ID!) { user(id: $id) { displayName bio } }", json!({ "id": author.id })).await;
    assert_eq!(public["data"]["user"]["bio"], "Teaches Rust.\nWrites about databases.", "{public}");

    // Left out, it stays; empty clears it.
    let renamed = app.graphql_as(&author, UPDATE, json!({ "input": { "displayName": "Grace H." } })).await;
    assert_eq!(renamed["data"]["updateProfile"]["bio"], "Teaches Rust.\nWrites about databases.", "{renamed}");
    let cleared = app.graphql_as(&author, UPDATE, json!({ "input": { "displayName": "Grace H.", "bio": "" } })).await;
    assert_eq!(cleared["data"]["updateProfile"]["bio"], "", "{cleared}");

    // Too long, or with control characters: refused on `bio`, nothing changed (the name neither).
    for bad in ["x".repeat(1_001), "bell\u{7}".to_owned()] {
        let refused =
            app.graphql_as(&author, UPDATE, json!({ "input": { "displayName": "Changed", "bio": bad } })).await;
        assert_eq!(error_code(&refused), "BAD_USER_INPUT", "{refused}");
        assert_eq!(error_field(&refused), "bio", "{refused}");
    }
    let unchanged =
        app.graphql("query($id: ID!) { user(id: $id) { displayName bio } }", json!({ "id": author.id })).await;
    assert_eq!(unchanged["data"]["user"], json!({ "displayName": "Grace H.", "bio": "" }), "{unchanged}");
}

/// `User::PUBLIC_FIELDS` are what live comments render once for every
/// subscriber: each of them must read the same whoever asks, for a public and
/// a private profile alike.
#[tokio::test]
async fn the_public_fields_of_a_user_read_alike_for_every_viewer() {
    let app = TestApp::spawn().await;
    let admin = app.user_with_role("ADMIN").await;
    let ada = app.register_verified("ada@example.com").await;
    let grace = app.register_verified("grace@example.com").await;
    let bio = "mutation { updateProfile(input: { displayName: \"Ada\", bio: \"Counts things.\" }) { bio } }";
    assert!(app.graphql_as(&ada, bio, json!({})).await["errors"].is_null());
    let fields: Vec<&str> = lectern::domains::accounts::schema::User::PUBLIC_FIELDS.to_vec();
    let query = format!("query($id: ID!) {{ user(id: $id) {{ {} }} }}", fields.join(" "));
    for private in [false, true] {
        let set = format!(
            "mutation {{ updateProfile(input: {{ displayName: \"Ada\", profilePrivate: {private} }}) {{ id }} }}"
        );
        assert!(app.graphql_as(&ada, &set, json!({})).await["errors"].is_null());
        let mut seen = Vec::new();
        for viewer in [None, Some(&ada), Some(&grace), Some(&admin)] {
            let body = app.graphql_with(viewer.map(|u| u.access_token.as_str()), &query, json!({ "id": ada.id })).await;
            assert!(body["errors"].is_null(), "{body}");
            assert_eq!(body["data"]["user"]["profilePrivate"], private, "{body}");
            seen.push(body["data"]["user"].clone());
        }
        assert!(seen.iter().all(|user| user == &seen[0]), "one answer for every viewer: {seen:?}");
        assert_eq!(seen[0]["bio"], "Counts things.");
    }
}

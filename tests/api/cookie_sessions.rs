//! The web app's cookie sessions (`/auth/session`, `/auth/register`): the
//! refresh token only ever in an HttpOnly cookie, the same rotation and
//! lifetime rules as the bearer tokens, and no way for another site to use
//! the cookie.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::{PASSWORD, TestApp, error_code, error_field};

const COOKIE: &str = "lectern_refresh";

/// What a cookie endpoint answered.
struct Answer {
    status: StatusCode,
    headers: reqwest::header::HeaderMap,
    text: String,
    body: Value,
}

impl Answer {
    /// The one `Set-Cookie` header (there must be exactly one).
    fn set_cookie(&self) -> SetCookie {
        let all: Vec<&str> = self.headers.get_all("set-cookie").iter().map(|v| v.to_str().unwrap()).collect::<Vec<_>>();
        assert_eq!(all.len(), 1, "one Set-Cookie expected: {all:?}");
        SetCookie::parse(all[0])
    }

    fn has_no_cookie(&self) -> bool {
        self.headers.get("set-cookie").is_none()
    }
}

/// A parsed `Set-Cookie`: its value and every attribute, as sent.
#[derive(Debug)]
struct SetCookie {
    name: String,
    value: String,
    attributes: Vec<String>,
}

impl SetCookie {
    fn parse(raw: &str) -> SetCookie {
        let mut parts = raw.split(';').map(str::trim);
        let (name, value) = parts.next().unwrap().split_once('=').unwrap();
        let mut attributes: Vec<String> = parts.map(String::from).collect();
        attributes.sort();
        SetCookie { name: name.into(), value: value.into(), attributes }
    }

    fn max_age(&self) -> i64 {
        let found = self.attributes.iter().find_map(|a| a.strip_prefix("Max-Age=")).expect("Max-Age");
        found.parse().unwrap()
    }

    /// Every attribute but Max-Age, which the tests check as a number.
    fn flags(&self) -> Vec<&str> {
        self.attributes.iter().map(String::as_str).filter(|a| !a.starts_with("Max-Age=")).collect()
    }
}

/// A request as the web app sends it: JSON, the CSRF header, same-origin.
struct Call<'a> {
    app: &'a TestApp,
    method: Method,
    path: &'a str,
    body: Option<Value>,
    cookie: Option<String>,
    headers: Vec<(&'static str, &'a str)>,
    content_type: &'a str,
    csrf: bool,
}

impl<'a> Call<'a> {
    fn new(app: &'a TestApp, method: Method, path: &'a str) -> Self {
        Call {
            app,
            method,
            path,
            body: None,
            cookie: None,
            headers: vec![("sec-fetch-site", "same-origin")],
            content_type: "application/json",
            csrf: true,
        }
    }

    fn body(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    fn cookie(mut self, value: &str) -> Self {
        self.cookie = Some(format!("{COOKIE}={value}"));
        self
    }

    /// Replaces the browser's headers (`Sec-Fetch-Site`, `Origin`).
    fn from(mut self, headers: &[(&'static str, &'a str)]) -> Self {
        self.headers = headers.to_vec();
        self
    }

    async fn send(self) -> Answer {
        let mut request = self
            .app
            .client
            .request(self.method, self.app.url(self.path))
            .header("content-type", self.content_type)
            .body(self.body.map_or_else(|| "{}".to_owned(), |b| b.to_string()));
        if self.csrf {
            request = request.header("x-lectern-csrf", "1");
        }
        if let Some(cookie) = self.cookie {
            request = request.header("cookie", cookie);
        }
        for (name, value) in self.headers {
            request = request.header(name, value);
        }
        let response = request.send().await.expect("request sent");
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Answer { status, headers, text, body }
    }
}

async fn sign_in(app: &TestApp, email: &str) -> Answer {
    Call::new(app, Method::POST, "/auth/session").body(json!({ "email": email, "password": PASSWORD })).send().await
}

async fn refresh(app: &TestApp, cookie: &str) -> Answer {
    Call::new(app, Method::POST, "/auth/session/refresh").cookie(cookie).send().await
}

async fn me(app: &TestApp, access_token: &str) -> Value {
    app.graphql_with(Some(access_token), "{ me { email } }", json!({})).await
}

const DAY: i64 = 86_400;
const FLAGS: [&str; 4] = ["HttpOnly", "Path=/auth/session", "SameSite=Strict", "Secure"];

#[tokio::test]
async fn signing_in_sets_an_http_only_strict_cookie_and_returns_only_the_access_token() {
    let app = TestApp::spawn().await;
    app.register("cookie@example.com").await;
    let answer = sign_in(&app, "cookie@example.com").await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.headers["cache-control"], "no-store");
    assert!(answer.headers["content-type"].to_str().unwrap().starts_with("application/json"));

    let cookie = answer.set_cookie();
    assert_eq!(cookie.name, COOKIE);
    assert_eq!(cookie.flags(), FLAGS, "exactly these attributes (no Domain, no Expires)");
    // The token's 30 days (the session's 90-day cap is further away), give or take the request's second.
    assert!((30 * DAY - 5..=30 * DAY).contains(&cookie.max_age()), "{}", cookie.max_age());
    let stored = app.refresh_row(&cookie.value).await;
    let left = (stored.expires_at - chrono::Utc::now()).num_seconds();
    assert!((cookie.max_age() - left).abs() <= 2, "Max-Age ends with the stored token: {} vs {left}", cookie.max_age());

    // The body: the access token and the user, and never the refresh token.
    let mut keys: Vec<&str> = answer.body.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, ["accessToken", "accessTokenExpiresAt", "user"]);
    assert!(!answer.text.contains(&cookie.value));
    let access = answer.body["accessToken"].as_str().unwrap();
    assert_eq!(me(&app, access).await["data"]["me"]["email"], "cookie@example.com");
    let expires = chrono::DateTime::parse_from_rfc3339(answer.body["accessTokenExpiresAt"].as_str().unwrap()).unwrap();
    assert!(expires > chrono::Utc::now() + chrono::Duration::minutes(14));

    // A wrong password: 401 in the same error shape as GraphQL, no cookie.
    let wrong = Call::new(&app, Method::POST, "/auth/session")
        .body(json!({ "email": "cookie@example.com", "password": "not-the-password-1" }))
        .send()
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(&wrong.body), "UNAUTHENTICATED");
    assert_eq!(wrong.body["errors"][0]["message"], "Wrong email or password");
    assert_eq!(wrong.headers["cache-control"], "no-store");
    assert!(wrong.has_no_cookie());

    // A body that is not the expected JSON: 400, and the answer does not echo the input.
    let garbled = Call::new(&app, Method::POST, "/auth/session")
        .body(json!({ "email": "cookie@example.com", "password": 1234567890123_u64 }))
        .send()
        .await;
    assert_eq!(garbled.status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&garbled.body), "BAD_REQUEST");
    assert!(!garbled.text.contains("1234567890123"), "{}", garbled.text);
}

#[tokio::test]
async fn the_cookie_rotates_and_an_old_value_presented_again_ends_the_session() {
    let app = TestApp::spawn().await;
    app.register("rotate-cookie@example.com").await;
    let first = sign_in(&app, "rotate-cookie@example.com").await.set_cookie().value;

    let rotated = refresh(&app, &first).await;
    assert_eq!(rotated.status, StatusCode::OK, "{}", rotated.text);
    assert_eq!(rotated.headers["cache-control"], "no-store");
    let second = rotated.set_cookie();
    assert_eq!(second.flags(), FLAGS);
    assert_ne!(second.value, first);
    assert!(!rotated.text.contains(&second.value) && !rotated.text.contains(&first));
    let access = rotated.body["accessToken"].as_str().unwrap();
    assert_eq!(me(&app, access).await["data"]["me"]["email"], "rotate-cookie@example.com");

    // The first value again (a copy someone kept): refused, the cookie cleared...
    let reuse = refresh(&app, &first).await;
    assert_eq!(reuse.status, StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(&reuse.body), "UNAUTHENTICATED");
    let cleared = reuse.set_cookie();
    assert_eq!((cleared.name.as_str(), cleared.value.as_str(), cleared.max_age()), (COOKIE, "", 0));
    assert_eq!(cleared.flags(), FLAGS);
    // ...and the whole family is revoked, the newer cookie included.
    let after = refresh(&app, &second.value).await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(&after.body), "UNAUTHENTICATED");

    // No cookie at all.
    let none = Call::new(&app, Method::POST, "/auth/session/refresh").send().await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(&none.body), "UNAUTHENTICATED");
}

#[tokio::test]
async fn the_bearer_mutation_and_the_cookie_share_one_session_family_rule() {
    let app = TestApp::spawn().await;
    // A session begun with the GraphQL mutation rotates through the cookie endpoint
    // and back: both are the same family, so reusing a spent value revokes it either way.
    let user = app.register("both@example.com").await;
    let through_cookie = refresh(&app, &user.refresh_token).await;
    assert_eq!(through_cookie.status, StatusCode::OK, "{}", through_cookie.text);
    let reuse = app
        .graphql(
            "mutation($t: String!) { refreshToken(token: $t) { accessToken } }",
            json!({ "t": user.refresh_token }),
        )
        .await;
    assert_eq!(error_code(&reuse), "UNAUTHENTICATED");
    assert_eq!(refresh(&app, &through_cookie.set_cookie().value).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_absolute_lifetime_caps_the_cookie_and_ends_it() {
    let app = TestApp::spawn_with(&[("REFRESH_SESSION_MAX_DAYS", "1")]).await;
    app.register("short-cookie@example.com").await;
    let cookie = sign_in(&app, "short-cookie@example.com").await.set_cookie();
    assert!((DAY - 5..=DAY).contains(&cookie.max_age()), "capped at the 1-day lifetime: {}", cookie.max_age());

    // 23 hours into the session: the rotated cookie lives the hour that is left.
    app.backdate_session(&cookie.value, chrono::Duration::hours(23)).await;
    let rotated = refresh(&app, &cookie.value).await;
    assert_eq!(rotated.status, StatusCode::OK, "{}", rotated.text);
    let second = rotated.set_cookie();
    assert!((3600 - 5..=3600).contains(&second.max_age()), "{}", second.max_age());

    // Past the lifetime: refused with the reason, the cookie cleared.
    app.backdate_session(&second.value, chrono::Duration::hours(25)).await;
    let ended = refresh(&app, &second.value).await;
    assert_eq!(ended.status, StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(&ended.body), "UNAUTHENTICATED");
    assert!(ended.body["errors"][0]["message"].as_str().unwrap().contains("maximum age"), "{}", ended.text);
    assert_eq!(ended.set_cookie().max_age(), 0);
}

#[tokio::test]
async fn signing_out_ends_the_session_and_clears_the_cookie() {
    let app = TestApp::spawn().await;
    app.register("out@example.com").await;
    let cookie = sign_in(&app, "out@example.com").await.set_cookie().value;
    let out = Call::new(&app, Method::DELETE, "/auth/session").cookie(&cookie).send().await;
    assert_eq!(out.status, StatusCode::OK, "{}", out.text);
    assert_eq!(out.body, json!({ "ended": true }));
    assert_eq!(out.headers["cache-control"], "no-store");
    let cleared = out.set_cookie();
    assert_eq!((cleared.name.as_str(), cleared.value.as_str(), cleared.max_age()), (COOKIE, "", 0));
    assert_eq!(cleared.flags(), FLAGS);
    assert_eq!(refresh(&app, &cookie).await.status, StatusCode::UNAUTHORIZED, "the session is over");

    // Without a cookie there is nothing to end, and the answer still clears it.
    let again = Call::new(&app, Method::DELETE, "/auth/session").send().await;
    assert_eq!(again.body, json!({ "ended": false }));
    assert_eq!(again.set_cookie().max_age(), 0);
}

#[tokio::test]
async fn a_new_sign_in_ends_the_session_the_browser_held() {
    let app = TestApp::spawn().await;
    app.register("replace@example.com").await;
    let old = sign_in(&app, "replace@example.com").await.set_cookie().value;
    let new = Call::new(&app, Method::POST, "/auth/session")
        .body(json!({ "email": "replace@example.com", "password": PASSWORD }))
        .cookie(&old)
        .send()
        .await;
    assert_eq!(new.status, StatusCode::OK);
    assert_eq!(refresh(&app, &old).await.status, StatusCode::UNAUTHORIZED, "the replaced session ended");
    assert_eq!(refresh(&app, &new.set_cookie().value).await.status, StatusCode::OK);
}

#[tokio::test]
async fn registering_signs_in_with_a_cookie_and_field_errors() {
    let app = TestApp::spawn().await;
    let register = |email: &'static str, password: &'static str| {
        let app = &app;
        async move {
            Call::new(app, Method::POST, "/auth/register")
                .body(json!({ "email": email, "password": password, "displayName": "Cookie Reader" }))
                .send()
                .await
        }
    };
    let weak = register("new-cookie@example.com", "password1").await;
    assert_eq!(weak.status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&weak.body), "BAD_USER_INPUT");
    assert_eq!(error_field(&weak.body), "password");
    assert!(weak.has_no_cookie());

    let made = register("new-cookie@example.com", PASSWORD).await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.text);
    let cookie = made.set_cookie();
    assert_eq!(cookie.flags(), FLAGS);
    assert!(!made.text.contains(&cookie.value));
    assert_eq!(
        me(&app, made.body["accessToken"].as_str().unwrap()).await["data"]["me"]["email"],
        "new-cookie@example.com"
    );
    assert_eq!(made.body["user"]["id"], app.refresh_row(&cookie.value).await.user_id.to_string());
    app.mail_to("new-cookie@example.com", "Confirm your email").await;

    let taken = register("new-cookie@example.com", PASSWORD).await;
    assert_eq!(taken.status, StatusCode::CONFLICT);
    assert_eq!(error_code(&taken.body), "CONFLICT");
    assert_eq!(error_field(&taken.body), "email");
}

#[tokio::test]
async fn cookie_sign_in_counts_against_the_same_rate_limit_as_the_mutation() {
    let app = TestApp::spawn().await;
    app.register("limited-cookie@example.com").await;
    for _ in 0..10 {
        app.graphql(
            "mutation($input: LoginInput!) { login(input: $input) { accessToken } }",
            json!({ "input": { "email": "limited-cookie@example.com", "password": "wrong-password-here" } }),
        )
        .await;
    }
    let limited = sign_in(&app, "limited-cookie@example.com").await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS, "{}", limited.text);
    assert_eq!(error_code(&limited.body), "RATE_LIMITED");
    let retry_after = limited.body["errors"][0]["extensions"]["retryAfter"].as_u64().unwrap();
    assert!(retry_after > 0);
    assert_eq!(limited.headers["retry-after"], retry_after.to_string().as_str());
    assert!(limited.has_no_cookie());
}

#[tokio::test]
async fn requests_another_site_could_forge_are_refused() {
    let app = TestApp::spawn_with(&[("CORS_ORIGINS", "https://app.lectern.test")]).await;
    app.register("csrf@example.com").await;
    let cookie = sign_in(&app, "csrf@example.com").await.set_cookie().value;
    let credentials = json!({ "email": "csrf@example.com", "password": PASSWORD });
    let endpoints =
        [(Method::POST, "/auth/session"), (Method::POST, "/auth/session/refresh"), (Method::DELETE, "/auth/session")];
    let sessions_before = app.refresh_row(&cookie).await;

    for (method, path) in &endpoints {
        let call = || Call::new(&app, method.clone(), path).body(credentials.clone()).cookie(&cookie);

        let mut no_header = call();
        no_header.csrf = false;
        let answer = no_header.send().await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{path} without X-Lectern-CSRF");
        assert_eq!(error_code(&answer.body), "FORBIDDEN");
        assert!(answer.has_no_cookie());

        for from in [
            vec![("origin", "https://evil.example"), ("sec-fetch-site", "cross-site")],
            vec![("origin", "https://evil.example")],
            vec![("origin", "null")],
            vec![("sec-fetch-site", "cross-site")],
            vec![("sec-fetch-site", "same-site")],
        ] {
            let answer = call().from(&from).send().await;
            assert_eq!(answer.status, StatusCode::FORBIDDEN, "{path} from {from:?}");
            assert_eq!(error_code(&answer.body), "FORBIDDEN");
            assert!(answer.has_no_cookie());
        }

        for content_type in ["application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x", ""] {
            let mut form = call();
            form.content_type = content_type;
            let answer = form.send().await;
            assert_eq!(answer.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{path} as {content_type:?}");
            assert_eq!(error_code(&answer.body), "UNSUPPORTED_MEDIA_TYPE");
            assert_eq!(answer.headers["cache-control"], "no-store");
            assert!(answer.has_no_cookie());
        }
    }
    // Nothing those requests carried was acted on: the session is as it was.
    let sessions_after = app.refresh_row(&cookie).await;
    assert_eq!(sessions_after, sessions_before);
    assert_eq!(refresh(&app, &cookie).await.status, StatusCode::OK);

    // CORS: a listed origin may send the header with credentials; another origin is not told it may.
    let preflight = |origin: &'static str| {
        app.client
            .request(Method::OPTIONS, app.url("/auth/session/refresh"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type,x-lectern-csrf")
            .send()
    };
    let listed = preflight("https://app.lectern.test").await.unwrap();
    assert_eq!(listed.headers()["access-control-allow-origin"], "https://app.lectern.test");
    assert_eq!(listed.headers()["access-control-allow-credentials"], "true");
    assert!(listed.headers()["access-control-allow-headers"].to_str().unwrap().contains("x-lectern-csrf"));
    let evil = preflight("https://evil.example").await.unwrap();
    assert!(evil.headers().get("access-control-allow-origin").is_none());

    // The app's own origin (PUBLIC_URL), a listed CORS origin, and a client that is not a browser are served.
    for from in [
        vec![("origin", "http://lectern.test"), ("sec-fetch-site", "same-origin")],
        vec![("origin", "http://lectern.test")],
        vec![("origin", "https://app.lectern.test"), ("sec-fetch-site", "same-site")],
        vec![("sec-fetch-site", "same-origin"), ("origin", "http://localhost:5173")],
        vec![],
    ] {
        let answer = Call::new(&app, Method::POST, "/auth/session").body(credentials.clone()).from(&from).send().await;
        assert_eq!(answer.status, StatusCode::OK, "from {from:?}: {}", answer.text);
    }
}

//! Subscriptions over websockets: graphql-transport-ws to the letter, and the
//! legacy graphql-ws protocol.

use serde_json::json;

use crate::harness::{TestApp, WsClient, WsEvent};

const ACCOUNT_EVENTS: &str = "subscription { accountEvents { kind at } }";

#[tokio::test]
async fn subscription_receives_account_events() {
    let app = TestApp::spawn().await;
    let user = app.register("live@example.com").await;
    let mut ws = app.ws("graphql-transport-ws").await;
    assert_eq!(ws.accepted.as_deref(), Some("graphql-transport-ws"));
    ws.init(Some(&user.access_token)).await;

    ws.send(json!({ "type": "ping", "payload": { "n": 1 } })).await;
    assert_eq!(ws.message().await, json!({ "type": "pong", "payload": { "n": 1 } }));

    ws.send(json!({ "id": "1", "type": "subscribe", "payload": { "query": ACCOUNT_EVENTS } })).await;
    ws.send(json!({ "id": "1", "type": "complete" })).await;
    // The id is free again after complete.
    ws.send(json!({ "id": "1", "type": "subscribe", "payload": { "query": "{ me { email } }" } })).await;
    let result = ws.message().await;
    assert_eq!(result["type"], "next");
    assert_eq!(result["payload"]["data"]["me"]["email"], "live@example.com");
    assert_eq!(ws.message().await, json!({ "type": "complete", "id": "1" }));

    ws.send(json!({ "id": "2", "type": "subscribe", "payload": { "query": ACCOUNT_EVENTS } })).await;
    // Give the subscription a moment to register before the event is raised.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let out = app.graphql_as(&user, "mutation { logout }", json!({})).await;
    assert_eq!(out["data"]["logout"], true);
    let next = ws.message().await;
    assert_eq!(next["type"], "next", "{next}");
    assert_eq!(next["id"], "2");
    assert_eq!(next["payload"]["data"]["accountEvents"]["kind"], "SIGNED_OUT_EVERYWHERE");
    // The event reached the tab; then the signed-out session's socket closes.
    assert_eq!(ws.close_code().await, 4403);
}

#[tokio::test]
async fn events_cross_instances_through_redis() {
    if std::env::var("TEST_REDIS_URL").is_err() {
        eprintln!("skipped: needs TEST_REDIS_URL (runs in the PostgreSQL+Redis pass)");
        return;
    }
    let first = TestApp::spawn().await;
    let second = first.sibling().await;
    let user = first.register("cross@example.com").await;
    let mut ws = first.ws("graphql-transport-ws").await;
    ws.init(Some(&user.access_token)).await;
    ws.send(json!({ "id": "a", "type": "subscribe", "payload": { "query": ACCOUNT_EVENTS } })).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    // Raised on the second instance, received on the first.
    let out = second.graphql_as(&user, "mutation { logout }", json!({})).await;
    assert_eq!(out["data"]["logout"], true, "{out}");
    let next = ws.message().await;
    assert_eq!(next["payload"]["data"]["accountEvents"]["kind"], "SIGNED_OUT_EVERYWHERE", "{next}");
    assert_eq!(ws.close_code().await, 4403);
}

/// A `{ me { email } }` round trip on an initialised socket: `Ok(email)`, or the close code.
async fn me_over(ws: &mut WsClient, id: &str) -> Result<String, u16> {
    ws.send(json!({ "id": id, "type": "subscribe", "payload": { "query": "{ me { email } }" } })).await;
    match ws.next().await {
        WsEvent::Message(message) => {
            assert_eq!(message["type"], "next", "{message}");
            let email = message["payload"]["data"]["me"]["email"].as_str().unwrap_or_default().to_owned();
            assert_eq!(ws.message().await["type"], "complete");
            Ok(email)
        }
        WsEvent::Closed(code, _) => Err(code),
    }
}

/// Opens a graphql-transport-ws socket and sends `connection_init` with `token`;
/// `Ok(socket)` after the ack, or the close code.
async fn connect(app: &TestApp, token: &str) -> Result<WsClient, u16> {
    let mut ws = app.ws("graphql-transport-ws").await;
    ws.send(json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } })).await;
    match ws.next().await {
        WsEvent::Message(ack) => {
            assert_eq!(ack["type"], "connection_ack", "{ack}");
            Ok(ws)
        }
        WsEvent::Closed(code, _) => Err(code),
    }
}

#[tokio::test]
async fn a_socket_closes_4403_when_its_access_token_expires() {
    let app = TestApp::spawn_with(&[("ACCESS_TOKEN_TTL_SECS", "4")]).await;
    let user = app.register("expiring@example.com").await;
    let mut ws = connect(&app, &user.access_token).await.expect("a fresh token is accepted");
    let mutation = "mutation { markAllNotificationsRead }";
    ws.send(json!({ "id": "m1", "type": "subscribe", "payload": { "query": mutation } })).await;
    let ran = ws.message().await;
    assert_eq!(ran["payload"]["data"]["markAllNotificationsRead"], 0, "{ran}");
    assert_eq!(ws.message().await["type"], "complete");

    // The token runs out while the socket is open: the server closes it, so no
    // later mutation runs as that viewer.
    assert_eq!(ws.close_code().await, 4403);
    // HTTP still tolerates a few seconds of clock skew on the same token; a
    // socket, which would keep it for hours, does not.
    assert_eq!(connect(&app, &user.access_token).await.err(), Some(4403));

    // A fresh token (what the web app gets by refreshing) connects again.
    let fresh = app
        .graphql(
            "mutation($t: String!) { refreshToken(token: $t) { accessToken } }",
            json!({ "t": user.refresh_token }),
        )
        .await;
    let token = fresh["data"]["refreshToken"]["accessToken"].as_str().expect("refreshed").to_owned();
    let mut ws = connect(&app, &token).await.expect("the refreshed token is accepted");
    assert_eq!(me_over(&mut ws, "me").await, Ok("expiring@example.com".into()));
}

#[tokio::test]
async fn a_header_token_that_expires_closes_the_socket_too() {
    let app = TestApp::spawn_with(&[("ACCESS_TOKEN_TTL_SECS", "4")]).await;
    let user = app.register("header@example.com").await;
    let mut ws = app.ws_with_token("graphql-transport-ws", &user.access_token).await;
    ws.init(None).await;
    assert_eq!(ws.close_code().await, 4403);
}

#[tokio::test]
async fn ending_the_session_closes_open_sockets_and_refuses_its_tokens() {
    let app = TestApp::spawn().await;
    let admin = app.user_with_role("ADMIN").await;

    // Sign out everywhere.
    let user = app.register("everywhere@example.com").await;
    let mut ws = connect(&app, &user.access_token).await.unwrap();
    assert_eq!(me_over(&mut ws, "1").await, Ok("everywhere@example.com".into()));
    let out = app.graphql_as(&user, "mutation { logout }", json!({})).await;
    assert_eq!(out["data"]["logout"], true, "{out}");
    assert_eq!(ws.close_code().await, 4403);
    // The access token has not expired, but its session has: no new socket with it.
    assert_eq!(connect(&app, &user.access_token).await.err(), Some(4403));
    let again = app.login("everywhere@example.com", crate::harness::PASSWORD).await;
    let mut ws = connect(&app, &again.access_token).await.expect("a new sign-in connects");

    // A password change.
    let changed = app
        .graphql_as(
            &again,
            "mutation($c: String!, $n: String!) { changePassword(current: $c, new: $n) }",
            json!({ "c": crate::harness::PASSWORD, "n": "a-whole-new-password-77" }),
        )
        .await;
    assert_eq!(changed["data"]["changePassword"], true, "{changed}");
    assert_eq!(ws.close_code().await, 4403);
    assert_eq!(connect(&app, &again.access_token).await.err(), Some(4403));

    // A role change by an admin: the socket closes, the old token (with the old
    // role) is refused, and a refreshed token carries the new role.
    let author = app.register("promoted@example.com").await;
    let mut ws = connect(&app, &author.access_token).await.unwrap();
    let promoted = app
        .graphql_as(
            &admin,
            "mutation($id: ID!) { setUserRole(userId: $id, role: AUTHOR) { role } }",
            json!({ "id": author.id }),
        )
        .await;
    assert_eq!(promoted["data"]["setUserRole"]["role"], "AUTHOR", "{promoted}");
    assert_eq!(ws.close_code().await, 4403);
    assert_eq!(connect(&app, &author.access_token).await.err(), Some(4403));
    let fresh = app
        .graphql(
            "mutation($t: String!) { refreshToken(token: $t) { accessToken user { role } } }",
            json!({ "t": author.refresh_token }),
        )
        .await;
    assert_eq!(fresh["data"]["refreshToken"]["user"]["role"], "AUTHOR", "{fresh}");
    let token = fresh["data"]["refreshToken"]["accessToken"].as_str().unwrap();
    let mut ws = connect(&app, token).await.expect("the refreshed token connects");
    assert_eq!(me_over(&mut ws, "1").await, Ok("promoted@example.com".into()));

    // Verifying the email address is an account event too, but it ends nothing.
    let reader = app.register("verifies@example.com").await;
    let mut ws = connect(&app, &reader.access_token).await.unwrap();
    let link = app.mail_to("verifies@example.com", "Confirm your email").await;
    let verified = app
        .graphql(
            "mutation($t: String!) { verifyEmail(token: $t) { emailVerified } }",
            json!({ "t": crate::harness::token_in(&link) }),
        )
        .await;
    assert!(verified["errors"].is_null(), "{verified}");
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(me_over(&mut ws, "2").await, Ok("verifies@example.com".into()));
}

#[tokio::test]
async fn signing_out_everywhere_closes_a_socket_on_another_instance() {
    if std::env::var("TEST_REDIS_URL").is_err() {
        eprintln!("skipped: needs TEST_REDIS_URL (runs in the PostgreSQL+Redis pass)");
        return;
    }
    let first = TestApp::spawn().await;
    let second = first.sibling().await;
    let user = first.register("two-instances@example.com").await;
    let mut ws = connect(&second, &user.access_token).await.unwrap();
    assert_eq!(me_over(&mut ws, "1").await, Ok("two-instances@example.com".into()));
    let out = first.graphql_as(&user, "mutation { logout }", json!({})).await;
    assert_eq!(out["data"]["logout"], true, "{out}");
    assert_eq!(ws.close_code().await, 4403);
    assert_eq!(connect(&second, &user.access_token).await.err(), Some(4403));
}

#[tokio::test]
async fn anonymous_subscribers_are_refused_with_4403() {
    let app = TestApp::spawn().await;
    let mut ws = app.ws("graphql-transport-ws").await;
    ws.init(None).await;
    // Invalid operations are refused before execution with an `error` message; the connection stays.
    ws.send(json!({ "id": "v", "type": "subscribe", "payload": { "query": "subscription { nope }" } })).await;
    let error = ws.message().await;
    assert_eq!(error["type"], "error", "{error}");
    assert_eq!(error["id"], "v");
    assert_eq!(error["payload"][0]["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED");

    // A subscription only signed-in viewers may follow closes an anonymous connection.
    ws.send(json!({ "id": "s", "type": "subscribe", "payload": { "query": ACCOUNT_EVENTS } })).await;
    assert_eq!(ws.close_code().await, 4403);
}

#[tokio::test]
async fn no_init_within_the_timeout_closes_4408() {
    let app = TestApp::spawn_with(&[("WS_INIT_TIMEOUT_MS", "300")]).await;
    let mut ws = app.ws("graphql-transport-ws").await;
    assert_eq!(ws.close_code().await, 4408);
}

#[tokio::test]
async fn a_second_init_closes_4429() {
    let app = TestApp::spawn().await;
    let mut ws = app.ws("graphql-transport-ws").await;
    ws.init(None).await;
    ws.send(json!({ "type": "connection_init" })).await;
    assert_eq!(ws.close_code().await, 4429);
}

#[tokio::test]
async fn subscribe_before_ack_closes_4401() {
    let app = TestApp::spawn().await;
    let mut ws = app.ws("graphql-transport-ws").await;
    ws.send(json!({ "id": "1", "type": "subscribe", "payload": { "query": "{ tags { slug } }" } })).await;
    assert_eq!(ws.close_code().await, 4401);
}

#[tokio::test]
async fn a_duplicate_operation_id_closes_4409() {
    let app = TestApp::spawn().await;
    let user = app.register("dup@example.com").await;
    let mut ws = app.ws("graphql-transport-ws").await;
    ws.init(Some(&user.access_token)).await;
    let subscribe = json!({ "id": "same", "type": "subscribe", "payload": { "query": ACCOUNT_EVENTS } });
    ws.send(subscribe.clone()).await;
    ws.send(subscribe).await;
    match ws.next().await {
        WsEvent::Closed(code, reason) => {
            assert_eq!(code, 4409);
            assert_eq!(reason, "Subscriber for same already exists");
        }
        other => panic!("expected a close, got {other:?}"),
    }
}

#[tokio::test]
async fn unparsable_messages_close_4400() {
    let app = TestApp::spawn().await;
    for garbage in [
        "{not json",
        r#"{"type":"subscribe"}"#,
        r#"{"type":"what"}"#,
        r#"{"id":"1","type":"subscribe","payload":{"nope":1}}"#,
    ] {
        let mut ws = app.ws("graphql-transport-ws").await;
        ws.init(None).await;
        ws.send_raw(garbage).await;
        assert_eq!(ws.close_code().await, 4400, "{garbage}");
    }
}

#[tokio::test]
async fn a_rejected_token_at_init_closes_4403() {
    let app = TestApp::spawn().await;
    let mut ws = app.ws("graphql-transport-ws").await;
    ws.send(json!({ "type": "connection_init", "payload": { "Authorization": "Bearer forged.token.value" } })).await;
    assert_eq!(ws.close_code().await, 4403);
}

#[tokio::test]
async fn no_supported_subprotocol_closes_4406() {
    let app = TestApp::spawn().await;
    let mut ws = app.ws("").await;
    assert_eq!(ws.close_code().await, 4406);
}

#[tokio::test]
async fn legacy_graphql_ws_clients_still_work() {
    let app = TestApp::spawn().await;
    let user = app.register("legacy@example.com").await;
    let mut ws = app.ws("graphql-ws").await;
    assert_eq!(ws.accepted.as_deref(), Some("graphql-ws"));
    ws.send(json!({ "type": "connection_init", "payload": { "authToken": "ignored", "Authorization": format!("Bearer {}", user.access_token) } })).await;
    assert_eq!(ws.message().await["type"], "connection_ack");
    assert_eq!(ws.message().await["type"], "ka");

    ws.send(json!({ "id": "q", "type": "start", "payload": { "query": "{ me { email } }" } })).await;
    let data = ws.message().await;
    assert_eq!(data["type"], "data", "{data}");
    assert_eq!(data["payload"]["data"]["me"]["email"], "legacy@example.com");
    assert_eq!(ws.message().await, json!({ "type": "complete", "id": "q" }));

    ws.send(json!({ "id": "s", "type": "start", "payload": { "query": ACCOUNT_EVENTS } })).await;
    ws.send(json!({ "id": "s", "type": "stop" })).await;
    ws.send(json!({ "type": "connection_terminate" })).await;
    assert_eq!(ws.close_code().await, 1000);

    let mut rejected = app.ws("graphql-ws").await;
    rejected.send(json!({ "type": "connection_init", "payload": { "Authorization": "Bearer nope" } })).await;
    assert_eq!(rejected.message().await["type"], "connection_error");
    assert_eq!(rejected.close_code().await, 4403);
}

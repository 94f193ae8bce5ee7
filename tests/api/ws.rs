//! Subscriptions over websockets: graphql-transport-ws to the letter, and the
//! legacy graphql-ws protocol.

use serde_json::json;

use crate::harness::{TestApp, WsEvent};

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
    // Give the subscription a moment to register before the event is raised.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let out = app.graphql_as(&user, "mutation { logout }", json!({})).await;
    assert_eq!(out["data"]["logout"], true);
    let next = ws.message().await;
    assert_eq!(next["type"], "next", "{next}");
    assert_eq!(next["id"], "1");
    assert_eq!(next["payload"]["data"]["accountEvents"]["kind"], "SIGNED_OUT_EVERYWHERE");

    ws.send(json!({ "id": "1", "type": "complete" })).await;
    // The id is free again after complete.
    ws.send(json!({ "id": "1", "type": "subscribe", "payload": { "query": "{ me { email } }" } })).await;
    let result = ws.message().await;
    assert_eq!(result["type"], "next");
    assert_eq!(result["payload"]["data"]["me"]["email"], "live@example.com");
    assert_eq!(ws.message().await, json!({ "type": "complete", "id": "1" }));
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

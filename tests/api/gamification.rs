//! XP, levels, streaks, badges, leaderboards and referrals, as readers and
//! admins meet them, and the edges: repeats, races, caps, day boundaries in
//! the reader's zone, an unreachable Redis.

use chrono::{DateTime, Duration, Utc};
use lectern::{
    domains::engagement::service::{self as engagement, LeaderboardPeriod, XpSource},
    write::Write,
};
use serde_json::{Value, json};

use crate::harness::{OwnRedis, TestApp, TestUser, error_code, error_field};

const MARK: &str = "mutation($p: ID!, $s: Int!) { markPostRead(postId: $p, secondsSpent: $s) { secondsSpent } }";
const ME: &str =
    "{ me { id xp level levelProgress { level xpIntoLevel xpForLevel percent } streak { current longest freezes }
    badges { badge { slug } earnedAt } recentActivity { source amount link } } }";
const BOARD: &str = "query($period: LeaderboardPeriod!, $first: Int, $after: String) {
    leaderboard(period: $period, first: $first, after: $after) {
        totalCount period
        edges { cursor node { rank xp user { id } } }
        pageInfo { hasNextPage hasPreviousPage endCursor }
        viewerEntry { rank xp user { id } }
    }
}";

async fn me(app: &TestApp, user: &TestUser) -> Value {
    let body = app.graphql_as(user, ME, json!({})).await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["me"].clone()
}

async fn read(app: &TestApp, user: &TestUser, post: &str, seconds: i32) {
    let body = app.graphql_as(user, MARK, json!({ "p": post, "s": seconds })).await;
    assert!(body["errors"].is_null(), "{body}");
}

fn uuid(id: &str) -> uuid::Uuid {
    uuid::Uuid::parse_str(id).unwrap()
}

/// Gives `user` `amount` XP for a source key of the test's own (no cap), at `now`.
async fn give(app: &TestApp, user: &TestUser, key: &str, amount: i32, now: DateTime<Utc>) {
    let write = Write::begin(&app.state).await.unwrap();
    engagement::award(&write, 1_000_000, uuid(&user.id), chrono_tz::UTC, XpSource::Badge, key, amount, now)
        .await
        .unwrap();
    write.commit().await.unwrap();
}

async fn notification_titles(app: &TestApp, user: &TestUser) -> Vec<String> {
    let body = app.graphql_as(user, "{ notifications(first: 50) { nodes { kind title } } }", json!({})).await;
    body["data"]["notifications"]["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|n| format!("{}: {}", n["kind"].as_str().unwrap(), n["title"].as_str().unwrap()))
        .collect()
}

#[tokio::test]
async fn a_plausible_read_earns_xp_once_however_often_it_is_sent() {
    // No worker: the badge checks wait, so only reading earns XP here.
    let app = TestApp::spawn_with(&[("XP_POST_READ", "60"), ("IN_PROCESS_WORKER", "false")]).await;
    let author = app.user_with_role("AUTHOR").await;
    let reader = app.register_verified("reader@example.com").await;
    let (first, slug) = app.published_post(&author, "Ownership").await;
    let (second, _) = app.published_post(&author, "Borrowing").await;

    // A one-minute post read for 5 s: recorded, but no XP (25 % of the reading time, at least 10 s).
    read(&app, &reader, &first, 5).await;
    assert_eq!(me(&app, &reader).await["xp"], 0);

    // Two submits at once: one award.
    let (a, b) = tokio::join!(
        app.graphql_as(&reader, MARK, json!({ "p": first, "s": 30 })),
        app.graphql_as(&reader, MARK, json!({ "p": first, "s": 30 })),
    );
    assert!(a["errors"].is_null() && b["errors"].is_null(), "{a} {b}");
    read(&app, &reader, &first, 60).await;
    let state = me(&app, &reader).await;
    assert_eq!(state["xp"], 60, "{state}");
    assert_eq!(state["level"], 1);
    assert_eq!(state["levelProgress"], json!({ "level": 1, "xpIntoLevel": 60, "xpForLevel": 100, "percent": 60.0 }));

    // The second post crosses into level 2: a LEVEL_UP notification.
    read(&app, &reader, &second, 30).await;
    let state = me(&app, &reader).await;
    assert_eq!((state["xp"].as_i64(), state["level"].as_i64()), (Some(120), Some(2)), "{state}");
    assert_eq!(state["levelProgress"]["xpIntoLevel"], 20);
    assert_eq!(state["levelProgress"]["xpForLevel"], 300);
    let titles = notification_titles(&app, &reader).await;
    assert!(titles.contains(&"LEVEL_UP: You reached level 2".to_owned()), "{titles:?}");
    let activity = state["recentActivity"].as_array().unwrap();
    assert_eq!(activity.len(), 2, "{state}");
    assert!(activity.iter().all(|a| a["source"] == "POST_READ" && a["amount"] == 60), "{state}");
    assert_eq!(activity[1]["link"], format!("/posts/{slug}"));
    assert_eq!(state["streak"]["current"], 1, "reading counts for today's streak");

    // The books balance: a rebuild from the ledger changes nothing.
    assert_eq!(engagement::rebuild_totals(&app.state.db).await.unwrap(), 0);
}

#[tokio::test]
async fn reading_xp_stops_at_the_daily_cap() {
    let app = TestApp::spawn_with(&[("XP_POST_READ", "10"), ("XP_DAILY_CAP", "15")]).await;
    let author = app.user_with_role("AUTHOR").await;
    let reader = app.register_verified("reader@example.com").await;
    for title in ["One", "Two", "Three"] {
        let (post, _) = app.published_post(&author, title).await;
        read(&app, &reader, &post, 60).await;
    }
    let state = me(&app, &reader).await;
    let reads: Vec<i64> = state["recentActivity"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["source"] == "POST_READ")
        .map(|a| a["amount"].as_i64().unwrap())
        .collect();
    assert_eq!(reads, [5, 10], "10, then the 5 left under the cap, then nothing (not listed): {state}");
    // Badges are not capped: the first-read badge's 5 XP comes on top.
    app.jobs_done("evaluate_badges").await;
    assert_eq!(me(&app, &reader).await["xp"], 20);
}

#[tokio::test]
async fn streak_days_are_the_readers_own_across_zones_and_dst() {
    let app = TestApp::spawn().await;
    let kiwi = app.register_verified("kiwi@example.com").await;
    let londoner = app.register_verified("london@example.com").await;
    let berliner = app.register_verified("berlin@example.com").await;
    const PROFILE: &str =
        "mutation($z: String) { updateProfile(input: { displayName: \"Reader\", timeZone: $z }) { timeZone } }";
    let set = app.graphql_as(&kiwi, PROFILE, json!({ "z": "Pacific/Auckland" })).await;
    assert_eq!(set["data"]["updateProfile"]["timeZone"], "Pacific/Auckland", "{set}");
    app.graphql_as(&berliner, PROFILE, json!({ "z": "Europe/Berlin" })).await;

    // A zone that does not exist: refused at the field, nothing changed.
    for bad in ["Mars/Olympus", "", "Europe/Berlin/Extra"] {
        let refused = app.graphql_as(&kiwi, PROFILE, json!({ "z": bad })).await;
        assert_eq!((error_code(&refused), error_field(&refused)), ("BAD_USER_INPUT", "timeZone"), "{refused}");
    }
    let zone = app.graphql_as(&kiwi, "{ me { timeZone } }", json!({})).await;
    assert_eq!(zone["data"]["me"]["timeZone"], "Pacific/Auckland");

    let activity = |user: &TestUser, at: &str| {
        let state = app.state.clone();
        let user = uuid(&user.id);
        let at: DateTime<Utc> = at.parse().unwrap();
        async move {
            let write = Write::begin(&state).await.unwrap();
            let zone = engagement::zone_of(&write, user).await.unwrap().unwrap();
            let streak = engagement::record_activity(&write, &state.config.engagement, user, zone, at).await.unwrap();
            write.commit().await.unwrap();
            streak
        }
    };
    // 10:30 and 11:30 UTC on one day: in Auckland (UTC+13) that is 23:30 and 00:30, two days.
    assert_eq!(activity(&kiwi, "2026-12-05T10:30:00Z").await, Some(1));
    assert_eq!(activity(&kiwi, "2026-12-05T11:30:00Z").await, Some(2));
    // In London (UTC) the same two instants are one day.
    assert_eq!(activity(&londoner, "2026-12-05T10:30:00Z").await, Some(1));
    assert_eq!(activity(&londoner, "2026-12-05T11:30:00Z").await, None, "the day already counted");
    // Berlin falls back on 2026-10-25 (a 25-hour day): 00:30 local on the 25th and on the 26th are consecutive.
    assert_eq!(activity(&berliner, "2026-10-24T22:30:00Z").await, Some(1));
    assert_eq!(activity(&berliner, "2026-10-25T23:30:00Z").await, Some(2));
    // And a day skipped with no freeze starts again.
    assert_eq!(activity(&berliner, "2026-10-28T12:00:00Z").await, Some(1));
}

#[tokio::test]
async fn a_week_earns_a_freeze_and_a_milestone_and_the_freeze_covers_a_missed_day() {
    let app = TestApp::spawn().await;
    let reader = app.register_verified("reader@example.com").await;
    let user = uuid(&reader.id);
    let today = Utc::now();
    let day = |days_ago: i64| today - Duration::days(days_ago);
    let activity = |at: DateTime<Utc>| {
        let state = app.state.clone();
        async move {
            let write = Write::begin(&state).await.unwrap();
            let streak =
                engagement::record_activity(&write, &state.config.engagement, user, chrono_tz::UTC, at).await.unwrap();
            write.commit().await.unwrap();
            streak
        }
    };
    // Seven days in a row, ending 2 days ago; yesterday missed.
    for days_ago in (2..=8).rev() {
        activity(day(days_ago)).await;
    }
    let state = me(&app, &reader).await;
    assert_eq!(state["streak"], json!({ "current": 7, "longest": 7, "freezes": 1 }), "{state}");
    assert_eq!(state["xp"], 50, "the 7-day milestone's XP: {state}");
    // Today: the freeze covers yesterday.
    assert_eq!(activity(today).await, Some(8));
    let state = me(&app, &reader).await;
    assert_eq!(state["streak"], json!({ "current": 8, "longest": 8, "freezes": 0 }), "{state}");
    // The milestone is paid once, however the streak goes on.
    assert_eq!(state["xp"], 50);
}

#[tokio::test]
async fn badges_are_earned_once_granted_by_admins_and_their_input_checked() {
    let app = TestApp::spawn().await;
    let author = app.user_with_role("AUTHOR").await;
    let admin = app.user_with_role("ADMIN").await;
    let reader = app.register_verified("reader@example.com").await;
    let (post, _) = app.published_post(&author, "Ownership").await;

    let catalogue = app.graphql("{ badges { slug criterion threshold icon } }", json!({})).await;
    let slugs: Vec<&str> =
        catalogue["data"]["badges"].as_array().unwrap().iter().map(|b| b["slug"].as_str().unwrap()).collect();
    assert!(slugs.contains(&"first-comment") && slugs.contains(&"week-streak"), "{catalogue}");

    let added = app
        .graphql_as(
            &reader,
            "mutation($p: ID!) { addComment(postId: $p, body: \"Hello\") { id } }",
            json!({ "p": post }),
        )
        .await;
    assert!(added["errors"].is_null(), "{added}");
    read(&app, &reader, &post, 60).await;
    app.jobs_done("evaluate_badges").await;
    let state = me(&app, &reader).await;
    let earned: Vec<&str> =
        state["badges"].as_array().unwrap().iter().map(|b| b["badge"]["slug"].as_str().unwrap()).collect();
    assert!(earned.contains(&"first-comment") && earned.contains(&"first-read"), "{state}");
    // 10 for the read, 10 for the first comment badge, 5 for the first read badge.
    assert_eq!(state["xp"], 25, "{state}");
    let titles = notification_titles(&app, &reader).await;
    assert!(titles.contains(&"BADGE_EARNED: You earned the badge “First words”".to_owned()), "{titles:?}");
    // Checking again gives nothing twice.
    assert!(engagement::evaluate(&app.state, uuid(&reader.id)).await.unwrap().is_empty());

    const CREATE: &str = "mutation($i: CreateBadgeInput!) { createBadge(input: $i) { slug criterion xp } }";
    let input = json!({ "slug": "helper", "name": "Helper", "description": "Answered questions.", "icon": "heart", "criterion": "MANUAL", "xp": 30 });
    assert_eq!(error_code(&app.graphql_as(&reader, CREATE, json!({ "i": input })).await), "FORBIDDEN");
    let created = app.graphql_as(&admin, CREATE, json!({ "i": input })).await;
    assert_eq!(
        created["data"]["createBadge"],
        json!({ "slug": "helper", "criterion": "MANUAL", "xp": 30 }),
        "{created}"
    );
    let again = app.graphql_as(&admin, CREATE, json!({ "i": input })).await;
    assert_eq!((error_code(&again), error_field(&again)), ("CONFLICT", "slug"), "{again}");
    for (field, bad) in [
        ("icon", json!({ "icon": "skull" })),
        ("slug", json!({ "slug": "Not A Slug" })),
        ("threshold", json!({ "criterion": "POSTS_READ", "threshold": 0 })),
        ("xp", json!({ "xp": 1_000_000 })),
        ("description", json!({ "description": "two\nlines" })),
    ] {
        let mut input =
            json!({ "slug": "other", "name": "Other", "description": "x", "icon": "star", "criterion": "MANUAL" });
        for (k, v) in bad.as_object().unwrap() {
            input[k] = v.clone();
        }
        let refused = app.graphql_as(&admin, CREATE, json!({ "i": input })).await;
        assert_eq!((error_code(&refused), error_field(&refused)), ("BAD_USER_INPUT", field), "{refused}");
    }

    const GRANT: &str = "mutation($u: ID!, $b: String!) { grantBadge(userId: $u, badgeSlug: $b) }";
    let granted = app.graphql_as(&admin, GRANT, json!({ "u": reader.id, "b": "helper" })).await;
    assert_eq!(granted["data"]["grantBadge"], true, "{granted}");
    let twice = app.graphql_as(&admin, GRANT, json!({ "u": reader.id, "b": "helper" })).await;
    assert_eq!(twice["data"]["grantBadge"], false, "{twice}");
    let unknown = app.graphql_as(&admin, GRANT, json!({ "u": reader.id, "b": "nope" })).await;
    assert_eq!((error_code(&unknown), error_field(&unknown)), ("BAD_USER_INPUT", "badgeSlug"), "{unknown}");
    assert_eq!(me(&app, &reader).await["xp"], 55);
}

#[tokio::test]
async fn leaderboards_page_rank_and_rebuild_from_the_ledger() {
    let app = TestApp::spawn().await;
    let users = [
        app.register_verified("a@example.com").await,
        app.register_verified("b@example.com").await,
        app.register_verified("c@example.com").await,
    ];
    let now = Utc::now();
    give(&app, &users[0], "a", 30, now).await;
    give(&app, &users[1], "b", 50, now).await;
    give(&app, &users[2], "c", 10, now).await;
    // Earned long ago: on the all-time board only.
    give(&app, &users[2], "old", 100, now - Duration::days(400)).await;

    let page = |user: &TestUser, period: &str, first: i32, after: Option<String>| {
        let (app, user) = (&app, user.clone());
        let period = period.to_owned();
        async move {
            let body = app.graphql_as(&user, BOARD, json!({ "period": period, "first": first, "after": after })).await;
            assert!(body["errors"].is_null(), "{body}");
            body["data"]["leaderboard"].clone()
        }
    };
    let first = page(&users[2], "WEEK", 2, None).await;
    let ranked: Vec<(i64, i64, &str)> = first["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["node"]["rank"].as_i64().unwrap(),
                e["node"]["xp"].as_i64().unwrap(),
                e["node"]["user"]["id"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(ranked, [(1, 50, users[1].id.as_str()), (2, 30, users[0].id.as_str())], "{first}");
    assert_eq!(first["totalCount"], 3);
    assert_eq!(first["pageInfo"]["hasNextPage"], true);
    assert_eq!(
        first["viewerEntry"],
        json!({ "rank": 3, "xp": 10, "user": { "id": users[2].id } }),
        "off the page: {first}"
    );
    let rest = page(&users[2], "WEEK", 2, first["pageInfo"]["endCursor"].as_str().map(str::to_owned)).await;
    assert_eq!(rest["edges"][0]["node"]["rank"], 3, "{rest}");
    assert_eq!(rest["pageInfo"]["hasNextPage"], false);
    assert_eq!(rest["pageInfo"]["hasPreviousPage"], true);
    let all = page(&users[0], "ALL_TIME", 10, None).await;
    assert_eq!(all["edges"][0]["node"], json!({ "rank": 1, "xp": 110, "user": { "id": users[2].id } }), "{all}");

    // Bad paging: refused with the field.
    for (variables, field) in [
        (json!({ "period": "WEEK", "first": 101 }), "first"),
        (json!({ "period": "WEEK", "first": -1 }), "first"),
        (json!({ "period": "WEEK", "after": "bm9wZQ" }), "after"),
    ] {
        let body = app.graphql(BOARD, variables).await;
        assert_eq!((error_code(&body), error_field(&body)), ("BAD_USER_INPUT", field), "{body}");
    }
    let week_cursor = first["pageInfo"]["endCursor"].as_str().unwrap();
    let crossed = app.graphql(BOARD, json!({ "period": "MONTH", "after": week_cursor })).await;
    assert_eq!(error_field(&crossed), "after", "a week cursor on the month board: {crossed}");
    let unknown = app.graphql(BOARD, json!({ "period": "DAY" })).await;
    assert!(unknown["data"].is_null() && !unknown["errors"].as_array().unwrap().is_empty(), "{unknown}");

    // The board rebuilt from the ledger reads the same, and so does an instance
    // that starts with no board at all (it builds it from the ledger on first read).
    for period in LeaderboardPeriod::ALL {
        engagement::rebuild(&app.state, period).await.unwrap();
    }
    assert_eq!(page(&users[2], "WEEK", 2, None).await, first);
    let fresh = app.sibling().await;
    let body = fresh.graphql_as(&users[2], BOARD, json!({ "period": "WEEK", "first": 2 })).await;
    assert_eq!(body["data"]["leaderboard"], first, "{body}");
}

#[tokio::test]
async fn the_live_top_moves_when_someone_climbs() {
    let app = TestApp::spawn().await;
    let leader = app.register_verified("leader@example.com").await;
    let climber = app.register_verified("climber@example.com").await;
    give(&app, &leader, "start", 40, Utc::now()).await;
    give(&app, &climber, "start", 10, Utc::now()).await;

    let mut ws = app.ws("graphql-transport-ws").await;
    ws.init(None).await;
    let subscribe = json!({ "id": "b", "type": "subscribe", "payload": {
        "query": "subscription { leaderboardChanged(period: WEEK) { rank xp user { id } } }" } });
    ws.send(subscribe).await;
    let first = ws.message().await;
    let top = &first["payload"]["data"]["leaderboardChanged"];
    assert_eq!(top[0]["user"]["id"], leader.id.as_str(), "{first}");
    assert_eq!(top[1], json!({ "rank": 2, "xp": 10, "user": { "id": climber.id } }));

    // Three quick awards: the climber passes the leader; pushes are coalesced.
    for key in ["x", "y", "z"] {
        give(&app, &climber, key, 20, Utc::now()).await;
    }
    let mut latest = ws.message().await;
    while latest["payload"]["data"]["leaderboardChanged"][0]["user"]["id"] != climber.id.as_str() {
        latest = ws.message().await;
    }
    assert_eq!(latest["payload"]["data"]["leaderboardChanged"][0]["xp"], 70, "{latest}");
    assert_eq!(app.state.live_boards.running(), 1, "one producer however many listen");
}

#[tokio::test]
async fn leaderboards_answer_from_the_ledger_while_redis_is_down() {
    let Some(mut redis) = OwnRedis::start() else {
        eprintln!("skipped: no redis-server binary to start a private Redis");
        return;
    };
    let app = TestApp::spawn_with(&[("REDIS_URL", &redis.url()), ("REDIS_KEY_PREFIX", "board-outage:")]).await;
    let (a, b) = (app.register_verified("a@example.com").await, app.register_verified("b@example.com").await);
    give(&app, &a, "k", 5, Utc::now()).await;
    give(&app, &b, "k", 7, Utc::now()).await;
    let up = app.graphql_as(&a, BOARD, json!({ "period": "WEEK" })).await;
    assert!(!redis.keys("board-outage:lb:*").await.is_empty(), "the board lives in Redis");
    redis.stop();
    // Awarding still works (the board misses it), and the page is read from the ledger.
    give(&app, &a, "more", 10, Utc::now()).await;
    let down = app.graphql_as(&a, BOARD, json!({ "period": "WEEK" })).await;
    assert!(down["errors"].is_null(), "{down}");
    assert_eq!(down["data"]["leaderboard"]["edges"][0]["node"]["xp"], 15, "{down}");
    assert_eq!(down["data"]["leaderboard"]["viewerEntry"]["rank"], 1);
    assert_eq!(up["data"]["leaderboard"]["edges"][0]["node"]["xp"], 7, "{up}");
    // Back up: the rebuild puts the missed award on the board.
    assert!(redis.restart());
    let mut rebuilt = false;
    for _ in 0..600 {
        if engagement::rebuild(&app.state, LeaderboardPeriod::Week).await.is_ok() {
            let body = app.graphql_as(&a, BOARD, json!({ "period": "WEEK" })).await;
            if body["data"]["leaderboard"]["edges"][0]["node"]["xp"] == 15
                && !redis.keys("board-outage:lb:*").await.is_empty()
            {
                rebuilt = true;
                break;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(rebuilt, "the board is back in Redis with the missed award");
}

#[tokio::test]
async fn a_large_board_is_rebuilt_in_steps_within_the_redis_deadline() {
    let Some(mut redis) = OwnRedis::start() else {
        eprintln!("skipped: no redis-server binary to start a private Redis");
        return;
    };
    // A short deadline: the whole board in one call would be at risk of missing it.
    let settings =
        [("REDIS_URL", redis.url()), ("REDIS_KEY_PREFIX", "big-board:".into()), ("REDIS_TIMEOUT_MS", "300".into())];
    let settings: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = TestApp::spawn_with(&settings).await;
    let scores: Vec<(uuid::Uuid, i64)> =
        (0..25_000u128).map(|n| (uuid::Uuid::from_u128(n + 1), (n % 997) as i64)).collect();
    let ttl = std::time::Duration::from_secs(600);
    app.state.boards.replace("big", scores.clone(), ttl).await.expect("the board is written");
    let (top, total) = app.state.boards.page("big", 0, 3).await.unwrap();
    assert_eq!(total, 25_000);
    // Highest score first (996), ties by the higher id.
    assert_eq!(top.iter().map(|r| (r.rank, r.score)).collect::<Vec<_>>(), [(1, 996), (2, 996), (3, 996)]);
    assert!(top[0].member > top[1].member);
    let (tail, _) = app.state.boards.page("big", 24_999, 5).await.unwrap();
    assert_eq!(tail.iter().map(|r| (r.rank, r.score)).collect::<Vec<_>>(), [(25_000, 0)]);
    assert_eq!(redis.keys("big-board:lb:big:building:*").await, Vec::<String>::new(), "nothing half-built is left");
    // Replaced again with fewer members: the board is the new one, whole.
    app.state.boards.replace("big", scores[..10].to_vec(), ttl).await.unwrap();
    assert_eq!(app.state.boards.page("big", 0, 100).await.unwrap().1, 10);
    // Redis gone: the rebuild reports it instead of claiming a board it did not write.
    redis.stop();
    let failed = engagement::rebuild(&app.state, LeaderboardPeriod::AllTime).await;
    assert!(failed.is_err(), "{failed:?}");
}

#[tokio::test]
async fn referrals_reward_once_verified_and_refuse_own_unknown_repeated_and_self() {
    let app = TestApp::spawn().await;
    let referrer = app.register_verified("ada@example.com").await;
    let code = app.graphql_as(&referrer, "{ me { referralCode } }", json!({})).await["data"]["me"]["referralCode"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(code.len(), 8);
    let again = app.graphql_as(&referrer, "{ me { referralCode } }", json!({})).await;
    assert_eq!(again["data"]["me"]["referralCode"], code.as_str(), "the code is kept");
    let other = app.graphql("query($id: ID!) { user(id: $id) { referralCode } }", json!({ "id": referrer.id })).await;
    assert!(other["data"]["user"]["referralCode"].is_null(), "nobody else sees it: {other}");

    const REGISTER: &str = "mutation($i: RegisterInput!) { register(input: $i) { accessToken user { id } } }";
    let register = |email: &str, code: &str| {
        let input = json!({ "i": { "email": email, "password": crate::harness::PASSWORD, "displayName": "New", "referralCode": code } });
        let app = &app;
        async move { app.graphql(REGISTER, input).await }
    };
    // An unknown code refuses the registration, and nothing is kept.
    let refused = register("bob@example.com", "NOPE2345").await;
    assert_eq!((error_code(&refused), error_field(&refused)), ("BAD_USER_INPUT", "referralCode"), "{refused}");
    let retry = register("bob@example.com", "").await;
    assert!(retry["data"]["register"].is_object(), "the address is still free: {retry}");

    // Codes are read case-insensitively.
    let carol = register("carol@example.com", &code.to_lowercase()).await;
    let carol_id = carol["data"]["register"]["user"]["id"].as_str().unwrap().to_owned();
    const LIST: &str = "{ referrals(first: 10) { totalCount nodes { status reason user { id } } } }";
    let listed = app.graphql_as(&referrer, LIST, json!({})).await;
    assert_eq!(listed["data"]["referrals"]["nodes"][0]["status"], "PENDING", "{listed}");
    assert_eq!(me(&app, &referrer).await["xp"], 0, "not before the address is verified");
    // Verified: the referrer is rewarded.
    let carol_user = TestUser {
        id: carol_id.clone(),
        email: "carol@example.com".into(),
        access_token: carol["data"]["register"]["accessToken"].as_str().unwrap().into(),
        refresh_token: String::new(),
    };
    let mail = app.mail_to("carol@example.com", "Confirm your email").await;
    let verified = app
        .graphql(
            "mutation($t: String!) { verifyEmail(token: $t) { emailVerified } }",
            json!({ "t": crate::harness::token_in(&mail) }),
        )
        .await;
    assert_eq!(verified["data"]["verifyEmail"]["emailVerified"], true, "{verified}");
    let listed = app.graphql_as(&referrer, LIST, json!({})).await;
    assert_eq!(listed["data"]["referrals"]["nodes"][0]["status"], "REWARDED", "{listed}");
    assert_eq!(me(&app, &referrer).await["xp"], 100);

    // A second code for the same account: CONFLICT; one's own code: refused.
    const APPLY: &str = "mutation($c: String!) { applyReferralCode(code: $c) { status } }";
    let second = app.graphql_as(&carol_user, APPLY, json!({ "c": code })).await;
    assert_eq!((error_code(&second), error_field(&second)), ("CONFLICT", "referralCode"), "{second}");
    let own = app.graphql_as(&referrer, APPLY, json!({ "c": code })).await;
    assert_eq!((error_code(&own), error_field(&own)), ("BAD_USER_INPUT", "referralCode"), "{own}");
    // Guessing others' codes stops at 10 tries an hour.
    let mut codes = Vec::new();
    for i in 0..10 {
        codes.push(
            error_code(&app.graphql_as(&carol_user, APPLY, json!({ "c": format!("GUESS{i:03}") })).await).to_owned(),
        );
    }
    assert!(codes.iter().any(|c| c == "RATE_LIMITED"), "{codes:?}");

    // The referrer again, under another address of the same mailbox: rejected, no XP.
    register("ada+second@example.com", &code).await;
    let mail = app.mail_to("ada+second@example.com", "Confirm your email").await;
    app.graphql(
        "mutation($t: String!) { verifyEmail(token: $t) { id } }",
        json!({ "t": crate::harness::token_in(&mail) }),
    )
    .await;
    let listed = app.graphql_as(&referrer, LIST, json!({})).await;
    let newest = &listed["data"]["referrals"]["nodes"][0];
    assert_eq!(
        (newest["status"].as_str(), newest["reason"].as_str()),
        (Some("REJECTED"), Some("SELF_REFERRAL")),
        "{listed}"
    );
    assert_eq!(me(&app, &referrer).await["xp"], 100);
}

#[tokio::test]
async fn a_private_profile_hides_its_standing_from_others_only() {
    let app = TestApp::spawn().await;
    let admin = app.user_with_role("ADMIN").await;
    let private = app.register_verified("private@example.com").await;
    let other = app.register_verified("other@example.com").await;
    give(&app, &private, "k", 120, Utc::now()).await;
    let set = app
        .graphql_as(
            &private,
            "mutation { updateProfile(input: { displayName: \"P\", profilePrivate: true }) { profilePrivate } }",
            json!({}),
        )
        .await;
    assert_eq!(set["data"]["updateProfile"]["profilePrivate"], true, "{set}");
    const PROFILE: &str = "query($id: ID!) { user(id: $id) { displayName level xp streak { current } badges { earnedAt } recentActivity { amount } } }";
    let seen = |viewer: Option<&TestUser>| {
        let app = &app;
        let token = viewer.map(|v| v.access_token.clone());
        let id = private.id.clone();
        async move { app.graphql_with(token.as_deref(), PROFILE, json!({ "id": id })).await["data"]["user"].clone() }
    };
    for stranger in [seen(Some(&other)).await, seen(None).await] {
        assert_eq!(stranger["displayName"], "P");
        for field in ["level", "xp", "streak", "badges", "recentActivity"] {
            assert!(stranger[field].is_null(), "{field} shown: {stranger}");
        }
    }
    for insider in [seen(Some(&private)).await, seen(Some(&admin)).await] {
        assert_eq!((insider["xp"].as_i64(), insider["level"].as_i64()), (Some(120), Some(2)), "{insider}");
    }
    // Still on the board (by name), as a public profile would be.
    let board = app.graphql(BOARD, json!({ "period": "WEEK" })).await;
    assert_eq!(board["data"]["leaderboard"]["edges"][0]["node"]["user"]["id"], private.id.as_str(), "{board}");
    let bad = app
        .graphql_as(
            &private,
            "query($id: ID!) { user(id: $id) { recentActivity(first: 51) { amount } } }",
            json!({ "id": private.id }),
        )
        .await;
    assert_eq!((error_code(&bad), error_field(&bad)), ("BAD_USER_INPUT", "first"), "{bad}");
}

#[tokio::test]
async fn last_weeks_top_get_their_badge_once() {
    let app = TestApp::spawn_with(&[("IN_PROCESS_WORKER", "false")]).await;
    let now = Utc::now();
    let last_week = engagement::period_start(LeaderboardPeriod::Week, now).unwrap() - Duration::days(3);
    // Twelve readers (made in the database: registering that many would meet the per-address limit).
    let mut users = Vec::new();
    for i in 0..12 {
        use sea_orm::{ActiveModelTrait, Set};
        let id = uuid::Uuid::now_v7();
        entity::user::ActiveModel {
            id: Set(id),
            email: Set(format!("r{i}@example.com")),
            password_hash: Set("not a hash".into()),
            display_name: Set(format!("Reader {i}")),
            role: Set(entity::user::Role::Reader),
            email_verified_at: Set(Some(now)),
            created_at: Set(now),
            updated_at: Set(now),
            digest_frequency: Set(entity::user::DigestFrequency::Never),
            session_epoch: Set(0),
            bio: Set(String::new()),
            time_zone: Set("UTC".into()),
            profile_private: Set(false),
            referral_code: Set(None),
        }
        .insert(&app.state.db)
        .await
        .unwrap();
        let user = TestUser {
            id: id.to_string(),
            email: String::new(),
            access_token: String::new(),
            refresh_token: String::new(),
        };
        // r0 earns the most; r11 the least (11th and 12th place: no badge).
        give(&app, &user, "last-week", 200 - 10 * i, last_week).await;
        users.push(user);
    }
    // This week's XP does not count for last week.
    give(&app, &users[11], "this-week", 10_000, now).await;
    assert_eq!(engagement::award_weekly_top(&app.state, now).await.unwrap(), 10);
    assert_eq!(engagement::award_weekly_top(&app.state, now).await.unwrap(), 0, "a second run gives nothing");
    let ids: Vec<uuid::Uuid> = users.iter().map(|u| uuid(&u.id)).collect();
    let badges = engagement::badges_of_users(&app.state.db, &ids).await.unwrap();
    let earned =
        |i: usize| badges.get(&ids[i]).is_some_and(|b| b.iter().any(|(badge, _)| badge.slug == "weekly-top-10"));
    assert!(earned(0) && earned(9));
    assert!(!earned(10) && !earned(11));
}

#[tokio::test]
async fn a_referral_can_wait_for_the_first_read() {
    let app = TestApp::spawn_with(&[("REFERRAL_REQUIRES_FIRST_READ", "true")]).await;
    let author = app.user_with_role("AUTHOR").await;
    let (post, _) = app.published_post(&author, "Ownership").await;
    let referrer = app.register_verified("ada@example.com").await;
    let code = engagement::code_of(&app.state.db, uuid(&referrer.id)).await.unwrap();
    let referred = app.register("bob@example.com").await;
    const APPLY: &str = "mutation($c: String!) { applyReferralCode(code: $c) { status } }";
    let applied = app.graphql_as(&referred, APPLY, json!({ "c": code })).await;
    assert_eq!(applied["data"]["applyReferralCode"]["status"], "PENDING", "{applied}");
    // Verified, but no post read yet: still pending.
    let mail = app.mail_to("bob@example.com", "Confirm your email").await;
    app.graphql(
        "mutation($t: String!) { verifyEmail(token: $t) { id } }",
        json!({ "t": crate::harness::token_in(&mail) }),
    )
    .await;
    assert_eq!(me(&app, &referrer).await["xp"], 0);
    read(&app, &referred, &post, 60).await;
    assert_eq!(me(&app, &referrer).await["xp"], 100);
}

#[tokio::test]
async fn the_live_top_follows_awards_made_on_another_instance() {
    if std::env::var("TEST_REDIS_URL").is_err() {
        eprintln!("skipped: needs TEST_REDIS_URL (runs in the PostgreSQL+Redis pass)");
        return;
    }
    let app = TestApp::spawn_with(&[("IN_PROCESS_WORKER", "false")]).await;
    let sibling = app.sibling().await;
    let reader = app.register_verified("reader@example.com").await;
    give(&app, &reader, "first", 10, Utc::now()).await;
    let mut ws = app.ws("graphql-transport-ws").await;
    ws.init(None).await;
    ws.send(json!({ "id": "b", "type": "subscribe", "payload": {
        "query": "subscription { leaderboardChanged(period: MONTH) { rank xp user { id } } }" } }))
        .await;
    let first = ws.message().await;
    assert_eq!(first["payload"]["data"]["leaderboardChanged"][0]["xp"], 10, "{first}");
    // Awarded through the sibling: its bus event reaches this instance's producer.
    give(&sibling, &reader, "second", 5, Utc::now()).await;
    let next = ws.message().await;
    assert_eq!(next["payload"]["data"]["leaderboardChanged"][0]["xp"], 15, "{next}");
}

#[tokio::test]
async fn posts_skimmed_too_fast_earn_no_reading_badge() {
    let app = TestApp::spawn().await;
    let author = app.user_with_role("AUTHOR").await;
    let reader = app.register_verified("reader@example.com").await;
    let (skimmed, _) = app.published_post(&author, "Skimmed").await;
    let (read_post, _) = app.published_post(&author, "Read").await;
    read(&app, &reader, &skimmed, 2).await;
    let added = app
        .graphql_as(
            &reader,
            "mutation($p: ID!) { addComment(postId: $p, body: \"Hi\") { id } }",
            json!({ "p": skimmed }),
        )
        .await;
    assert!(added["errors"].is_null(), "{added}");
    app.jobs_done("evaluate_badges").await;
    let slugs = |state: &Value| -> Vec<String> {
        state["badges"].as_array().unwrap().iter().map(|b| b["badge"]["slug"].as_str().unwrap().to_owned()).collect()
    };
    let state = me(&app, &reader).await;
    assert_eq!(slugs(&state), ["first-comment"], "a 2-second read is no read: {state}");
    read(&app, &reader, &read_post, 60).await;
    app.jobs_done("evaluate_badges").await;
    assert!(slugs(&me(&app, &reader).await).contains(&"first-read".to_owned()));
}

#[tokio::test]
async fn only_the_user_sees_whether_they_were_referred_and_until_when_a_code_can_be_entered() {
    let app = TestApp::spawn().await;
    let admin = app.user_with_role("ADMIN").await;
    let referrer = app.register_verified("ada@example.com").await;
    let code = engagement::code_of(&app.state.db, uuid(&referrer.id)).await.unwrap();
    let reader = app.register_verified("bob@example.com").await;
    const REFERRAL: &str = "query($id: ID!) { user(id: $id) {
        createdAt referral { canApplyCode applyCodeUntil referredAt status reason referredBy { id displayName } } } }";
    let referral_of = |viewer: Option<&TestUser>, user: &TestUser| {
        let app = &app;
        let token = viewer.map(|v| v.access_token.clone());
        let id = user.id.clone();
        async move {
            let body = app.graphql_with(token.as_deref(), REFERRAL, json!({ "id": id })).await;
            assert!(body["errors"].is_null(), "{body}");
            body["data"]["user"].clone()
        }
    };

    // The owner: nobody referred them, and a code can be entered until a week after registering.
    let own = referral_of(Some(&reader), &reader).await;
    let registered: DateTime<Utc> = own["createdAt"].as_str().unwrap().parse().unwrap();
    let until: DateTime<Utc> =
        own["referral"]["applyCodeUntil"].as_str().unwrap_or_else(|| panic!("{own}")).parse().unwrap();
    assert_eq!(until, registered + Duration::days(engagement::APPLY_WITHIN_DAYS), "{own}");
    assert_eq!(own["referral"]["canApplyCode"], true, "{own}");
    for field in ["referredAt", "status", "reason", "referredBy"] {
        assert!(own["referral"][field].is_null(), "{field}: {own}");
    }
    // Nobody else: not another reader, not a visitor, not an admin.
    for viewer in [Some(&referrer), None, Some(&admin)] {
        let seen = referral_of(viewer, &reader).await;
        assert!(seen["referral"].is_null(), "{seen}");
    }

    // A code entered: the window closes, and the referrer shows (rewarded at once: the address is verified).
    const APPLY: &str = "mutation($c: String!) { applyReferralCode(code: $c) { status } }";
    let applied = app.graphql_as(&reader, APPLY, json!({ "c": code })).await;
    assert_eq!(applied["data"]["applyReferralCode"]["status"], "REWARDED", "{applied}");
    let own = referral_of(Some(&reader), &reader).await;
    assert_eq!(own["referral"]["canApplyCode"], false, "{own}");
    assert!(own["referral"]["applyCodeUntil"].is_null(), "{own}");
    assert_eq!(own["referral"]["referredBy"]["id"], referrer.id.as_str(), "{own}");
    assert_eq!(own["referral"]["status"], "REWARDED", "{own}");
    assert!(own["referral"]["referredAt"].is_string(), "{own}");
    assert!(referral_of(Some(&referrer), &reader).await["referral"].is_null());
    // The referrer was not referred themself, and can still enter a code.
    let theirs = referral_of(Some(&referrer), &referrer).await;
    assert_eq!(theirs["referral"]["canApplyCode"], true, "{theirs}");
    assert!(theirs["referral"]["referredBy"].is_null(), "{theirs}");

    // Registered with the referrer's code under another address of the same mailbox:
    // referred from the start, and, once verified, rejected as a self-referral.
    let body = app
        .graphql(
            "mutation($i: RegisterInput!) { register(input: $i) { accessToken user { id } } }",
            json!({ "i": { "email": "ada+second@example.com", "password": crate::harness::PASSWORD,
                           "displayName": "Ada Again", "referralCode": code } }),
        )
        .await;
    let second = TestUser {
        id: body["data"]["register"]["user"]["id"].as_str().unwrap_or_else(|| panic!("{body}")).into(),
        email: "ada+second@example.com".into(),
        access_token: body["data"]["register"]["accessToken"].as_str().unwrap().into(),
        refresh_token: String::new(),
    };
    let pending = referral_of(Some(&second), &second).await;
    assert_eq!(
        (pending["referral"]["status"].as_str(), pending["referral"]["canApplyCode"].as_bool()),
        (Some("PENDING"), Some(false)),
        "{pending}"
    );
    let mail = app.mail_to("ada+second@example.com", "Confirm your email").await;
    app.graphql(
        "mutation($t: String!) { verifyEmail(token: $t) { id } }",
        json!({ "t": crate::harness::token_in(&mail) }),
    )
    .await;
    let rejected = referral_of(Some(&second), &second).await;
    assert_eq!(
        (rejected["referral"]["status"].as_str(), rejected["referral"]["reason"].as_str()),
        (Some("REJECTED"), Some("SELF_REFERRAL")),
        "{rejected}"
    );
    assert_eq!(rejected["referral"]["referredBy"]["id"], referrer.id.as_str(), "{rejected}");

    // Past the first week: no code can be entered any more, and the field says so before anyone tries.
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let late = app.register_verified("late@example.com").await;
    entity::user::Entity::update_many()
        .col_expr(entity::user::Column::CreatedAt, sea_orm::sea_query::Expr::value(Utc::now() - Duration::days(8)))
        .filter(entity::user::Column::Id.eq(uuid(&late.id)))
        .exec(&app.state.db)
        .await
        .unwrap();
    let closed = referral_of(Some(&late), &late).await;
    assert_eq!(closed["referral"]["canApplyCode"], false, "{closed}");
    assert!(closed["referral"]["applyCodeUntil"].is_null(), "{closed}");
    assert!(closed["referral"]["referredBy"].is_null(), "{closed}");
    let refused = app.graphql_as(&late, APPLY, json!({ "c": code })).await;
    assert_eq!((error_code(&refused), error_field(&refused)), ("BAD_USER_INPUT", "referralCode"), "{refused}");
}

#[tokio::test]
async fn a_post_finished_too_quickly_earns_its_xp_once_the_sessions_reach_seconds_for_xp() {
    let app = TestApp::spawn_with(&[("XP_READ_MIN_PERCENT", "50"), ("IN_PROCESS_WORKER", "false")]).await;
    let author = app.user_with_role("AUTHOR").await;
    let reader = app.register_verified("reader@example.com").await;
    let (post, slug) = app.published_post(&author, "Ownership").await;
    let seen = app
        .graphql("query($s: String!) { post(slug: $s) { readingMinutes secondsForXp } }", json!({ "s": slug }))
        .await;
    // Half of a one-minute post.
    assert_eq!(seen["data"]["post"], json!({ "readingMinutes": 1, "secondsForXp": 30 }), "{seen}");

    // Finished after 20 s, then more sessions: the XP comes when the total reaches secondsForXp, not before.
    const PROGRESS: &str = "query($s: String!) { post(slug: $s) { viewerProgress { secondsSpent completedAt } } }";
    read(&app, &reader, &post, 20).await;
    let progress = app.graphql_as(&reader, PROGRESS, json!({ "s": slug })).await;
    assert!(progress["data"]["post"]["viewerProgress"]["completedAt"].is_string(), "{progress}");
    read(&app, &reader, &post, 9).await;
    assert_eq!(me(&app, &reader).await["xp"], 0, "29 s is short of 30");
    read(&app, &reader, &post, 1).await;
    let state = me(&app, &reader).await;
    assert_eq!(state["xp"], 10, "{state}");
    assert_eq!(state["recentActivity"][0]["link"], format!("/posts/{slug}"), "{state}");
    // More time later changes nothing.
    read(&app, &reader, &post, 60).await;
    assert_eq!(me(&app, &reader).await["xp"], 10);
}

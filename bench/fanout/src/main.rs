//! Fan-out load client for bench/fanout.sh (BENCHMARKS.md, "Fan-out").
//!
//! Against a running `lectern serve` (and its pid, to read its RSS and CPU
//! time from /proc), it:
//!
//! 1. signs in (the demo reader by default) and looks up the demo post's id;
//! 2. opens N websockets on `/graphql/ws` (graphql-transport-ws), each
//!    `connection_init` with the bearer token (or none with `--anonymous`),
//!    waits for `connection_ack` and subscribes to `commentAdded` on the post;
//! 3. lets them settle, reads the server's RSS (→ memory per idle
//!    subscription) and its CPU time over a few idle seconds;
//! 4. posts one warm-up `addComment` and waits until every subscriber has it
//!    (graphql-transport-ws has no subscribe ack: this proves all N are live);
//! 5. posts K more `addComment` mutations over HTTP, one at a time, each once
//!    the previous one reached everyone plus a gap, and records for every
//!    subscriber the delay from just before the mutation is sent to the
//!    moment its `next` message is read.
//!
//! It prints a readable summary and one `result {json}` line for the driver.
//! Timestamps are taken by this process, which shares the machine (and its
//! cores) with the server: delays include the client's own scheduling.

use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed},
    },
    time::{Duration, Instant},
};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::Semaphore;
use tokio_tungstenite::{
    connect_async_with_config,
    tungstenite::{Message, client::IntoClientRequest, http::HeaderValue, protocol::WebSocketConfig},
};

const USAGE: &str = "usage: fanout --url http://127.0.0.1:PORT --server-pid PID --connections N \
[--events 20] [--gap-ms 250] [--settle-ms 3000] [--idle-ms 5000] [--open-concurrency 64] \
[--email E --password P] [--slug SLUG] [--selection 'id body'] [--anonymous] [--probe] [--connect-only]";

struct Args {
    url: String,
    server_pid: u32,
    connections: usize,
    events: usize,
    gap: Duration,
    settle: Duration,
    idle: Duration,
    open_concurrency: usize,
    email: String,
    password: String,
    slug: String,
    selection: String,
    anonymous: bool,
    /// Max-idle probe: report how many connections held instead of failing when some did not.
    probe: bool,
    /// Acknowledged connections without a subscription, and no events: what a bare connection costs.
    connect_only: bool,
}

fn fail(why: String) -> ! {
    eprintln!("{why}\n{USAGE}");
    std::process::exit(2)
}

fn parse_args() -> Args {
    let mut args = Args {
        url: String::new(),
        server_pid: 0,
        connections: 0,
        events: 20,
        gap: Duration::from_millis(250),
        settle: Duration::from_millis(3000),
        idle: Duration::from_millis(5000),
        open_concurrency: 64,
        email: "reader@lectern.dev".into(),
        password: "lectern-reader-demo-2026".into(),
        slug: "ownership-and-borrowing-explained".into(),
        selection: "id body".into(),
        anonymous: false,
        probe: false,
        connect_only: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| fail(format!("{flag} needs a value")));
        let number = |v: String| v.parse::<u64>().unwrap_or_else(|_| fail(format!("{flag}: not a number: {v}")));
        match flag.as_str() {
            "--url" => args.url = value().trim_end_matches('/').to_owned(),
            "--server-pid" => args.server_pid = number(value()) as u32,
            "--connections" => args.connections = number(value()) as usize,
            "--events" => args.events = number(value()) as usize,
            "--gap-ms" => args.gap = Duration::from_millis(number(value())),
            "--settle-ms" => args.settle = Duration::from_millis(number(value())),
            "--idle-ms" => args.idle = Duration::from_millis(number(value())),
            "--open-concurrency" => args.open_concurrency = number(value()).max(1) as usize,
            "--email" => args.email = value(),
            "--password" => args.password = value(),
            "--slug" => args.slug = value(),
            "--selection" => args.selection = value(),
            "--anonymous" => args.anonymous = true,
            "--probe" => args.probe = true,
            "--connect-only" => args.connect_only = true,
            "-h" | "--help" => fail(String::new()),
            other => fail(format!("unknown argument {other}")),
        }
    }
    if args.url.is_empty() || args.server_pid == 0 || args.connections == 0 {
        fail("--url, --server-pid and --connections are required".into());
    }
    args
}

/// What every subscriber task shares with the coordinator.
struct Shared {
    base: Instant,
    connections: usize,
    /// Nanoseconds since `base` (+1, so 0 means "not yet") at which subscriber
    /// `i` read event `k`: index `k * connections + i`. Event 0 is the warm-up.
    received: Vec<AtomicU64>,
    counts: Vec<AtomicUsize>,
    subscribed: AtomicUsize,
    failed: AtomicUsize,
    closed: AtomicUsize,
    unexpected: AtomicUsize,
    first_error: std::sync::Mutex<Option<String>>,
}

impl Shared {
    fn now(&self) -> u64 {
        self.base.elapsed().as_nanos() as u64
    }

    fn fail(&self, why: String) {
        self.failed.fetch_add(1, Relaxed);
        self.first_error.lock().unwrap().get_or_insert(why);
    }
}

/// The event number in a `next` message: the comment bodies end in `#ev<k>#`.
fn event_index(message: &str) -> Option<usize> {
    let start = message.find("#ev")? + 3;
    let end = start + message[start..].find('#')?;
    message[start..end].parse().ok()
}

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn open(ws_url: &str, init: &str, subscribe: Option<&str>) -> Result<Socket, String> {
    let mut request = ws_url.into_client_request().map_err(|e| e.to_string())?;
    request.headers_mut().insert("sec-websocket-protocol", HeaderValue::from_static("graphql-transport-ws"));
    // Small buffers: the client holds as many sockets as the server.
    let config = WebSocketConfig::default().read_buffer_size(4096).write_buffer_size(0);
    let (mut ws, _) =
        connect_async_with_config(request, Some(config), true).await.map_err(|e| format!("connect: {e}"))?;
    ws.send(Message::Text(init.into())).await.map_err(|e| format!("init: {e}"))?;
    loop {
        match ws.next().await {
            Some(Ok(Message::Text(text))) if text.contains("\"connection_ack\"") => break,
            Some(Ok(Message::Close(frame))) => return Err(format!("closed before ack: {frame:?}")),
            Some(Ok(_)) => {}
            Some(Err(e)) => return Err(format!("before ack: {e}")),
            None => return Err("closed before ack".into()),
        }
    }
    if let Some(subscribe) = subscribe {
        ws.send(Message::Text(subscribe.into())).await.map_err(|e| format!("subscribe: {e}"))?;
    }
    Ok(ws)
}

async fn subscriber(
    index: usize,
    shared: Arc<Shared>,
    gate: Arc<Semaphore>,
    urls: Arc<(String, String, Option<String>)>,
) {
    let permit = gate.acquire_owned().await.expect("semaphore");
    let opened = tokio::time::timeout(Duration::from_secs(60), open(&urls.0, &urls.1, urls.2.as_deref())).await;
    drop(permit);
    let mut ws = match opened {
        Ok(Ok(ws)) => ws,
        Ok(Err(why)) => return shared.fail(why),
        Err(_) => return shared.fail("timed out opening".into()),
    };
    shared.subscribed.fetch_add(1, Relaxed);
    while let Some(message) = ws.next().await {
        match message {
            Ok(Message::Text(text)) => {
                let text = text.as_str();
                let at = shared.now() + 1;
                match event_index(text) {
                    Some(k) if k < shared.counts.len() && text.contains("\"next\"") => {
                        shared.received[k * shared.connections + index].store(at, Relaxed);
                        shared.counts[k].fetch_add(1, Relaxed);
                    }
                    _ => {
                        if shared.unexpected.fetch_add(1, Relaxed) == 0 {
                            eprintln!("unexpected message: {}", &text[..text.len().min(300)]);
                        }
                    }
                }
            }
            Ok(Message::Close(_)) | Err(_) => break,
            Ok(_) => {}
        }
    }
    shared.closed.fetch_add(1, Relaxed);
}

/// Server-side figures from /proc: resident memory in KiB, CPU time in ms.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn cpu_ms(pid: &str) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may hold spaces) start at field 3; utime and stime are 14 and 15.
    let rest = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields.get(11..13).map(|f| f.iter().filter_map(|v| v.parse::<u64>().ok()).sum()).unwrap_or(0);
    ticks * 10 // USER_HZ is 100 on Linux
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

async fn graphql(http: &reqwest::Client, url: &str, token: Option<&str>, query: &str, variables: Value) -> Value {
    let mut request = http.post(format!("{url}/graphql")).json(&json!({ "query": query, "variables": variables }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("POST /graphql");
    let body: Value = response.json().await.expect("a JSON response");
    if body.get("errors").is_some() {
        eprintln!("GraphQL errors: {body}");
        std::process::exit(1);
    }
    body
}

#[tokio::main]
async fn main() {
    let args = parse_args();
    let n = args.connections;
    let pid = args.server_pid.to_string();
    let http = reqwest::Client::new();

    let login = graphql(
        &http,
        &args.url,
        None,
        "mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p}) { accessToken } }",
        json!({ "e": args.email, "p": args.password }),
    )
    .await;
    let token = login["data"]["login"]["accessToken"].as_str().expect("an access token").to_owned();
    let post = graphql(
        &http,
        &args.url,
        Some(&token),
        "query($s: String!) { post(slug: $s) { id } }",
        json!({ "s": args.slug }),
    )
    .await;
    let post_id = post["data"]["post"]["id"].as_str().unwrap_or_else(|| panic!("no post {}", args.slug)).to_owned();

    let ws_url = format!("{}/graphql/ws", args.url.replacen("http", "ws", 1));
    let init = if args.anonymous {
        json!({ "type": "connection_init" })
    } else {
        json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } })
    };
    let subscribe = json!({ "id": "1", "type": "subscribe", "payload": {
        "query": format!("subscription($p: ID!) {{ commentAdded(postId: $p) {{ {} }} }}", args.selection),
        "variables": { "p": post_id },
    }});
    let urls = Arc::new((ws_url, init.to_string(), (!args.connect_only).then(|| subscribe.to_string())));

    let shared = Arc::new(Shared {
        base: Instant::now(),
        connections: n,
        received: (0..(args.events + 1) * n).map(|_| AtomicU64::new(0)).collect(),
        counts: (0..=args.events).map(|_| AtomicUsize::new(0)).collect(),
        subscribed: AtomicUsize::new(0),
        failed: AtomicUsize::new(0),
        closed: AtomicUsize::new(0),
        unexpected: AtomicUsize::new(0),
        first_error: std::sync::Mutex::new(None),
    });

    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_before = rss_kib(args.server_pid);
    println!("server RSS before: {:.1} MiB", mib(rss_before));

    // Open and subscribe, a bounded number of handshakes in flight.
    let opening = Instant::now();
    let gate = Arc::new(Semaphore::new(args.open_concurrency));
    for index in 0..n {
        tokio::spawn(subscriber(index, shared.clone(), gate.clone(), urls.clone()));
    }
    while shared.subscribed.load(Relaxed) + shared.failed.load(Relaxed) < n {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let open_secs = opening.elapsed().as_secs_f64();
    let subscribed = shared.subscribed.load(Relaxed);
    println!(
        "connections: {n} requested, {subscribed} acknowledged{}, {} failed, in {open_secs:.2} s ({:.0}/s)",
        if args.connect_only { " (not subscribed)" } else { " and subscribed" },
        shared.failed.load(Relaxed),
        subscribed as f64 / open_secs
    );
    if let Some(why) = shared.first_error.lock().unwrap().as_ref() {
        println!("first failure: {why}");
    }
    if subscribed < n && !args.probe {
        eprintln!("not every connection subscribed");
        std::process::exit(1);
    }

    // Idle: let the subscriptions settle, then memory and CPU time with nothing happening.
    tokio::time::sleep(args.settle).await;
    let rss_idle = rss_kib(args.server_pid);
    let cpu_idle_start = cpu_ms(&pid);
    tokio::time::sleep(args.idle).await;
    let idle_cpu = cpu_ms(&pid) - cpu_idle_start;
    let per_sub = (rss_idle.saturating_sub(rss_before)) as f64 * 1024.0 / subscribed.max(1) as f64;
    println!(
        "server RSS with {subscribed} idle {}: {:.1} MiB (+{:.1} MiB, {:.1} KiB each); \
         server CPU over {:.0} s idle: {idle_cpu} ms",
        if args.connect_only { "connections" } else { "subscribers" },
        mib(rss_idle),
        mib(rss_idle.saturating_sub(rss_before)),
        per_sub / 1024.0,
        args.idle.as_secs_f64()
    );

    if args.connect_only {
        let result = json!({
            "connections": n, "subscribed": subscribed, "connect_only": true, "open_secs": open_secs,
            "rss_before_mib": mib(rss_before), "rss_idle_mib": mib(rss_idle), "kib_per_subscription": per_sub / 1024.0,
            "idle_cpu_ms": idle_cpu, "idle_secs": args.idle.as_secs_f64(),
        });
        println!("result {result}");
        std::process::exit(0);
    }

    // Events: 0 is the warm-up that proves every subscription is live.
    let mutation = "mutation($p: ID!, $b: String!) { addComment(postId: $p, body: $b) { id } }";
    let mut to_all = Vec::new();
    let mut first = Vec::new();
    let mut deliveries = Vec::with_capacity(args.events * subscribed);
    let mut responses = Vec::new();
    let mut incomplete = 0;
    let (mut cpu_events, mut cpu_client) = (0, 0);
    for k in 0..=args.events {
        let body = format!("Fan-out benchmark event {k} of {} #ev{k}#", args.events);
        let (server_cpu, client_cpu) = (cpu_ms(&pid), cpu_ms("self"));
        let sent = shared.now();
        graphql(&http, &args.url, Some(&token), mutation, json!({ "p": post_id, "b": body })).await;
        let answered = shared.now();
        let deadline = Instant::now() + Duration::from_secs(30);
        while shared.counts[k].load(Relaxed) < subscribed && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        // Wait for any stragglers' writes to finish before reading CPU time.
        tokio::time::sleep(Duration::from_millis(20)).await;
        let got = shared.counts[k].load(Relaxed);
        if k == 0 {
            println!("warm-up event reached {got} of {subscribed} subscribers");
            if got < subscribed && !args.probe {
                std::process::exit(1);
            }
            let rss_after_one = rss_kib(args.server_pid);
            println!("server RSS after the warm-up event: {:.1} MiB", mib(rss_after_one));
        } else {
            cpu_events += cpu_ms(&pid) - server_cpu;
            cpu_client += cpu_ms("self") - client_cpu;
            if got < subscribed {
                incomplete += 1;
            }
            let times: Vec<u64> = (0..n)
                .map(|i| shared.received[k * n + i].load(Relaxed))
                .filter(|&at| at != 0)
                .map(|at| at - 1 - sent)
                .collect();
            let ms = |ns: u64| ns as f64 / 1e6;
            to_all.push(ms(times.iter().copied().max().unwrap_or(0)));
            first.push(ms(times.iter().copied().min().unwrap_or(0)));
            deliveries.extend(times.into_iter().map(ms));
            responses.push(ms(answered - sent));
        }
        tokio::time::sleep(args.gap).await;
    }
    let rss_after = rss_kib(args.server_pid);

    for v in [&mut to_all, &mut first, &mut deliveries, &mut responses] {
        v.sort_by(f64::total_cmp);
    }
    let k = args.events;
    println!(
        "{k} events: per-subscriber delivery p50 {:.1} / p90 {:.1} / p99 {:.1} / max {:.1} ms ({} deliveries)",
        percentile(&deliveries, 50.0),
        percentile(&deliveries, 90.0),
        percentile(&deliveries, 99.0),
        deliveries.last().copied().unwrap_or(f64::NAN),
        deliveries.len()
    );
    println!(
        "time to all {subscribed}: p50 {:.1} / p99 {:.1} / max {:.1} ms; first subscriber p50 {:.1} ms; \
         addComment response p50 {:.1} ms",
        percentile(&to_all, 50.0),
        percentile(&to_all, 99.0),
        to_all.last().copied().unwrap_or(f64::NAN),
        percentile(&first, 50.0),
        percentile(&responses, 50.0)
    );
    let server_cpu_per_event = cpu_events as f64 / k.max(1) as f64;
    println!(
        "CPU per event: server {server_cpu_per_event:.0} ms ({:.1} µs per delivery), this client {:.0} ms",
        server_cpu_per_event * 1000.0 / subscribed.max(1) as f64,
        cpu_client as f64 / k.max(1) as f64
    );
    println!(
        "events not reaching everyone within 30 s: {incomplete}; unexpected messages: {}; connections closed by the server: {}",
        shared.unexpected.load(Relaxed),
        shared.closed.load(Relaxed)
    );
    println!("server RSS after the events: {:.1} MiB", mib(rss_after));
    let result = json!({
        "connections": n,
        "subscribed": subscribed,
        "open_secs": open_secs,
        "rss_before_mib": mib(rss_before),
        "rss_idle_mib": mib(rss_idle),
        "kib_per_subscription": per_sub / 1024.0,
        "idle_cpu_ms": idle_cpu,
        "idle_secs": args.idle.as_secs_f64(),
        "events": k,
        "incomplete_events": incomplete,
        "delivery_p50_ms": percentile(&deliveries, 50.0),
        "delivery_p99_ms": percentile(&deliveries, 99.0),
        "to_all_p50_ms": percentile(&to_all, 50.0),
        "to_all_p99_ms": percentile(&to_all, 99.0),
        "first_p50_ms": percentile(&first, 50.0),
        "mutation_p50_ms": percentile(&responses, 50.0),
        "server_cpu_ms_per_event": server_cpu_per_event,
        "rss_after_mib": mib(rss_after),
    });
    println!("result {result}");
    // Exiting closes every socket at once; the driver stops the server next.
    std::process::exit(0);
}

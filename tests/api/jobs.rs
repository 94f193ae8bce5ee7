//! The job queue: jobs commit with the change that needs them, failing jobs are
//! retried with backoff and end FAILED for admins to retry, and a job whose
//! worker process is killed mid-run completes exactly once after a restart.

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use futures::StreamExt;
use lectern::{
    jobs::{self, Enqueue, Job},
    state::BeginWrite,
    write::Write,
};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;
use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::TcpListener,
    sync::Notify,
};

use crate::harness::{TestApp, error_code};
use entity::job;

async fn jobs_of_kind(app: &TestApp, kind: &str) -> Vec<job::Model> {
    job::Entity::find().filter(job::Column::Kind.eq(kind)).all(&app.state.db).await.unwrap()
}

/// Waits (up to `secs`) until `check` holds for the job.
async fn wait_for_job(app: &TestApp, id: uuid::Uuid, secs: u64, check: impl Fn(&job::Model) -> bool) -> job::Model {
    let mut last = None;
    for _ in 0..secs * 20 {
        let row = job::Entity::find_by_id(id).one(&app.state.db).await.unwrap().expect("job row");
        if check(&row) {
            return row;
        }
        last = Some(row);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("job never reached the expected state: {last:?}");
}

fn mail(to: &str, subject: &str) -> Job {
    Job::SendMail {
        mail: lectern::infra::mail::Template::new("Hello,").paragraph("A test.").render(to, subject),
        links: Vec::new(),
    }
}

#[tokio::test]
async fn a_job_commits_with_its_change_and_a_rolled_back_change_leaves_none() {
    let app = TestApp::spawn_with(&[("IN_PROCESS_WORKER", "false")]).await;

    let txn = app.state.db.begin_write().await.unwrap();
    jobs::enqueue(&txn, &mail("rolled@example.com", "Rolled back")).await.unwrap();
    txn.rollback().await.unwrap();
    let txn = app.state.db.begin_write().await.unwrap();
    let kept = jobs::enqueue(&txn, &mail("kept@example.com", "Committed")).await.unwrap();
    txn.commit().await.unwrap();
    let all = jobs_of_kind(&app, "send_mail").await;
    assert_eq!(all.iter().map(|j| j.id).collect::<Vec<_>>(), vec![kept]);
    assert_eq!(all[0].status, job::Status::Pending);

    // A failed registration (duplicate address) rolls back and enqueues no mail.
    app.register("twice@example.com").await;
    let before = jobs_of_kind(&app, "send_mail").await.len();
    let body = app
        .graphql(
            "mutation($input: RegisterInput!) { register(input: $input) { accessToken } }",
            json!({ "input": { "email": "twice@example.com", "password": crate::harness::PASSWORD, "displayName": "Again" } }),
        )
        .await;
    assert_eq!(error_code(&body), "CONFLICT");
    assert_eq!(jobs_of_kind(&app, "send_mail").await.len(), before);

    // A dedupe key makes one job however often it is enqueued.
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
    let options = || Enqueue { dedupe_key: Some(day.to_string()), ..Default::default() };
    let first = jobs::enqueue_with(&app.state.db, &Job::SendDigests { day }, options()).await.unwrap();
    let second = jobs::enqueue_with(&app.state.db, &Job::SendDigests { day }, options()).await.unwrap();
    assert!(first.is_some());
    assert_eq!(second, None);
    assert_eq!(jobs_of_kind(&app, "send_digests").await.len(), 1);
}

#[tokio::test]
async fn a_write_enqueues_and_publishes_only_once_committed_and_wakes_the_worker() {
    // The worker polls once an hour: a job it runs sooner, it was woken for.
    let app = TestApp::spawn_with(&[("JOB_POLL_MS", "3600000")]).await;
    let topic = "test:writes";
    let mut events = app.state.bus.subscribe(topic);
    let mut next_event = async || {
        tokio::time::timeout(Duration::from_secs(10), events.next()).await.expect("an event").expect("the bus")
    };

    // Dropped without commit: it rolls back, so no job, and its event is never published.
    let write = Write::begin(&app.state).await.unwrap();
    let rolled_back = write.enqueue(&Job::RefreshSitemap).await.unwrap();
    write.publish(topic, &json!({ "write": "rolled back" }));
    drop(write);
    assert!(job::Entity::find_by_id(rolled_back).one(&app.state.db).await.unwrap().is_none());

    // Committed: the event goes out after the commit, so one published while the
    // write is open arrives first, and the job is stored by the time it does.
    let write = Write::begin(&app.state).await.unwrap();
    let first = write.enqueue(&Job::RefreshSitemap).await.unwrap();
    write.publish(topic, &json!({ "write": "committed" }));
    app.state.bus.publish(topic, json!({ "marker": "while the write is open" })).await.unwrap();
    write.commit().await.unwrap();
    assert_eq!(next_event().await, json!({ "marker": "while the write is open" }));
    assert_eq!(next_event().await, json!({ "write": "committed" }));
    assert!(job::Entity::find_by_id(first).one(&app.state.db).await.unwrap().is_some());
    wait_for_job(&app, first, 30, |j| j.status == job::Status::Done).await;

    // The worker has run that job and waits for the next poll, an hour away:
    // the next committed write's job runs because the commit woke it.
    let write = Write::begin(&app.state).await.unwrap();
    let second = write.enqueue(&Job::RefreshSitemap).await.unwrap();
    write.commit().await.unwrap();
    wait_for_job(&app, second, 30, |j| j.status == job::Status::Done).await;
}

#[tokio::test]
async fn failing_jobs_back_off_end_failed_and_admins_retry_them() {
    // The outbox directory cannot be created while a file has its name.
    let app = TestApp::spawn_with(&[("JOB_RETRY_BASE_MS", "10")]).await;
    let outbox = std::path::PathBuf::from(&app.env["DATA_DIR"]).join("outbox");
    std::fs::write(&outbox, b"in the way").unwrap();

    let reader = app.register("retry@example.com").await;
    let admin = app.user_with_role("ADMIN").await;
    let mails = |to: &'static str| {
        let app = &app;
        async move {
            jobs_of_kind(app, "send_mail")
                .await
                .into_iter()
                .filter(|j| j.payload["mail"]["to"] == to)
                .collect::<Vec<_>>()
        }
    };
    let id = mails("retry@example.com").await[0].id;
    let failed = wait_for_job(&app, id, 20, |j| j.status == job::Status::Failed).await;
    assert_eq!(failed.attempts, jobs::queue::DEFAULT_MAX_ATTEMPTS);
    assert!(failed.last_error.as_deref().unwrap().contains("outbox"), "{failed:?}");
    assert!(failed.run_at > failed.created_at, "retries were scheduled later each time");

    // Admins see it among the failed jobs; nobody else sees the queue.
    let list = "query($status: JobStatus) { jobs(status: $status, first: 50) { totalCount nodes { id kind status attempts lastError } } }";
    let body = app.graphql_as(&admin, list, json!({ "status": "FAILED" })).await;
    let nodes = body["data"]["jobs"]["nodes"].as_array().unwrap_or_else(|| panic!("{body}"));
    let listed = nodes.iter().find(|n| n["id"] == id.to_string()).unwrap_or_else(|| panic!("{body}"));
    assert_eq!(listed["kind"], "send_mail");
    assert_eq!(listed["status"], "FAILED");
    assert!(nodes.iter().all(|n| n["status"] == "FAILED"));
    assert_eq!(error_code(&app.graphql_as(&reader, list, json!({})).await), "FORBIDDEN");
    assert_eq!(error_code(&app.graphql(list, json!({})).await), "UNAUTHENTICATED");

    let retry = "mutation($id: ID!) { retryJob(id: $id) { id status attempts } }";
    assert_eq!(error_code(&app.graphql_as(&reader, retry, json!({ "id": id.to_string() })).await), "FORBIDDEN");
    let unknown = json!({ "id": uuid::Uuid::now_v7().to_string() });
    assert_eq!(error_code(&app.graphql_as(&admin, retry, unknown).await), "NOT_FOUND");
    assert_eq!(error_code(&app.graphql_as(&admin, retry, json!({ "id": "nope" })).await), "BAD_USER_INPUT");

    // Once the cause is gone, a retry delivers the mail.
    std::fs::remove_file(&outbox).unwrap();
    let body = app.graphql_as(&admin, retry, json!({ "id": id.to_string() })).await;
    assert_eq!(body["data"]["retryJob"]["attempts"], 0, "{body}");
    let done = wait_for_job(&app, id, 10, |j| j.status == job::Status::Done).await;
    assert_eq!(done.attempts, 1);
    assert!(app.mail_to("retry@example.com", "Confirm your email").await.contains("verify-email?token="));
    // A job that is done cannot be retried (it would send the mail twice).
    assert_eq!(error_code(&app.graphql_as(&admin, retry, json!({ "id": id.to_string() })).await), "CONFLICT");
}

/// A minimal SMTP server speaking the real protocol to lettre. While `stall` is
/// set it swallows a message's data and never answers, as a server would while
/// the sending worker is killed; otherwise it accepts and records messages.
struct SmtpSink {
    url: String,
    stall: Arc<AtomicBool>,
    stalled: Arc<Notify>,
    accepted: Arc<Mutex<Vec<String>>>,
}

impl SmtpSink {
    async fn start() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("smtp://{}", listener.local_addr().unwrap());
        let sink = SmtpSink {
            url,
            stall: Arc::new(AtomicBool::new(true)),
            stalled: Arc::new(Notify::new()),
            accepted: Arc::new(Mutex::new(Vec::new())),
        };
        let (stall, stalled, accepted) = (sink.stall.clone(), sink.stalled.clone(), sink.accepted.clone());
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let (stall, stalled, accepted) = (stall.clone(), stalled.clone(), accepted.clone());
                tokio::spawn(async move {
                    let (read, mut write) = socket.into_split();
                    let mut lines = BufReader::new(read).lines();
                    write.write_all(b"220 sink ESMTP\r\n").await.ok();
                    while let Ok(Some(line)) = lines.next_line().await {
                        let verb = line.split_whitespace().next().unwrap_or("").to_ascii_uppercase();
                        let reply: &[u8] = match verb.as_str() {
                            "EHLO" | "HELO" => b"250 sink\r\n",
                            "DATA" => {
                                write.write_all(b"354 end with .\r\n").await.ok();
                                let mut message = String::new();
                                while let Ok(Some(data)) = lines.next_line().await {
                                    if data == "." {
                                        break;
                                    }
                                    message.push_str(&data);
                                    message.push('\n');
                                }
                                if stall.load(Ordering::SeqCst) {
                                    stalled.notify_one();
                                    std::future::pending::<()>().await;
                                }
                                accepted.lock().unwrap().push(message);
                                b"250 queued\r\n"
                            }
                            "QUIT" => {
                                write.write_all(b"221 bye\r\n").await.ok();
                                return;
                            }
                            _ => b"250 OK\r\n",
                        };
                        if write.write_all(reply).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        sink
    }

    fn accepted(&self) -> Vec<String> {
        self.accepted.lock().unwrap().clone()
    }
}

/// `lectern worker` as a child process against the app's database.
fn worker_process(app: &TestApp, smtp_url: &str) -> tokio::process::Child {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_lectern"))
        .arg("worker")
        .env_clear()
        .envs(app.env.iter().filter(|(k, _)| k.as_str() != "IN_PROCESS_WORKER"))
        .env("SMTP_URL", smtp_url)
        .env("MAIL_FROM", "Lectern <no-reply@lectern.test>")
        .env("JOB_LEASE_MS", "1500")
        .env("JOB_POLL_MS", "100")
        .env("RUST_LOG", "warn")
        .kill_on_drop(true)
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("start lectern worker")
}

#[tokio::test]
async fn a_job_whose_worker_is_killed_mid_run_completes_exactly_once_after_restart() {
    let app = TestApp::spawn_with(&[("IN_PROCESS_WORKER", "false")]).await;
    let smtp = SmtpSink::start().await;

    let mut first = worker_process(&app, &smtp.url);
    app.register("killed@example.com").await;
    let id = jobs_of_kind(&app, "send_mail").await[0].id;
    // The worker is inside the job: its mail's data went out and it waits for the answer.
    tokio::time::timeout(Duration::from_secs(30), smtp.stalled.notified()).await.expect("the worker started the job");
    first.kill().await.unwrap();
    let orphan = job::Entity::find_by_id(id).one(&app.state.db).await.unwrap().unwrap();
    assert_eq!((orphan.status, orphan.attempts), (job::Status::Running, 1));
    assert!(smtp.accepted().is_empty());

    // A new worker takes the job over once the dead one's lease runs out, and finishes it.
    smtp.stall.store(false, Ordering::SeqCst);
    let mut second = worker_process(&app, &smtp.url);
    let done = wait_for_job(&app, id, 30, |j| j.status == job::Status::Done).await;
    assert_eq!(done.attempts, 2);
    let accepted = smtp.accepted();
    assert_eq!(accepted.len(), 1, "{accepted:?}");
    assert!(accepted[0].contains(&format!("Message-ID: <{id}@lectern.test>")), "{}", accepted[0]);
    assert!(accepted[0].contains("killed@example.com"));

    // Two workers share the queue: each of many jobs runs once.
    let mut third = worker_process(&app, &smtp.url);
    for n in 0..12 {
        let txn = app.state.db.begin_write().await.unwrap();
        jobs::enqueue(&txn, &mail(&format!("many{n}@example.com"), "Many")).await.unwrap();
        txn.commit().await.unwrap();
    }
    for _ in 0..600 {
        let pending = job::Entity::find().filter(job::Column::Status.ne(job::Status::Done)).count(&app.state.db).await;
        if pending.unwrap() == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Longer than a lease: a duplicate run would have shown up by now.
    tokio::time::sleep(Duration::from_millis(2000)).await;
    let accepted = smtp.accepted();
    assert_eq!(accepted.len(), 13, "each job delivered once");
    for n in 0..12 {
        let to = format!("many{n}@example.com");
        assert_eq!(accepted.iter().filter(|m| m.contains(&to)).count(), 1, "{to}");
    }
    let workers: std::collections::HashSet<_> =
        jobs_of_kind(&app, "send_mail").await.iter().map(|j| j.attempts).collect();
    assert_eq!(workers, [1, 2].into_iter().collect(), "only the killed job ran twice");
    second.kill().await.unwrap();
    third.kill().await.unwrap();
}

#[tokio::test]
async fn mail_someone_waits_for_runs_before_bulk_work_that_was_due_first() {
    let app = TestApp::spawn_with(&[("IN_PROCESS_WORKER", "false")]).await;
    let earlier = chrono::Utc::now() - chrono::Duration::minutes(5);
    let due_earlier = |key: &str| Enqueue { run_at: Some(earlier), dedupe_key: Some(key.into()), ..Enqueue::default() };

    // Queued first and due earliest: search indexing and a newsletter mail (bulk), a sitemap (normal).
    let txn = app.state.db.begin_write().await.unwrap();
    let index = jobs::enqueue_with(&txn, &Job::IndexPost { post: uuid::Uuid::now_v7() }, due_earlier("i"))
        .await
        .unwrap()
        .unwrap();
    let mut bulk = mail("reader@example.com", "This week on Lectern");
    if let Job::SendMail { mail, .. } = &mut bulk {
        mail.unsubscribe_url = Some("https://lectern.example/unsubscribe?token=t".into());
    }
    let bulk = jobs::enqueue_with(&txn, &bulk, due_earlier("b")).await.unwrap().unwrap();
    let sitemap = jobs::enqueue_with(&txn, &Job::RefreshSitemap, due_earlier("s")).await.unwrap().unwrap();
    // Queued last, due now: the reset mail someone is waiting for.
    let reset = jobs::enqueue(&txn, &mail("forgetful@example.com", "Reset your password")).await.unwrap();
    txn.commit().await.unwrap();

    let mut order = Vec::new();
    while let Some(claimed) = jobs::queue::claim(&app.state.db, "test-worker", Duration::from_secs(60)).await.unwrap() {
        order.push(claimed.row.id);
    }
    assert_eq!(order, vec![reset, sitemap, index, bulk], "urgent, then normal, then bulk (oldest first within one)");

    // Admins see the priority in the jobs list.
    let admin = app.user_with_role("ADMIN").await;
    let listed = app.graphql_as(&admin, "{ jobs(first: 20) { nodes { id priority } } }", json!({})).await;
    let priority_of = |id: uuid::Uuid| {
        listed["data"]["jobs"]["nodes"].as_array().unwrap().iter().find(|n| n["id"] == id.to_string()).unwrap()["priority"]
            .as_i64()
            .unwrap()
    };
    assert_eq!([reset, sitemap, index, bulk].map(priority_of), [2, 1, 0, 0]);
}

// Real parallelism: the claimers race on several threads and connections.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_claimers_take_every_due_job_exactly_once_and_never_come_back_empty_early() {
    const JOBS: usize = 150;
    const CLAIMERS: usize = 12;
    let app = TestApp::spawn_with(&[("IN_PROCESS_WORKER", "false")]).await;
    let mut enqueued = std::collections::HashSet::new();
    let txn = app.state.db.begin_write().await.unwrap();
    for i in 0..JOBS {
        enqueued.insert(jobs::enqueue(&txn, &mail(&format!("reader{i}@example.com"), "Hello")).await.unwrap());
    }
    txn.commit().await.unwrap();

    let start = Arc::new(tokio::sync::Barrier::new(CLAIMERS));
    let claimers = (0..CLAIMERS).map(|n| {
        let (db, start) = (app.state.db.clone(), start.clone());
        tokio::spawn(async move {
            let worker = format!("claimer-{n}");
            let mut claimed = Vec::new();
            start.wait().await;
            while let Some(job) = jobs::queue::claim(&db, &worker, Duration::from_secs(60)).await.unwrap() {
                assert_eq!((job.row.attempts, job.row.locked_by.as_deref()), (1, Some(worker.as_str())));
                claimed.push(job.row.id);
            }
            // Claims only ever take jobs, so any job still pending now was pending when this claimer gave up.
            let pending =
                job::Entity::find().filter(job::Column::Status.eq(job::Status::Pending)).count(&db).await.unwrap();
            (claimed, pending)
        })
    });
    let mut all = Vec::new();
    for (claimed, pending_when_empty) in futures::future::join_all(claimers).await.into_iter().map(Result::unwrap) {
        assert_eq!(pending_when_empty, 0, "a claimer came back empty while {pending_when_empty} jobs were due");
        all.extend(claimed);
    }
    assert_eq!(all.len(), JOBS, "every job claimed once");
    assert_eq!(all.into_iter().collect::<std::collections::HashSet<_>>(), enqueued);
}

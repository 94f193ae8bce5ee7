//! The `lectern` command: serve (default), worker, migrate, seed, schema.

use std::net::SocketAddr;

use anyhow::Context;
use clap::{Parser, Subcommand};
use tokio::net::TcpListener;

use lectern::{App, config::Config, seed, state::AppState};

/// mimalloc instead of glibc's allocator: a GraphQL answer is thousands of
/// small short-lived allocations (a future and a value per field), and
/// malloc/free were about a quarter of the server's CPU on the feed. Measured
/// in one `bench/content.sh` run: 4–24 % less server CPU per page, for about
/// 20 MiB more resident memory, flat over a 10-minute soak (BENCHMARKS.md,
/// "The allocator").
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "lectern", version, about = "GraphQL API gateway for the Lectern learning platform")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (the default): GraphQL, GraphiQL, websockets, health checks.
    Serve,
    /// Run the background job workers only (scaled deployments).
    Worker,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Load the demo dataset into the configured database (idempotent).
    Seed {
        /// Also add N generated posts with ~10 comments each, 200 users, series, tags,
        /// bookmarks, progress and reactions (for benchmarks); each run adds a new batch.
        #[arg(long, value_name = "N")]
        scale: Option<u32>,
        /// Also add N readers with XP, every one on this week's leaderboard (for
        /// benchmarks; needs published posts, e.g. from --scale); each run adds a new batch.
        #[arg(long, value_name = "N")]
        readers: Option<u32>,
    },
    /// Print the GraphQL schema (SDL); `schema.graphql` is its output.
    Schema,
    /// Re-chunk and re-embed every live post with the configured embedder (after changing
    /// the model), rebuilding the keyword index too.
    Reindex,
}

/// Stack of each runtime worker thread. One GraphQL operation runs as a
/// future that nests a frame per merged domain root, and debug builds keep
/// those frames large: 2 MiB (the default) had little headroom left.
const WORKER_STACK_BYTES: usize = 8 * 1024 * 1024;

fn main() -> anyhow::Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(WORKER_STACK_BYTES)
        .build()
        .context("Failed to start the async runtime")?
        .block_on(run())
}

async fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Serve);
    if let Command::Schema = command {
        print!("{}", lectern::schema::sdl());
        return Ok(());
    }

    let config = Config::from_process_env()?;
    lectern::init_tracing(config.log_format);
    match command {
        Command::Serve => serve(config).await,
        Command::Worker => {
            let state = AppState::connect(config).await?;
            lectern::migrate(&state.db).await?;
            lectern::domains::search::service::check_model(&state).await?;
            lectern::fetch_model_in_background(&state);
            let shutdown = state.shutdown.clone();
            tokio::spawn(async move {
                shutdown_signal().await;
                shutdown.cancel();
            });
            lectern::jobs::run(state.clone(), state.shutdown.clone()).await
        }
        Command::Migrate => {
            let state = AppState::connect(config).await?;
            lectern::migrate(&state.db).await?;
            tracing::info!("migrations applied");
            Ok(())
        }
        Command::Seed { scale, readers } => {
            let state = AppState::connect(config).await?;
            lectern::migrate(&state.db).await?;
            seed::demo(&state).await?;
            print_demo_accounts();
            if let Some(posts) = scale {
                let report = seed::synthetic(&state, posts).await?;
                let secs = report.elapsed.as_secs_f64();
                println!(
                    "\n  Added batch {}: {} users, {} series, {} posts ({} published), {} post tags, {} comments,\n  \
                     {} bookmarks, {} progress rows, {} reactions in {secs:.1} s ({:.0} posts/s, {:.0} comments/s).\n  \
                     Its users' emails end in .{}@scale.lectern.dev; their password is {}.\n",
                    report.batch,
                    report.users,
                    report.series,
                    report.posts,
                    report.published_posts,
                    report.post_tags,
                    report.comments,
                    report.bookmarks,
                    report.reading_progress,
                    report.reactions,
                    report.posts as f64 / secs,
                    report.comments as f64 / secs,
                    report.batch,
                    seed::SYNTHETIC_PASSWORD,
                );
            }
            if let Some(readers) = readers {
                let report = seed::ranked_readers(&state, readers).await?;
                let [week, month, all] = report.boards;
                println!(
                    "\n  Added ranked readers {}: {} readers, {} XP awards in {:.1} s; boards: {week} this week, \
                     {month} this month, {all} all time.\n  Their emails are {} … {}; their password is {}.\n",
                    report.batch,
                    report.readers,
                    report.awards,
                    report.elapsed.as_secs_f64(),
                    seed::ranked_email(0, &report.batch),
                    seed::ranked_email(report.readers.saturating_sub(1) as usize, &report.batch),
                    seed::SYNTHETIC_PASSWORD,
                );
            }
            Ok(())
        }
        Command::Reindex => {
            let state = AppState::connect(config).await?;
            lectern::migrate(&state.db).await?;
            reindex(&state).await
        }
        Command::Schema => unreachable!("handled above"),
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let addr = SocketAddr::new(config.host, config.port);
    let embedded = config.is_embedded();
    let app = App::build(config).await?;
    if embedded && seed::is_empty(&app.state).await? {
        seed::demo(&app.state).await?;
        tracing::info!("seeded the demo dataset");
    }
    let listener = TcpListener::bind(addr).await.with_context(|| format!("Failed to listen on {addr} (PORT/HOST)"))?;
    tracing::info!(%addr, mode = if embedded { "embedded" } else { "scaled" }, "Lectern is listening");
    // One block, last: what to open and what runs, after the start-up log lines.
    print!("{}", lectern::startup_banner(&app.state));
    if embedded {
        print_demo_accounts();
    } else {
        println!();
    }
    let shutdown = app.state.shutdown.clone();
    tokio::spawn(async move {
        shutdown_signal().await;
        tracing::info!("shutting down");
        shutdown.cancel();
    });
    app.serve(listener).await
}

async fn reindex(state: &AppState) -> anyhow::Result<()> {
    use indicatif::{ProgressBar, ProgressStyle};
    let started = std::time::Instant::now();
    let bar = ProgressBar::new(0).with_style(
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} posts, {msg} (eta {eta})")
            .expect("a valid template"),
    );
    println!("Re-indexing with {} ({} dimensions)", state.embedder.model(), state.embedder.dimensions());
    let passages = lectern::domains::search::service::reindex(state, |done, total, passages| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
        bar.set_message(format!("{passages} passages"));
    })
    .await?;
    bar.finish();
    let secs = started.elapsed().as_secs_f64();
    println!("Indexed {passages} passages in {secs:.1} s ({:.1} passages/s).", passages as f64 / secs);
    Ok(())
}

fn print_demo_accounts() {
    println!("  demo accounts (email / password):");
    for account in &seed::DEMO_ACCOUNTS {
        println!("    {:<7} {} / {}", format!("{:?}", account.role).to_lowercase(), account.email, account.password);
    }
    println!();
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}

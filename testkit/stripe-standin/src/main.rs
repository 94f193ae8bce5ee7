//! `stripe-standin`: serves the Stripe stand-in until killed.
//!
//! Environment: STANDIN_PORT (0 = any, the default), STANDIN_API_KEY
//! (default `sk_test_standin`), STANDIN_WEBHOOK_URL, STANDIN_WEBHOOK_SECRET
//! (comma-separated), STANDIN_PRICES
//! (`price_monthly:900:usd:month:Monthly,price_yearly:9000:usd:year:Yearly`).
//! Prints exactly one line, `stripe-standin listening on http://127.0.0.1:PORT/`.

use std::io::Write;

use stripe_standin::{Config, Price, Standin};

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn fail(message: &str) -> ! {
    eprintln!("stripe-standin: {message}");
    std::process::exit(2)
}

#[tokio::main]
async fn main() {
    let port = match env("STANDIN_PORT") {
        None => 0,
        Some(p) => p.trim().parse::<u16>().unwrap_or_else(|_| fail(&format!("STANDIN_PORT `{p}` is not a port"))),
    };
    let prices = match env("STANDIN_PRICES") {
        None => vec![
            Price::new("price_monthly", 900, "usd", "month", "Monthly"),
            Price::new("price_yearly", 9000, "usd", "year", "Yearly"),
        ],
        Some(list) => Price::parse_list(&list).unwrap_or_else(|e| fail(&format!("STANDIN_PRICES: {e}"))),
    };
    let config = Config {
        api_key: env("STANDIN_API_KEY").unwrap_or_else(|| "sk_test_standin".to_owned()),
        webhook_url: env("STANDIN_WEBHOOK_URL"),
        webhook_secrets: env("STANDIN_WEBHOOK_SECRET")
            .map(|s| s.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect())
            .unwrap_or_default(),
        prices,
    };
    let standin = Standin::start_on(config, port)
        .await
        .unwrap_or_else(|e| fail(&format!("cannot listen on 127.0.0.1:{port}: {e}")));
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "stripe-standin listening on {}", standin.base_url());
    let _ = out.flush();
    drop(out);
    std::future::pending::<()>().await;
}

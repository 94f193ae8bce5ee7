//! Project tasks: `cargo xtask <task>` (the alias is in `.cargo/config.toml`).
//!
//! - `layers`: checks that no module imports a layer above its own
//!   (ARCHITECTURE.md, "Layers"); the same check runs as a test.

mod layers;

use std::{path::PathBuf, process::ExitCode};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("layers") => match layers::check_tree(&root().join("src")) {
            Ok(found) if found.is_empty() => {
                println!("layers: every import points down");
                ExitCode::SUCCESS
            }
            Ok(found) => {
                found.iter().for_each(|v| eprintln!("{v}"));
                ExitCode::FAILURE
            }
            Err(err) => {
                eprintln!("{err}");
                ExitCode::FAILURE
            }
        },
        _ => {
            eprintln!("usage: cargo xtask layers");
            ExitCode::from(2)
        }
    }
}

//! Project tasks: `cargo xtask <task>` (the alias is in `.cargo/config.toml`).
//!
//! - `new-domain <name> [--item <singular>]`: writes a domain on the house
//!   conventions and wires it (ARCHITECTURE.md, "Adding a domain");
//! - `layers`: checks that no module imports a layer above its own
//!   (ARCHITECTURE.md, "Layers"); the same check runs as a test.

mod layers;
mod new_domain;

use std::{path::PathBuf, process::ExitCode};

/// The workspace the command runs in: the nearest directory up from here whose
/// Cargo.toml declares `[workspace]`. (Not this binary's own source directory:
/// a build directory shared by several checkouts runs whichever one built last.)
fn root() -> PathBuf {
    let here = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    here.ancestors()
        .find(|dir| {
            std::fs::read_to_string(dir.join("Cargo.toml"))
                .is_ok_and(|toml| toml.lines().any(|l| l.trim() == "[workspace]"))
        })
        .map(PathBuf::from)
        .unwrap_or(here)
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
        Some("new-domain") => {
            let (name, item) = match &args[1..] {
                [name] => (name, None),
                [name, flag, item] if flag == "--item" => (name, Some(item.as_str())),
                _ => return usage(),
            };
            let names = match new_domain::Names::new(name, item) {
                Ok(names) => names,
                Err(err) => {
                    eprintln!("{err}");
                    return ExitCode::from(2);
                }
            };
            let today = chrono::Utc::now().format("%Y%m%d").to_string();
            match new_domain::generate(&root(), &names, &today) {
                Ok(touched) => {
                    for path in touched {
                        println!("  {}", path.strip_prefix(root()).unwrap_or(&path).display());
                    }
                    println!("{}", new_domain::next_steps(&names));
                    ExitCode::SUCCESS
                }
                Err(err) => {
                    eprintln!("{err}");
                    ExitCode::FAILURE
                }
            }
        }
        _ => usage(),
    }
}

fn usage() -> ExitCode {
    eprintln!("usage: cargo xtask new-domain <plural_name> [--item <singular>] | cargo xtask layers");
    ExitCode::from(2)
}

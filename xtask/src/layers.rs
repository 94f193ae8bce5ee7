//! The layer check: which part of `src/` may import which (ARCHITECTURE.md,
//! "Layers"). Every `crate::…`, `super::…` and `async_graphql`/`axum` path in
//! every file is resolved to the module it names and checked against the
//! table below, so the layout stays true as domains are added.

use std::{
    fmt,
    path::{Path, PathBuf},
};

use syn::visit::Visit;

/// Where a module sits. Lower layers never import higher ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    /// `config`, `error`, `values`, `pagination`: plain types every layer uses.
    Foundation,
    /// `infra/`: one adapter per external concern (database helpers, Redis, mail, models).
    Infra,
    /// `auth/`: who is asking (viewer, request metadata, tokens).
    Auth,
    /// `state.rs`: the handles every request and job shares.
    State,
    /// Domain rules: `domains/<d>/service.rs` and every other domain file but
    /// `schema.rs`/`loaders.rs`, plus the job catalogue (`jobs/queue.rs`) and
    /// the write helper (`write.rs`) every service commits through.
    Service,
    /// `graphql/`: the resolvers' toolkit (context, guards, loaders registry, connections).
    Toolkit,
    /// `domains/<d>/schema.rs`, `domains/<d>/loaders.rs`, `jobs/schema.rs`: GraphQL over services.
    Resolvers,
    /// `jobs/mod.rs`: the workers that run queued and scheduled jobs.
    Workers,
    /// `schema/`: the merged roots and the limits (a leaf of the GraphQL side).
    Assembly,
    /// `http/`: axum routes, handlers and middleware.
    Http,
    /// `lib.rs`, `main.rs`, `seed`: wiring and commands.
    Top,
}

use Layer::*;

impl Layer {
    /// The layers a file in `self` may import.
    pub fn may_import(self) -> &'static [Layer] {
        match self {
            Foundation => &[Foundation],
            Infra => &[Foundation, Infra],
            Auth => &[Foundation, Infra, Auth],
            State => &[Foundation, Infra, Auth, State],
            Service => &[Foundation, Infra, Auth, State, Service],
            Toolkit => &[Foundation, Infra, Auth, State, Toolkit],
            Resolvers => &[Foundation, Infra, Auth, State, Service, Toolkit, Resolvers],
            Workers => &[Foundation, Infra, Auth, State, Service, Workers],
            Assembly => &[Foundation, Infra, Auth, State, Service, Toolkit, Resolvers, Assembly],
            Http => &[Foundation, Infra, Auth, State, Service, Toolkit, Resolvers, Assembly, Http],
            Top => &[Foundation, Infra, Auth, State, Service, Toolkit, Resolvers, Workers, Assembly, Http, Top],
        }
    }

    /// Whether code in this layer may name `async_graphql` items (services may only
    /// derive `async_graphql::Enum`, which is an attribute and not checked here).
    fn speaks_graphql(self) -> bool {
        matches!(self, Toolkit | Resolvers | Assembly | Http | Top)
    }

    fn speaks_http(self) -> bool {
        matches!(self, Http | Top)
    }

    /// Whether code in this layer may reach a table directly (`<entity>::Entity::…`);
    /// above the services, tables are read and written only through them.
    fn touches_tables(self) -> bool {
        !matches!(self, Toolkit | Resolvers | Assembly | Http)
    }
}

/// The layer of a source file, from its path under `src/`.
pub fn layer_of_file(relative: &Path) -> Layer {
    let parts: Vec<String> = relative.iter().map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned()).collect();
    let part = |i: usize| parts.get(i).map(String::as_str);
    match (part(0), part(1), part(2)) {
        (Some("config" | "error" | "values" | "pagination"), None, _) => Foundation,
        (Some("infra"), ..) => Infra,
        (Some("auth"), ..) => Auth,
        (Some("state"), None, _) => State,
        (Some("graphql"), ..) => Toolkit,
        (Some("schema"), ..) => Assembly,
        (Some("http"), ..) => Http,
        (Some("jobs"), Some("schema"), _) => Resolvers,
        (Some("jobs"), Some("queue"), _) | (Some("write"), None, _) => Service,
        (Some("jobs"), ..) => Workers,
        (Some("domains"), Some(_), Some("schema" | "loaders")) => Resolvers,
        (Some("domains"), ..) => Service,
        _ => Top,
    }
}

/// The layer of a module path (`["domains", "posts", "service"]`).
pub fn layer_of_module(path: &[String]) -> Layer {
    let part = |i: usize| path.get(i).map(String::as_str);
    match (part(0), part(1), part(2)) {
        (Some("config" | "error" | "values" | "pagination"), ..) => Foundation,
        (Some("infra"), ..) => Infra,
        (Some("auth"), ..) => Auth,
        (Some("state"), ..) => State,
        (Some("graphql"), ..) => Toolkit,
        (Some("schema"), ..) => Assembly,
        (Some("http"), ..) => Http,
        // `jobs` re-exports the catalogue (`Job`, `enqueue`); only `run` is the workers.
        (Some("jobs"), Some("schema"), _) => Resolvers,
        (Some("jobs"), Some("run"), _) => Workers,
        (Some("jobs" | "write"), ..) => Service,
        (Some("domains"), Some(_), Some("schema" | "loaders")) => Resolvers,
        (Some("domains"), ..) => Service,
        _ => Top,
    }
}

/// The module path of a file under `src/` (`domains/posts/mod.rs` → `domains::posts`).
fn module_of_file(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if let Some(last) = parts.pop() {
        let stem = last.trim_end_matches(".rs");
        if !matches!(stem, "mod" | "lib" | "main") {
            parts.push(stem.to_owned());
        }
    }
    parts
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub file: PathBuf,
    pub line: usize,
    pub from: Layer,
    pub path: String,
    pub to: Option<Layer>,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.to {
            Some(to) => write!(
                f,
                "{}:{}: {:?} code imports `{}` ({:?}); a {:?} file may import {:?}",
                self.file.display(),
                self.line,
                self.from,
                self.path,
                to,
                self.from,
                self.from.may_import()
            ),
            None => write!(
                f,
                "{}:{}: {:?} code names `{}`; only GraphQL layers name async_graphql, only http names axum \
                 (services may derive async_graphql::Enum), and only services touch tables",
                self.file.display(),
                self.line,
                self.from,
                self.path
            ),
        }
    }
}

struct Checker<'a> {
    file: &'a Path,
    layer: Layer,
    module: Vec<String>,
    /// Inline modules entered within the file (`mod tests { … }`), for `super::`.
    inline: Vec<String>,
    found: Vec<Violation>,
}

impl Checker<'_> {
    fn check(&mut self, segments: Vec<String>, line: usize) {
        let Some(first) = segments.first().map(String::as_str) else { return };
        if !self.layer.touches_tables() && segments.iter().any(|s| s == "Entity") {
            return self.flag(segments, line, None);
        }
        let target = match first {
            "crate" => segments[1..].to_vec(),
            "super" => {
                let mut base: Vec<String> = self.module.iter().chain(&self.inline).cloned().collect();
                let mut rest = &segments[..];
                while rest.first().map(String::as_str) == Some("super") {
                    base.pop();
                    rest = &rest[1..];
                }
                base.extend(rest.iter().cloned());
                base
            }
            "async_graphql" | "async_graphql_axum" if !self.layer.speaks_graphql() => {
                return self.flag(segments, line, None);
            }
            "axum" if !self.layer.speaks_http() => return self.flag(segments, line, None),
            _ => return,
        };
        if target.is_empty() {
            return;
        }
        let to = layer_of_module(&target);
        if !self.layer.may_import().contains(&to) {
            self.flag(segments, line, Some(to));
        }
    }

    fn flag(&mut self, segments: Vec<String>, line: usize, to: Option<Layer>) {
        self.found.push(Violation {
            file: self.file.to_owned(),
            line,
            from: self.layer,
            path: segments.join("::"),
            to,
        });
    }
}

/// Flattens a use tree into its paths (`crate::{a::B, c}` → `crate::a::B`, `crate::c`).
fn use_paths(tree: &syn::UseTree, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            use_paths(&p.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) => {
            let mut path = prefix.clone();
            if n.ident != "self" {
                path.push(n.ident.to_string());
            }
            out.push(path);
        }
        syn::UseTree::Rename(r) => {
            let mut path = prefix.clone();
            path.push(r.ident.to_string());
            out.push(path);
        }
        syn::UseTree::Glob(_) => out.push(prefix.clone()),
        syn::UseTree::Group(g) => g.items.iter().for_each(|item| use_paths(item, prefix, out)),
    }
}

impl<'ast> Visit<'ast> for Checker<'_> {
    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        let mut paths = Vec::new();
        use_paths(&item.tree, &mut Vec::new(), &mut paths);
        let line = item.use_token.span.start().line;
        for path in paths {
            self.check(path, line);
        }
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        let line = path.segments.first().map_or(0, |s| s.ident.span().start().line);
        self.check(segments, line);
        syn::visit::visit_path(self, path);
    }

    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        if item.content.is_some() {
            self.inline.push(item.ident.to_string());
            syn::visit::visit_item_mod(self, item);
            self.inline.pop();
        }
    }
}

/// Checks one file's source; `relative` is its path under `src/`.
pub fn check_source(relative: &Path, source: &str) -> Result<Vec<Violation>, syn::Error> {
    let file = syn::parse_file(source)?;
    let mut checker = Checker {
        file: relative,
        layer: layer_of_file(relative),
        module: module_of_file(relative),
        inline: Vec::new(),
        found: Vec::new(),
    };
    checker.visit_file(&file);
    Ok(checker.found)
}

/// Checks every `.rs` file under `src`.
pub fn check_tree(src: &Path) -> Result<Vec<Violation>, String> {
    let mut found = Vec::new();
    let mut stack = vec![src.to_owned()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for entry in entries {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let source = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
                let relative = path.strip_prefix(src).unwrap_or(&path);
                found.extend(check_source(relative, &source).map_err(|e| format!("{}: {e}", path.display()))?);
            }
        }
    }
    found.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn violations(file: &str, source: &str) -> Vec<String> {
        check_source(Path::new(file), source).unwrap().into_iter().map(|v| v.path).collect()
    }

    #[test]
    fn the_source_tree_keeps_its_layers() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../src");
        let found = check_tree(&src).unwrap();
        let report: Vec<String> = found.iter().map(ToString::to_string).collect();
        assert!(found.is_empty(), "layer violations (see ARCHITECTURE.md, Layers):\n{}", report.join("\n"));
    }

    #[test]
    fn a_lower_layer_importing_a_higher_one_is_caught() {
        let service = "domains/posts/service.rs";
        assert_eq!(violations(service, "use crate::http::feeds;"), ["crate::http::feeds"]);
        assert_eq!(
            violations(service, "use crate::{error::AppResult, graphql::{ContextExt, pagination}};"),
            ["crate::graphql::ContextExt", "crate::graphql::pagination"]
        );
        assert_eq!(
            violations(service, "fn f() { crate::domains::tags::schema::Tag::new(); }"),
            ["crate::domains::tags::schema::Tag::new"]
        );
        assert_eq!(violations(service, "fn f(c: &async_graphql::Context<'_>) {}"), ["async_graphql::Context"]);
        assert_eq!(violations(service, "use axum::http::StatusCode;"), ["axum::http::StatusCode"]);
        assert_eq!(
            violations("jobs/mod.rs", "use crate::http::feeds::refresh_sitemap;"),
            ["crate::http::feeds::refresh_sitemap"]
        );
        assert_eq!(
            violations("state.rs", "use crate::domains::search::ask::Answerer;"),
            ["crate::domains::search::ask::Answerer"]
        );
        assert_eq!(
            violations("graphql/loaders.rs", "use crate::domains::posts::service;"),
            ["crate::domains::posts::service"]
        );
        assert_eq!(violations("infra/mail.rs", "use crate::state::AppState;"), ["crate::state::AppState"]);
        assert_eq!(
            violations("domains/posts/schema.rs", "fn f() { entity::post::Entity::find(); }"),
            ["entity::post::Entity::find"]
        );
        assert_eq!(violations("http/feeds.rs", "use entity::artifact::Entity;"), ["entity::artifact::Entity"]);
        // `super` resolves against the file's module.
        assert_eq!(violations("http/feeds.rs", "use super::Http;"), Vec::<String>::new());
        assert_eq!(violations("domains/posts/rerender.rs", "use super::markdown;"), Vec::<String>::new());
    }

    #[test]
    fn what_each_layer_may_use_passes() {
        let ok = |file: &str, source: &str| assert_eq!(violations(file, source), Vec::<String>::new(), "{source}");
        ok("domains/posts/service.rs", "use crate::{auth::Viewer, jobs::{self, Job}, state::AppState};");
        ok("domains/posts/service.rs", "#[derive(async_graphql::Enum)] enum E { A }");
        ok("domains/posts/schema.rs", "use crate::{domains::tags::schema::Tag, graphql::ContextExt};");
        ok("jobs/mod.rs", "use crate::domains::feeds::service as feeds;");
        ok("jobs/queue.rs", "use crate::domains::newsletter::service::MailingList;");
        ok("http/mod.rs", "use crate::{schema::AppSchema, auth::RequestMeta};");
        ok("lib.rs", "use crate::{jobs::run, http::router};");
        ok("domains/posts/service.rs", "mod tests { use super::*; }");
        ok("domains/posts/service.rs", "fn f() { post::Entity::find(); }");
        ok("domains/posts/schema.rs", "use entity::post;");
    }
}

//! `cargo xtask new-domain <name> [--item <singular>]`: the mechanical part of
//! ARCHITECTURE.md's add-a-domain checklist. It writes a working domain that
//! follows every convention (an owner's items: create, list with Relay
//! paging, the owner through the accounts loader, its own by-id loader), the
//! table and its migration, the roots, and an API test on the shared harness;
//! then it prints the steps that stay by hand.
//!
//! It never overwrites: a file that exists, or a name already wired, stops it
//! before anything is written.

use std::path::{Path, PathBuf};

/// The names a domain is written under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Names {
    /// Plural snake case: the module, the table, the test file (`badges`).
    pub name: String,
    /// Singular snake case: the entity module (`badge`).
    pub item: String,
    /// Singular camel case: the GraphQL type (`Badge`).
    pub item_type: String,
    /// Plural camel case: the roots (`BadgesQuery`).
    pub name_type: String,
}

fn camel(snake: &str) -> String {
    snake
        .split('_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect()
}

const RESERVED: &[&str] = &[
    "accounts",
    "auth",
    "bookmarks",
    "comments",
    "config",
    "domains",
    "entitlements",
    "error",
    "feeds",
    "graphql",
    "http",
    "infra",
    "jobs",
    "newsletter",
    "notifications",
    "pagination",
    "posts",
    "progress",
    "reactions",
    "schema",
    "search",
    "series",
    "state",
    "tags",
    "users",
    "values",
    "views",
];

impl Names {
    pub fn new(name: &str, item: Option<&str>) -> Result<Names, String> {
        let valid = |s: &str| {
            !s.is_empty()
                && s.len() <= 40
                && s.starts_with(|c: char| c.is_ascii_lowercase())
                && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                && !s.ends_with('_')
                && !s.contains("__")
        };
        if !valid(name) {
            return Err(format!("`{name}` is not a plural snake_case name (like `badges` or `daily_challenges`)"));
        }
        if RESERVED.contains(&name) {
            return Err(format!("`{name}` is taken (a module or domain of that name exists)"));
        }
        let item = match item {
            Some(item) => item.to_owned(),
            None => match name.strip_suffix('s') {
                Some(stem) if !stem.is_empty() && !name.ends_with("ss") => stem.to_owned(),
                _ => return Err(format!("give the singular of `{name}` with --item <singular>")),
            },
        };
        if !valid(&item) || item == name {
            return Err(format!("`{item}` is not a singular snake_case name different from `{name}`"));
        }
        Ok(Names { item_type: camel(&item), name_type: camel(name), name: name.to_owned(), item })
    }

    fn fill(&self, template: &str, migration: &str) -> String {
        template
            .replace("__Items__", &self.name_type)
            .replace("__Item__", &self.item_type)
            .replace("__items__", &self.name)
            .replace("__item__", &self.item)
            .replace("__migration__", migration)
            .replace("__items_words__", &self.name.replace('_', " "))
            .replace("__item_words__", &self.item.replace('_', " "))
    }
}

/// One change to the tree: a new file, or an insertion into an existing one.
#[derive(Debug)]
enum Change {
    Create {
        path: PathBuf,
        text: String,
    },
    /// `text` goes before the first occurrence of `before` (after its leading newline, if any).
    Insert {
        path: PathBuf,
        before: String,
        text: String,
    },
    /// The file's whole new text.
    Replace {
        path: PathBuf,
        text: String,
    },
}

/// The next migration's module name: today's date and the next number.
fn migration_name(root: &Path, names: &Names, today: &str) -> Result<String, String> {
    let lib = read(&root.join("migration/src/lib.rs"))?;
    let highest = lib
        .lines()
        .filter_map(|l| l.trim().strip_prefix("mod m"))
        .filter_map(|rest| rest.split('_').nth(1))
        .filter_map(|n| n.parse::<u32>().ok())
        .max()
        .unwrap_or(0);
    Ok(format!("m{today}_{:06}_{}", highest + 1, names.name))
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn plan(root: &Path, names: &Names, today: &str) -> Result<Vec<Change>, String> {
    let migration = migration_name(root, names, today)?;
    let fill = |t: &str| names.fill(t, &migration);
    let domain = root.join("src/domains").join(&names.name);
    let mut changes = vec![
        Change::Create { path: root.join(format!("entity/src/{}.rs", names.item)), text: fill(ENTITY) },
        Change::Create { path: root.join(format!("migration/src/{migration}.rs")), text: fill(MIGRATION) },
        Change::Create { path: domain.join("mod.rs"), text: fill(DOMAIN_MOD) },
        Change::Create { path: domain.join("service.rs"), text: fill(SERVICE) },
        Change::Create { path: domain.join("schema.rs"), text: fill(SCHEMA) },
        Change::Create { path: domain.join("loaders.rs"), text: fill(LOADERS) },
        Change::Create { path: root.join(format!("tests/api/{}.rs", names.name)), text: fill(TEST) },
    ];
    // Wiring: each list stays in order (the new line goes after the last entry that sorts before it).
    let sorted = |path: PathBuf, prefix: &str, line: String| -> Result<Change, String> {
        let text = read(&path)?;
        if text.lines().any(|l| l == line.trim_end()) {
            return Err(format!("{} already has `{}`", path.display(), line.trim_end()));
        }
        let mut offset = None;
        let mut at = 0;
        for l in text.split_inclusive('\n') {
            at += l.len();
            if l.starts_with(prefix) && l.trim_end() < line.trim_end() {
                offset = Some(at);
            }
        }
        let first = text.find(&format!("\n{prefix}")).map(|i| i + 1);
        let offset = offset.or(first).ok_or_else(|| format!("{}: no `{prefix}` line", path.display()))?;
        let mut next = text;
        next.insert_str(offset, &line);
        Ok(Change::Replace { path, text: next })
    };
    changes.push(sorted(root.join("entity/src/lib.rs"), "pub mod ", format!("pub mod {};\n", names.item))?);
    changes.push(sorted(root.join("src/domains/mod.rs"), "pub mod ", format!("pub mod {};\n", names.name))?);
    changes.push(sorted(root.join("tests/api/main.rs"), "mod ", format!("mod {};\n", names.name))?);
    changes.push(Change::Insert {
        path: root.join("migration/src/lib.rs"),
        before: "\n\npub struct Migrator;".into(),
        text: format!("mod {migration};\n"),
    });
    changes.push(Change::Insert {
        path: root.join("migration/src/lib.rs"),
        before: "        ]\n".into(),
        text: format!("            Box::new({migration}::Migration),\n"),
    });
    let schema = root.join("src/schema/mod.rs");
    changes.push(Change::Insert {
        path: schema.clone(),
        before: "    // new domains: queries\n".into(),
        text: format!("    {}::schema::{}Query,\n", names.name, names.name_type),
    });
    changes.push(Change::Insert {
        path: schema,
        before: "    // new domains: mutations\n".into(),
        text: format!("    {}::schema::{}Mutation,\n", names.name, names.name_type),
    });
    Ok(changes)
}

/// Writes the domain into the tree at `root`; returns the files touched.
pub fn generate(root: &Path, names: &Names, today: &str) -> Result<Vec<PathBuf>, String> {
    let changes = plan(root, names, today)?;
    // Check everything before writing anything.
    let mut edited: Vec<(PathBuf, String)> = Vec::new();
    for change in &changes {
        match change {
            Change::Create { path, .. } if path.exists() => {
                return Err(format!("{} exists; nothing was written", path.display()));
            }
            Change::Create { .. } => {}
            Change::Replace { path, text } => edited.push((path.clone(), text.clone())),
            Change::Insert { path, before, text } => {
                let current = match edited.iter().position(|(p, _)| p == path) {
                    Some(i) => edited.remove(i).1,
                    None => read(path)?,
                };
                let at = current
                    .find(before.as_str())
                    .ok_or_else(|| format!("{}: the marker {before:?} is gone; nothing was written", path.display()))?;
                let at = if before.starts_with('\n') { at + 1 } else { at };
                let mut next = current;
                next.insert_str(at, text);
                edited.push((path.clone(), next));
            }
        }
    }
    let mut touched = Vec::new();
    for change in changes {
        if let Change::Create { path, text } = change {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            }
            std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
            touched.push(path);
        }
    }
    for (path, text) in edited {
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        touched.push(path);
    }
    Ok(touched)
}

pub fn next_steps(names: &Names) -> String {
    format!(
        "Generated the {name} domain. Still by hand (ARCHITECTURE.md, \"Adding a domain\"):\n\
         - describe the domain in src/domains/{name}/mod.rs and the table in entity/src/{item}.rs;\n\
         - cargo run -- schema > schema.graphql, then npm run codegen in frontend/;\n\
         - jobs: a Job variant (src/jobs/queue.rs) and its arm in perform (src/jobs/mod.rs);\n\
         - settings in src/config.rs and the README's configuration table;\n\
         - routes in src/http/ if the domain has any;\n\
         - the README's feature list; the web app's pages and their e2e;\n\
         - cargo test (both passes) and cargo xtask layers.",
        name = names.name,
        item = names.item
    )
}

const ENTITY: &str = r#"use sea_orm::entity::prelude::*;

/// One __item_words__ of a user.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "__items__")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub owner_id: Uuid,
    pub title: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::OwnerId",
        to = "super::user::Column::Id",
        on_delete = "Cascade"
    )]
    Owner,
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Owner.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
"#;

const MIGRATION: &str = r#"//! __Items__: each belongs to a user. Lists read a user's __items_words__ newest
//! first, hence the (owner_id, id) index.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum __Items__ {
    Table,
    Id,
    OwnerId,
    Title,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(__Items__::Table)
                    .col(pk_uuid(__Items__::Id))
                    .col(uuid(__Items__::OwnerId))
                    .col(string_len(__Items__::Title, 200))
                    .col(timestamp_with_time_zone(__Items__::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(__Items__::Table, __Items__::OwnerId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx___items___owner")
                    .table(__Items__::Table)
                    .col(__Items__::OwnerId)
                    .col(__Items__::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(__Items__::Table).to_owned()).await
    }
}
"#;

const DOMAIN_MOD: &str = r#"//! __Items__: what each user keeps here. Owns the `__items__` table.

pub mod loaders;
pub mod schema;
pub mod service;
"#;

const SERVICE: &str = r#"//! __Items__ rules: a signed-in user makes __items_words__ and reads their own.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::{
    auth::Viewer,
    error::AppResult,
    pagination::{Cursor, Page, PageArgs, Sort, paginate},
    values::Title,
};
use entity::__item__;

/// Makes a __item_words__ for the viewer.
pub async fn create(db: &impl ConnectionTrait, viewer: &Viewer, title: &str) -> AppResult<__item__::Model> {
    let owner = viewer.require_signed_in()?;
    let title = Title::parse("title", title)?;
    let row = __item__::ActiveModel {
        id: Set(Uuid::now_v7()),
        owner_id: Set(owner),
        title: Set(title.into_inner()),
        created_at: Set(Utc::now()),
    };
    Ok(row.insert(db).await?)
}

/// The viewer's __items_words__, newest first.
pub async fn list(db: &impl ConnectionTrait, viewer: &Viewer, args: &PageArgs) -> AppResult<Page<__item__::Model>> {
    let owner = viewer.require_signed_in()?;
    let select = __item__::Entity::find().filter(__item__::Column::OwnerId.eq(owner));
    paginate(db, select, __item__::Column::Id, Sort::newest(), |row| Cursor::id(row.id), args).await
}

/// __Items__ by id (for the loader), whoever owns them.
pub async fn by_ids(db: &impl ConnectionTrait, ids: &[Uuid]) -> AppResult<Vec<__item__::Model>> {
    Ok(__item__::Entity::find().filter(__item__::Column::Id.is_in(ids.iter().copied())).all(db).await?)
}
"#;

const SCHEMA: &str = r#"//! GraphQL surface of __items_words__.

use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, Utc};

use super::service;
use crate::{
    domains::accounts::{loaders::UserById, schema::User},
    graphql::{
        ContextExt, Require,
        pagination::{Connection, connection, page_args},
    },
};
use entity::__item__;

/// One __item_words__ of a user.
pub struct __Item__(pub __item__::Model);

#[Object]
impl __Item__ {
    /// The __item_words__'s stable id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn title(&self) -> &str {
        &self.0.title
    }

    /// Who made it.
    async fn owner(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        Ok(ctx.loader().load_one(UserById(self.0.owner_id)).await?.map(User::from))
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

#[derive(Default)]
pub struct __Items__Query;

#[Object]
impl __Items__Query {
    /// The viewer's __items_words__, newest first.
    #[graphql(
        guard = "Require::SignedIn",
        complexity = "crate::graphql::pagination::page_complexity(child_complexity, first, last)"
    )]
    async fn my___items__(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most 100.")] first: Option<i32>,
        after: Option<String>,
        #[graphql(desc = "At most 100.")] last: Option<i32>,
        before: Option<String>,
    ) -> Result<Connection<__Item__>> {
        let args = page_args(ctx, first, after, last, before);
        Ok(connection(service::list(&ctx.state().db, ctx.viewer(), &args).await?, __Item__))
    }
}

#[derive(Default)]
pub struct __Items__Mutation;

#[Object]
impl __Items__Mutation {
    /// Makes a __item_words__ for the viewer.
    #[graphql(guard = "Require::SignedIn")]
    async fn create___item__(&self, ctx: &Context<'_>, title: String) -> Result<__Item__> {
        Ok(__Item__(service::create(&ctx.state().db, ctx.viewer(), &title).await?))
    }
}
"#;

const LOADERS: &str = r#"//! __Items__ by id, for every parent on a page in one query.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use uuid::Uuid;

use super::service;
use crate::graphql::loaders::Loaders;
use entity::__item__;

/// Key: a __item_words__ by its id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct __Item__ById(pub Uuid);

impl Loader<__Item__ById> for Loaders {
    type Value = __item__::Model;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[__Item__ById]) -> Result<HashMap<__Item__ById, __item__::Model>, Self::Error> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let rows = service::by_ids(&self.state.db, &ids).await?;
        Ok(rows.into_iter().map(|row| (__Item__ById(row.id), row)).collect())
    }
}
"#;

const TEST: &str = r#"//! __Items__: a user makes and lists their own; bad input and strangers are refused.

use serde_json::json;

use crate::harness::{TestApp, error_code, error_field};

const CREATE: &str = "mutation($t: String!) { create__Item__(title: $t) { id title owner { id } } }";
const MINE: &str = "query($first: Int, $after: String) {
  my__Items__(first: $first, after: $after) { edges { node { title } } pageInfo { hasNextPage endCursor } }
}";

#[tokio::test]
async fn a_user_makes___items___and_lists_their_own() {
    let app = TestApp::spawn().await;
    let ada = app.register("ada-__items__@example.com").await;
    let bob = app.register("bob-__items__@example.com").await;
    for title in ["First", "Second", "Third"] {
        let made = app.graphql_as(&ada, CREATE, json!({ "t": title })).await;
        assert_eq!(made["data"]["create__Item__"]["title"], title, "{made}");
        assert_eq!(made["data"]["create__Item__"]["owner"]["id"], ada.id.as_str());
    }
    let page = app.graphql_as(&ada, MINE, json!({ "first": 2 })).await;
    let titles: Vec<&str> = page["data"]["my__Items__"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{page}"))
        .iter()
        .map(|e| e["node"]["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Third", "Second"], "newest first");
    assert_eq!(page["data"]["my__Items__"]["pageInfo"]["hasNextPage"], true);
    let cursor = page["data"]["my__Items__"]["pageInfo"]["endCursor"].clone();
    let rest = app.graphql_as(&ada, MINE, json!({ "first": 2, "after": cursor })).await;
    assert_eq!(rest["data"]["my__Items__"]["edges"][0]["node"]["title"], "First", "{rest}");
    let theirs = app.graphql_as(&bob, MINE, json!({})).await;
    assert_eq!(theirs["data"]["my__Items__"]["edges"], json!([]), "another user's are not listed");
}

#[tokio::test]
async fn bad___item___input_and_anonymous_viewers_are_refused() {
    let app = TestApp::spawn().await;
    let ada = app.register("ada-bad-__items__@example.com").await;
    let empty = app.graphql_as(&ada, CREATE, json!({ "t": "   " })).await;
    assert_eq!((error_code(&empty), error_field(&empty)), ("BAD_USER_INPUT", "title"), "{empty}");
    let long = app.graphql_as(&ada, CREATE, json!({ "t": "x".repeat(201) })).await;
    assert_eq!((error_code(&long), error_field(&long)), ("BAD_USER_INPUT", "title"), "{long}");
    let cursor = app.graphql_as(&ada, MINE, json!({ "after": "not a cursor" })).await;
    assert_eq!((error_code(&cursor), error_field(&cursor)), ("BAD_USER_INPUT", "after"), "{cursor}");
    assert_eq!(error_code(&app.graphql(CREATE, json!({ "t": "Mine" })).await), "UNAUTHENTICATED");
    assert_eq!(error_code(&app.graphql(MINE, json!({})).await), "UNAUTHENTICATED");
}
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_the_plural() {
        let n = Names::new("daily_challenges", None).unwrap();
        assert_eq!(
            (n.item.as_str(), n.item_type.as_str(), n.name_type.as_str()),
            ("daily_challenge", "DailyChallenge", "DailyChallenges")
        );
        assert_eq!(Names::new("quizzes", Some("quiz")).unwrap().item_type, "Quiz");
        assert!(Names::new("Badges", None).is_err());
        assert!(Names::new("posts", None).is_err(), "taken");
        assert!(Names::new("progress_x", None).is_err(), "no plural to strip");
        assert!(Names::new("badges", Some("badges")).is_err());
        assert!(Names::new("bad-name", None).is_err());
    }

    /// Generating into a copy of the files it edits wires everything once, and
    /// refuses to run twice.
    #[test]
    fn generation_wires_the_roots_and_refuses_to_overwrite() {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let root = std::env::temp_dir().join(format!("lectern-xtask-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for file in [
            "entity/src/lib.rs",
            "migration/src/lib.rs",
            "src/domains/mod.rs",
            "src/schema/mod.rs",
            "tests/api/main.rs",
        ] {
            let to = root.join(file);
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(repo.join(file), &to).unwrap();
        }
        let names = Names::new("widgets", None).unwrap();
        let touched = generate(&root, &names, "20270101").unwrap();
        assert_eq!(touched.len(), 12, "{touched:?}");
        let schema = std::fs::read_to_string(root.join("src/schema/mod.rs")).unwrap();
        assert!(schema.contains("    widgets::schema::WidgetsQuery,\n    // new domains: queries"));
        assert!(schema.contains("    widgets::schema::WidgetsMutation,\n    // new domains: mutations"));
        let migrations = std::fs::read_to_string(root.join("migration/src/lib.rs")).unwrap();
        let module = touched
            .iter()
            .find_map(|p| p.to_str().and_then(|s| s.strip_suffix("_widgets.rs")).and_then(|s| s.rsplit('/').next()));
        let module = format!("{}_widgets", module.unwrap());
        assert!(module.starts_with("m20270101_"), "{module}");
        assert!(migrations.contains(&format!("mod {module};")));
        assert!(migrations.contains(&format!("Box::new({module}::Migration),\n        ]")));
        let entities = std::fs::read_to_string(root.join("entity/src/lib.rs")).unwrap();
        assert!(entities.contains("pub mod widget;\n"));
        let again = generate(&root, &names, "20270101").unwrap_err();
        assert!(again.contains("already has") || again.contains("exists"), "{again}");
        let _ = std::fs::remove_dir_all(&root);
    }
}

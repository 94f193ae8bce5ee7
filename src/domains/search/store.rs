//! Where passages and their vectors live and how the two rankings are asked
//! for: one type, an adapter per database (chosen from the connection).
//!
//! - PostgreSQL: keyword ranking from the posts' weighted `tsvector` columns
//!   (GIN), nearest passages from pgvector's HNSW cosine index.
//! - SQLite: keyword ranking from FTS5's bm25 (rows keyed through
//!   `post_search_keys`, stable across VACUUM), nearest passages by scanning
//!   the stored vectors in process, on a blocking thread.

use std::collections::HashMap;

use entity::{passage, post};
use sea_orm::{
    Condition, ConnectionTrait, DatabaseBackend, FromQueryResult, Statement, TransactionTrait, Value,
    sea_query::{Alias, Expr, ExprTrait, Order, Query, SelectStatement},
};
use uuid::Uuid;

use crate::{error::AppResult, infra::embeddings};

/// Which passages and posts a ranking may return.
#[derive(Clone)]
pub struct Scope {
    /// Ids of the candidate posts (live, matching the filter), as a subquery.
    pub posts: SelectStatement,
    /// Whether premium posts' passages and bodies count.
    pub premium: bool,
    /// Leave this post out (related posts).
    pub exclude_post: Option<Uuid>,
}

/// A passage ready to store.
pub struct NewPassage {
    pub position: i32,
    pub heading_path: Vec<String>,
    pub body: String,
    pub words: i32,
    pub premium: bool,
    pub embedding: Vec<f32>,
}

#[derive(Debug, Clone, Copy)]
pub struct Nearest {
    pub passage_id: i64,
    pub post_id: Uuid,
    /// Cosine similarity.
    pub score: f32,
}

/// The adapter for the database in use: every method dispatches on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchStore {
    Postgres,
    Sqlite,
}

macro_rules! dispatch {
    ($self:ident . $method:ident ( $($arg:expr),* )) => {
        match $self {
            SearchStore::Postgres => PostgresStore.$method($($arg),*).await,
            SearchStore::Sqlite => SqliteStore.$method($($arg),*).await,
        }
    };
}

impl SearchStore {
    pub fn of(db: &impl ConnectionTrait) -> Self {
        match db.get_database_backend() {
            DatabaseBackend::Postgres => SearchStore::Postgres,
            _ => SearchStore::Sqlite,
        }
    }

    /// Gives the vector column `dimensions` (PostgreSQL, with its HNSW index);
    /// only called while no passage is stored.
    pub async fn set_dimensions(self, db: &impl ConnectionTrait, dimensions: usize) -> AppResult<()> {
        dispatch!(self.set_dimensions(db, dimensions))
    }

    pub async fn insert_passages(
        self,
        db: &impl ConnectionTrait,
        post_id: Uuid,
        passages: &[NewPassage],
    ) -> AppResult<()> {
        for chunk in passages.chunks(100) {
            let mut insert = Query::insert();
            insert.into_table(passage::Entity).columns(
                ["post_id", "position", "heading_path", "body", "words", "premium", "embedding"].map(Alias::new),
            );
            for p in chunk {
                let embedding = match self {
                    SearchStore::Postgres => Expr::val(pg_vector(&p.embedding)),
                    SearchStore::Sqlite => Expr::val(embeddings::to_bytes(&p.embedding)),
                };
                insert.values_panic([
                    post_id.into(),
                    p.position.into(),
                    serde_json::json!(p.heading_path).into(),
                    p.body.clone().into(),
                    p.words.into(),
                    p.premium.into(),
                    embedding,
                ]);
            }
            db.execute_raw(db.get_database_backend().build(&insert)).await?;
        }
        Ok(())
    }

    /// Posts by keyword relevance to `words` (stop words removed), best first;
    /// with `any` a post needs one of the words, else all of them.
    pub async fn keyword(
        self,
        db: &impl ConnectionTrait,
        words: &[String],
        any: bool,
        scope: &Scope,
        limit: u64,
    ) -> AppResult<Vec<(Uuid, f64)>> {
        if words.is_empty() {
            return Ok(Vec::new());
        }
        dispatch!(self.keyword(db, words, any, scope, limit))
    }

    /// Passages nearest to `vector` (cosine), best first.
    pub async fn nearest(
        self,
        db: &sea_orm::DatabaseConnection,
        vector: &[f32],
        scope: &Scope,
        limit: u64,
    ) -> AppResult<Vec<Nearest>> {
        dispatch!(self.nearest(db, vector, scope, limit))
    }

    /// The stored vectors of a post's passages.
    pub async fn post_vectors(self, db: &impl ConnectionTrait, post_id: Uuid) -> AppResult<Vec<Vec<f32>>> {
        dispatch!(self.post_vectors(db, post_id))
    }

    /// Rebuilds the keyword index from `posts` (SQLite's FTS table; PostgreSQL's columns are generated).
    pub async fn rebuild_keyword_index(self, db: &impl ConnectionTrait) -> AppResult<()> {
        dispatch!(self.rebuild_keyword_index(db))
    }
}

fn scoped(mut query: SelectStatement, scope: &Scope) -> SelectStatement {
    query.and_where(Expr::col((passage::Entity, passage::Column::PostId)).in_subquery(scope.posts.clone()));
    if !scope.premium {
        query.and_where(Expr::col((passage::Entity, passage::Column::Premium)).eq(false));
    }
    if let Some(id) = scope.exclude_post {
        query.and_where(Expr::col((passage::Entity, passage::Column::PostId)).ne(id));
    }
    query
}

#[derive(FromQueryResult)]
struct Ranked {
    id: Uuid,
    score: f64,
}

#[derive(FromQueryResult)]
struct NearestRow {
    id: i64,
    post_id: Uuid,
    score: f64,
}

pub struct PostgresStore;

fn pg_vector(v: &[f32]) -> Value {
    Value::Vector(Some(pgvector::Vector::from(v.to_vec())))
}

impl PostgresStore {
    async fn set_dimensions(&self, db: &impl ConnectionTrait, dimensions: usize) -> AppResult<()> {
        let sql = format!(
            "DROP INDEX IF EXISTS idx_passages_embedding_hnsw;
             ALTER TABLE passages ALTER COLUMN embedding TYPE vector({dimensions});
             CREATE INDEX IF NOT EXISTS idx_passages_embedding_hnsw ON passages USING hnsw (embedding vector_cosine_ops);"
        );
        for part in sql.split(';').map(str::trim).filter(|s| !s.is_empty()) {
            db.execute_raw(Statement::from_string(DatabaseBackend::Postgres, part)).await?;
        }
        Ok(())
    }

    async fn keyword(
        &self,
        db: &impl ConnectionTrait,
        words: &[String],
        any: bool,
        scope: &Scope,
        limit: u64,
    ) -> AppResult<Vec<(Uuid, f64)>> {
        // plainto_tsquery stems and ANDs the words; for "any" its `&`s become `|`s.
        let tsquery = if any {
            "replace(plainto_tsquery('english', $1)::text, '&', '|')::tsquery"
        } else {
            "plainto_tsquery('english', $1)"
        };
        let text = words.join(" ");
        // Two ranks added rather than one over `search_head || search_body`:
        // concatenating two tsvectors per matching row costs more than ranking each.
        let (rank, matches) = if scope.premium {
            (
                format!("ts_rank(search_head, {tsquery}, 1) + ts_rank(search_body, {tsquery}, 1)"),
                format!("(search_head @@ {tsquery} OR search_body @@ {tsquery})"),
            )
        } else {
            (
                format!(
                    "ts_rank(search_head, {tsquery}, 1) + \
                     CASE WHEN is_premium THEN 0 ELSE ts_rank(search_body, {tsquery}, 1) END"
                ),
                format!("(search_head @@ {tsquery} OR (NOT is_premium AND search_body @@ {tsquery}))"),
            )
        };
        let mut query = Query::select();
        query
            .column(post::Column::Id)
            .expr_as(Expr::cust_with_values(format!("({rank})::float8"), [text.clone()]), "score")
            .from(post::Entity)
            .and_where(Expr::cust_with_values(matches, [text]))
            .and_where(Expr::col(post::Column::Id).in_subquery(scope.posts.clone()))
            .order_by_expr(Expr::cust("score"), Order::Desc)
            .order_by(post::Column::Id, Order::Asc)
            .limit(limit);
        if let Some(id) = scope.exclude_post {
            query.and_where(Expr::col(post::Column::Id).ne(id));
        }
        let rows = db.query_all_raw(DatabaseBackend::Postgres.build(&query)).await?;
        rows.iter().map(|r| Ranked::from_query_result(r, "").map(|r| (r.id, r.score)).map_err(Into::into)).collect()
    }

    async fn nearest(
        &self,
        db: &sea_orm::DatabaseConnection,
        vector: &[f32],
        scope: &Scope,
        limit: u64,
    ) -> AppResult<Vec<Nearest>> {
        let mut query = Query::select();
        query
            .columns([passage::Column::Id, passage::Column::PostId])
            .expr_as(Expr::cust_with_values("1 - (embedding <=> $1)", [pg_vector(vector)]), "score")
            .from(passage::Entity)
            .order_by_expr(Expr::cust_with_values("embedding <=> $1", [pg_vector(vector)]), Order::Asc)
            .limit(limit);
        let query = scoped(query, scope);
        // An HNSW scan yields at most `ef_search` rows (default 40): widen it
        // to what is asked, with room for the rows the scope filters out.
        let txn = db.begin().await?;
        let ef = (limit * 2).clamp(100, 1000);
        txn.execute_unprepared(&format!("SET LOCAL hnsw.ef_search = {ef}")).await?;
        let rows = txn.query_all_raw(DatabaseBackend::Postgres.build(&query)).await?;
        txn.commit().await?;
        rows.iter()
            .map(|r| {
                let r = NearestRow::from_query_result(r, "")?;
                Ok(Nearest { passage_id: r.id, post_id: r.post_id, score: r.score as f32 })
            })
            .collect()
    }

    async fn post_vectors(&self, db: &impl ConnectionTrait, post_id: Uuid) -> AppResult<Vec<Vec<f32>>> {
        let stmt = Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            "SELECT embedding FROM passages WHERE post_id = $1 ORDER BY position",
            [post_id.into()],
        );
        let rows = db.query_all_raw(stmt).await?;
        rows.iter().map(|r| Ok(r.try_get::<pgvector::Vector>("", "embedding")?.to_vec())).collect()
    }

    async fn rebuild_keyword_index(&self, _db: &impl ConnectionTrait) -> AppResult<()> {
        Ok(())
    }
}

pub struct SqliteStore;

/// An FTS5 query of quoted words (so nothing in them is FTS syntax), ANDed or ORed.
fn fts_query(words: &[String], any: bool) -> String {
    let quoted: Vec<String> = words.iter().map(|w| format!("\"{}\"", w.replace('"', "\"\""))).collect();
    quoted.join(if any { " OR " } else { " " })
}

impl SqliteStore {
    /// The keyword query of one run: posts matching the FTS5 query `fts` in the
    /// scope, `premium` or not when given, best first.
    pub fn keyword_statement(fts: &str, premium: Option<bool>, scope: &Scope, limit: u64) -> SelectStatement {
        // CROSS JOIN is SQLite's way to fix the join order: the full-text
        // match first, then each match's post. Left to choose, SQLite 3.51
        // walks every readable post and runs the match once per post
        // (129 against 11 ms at 2,000 posts; BENCHMARKS.md, "Embedded
        // mode under load"); tests/api/plans.rs keeps this order.
        let mut query = Query::select();
        query
            .expr_as(Expr::col((Alias::new("p"), post::Column::Id)), "id")
            .expr_as(Expr::cust("-bm25(posts_fts, 10.0, 4.0, 1.0)"), "score")
            .from(Alias::new("posts_fts"))
            // sea-query writes no ON after a CROSS JOIN: the join conditions are in the WHERE.
            .join_as(sea_orm::JoinType::CrossJoin, Alias::new("post_search_keys"), Alias::new("k"), Condition::all())
            .join_as(sea_orm::JoinType::CrossJoin, post::Entity, Alias::new("p"), Condition::all())
            .and_where(Expr::cust("k.key = posts_fts.rowid"))
            .and_where(Expr::cust("p.id = k.post_id"))
            .and_where(Expr::cust_with_values("posts_fts MATCH ?", [fts]))
            .and_where(Expr::col((Alias::new("p"), post::Column::Id)).in_subquery(scope.posts.clone()))
            .order_by_expr(Expr::cust("score"), Order::Desc)
            .limit(limit);
        if let Some(premium) = premium {
            query.and_where(Expr::col((Alias::new("p"), post::Column::IsPremium)).eq(premium));
        }
        if let Some(id) = scope.exclude_post {
            query.and_where(Expr::col((Alias::new("p"), post::Column::Id)).ne(id));
        }
        query
    }

    async fn set_dimensions(&self, _db: &impl ConnectionTrait, _dimensions: usize) -> AppResult<()> {
        Ok(())
    }

    async fn keyword(
        &self,
        db: &impl ConnectionTrait,
        words: &[String],
        any: bool,
        scope: &Scope,
        limit: u64,
    ) -> AppResult<Vec<(Uuid, f64)>> {
        let all = fts_query(words, any);
        // bm25 weights: title 10, excerpt 4, body 1 (bm25 is lower-is-better; negate).
        // Premium bodies count only for entitled viewers: premium posts are matched
        // on title and excerpt alone otherwise (a second query, as FTS5's MATCH
        // cannot sit under an OR).
        let mut runs = vec![(all.clone(), if scope.premium { None } else { Some(false) })];
        if !scope.premium {
            runs.push((format!("{{title excerpt}} : ({all})"), Some(true)));
        }
        let mut ranked: Vec<(Uuid, f64)> = Vec::new();
        for (fts, premium) in runs {
            let query = Self::keyword_statement(&fts, premium, scope, limit);
            for row in db.query_all_raw(DatabaseBackend::Sqlite.build(&query)).await? {
                let row = Ranked::from_query_result(&row, "")?;
                ranked.push((row.id, row.score));
            }
        }
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked.truncate(limit as usize);
        Ok(ranked)
    }

    async fn nearest(
        &self,
        db: &sea_orm::DatabaseConnection,
        vector: &[f32],
        scope: &Scope,
        limit: u64,
    ) -> AppResult<Vec<Nearest>> {
        #[derive(FromQueryResult)]
        struct Row {
            id: i64,
            post_id: Uuid,
            embedding: Vec<u8>,
        }
        let mut query = Query::select();
        query
            .columns([passage::Column::Id, passage::Column::PostId])
            .column(Alias::new("embedding"))
            .from(passage::Entity)
            .and_where(Expr::col(Alias::new("embedding")).is_not_null());
        let query = scoped(query, scope);
        let rows = db.query_all_raw(DatabaseBackend::Sqlite.build(&query)).await?;
        let rows = rows.iter().map(|row| Row::from_query_result(row, "")).collect::<Result<Vec<_>, _>>()?;
        // Scoring every stored vector is CPU work proportional to the index:
        // it runs on a blocking thread so the async workers keep serving.
        let vector = vector.to_vec();
        let hits = tokio::task::spawn_blocking(move || {
            let mut hits: Vec<Nearest> = rows
                .into_iter()
                .map(|row| Nearest {
                    passage_id: row.id,
                    post_id: row.post_id,
                    score: embeddings::dot(&vector, &embeddings::from_bytes(&row.embedding)),
                })
                .collect();
            hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.passage_id.cmp(&b.passage_id)));
            hits.truncate(limit as usize);
            hits
        })
        .await
        .map_err(|err| anyhow::anyhow!("the vector scan failed: {err}"))?;
        Ok(hits)
    }

    async fn post_vectors(&self, db: &impl ConnectionTrait, post_id: Uuid) -> AppResult<Vec<Vec<f32>>> {
        let stmt = Statement::from_sql_and_values(
            DatabaseBackend::Sqlite,
            "SELECT embedding FROM passages WHERE post_id = ? AND embedding IS NOT NULL ORDER BY position",
            [post_id.into()],
        );
        let rows = db.query_all_raw(stmt).await?;
        rows.iter().map(|r| Ok(embeddings::from_bytes(&r.try_get::<Vec<u8>>("", "embedding")?))).collect()
    }

    async fn rebuild_keyword_index(&self, db: &impl ConnectionTrait) -> AppResult<()> {
        for sql in [
            "DELETE FROM posts_fts",
            "DELETE FROM post_search_keys WHERE post_id NOT IN (SELECT id FROM posts)",
            "INSERT INTO post_search_keys(post_id) SELECT id FROM posts WHERE id NOT IN (SELECT post_id FROM post_search_keys)",
            "INSERT INTO posts_fts(rowid, title, excerpt, body) \
             SELECT k.key, p.title, p.excerpt, p.body FROM posts p JOIN post_search_keys k ON k.post_id = p.id",
        ] {
            db.execute_raw(Statement::from_string(DatabaseBackend::Sqlite, sql)).await?;
        }
        Ok(())
    }
}

/// Keeps the best-scored passage per post, in order, up to `limit` posts.
pub fn best_per_post(hits: &[Nearest], limit: usize) -> Vec<Nearest> {
    let mut seen: HashMap<Uuid, ()> = HashMap::new();
    hits.iter().filter(|h| seen.insert(h.post_id, ()).is_none()).take(limit).copied().collect()
}

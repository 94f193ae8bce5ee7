//! Search and "ask AI".
//!
//! `passages` are the chunks of published posts that semantic search and the
//! answerers retrieve, each with its embedding. On PostgreSQL the embedding is
//! a pgvector column whose dimension (and HNSW cosine index) is set by the
//! application once it knows its embedding model (`search_index` records
//! which); on SQLite it is a blob of little-endian f32s searched in process.
//!
//! Keyword search reads the posts themselves: on PostgreSQL through two
//! generated, weighted `tsvector` columns with GIN indexes (`search_head`:
//! title A, excerpt B; `search_body`: body C, kept apart so premium bodies can
//! be left out for viewers who may not read them); on SQLite through an FTS5
//! table that triggers keep in step with `posts`.
//!
//! `ai_answers` records every "ask AI" answer for the admin analytics.

use sea_orm_migration::sea_orm::DatabaseBackend;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Posts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Passages {
    Table,
    Id,
    PostId,
    Position,
    HeadingPath,
    Body,
    Words,
    Premium,
    Embedding,
}

#[derive(DeriveIden)]
enum SearchIndex {
    Table,
    Id,
    Model,
    Dimensions,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AiAnswers {
    Table,
    Id,
    UserId,
    PostId,
    Question,
    Sources,
    Answer,
    Answerer,
    FinishReason,
    Characters,
    Tokens,
    RetrievalMs,
    FirstDeltaMs,
    TotalMs,
    CreatedAt,
}

const PG_UP: &str = r#"
ALTER TABLE passages ADD COLUMN embedding vector;
ALTER TABLE posts ADD COLUMN search_head tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', coalesce(title, '')), 'A') ||
    setweight(to_tsvector('english', coalesce(excerpt, '')), 'B')) STORED;
ALTER TABLE posts ADD COLUMN search_body tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', coalesce(body, '')), 'C')) STORED;
CREATE INDEX idx_posts_search_head ON posts USING gin (search_head);
CREATE INDEX idx_posts_search_body ON posts USING gin (search_body);
"#;

const PG_DOWN: &str = r#"
ALTER TABLE posts DROP COLUMN IF EXISTS search_head;
ALTER TABLE posts DROP COLUMN IF EXISTS search_body;
"#;

// The FTS5 table keeps its own copy of the text (not external content), keyed
// by the post's rowid; `lectern reindex` rebuilds it from `posts`.
const SQLITE_UP: &str = r#"
CREATE VIRTUAL TABLE posts_fts USING fts5(title, excerpt, body, tokenize = 'porter unicode61');
INSERT INTO posts_fts(rowid, title, excerpt, body) SELECT rowid, title, excerpt, body FROM posts;
CREATE TRIGGER posts_fts_insert AFTER INSERT ON posts BEGIN
    INSERT INTO posts_fts(rowid, title, excerpt, body) VALUES (new.rowid, new.title, new.excerpt, new.body);
END;
CREATE TRIGGER posts_fts_update AFTER UPDATE OF title, excerpt, body ON posts BEGIN
    DELETE FROM posts_fts WHERE rowid = old.rowid;
    INSERT INTO posts_fts(rowid, title, excerpt, body) VALUES (new.rowid, new.title, new.excerpt, new.body);
END;
CREATE TRIGGER posts_fts_delete AFTER DELETE ON posts BEGIN
    DELETE FROM posts_fts WHERE rowid = old.rowid;
END;
"#;

const SQLITE_DOWN: &str = r#"
DROP TRIGGER IF EXISTS posts_fts_insert;
DROP TRIGGER IF EXISTS posts_fts_update;
DROP TRIGGER IF EXISTS posts_fts_delete;
DROP TABLE IF EXISTS posts_fts;
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let mut passages = Table::create();
        passages
            .table(Passages::Table)
            .col(big_integer(Passages::Id).auto_increment().primary_key())
            .col(uuid(Passages::PostId))
            .col(integer(Passages::Position))
            .col(json(Passages::HeadingPath))
            .col(text(Passages::Body))
            .col(integer(Passages::Words))
            .col(boolean(Passages::Premium))
            .foreign_key(
                ForeignKey::create()
                    .from(Passages::Table, Passages::PostId)
                    .to(Posts::Table, Posts::Id)
                    .on_delete(ForeignKeyAction::Cascade),
            );
        if backend == DatabaseBackend::Sqlite {
            passages.col(blob_null(Passages::Embedding));
        }
        manager.create_table(passages.to_owned()).await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_passages_post_position")
                    .table(Passages::Table)
                    .col(Passages::PostId)
                    .col(Passages::Position)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(SearchIndex::Table)
                    .col(integer(SearchIndex::Id).primary_key())
                    .col(string_len(SearchIndex::Model, 200))
                    .col(integer(SearchIndex::Dimensions))
                    .col(timestamp_with_time_zone(SearchIndex::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AiAnswers::Table)
                    .col(pk_uuid(AiAnswers::Id))
                    .col(uuid(AiAnswers::UserId))
                    .col(uuid_null(AiAnswers::PostId))
                    .col(text(AiAnswers::Question))
                    .col(json(AiAnswers::Sources))
                    .col(text(AiAnswers::Answer))
                    .col(string_len(AiAnswers::Answerer, 200))
                    .col(string_len(AiAnswers::FinishReason, 32))
                    .col(integer(AiAnswers::Characters))
                    .col(integer_null(AiAnswers::Tokens))
                    .col(integer(AiAnswers::RetrievalMs))
                    .col(integer_null(AiAnswers::FirstDeltaMs))
                    .col(integer(AiAnswers::TotalMs))
                    .col(timestamp_with_time_zone(AiAnswers::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(AiAnswers::Table, AiAnswers::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(AiAnswers::Table, AiAnswers::PostId)
                            .to(Posts::Table, Posts::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_ai_answers_created_at")
                    .table(AiAnswers::Table)
                    .col(AiAnswers::CreatedAt)
                    .to_owned(),
            )
            .await?;

        let sql = match backend {
            DatabaseBackend::Postgres => PG_UP,
            _ => SQLITE_UP,
        };
        manager.get_connection().execute_unprepared(sql).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let sql = match manager.get_database_backend() {
            DatabaseBackend::Postgres => PG_DOWN,
            _ => SQLITE_DOWN,
        };
        manager.get_connection().execute_unprepared(sql).await?;
        manager.drop_table(Table::drop().table(AiAnswers::Table).if_exists().to_owned()).await?;
        manager.drop_table(Table::drop().table(SearchIndex::Table).if_exists().to_owned()).await?;
        manager.drop_table(Table::drop().table(Passages::Table).if_exists().to_owned()).await?;
        Ok(())
    }
}

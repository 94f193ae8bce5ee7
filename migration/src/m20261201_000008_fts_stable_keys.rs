//! SQLite full-text rows get a stable key. `posts_fts` was keyed by the
//! implicit rowid of `posts`, a UUID-keyed table whose rowids VACUUM may
//! renumber, which would silently point every full-text row at another post
//! (or none). Keys now come from `post_search_keys`, whose `key` is an explicit
//! INTEGER PRIMARY KEY (kept by VACUUM), one per post id. PostgreSQL has no
//! such table: its full-text columns live on `posts` itself.

use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

const SQLITE_UP: &str = r#"
DROP TRIGGER IF EXISTS posts_fts_insert;
DROP TRIGGER IF EXISTS posts_fts_update;
DROP TRIGGER IF EXISTS posts_fts_delete;
CREATE TABLE post_search_keys (key INTEGER PRIMARY KEY, post_id NOT NULL UNIQUE);
INSERT INTO post_search_keys(post_id) SELECT id FROM posts ORDER BY rowid;
DELETE FROM posts_fts;
INSERT INTO posts_fts(rowid, title, excerpt, body)
    SELECT k.key, p.title, p.excerpt, p.body FROM posts p JOIN post_search_keys k ON k.post_id = p.id;
CREATE TRIGGER posts_fts_insert AFTER INSERT ON posts BEGIN
    INSERT INTO post_search_keys(post_id) VALUES (new.id);
    INSERT INTO posts_fts(rowid, title, excerpt, body)
        VALUES ((SELECT key FROM post_search_keys WHERE post_id = new.id), new.title, new.excerpt, new.body);
END;
CREATE TRIGGER posts_fts_update AFTER UPDATE OF title, excerpt, body ON posts BEGIN
    DELETE FROM posts_fts WHERE rowid = (SELECT key FROM post_search_keys WHERE post_id = old.id);
    INSERT INTO posts_fts(rowid, title, excerpt, body)
        VALUES ((SELECT key FROM post_search_keys WHERE post_id = new.id), new.title, new.excerpt, new.body);
END;
CREATE TRIGGER posts_fts_delete AFTER DELETE ON posts BEGIN
    DELETE FROM posts_fts WHERE rowid = (SELECT key FROM post_search_keys WHERE post_id = old.id);
    DELETE FROM post_search_keys WHERE post_id = old.id;
END;
"#;

const SQLITE_DOWN: &str = r#"
DROP TRIGGER IF EXISTS posts_fts_insert;
DROP TRIGGER IF EXISTS posts_fts_update;
DROP TRIGGER IF EXISTS posts_fts_delete;
DROP TABLE IF EXISTS post_search_keys;
DELETE FROM posts_fts;
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

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DatabaseBackend::Sqlite {
            manager.get_connection().execute_unprepared(SQLITE_UP).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DatabaseBackend::Sqlite {
            manager.get_connection().execute_unprepared(SQLITE_DOWN).await?;
        }
        Ok(())
    }
}

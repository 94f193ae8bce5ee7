//! How many posts are published, kept by the database: `post_totals` has one
//! row whose `published` is the number of posts with status `PUBLISHED` and a
//! publish time. The home feed's `totalCount` (every live post) is that number
//! plus the scheduled posts already due, which the `(status, published_at)`
//! index finds directly. Before, every uncached feed request counted the
//! ~10,000 live posts again, its most expensive statement.
//!
//! Triggers keep it, so every way a post comes, goes or changes status counts:
//! written, published, scheduled, unpublished, deleted, or removed with its
//! author's account (foreign-key cascades fire row triggers on both backends).
//! Existing posts are counted once here. `tests/api/counters.rs` compares it
//! with a fresh count after each kind of change.

use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Counts the published posts again (both backends).
pub const BACKFILL: &str = r#"
UPDATE post_totals SET published =
    (SELECT count(*) FROM posts WHERE status = 'PUBLISHED' AND published_at IS NOT NULL)
WHERE id = 1;
"#;

const POSTGRES_UP: &str = r#"
CREATE TABLE post_totals (
    id integer PRIMARY KEY CHECK (id = 1),
    published bigint NOT NULL
);
INSERT INTO post_totals (id, published) VALUES (1, 0);

CREATE FUNCTION post_totals_posts() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    delta integer := 0;
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.status = 'PUBLISHED' AND OLD.published_at IS NOT NULL THEN
        delta := delta - 1;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.status = 'PUBLISHED' AND NEW.published_at IS NOT NULL THEN
        delta := delta + 1;
    END IF;
    IF delta <> 0 THEN
        UPDATE post_totals SET published = published + delta WHERE id = 1;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER post_totals_posts AFTER INSERT OR DELETE OR UPDATE OF status, published_at ON posts
    FOR EACH ROW EXECUTE FUNCTION post_totals_posts();
"#;

const POSTGRES_DOWN: &str = r#"
DROP TRIGGER IF EXISTS post_totals_posts ON posts;
DROP FUNCTION IF EXISTS post_totals_posts();
DROP TABLE IF EXISTS post_totals;
"#;

/// SQLite counts a true comparison as 1.
const SQLITE_UP: &str = r#"
CREATE TABLE post_totals (
    id integer NOT NULL PRIMARY KEY CHECK (id = 1),
    published integer NOT NULL
);
INSERT INTO post_totals (id, published) VALUES (1, 0);

CREATE TRIGGER post_totals_post_insert AFTER INSERT ON posts
WHEN NEW.status = 'PUBLISHED' AND NEW.published_at IS NOT NULL BEGIN
    UPDATE post_totals SET published = published + 1 WHERE id = 1;
END;
CREATE TRIGGER post_totals_post_delete AFTER DELETE ON posts
WHEN OLD.status = 'PUBLISHED' AND OLD.published_at IS NOT NULL BEGIN
    UPDATE post_totals SET published = published - 1 WHERE id = 1;
END;
CREATE TRIGGER post_totals_post_update AFTER UPDATE OF status, published_at ON posts
WHEN (OLD.status = 'PUBLISHED' AND OLD.published_at IS NOT NULL)
  <> (NEW.status = 'PUBLISHED' AND NEW.published_at IS NOT NULL) BEGIN
    UPDATE post_totals SET published = published
        + (NEW.status = 'PUBLISHED' AND NEW.published_at IS NOT NULL)
        - (OLD.status = 'PUBLISHED' AND OLD.published_at IS NOT NULL)
    WHERE id = 1;
END;
"#;

const SQLITE_DOWN: &str = r#"
DROP TRIGGER IF EXISTS post_totals_post_update;
DROP TRIGGER IF EXISTS post_totals_post_delete;
DROP TRIGGER IF EXISTS post_totals_post_insert;
DROP TABLE IF EXISTS post_totals;
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let up = match manager.get_database_backend() {
            DatabaseBackend::Postgres => POSTGRES_UP,
            _ => SQLITE_UP,
        };
        db.execute_unprepared(up).await?;
        db.execute_unprepared(BACKFILL).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let down = match manager.get_database_backend() {
            DatabaseBackend::Postgres => POSTGRES_DOWN,
            _ => SQLITE_DOWN,
        };
        manager.get_connection().execute_unprepared(down).await?;
        Ok(())
    }
}

//! Each post's counters, kept by the database: `post_counts` holds, per post,
//! its visible comments and its reactions of each kind. A page of posts read
//! them with one primary-key lookup instead of counting `comments` and
//! `reactions` for every page (two grouped scans per request).
//!
//! Triggers keep them, so every way a row comes or goes counts: a comment
//! written, hidden, shown again, deleted by its author or removed with a
//! deleted account or post (foreign-key cascades fire row triggers on both
//! backends), a reaction added or taken back. A post gets its row as it is
//! inserted; existing posts are counted once here. `tests/api/counters.rs`
//! compares the counters with a fresh count after each kind of change.
//!
//! The counters live in their own table, not on `posts`: PostgreSQL computes a
//! post's stored `tsvector` columns again on every update of its row, which
//! would make each reaction re-parse the post's body.

use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Counts every existing post (both backends).
pub const BACKFILL: &str = r#"
INSERT INTO post_counts (post_id, comments, reactions_like, reactions_insightful, reactions_confused, reactions_celebrate)
SELECT p.id,
    (SELECT count(*) FROM comments c WHERE c.post_id = p.id AND c.status = 'VISIBLE'),
    (SELECT count(*) FROM reactions r WHERE r.post_id = p.id AND r.kind = 'LIKE'),
    (SELECT count(*) FROM reactions r WHERE r.post_id = p.id AND r.kind = 'INSIGHTFUL'),
    (SELECT count(*) FROM reactions r WHERE r.post_id = p.id AND r.kind = 'CONFUSED'),
    (SELECT count(*) FROM reactions r WHERE r.post_id = p.id AND r.kind = 'CELEBRATE')
FROM posts p;
"#;

const POSTGRES_UP: &str = r#"
CREATE TABLE post_counts (
    post_id uuid PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE,
    comments bigint NOT NULL DEFAULT 0,
    reactions_like bigint NOT NULL DEFAULT 0,
    reactions_insightful bigint NOT NULL DEFAULT 0,
    reactions_confused bigint NOT NULL DEFAULT 0,
    reactions_celebrate bigint NOT NULL DEFAULT 0
);

CREATE FUNCTION post_counts_new_post() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO post_counts (post_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
CREATE TRIGGER post_counts_new_post AFTER INSERT ON posts
    FOR EACH ROW EXECUTE FUNCTION post_counts_new_post();

CREATE FUNCTION post_counts_comments() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        IF OLD.status = 'VISIBLE' THEN
            UPDATE post_counts SET comments = comments - 1 WHERE post_id = OLD.post_id;
        END IF;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        IF NEW.status = 'VISIBLE' THEN
            UPDATE post_counts SET comments = comments + 1 WHERE post_id = NEW.post_id;
        END IF;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER post_counts_comments AFTER INSERT OR DELETE OR UPDATE OF status, post_id ON comments
    FOR EACH ROW EXECUTE FUNCTION post_counts_comments();

CREATE FUNCTION post_counts_reactions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        UPDATE post_counts SET
            reactions_like = reactions_like - (OLD.kind = 'LIKE')::int,
            reactions_insightful = reactions_insightful - (OLD.kind = 'INSIGHTFUL')::int,
            reactions_confused = reactions_confused - (OLD.kind = 'CONFUSED')::int,
            reactions_celebrate = reactions_celebrate - (OLD.kind = 'CELEBRATE')::int
        WHERE post_id = OLD.post_id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        UPDATE post_counts SET
            reactions_like = reactions_like + (NEW.kind = 'LIKE')::int,
            reactions_insightful = reactions_insightful + (NEW.kind = 'INSIGHTFUL')::int,
            reactions_confused = reactions_confused + (NEW.kind = 'CONFUSED')::int,
            reactions_celebrate = reactions_celebrate + (NEW.kind = 'CELEBRATE')::int
        WHERE post_id = NEW.post_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER post_counts_reactions AFTER INSERT OR DELETE OR UPDATE OF kind, post_id ON reactions
    FOR EACH ROW EXECUTE FUNCTION post_counts_reactions();
"#;

const POSTGRES_DOWN: &str = r#"
DROP TRIGGER IF EXISTS post_counts_reactions ON reactions;
DROP TRIGGER IF EXISTS post_counts_comments ON comments;
DROP TRIGGER IF EXISTS post_counts_new_post ON posts;
DROP FUNCTION IF EXISTS post_counts_reactions();
DROP FUNCTION IF EXISTS post_counts_comments();
DROP FUNCTION IF EXISTS post_counts_new_post();
DROP TABLE IF EXISTS post_counts;
"#;

/// SQLite compares a UUID blob with a blob and counts a true comparison as 1.
const SQLITE_UP: &str = r#"
CREATE TABLE post_counts (
    post_id uuid_text NOT NULL PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE,
    comments integer NOT NULL DEFAULT 0,
    reactions_like integer NOT NULL DEFAULT 0,
    reactions_insightful integer NOT NULL DEFAULT 0,
    reactions_confused integer NOT NULL DEFAULT 0,
    reactions_celebrate integer NOT NULL DEFAULT 0
);

CREATE TRIGGER post_counts_new_post AFTER INSERT ON posts BEGIN
    INSERT OR IGNORE INTO post_counts (post_id) VALUES (NEW.id);
END;

CREATE TRIGGER post_counts_comment_insert AFTER INSERT ON comments WHEN NEW.status = 'VISIBLE' BEGIN
    UPDATE post_counts SET comments = comments + 1 WHERE post_id = NEW.post_id;
END;
CREATE TRIGGER post_counts_comment_delete AFTER DELETE ON comments WHEN OLD.status = 'VISIBLE' BEGIN
    UPDATE post_counts SET comments = comments - 1 WHERE post_id = OLD.post_id;
END;
CREATE TRIGGER post_counts_comment_update AFTER UPDATE OF status, post_id ON comments BEGIN
    UPDATE post_counts SET comments = comments - 1 WHERE post_id = OLD.post_id AND OLD.status = 'VISIBLE';
    UPDATE post_counts SET comments = comments + 1 WHERE post_id = NEW.post_id AND NEW.status = 'VISIBLE';
END;

CREATE TRIGGER post_counts_reaction_insert AFTER INSERT ON reactions BEGIN
    UPDATE post_counts SET
        reactions_like = reactions_like + (NEW.kind = 'LIKE'),
        reactions_insightful = reactions_insightful + (NEW.kind = 'INSIGHTFUL'),
        reactions_confused = reactions_confused + (NEW.kind = 'CONFUSED'),
        reactions_celebrate = reactions_celebrate + (NEW.kind = 'CELEBRATE')
    WHERE post_id = NEW.post_id;
END;
CREATE TRIGGER post_counts_reaction_delete AFTER DELETE ON reactions BEGIN
    UPDATE post_counts SET
        reactions_like = reactions_like - (OLD.kind = 'LIKE'),
        reactions_insightful = reactions_insightful - (OLD.kind = 'INSIGHTFUL'),
        reactions_confused = reactions_confused - (OLD.kind = 'CONFUSED'),
        reactions_celebrate = reactions_celebrate - (OLD.kind = 'CELEBRATE')
    WHERE post_id = OLD.post_id;
END;
CREATE TRIGGER post_counts_reaction_update AFTER UPDATE OF kind, post_id ON reactions BEGIN
    UPDATE post_counts SET
        reactions_like = reactions_like - (OLD.kind = 'LIKE'),
        reactions_insightful = reactions_insightful - (OLD.kind = 'INSIGHTFUL'),
        reactions_confused = reactions_confused - (OLD.kind = 'CONFUSED'),
        reactions_celebrate = reactions_celebrate - (OLD.kind = 'CELEBRATE')
    WHERE post_id = OLD.post_id;
    UPDATE post_counts SET
        reactions_like = reactions_like + (NEW.kind = 'LIKE'),
        reactions_insightful = reactions_insightful + (NEW.kind = 'INSIGHTFUL'),
        reactions_confused = reactions_confused + (NEW.kind = 'CONFUSED'),
        reactions_celebrate = reactions_celebrate + (NEW.kind = 'CELEBRATE')
    WHERE post_id = NEW.post_id;
END;
"#;

const SQLITE_DOWN: &str = r#"
DROP TRIGGER IF EXISTS post_counts_reaction_update;
DROP TRIGGER IF EXISTS post_counts_reaction_delete;
DROP TRIGGER IF EXISTS post_counts_reaction_insert;
DROP TRIGGER IF EXISTS post_counts_comment_update;
DROP TRIGGER IF EXISTS post_counts_comment_delete;
DROP TRIGGER IF EXISTS post_counts_comment_insert;
DROP TRIGGER IF EXISTS post_counts_new_post;
DROP TABLE IF EXISTS post_counts;
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

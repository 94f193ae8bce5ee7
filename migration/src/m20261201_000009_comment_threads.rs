//! Comment threads as a flat, pageable list. Each comment stores its place in
//! its post's thread: `thread_path`, the ids (32 lowercase hex digits, UUIDv7,
//! so in creation order) from its root comment down to itself joined by `/`,
//! and its `depth` (0 for a comment on the post). Ordering a post's comments
//! by path lists every thread depth first, replies under their parent in the
//! order they were written, so a page of the thread is one index range scan
//! (`idx_comments_post_thread`) whatever the depth. Existing comments are
//! backfilled from their parents.

use sea_orm_migration::{prelude::*, sea_orm::DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Comments {
    Table,
    PostId,
    ThreadPath,
    Depth,
}

/// `segment(x)`: the id `x` as the path writes it.
const BACKFILL: &str = r#"
CREATE TEMPORARY TABLE comment_paths AS
WITH RECURSIVE t(id, path, depth) AS (
    SELECT id, segment(id), 0 FROM comments
    WHERE parent_id IS NULL OR parent_id NOT IN (SELECT id FROM comments)
    UNION ALL
    SELECT c.id, t.path || '/' || segment(c.id), t.depth + 1 FROM comments c JOIN t ON c.parent_id = t.id
)
SELECT id, path, depth FROM t;
CREATE UNIQUE INDEX comment_paths_id ON comment_paths (id);
UPDATE comments SET
    thread_path = (SELECT path FROM comment_paths p WHERE p.id = comments.id),
    depth = (SELECT depth FROM comment_paths p WHERE p.id = comments.id)
WHERE id IN (SELECT id FROM comment_paths);
DROP TABLE comment_paths;
"#;

pub fn backfill(backend: DatabaseBackend) -> String {
    let segment = match backend {
        DatabaseBackend::Postgres => "replace(ID::text, '-', '')",
        // SQLite holds a UUID as a 16-byte blob (or, written by hand, as text).
        _ => "(CASE typeof(ID) WHEN 'blob' THEN lower(hex(ID)) ELSE lower(replace(ID, '-', '')) END)",
    };
    let mut sql = BACKFILL.to_owned();
    for column in ["c.id", "id"] {
        sql = sql.replace(&format!("segment({column})"), &segment.replace("ID", column));
    }
    sql
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            ColumnDef::new(Comments::ThreadPath).text().not_null().default("").to_owned(),
            ColumnDef::new(Comments::Depth).integer().not_null().default(0).to_owned(),
        ] {
            manager.alter_table(Table::alter().table(Comments::Table).add_column(column).to_owned()).await?;
        }
        manager.get_connection().execute_unprepared(&backfill(manager.get_database_backend())).await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_comments_post_thread")
                    .table(Comments::Table)
                    .col(Comments::PostId)
                    .col(Comments::ThreadPath)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name("idx_comments_post_thread").table(Comments::Table).to_owned()).await?;
        for column in [Comments::ThreadPath, Comments::Depth] {
            manager.alter_table(Table::alter().table(Comments::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}

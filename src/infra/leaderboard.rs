//! Ranked scores per board (one board per leaderboard period): Redis sorted
//! sets when Redis is configured, so every instance reads and writes the same
//! boards; an in-process ordered index otherwise. Both order by score, highest
//! first, and break ties by member id, highest first (Redis' own order for
//! equal scores), so a page reads the same in either mode.
//!
//! A Redis board that cannot be reached answers `Err(Skipped)`; callers then
//! read the ledger itself (slower, never wrong), and the rebuild job puts the
//! board right once Redis is back.

use std::{
    cmp::Reverse,
    collections::{BTreeSet, HashMap},
    sync::{Arc, Mutex},
    time::Duration,
};

use redis::AsyncCommands;
use uuid::Uuid;

use crate::infra::redis_guard::{RedisGuard, Skipped};

/// One member's place: 1-based rank and score.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ranked {
    pub member: Uuid,
    pub rank: u64,
    pub score: i64,
}

#[async_trait::async_trait]
pub trait Leaderboard: Send + Sync {
    /// Adds `amount` to `member`'s score on `board` (creating either), keeping the board `ttl` after its last change.
    async fn add(&self, board: &str, member: Uuid, amount: i64, ttl: Duration) -> Result<(), Skipped>;
    /// Members ranked `offset + 1` to `offset + limit`, and how many the board has (one round trip).
    async fn page(&self, board: &str, offset: u64, limit: u64) -> Result<(Vec<Ranked>, u64), Skipped>;
    /// A member's place, or None when not on the board.
    async fn rank(&self, board: &str, member: Uuid) -> Result<Option<Ranked>, Skipped>;
    /// How many members the board has.
    async fn len(&self, board: &str) -> Result<u64, Skipped>;
    /// Replaces the whole board at once (readers see the old board or the new, never a mix).
    async fn replace(&self, board: &str, scores: Vec<(Uuid, i64)>, ttl: Duration) -> Result<(), Skipped>;
    /// Whether the board exists (a missing board has not been built since start or expired).
    async fn exists(&self, board: &str) -> Result<bool, Skipped>;
}

/// In process: per board a score map and an ordered index over it.
#[derive(Default)]
pub struct MemoryLeaderboard {
    boards: Mutex<HashMap<String, Board>>,
}

#[derive(Default)]
struct Board {
    scores: HashMap<Uuid, i64>,
    order: BTreeSet<(Reverse<i64>, Reverse<Uuid>)>,
}

impl Board {
    fn set(&mut self, member: Uuid, score: i64) {
        if let Some(old) = self.scores.insert(member, score) {
            self.order.remove(&(Reverse(old), Reverse(member)));
        }
        self.order.insert((Reverse(score), Reverse(member)));
    }
}

impl MemoryLeaderboard {
    fn boards(&self) -> std::sync::MutexGuard<'_, HashMap<String, Board>> {
        self.boards.lock().unwrap_or_else(|p| p.into_inner())
    }
}

// Boards in process live as long as the process (the rebuild job refills them
// after a restart); `ttl` only matters to Redis, which is shared and outlives us.
#[async_trait::async_trait]
impl Leaderboard for MemoryLeaderboard {
    async fn add(&self, board: &str, member: Uuid, amount: i64, _ttl: Duration) -> Result<(), Skipped> {
        let mut boards = self.boards();
        let board = boards.entry(board.to_owned()).or_default();
        let score = board.scores.get(&member).copied().unwrap_or(0).saturating_add(amount);
        board.set(member, score);
        Ok(())
    }

    async fn page(&self, board: &str, offset: u64, limit: u64) -> Result<(Vec<Ranked>, u64), Skipped> {
        let boards = self.boards();
        let Some(board) = boards.get(board) else { return Ok((Vec::new(), 0)) };
        let rows = board
            .order
            .iter()
            .enumerate()
            .skip(offset as usize)
            .take(limit as usize)
            .map(|(index, (Reverse(score), Reverse(member)))| Ranked {
                member: *member,
                rank: index as u64 + 1,
                score: *score,
            })
            .collect();
        Ok((rows, board.scores.len() as u64))
    }

    async fn rank(&self, board: &str, member: Uuid) -> Result<Option<Ranked>, Skipped> {
        let boards = self.boards();
        let Some(board) = boards.get(board) else { return Ok(None) };
        let Some(&score) = board.scores.get(&member) else { return Ok(None) };
        let ahead = board.order.range(..(Reverse(score), Reverse(member))).count() as u64;
        Ok(Some(Ranked { member, rank: ahead + 1, score }))
    }

    async fn len(&self, board: &str) -> Result<u64, Skipped> {
        Ok(self.boards().get(board).map_or(0, |b| b.scores.len() as u64))
    }

    async fn replace(&self, board: &str, scores: Vec<(Uuid, i64)>, _ttl: Duration) -> Result<(), Skipped> {
        let mut fresh = Board::default();
        for (member, score) in scores {
            fresh.set(member, score);
        }
        self.boards().insert(board.to_owned(), fresh);
        Ok(())
    }

    async fn exists(&self, board: &str) -> Result<bool, Skipped> {
        Ok(self.boards().contains_key(board))
    }
}

/// Sorted sets under `{prefix}lb:{board}`.
pub struct RedisLeaderboard {
    redis: Arc<RedisGuard>,
    prefix: String,
}

impl RedisLeaderboard {
    pub fn new(redis: Arc<RedisGuard>, prefix: &str) -> Self {
        RedisLeaderboard { redis, prefix: format!("{prefix}lb:") }
    }

    fn key(&self, board: &str) -> String {
        format!("{}{board}", self.prefix)
    }
}

fn ranked(from_offset: u64, members: Vec<(String, f64)>) -> Vec<Ranked> {
    members
        .into_iter()
        .enumerate()
        .filter_map(|(index, (member, score))| {
            Some(Ranked { member: member.parse().ok()?, rank: from_offset + index as u64 + 1, score: score as i64 })
        })
        .collect()
}

#[async_trait::async_trait]
impl Leaderboard for RedisLeaderboard {
    async fn add(&self, board: &str, member: Uuid, amount: i64, ttl: Duration) -> Result<(), Skipped> {
        let key = self.key(board);
        self.redis
            .call("leaderboard add", |mut conn| async move {
                redis::pipe()
                    .atomic()
                    .zincr(&key, member.to_string(), amount)
                    .ignore()
                    .expire(&key, ttl.as_secs().max(1) as i64)
                    .ignore()
                    .query_async::<()>(&mut conn)
                    .await
            })
            .await
    }

    async fn page(&self, board: &str, offset: u64, limit: u64) -> Result<(Vec<Ranked>, u64), Skipped> {
        let key = self.key(board);
        // `ZREVRANGE key 0 -1` would be the whole board: an empty page asks for the count alone.
        let (members, total) = self
            .redis
            .call("leaderboard page", |mut conn| async move {
                if limit == 0 {
                    return conn.zcard::<_, u64>(&key).await.map(|total| (Vec::new(), total));
                }
                redis::pipe()
                    .zrevrange_withscores(&key, offset as isize, (offset + limit - 1) as isize)
                    .zcard(&key)
                    .query_async::<(Vec<(String, f64)>, u64)>(&mut conn)
                    .await
            })
            .await?;
        Ok((ranked(offset, members), total))
    }

    async fn rank(&self, board: &str, member: Uuid) -> Result<Option<Ranked>, Skipped> {
        let key = self.key(board);
        let (rank, score) = self
            .redis
            .call("leaderboard rank", |mut conn| async move {
                redis::pipe()
                    .zrevrank(&key, member.to_string())
                    .zscore(&key, member.to_string())
                    .query_async::<(Option<u64>, Option<f64>)>(&mut conn)
                    .await
            })
            .await?;
        Ok(rank.zip(score).map(|(rank, score)| Ranked { member, rank: rank + 1, score: score as i64 }))
    }

    async fn len(&self, board: &str) -> Result<u64, Skipped> {
        let key = self.key(board);
        self.redis.call("leaderboard size", |mut conn| async move { conn.zcard::<_, u64>(&key).await }).await
    }

    async fn replace(&self, board: &str, scores: Vec<(Uuid, i64)>, ttl: Duration) -> Result<(), Skipped> {
        let key = self.key(board);
        // Built under a temporary name, then renamed over the board in one step.
        let building = format!("{key}:building:{}", Uuid::now_v7().simple());
        self.redis
            .call("leaderboard rebuild", |mut conn| async move {
                let mut pipe = redis::pipe();
                pipe.atomic();
                if scores.is_empty() {
                    pipe.del(&key).ignore();
                } else {
                    for chunk in scores.chunks(1_000) {
                        let items: Vec<(i64, String)> = chunk.iter().map(|(m, s)| (*s, m.to_string())).collect();
                        pipe.zadd_multiple(&building, &items).ignore();
                    }
                    pipe.rename(&building, &key).ignore().expire(&key, ttl.as_secs().max(1) as i64).ignore();
                }
                pipe.query_async::<()>(&mut conn).await
            })
            .await
    }

    async fn exists(&self, board: &str) -> Result<bool, Skipped> {
        let key = self.key(board);
        self.redis.call("leaderboard exists", |mut conn| async move { conn.exists::<_, bool>(&key).await }).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn memory_boards_rank_by_score_then_member() {
        let board = MemoryLeaderboard::default();
        let ttl = Duration::from_secs(60);
        let (a, b, c) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
        board.add("w", a, 10, ttl).await.unwrap();
        board.add("w", b, 30, ttl).await.unwrap();
        board.add("w", c, 10, ttl).await.unwrap();
        board.add("w", a, 5, ttl).await.unwrap();
        let (page, total) = board.page("w", 0, 10).await.unwrap();
        let order: Vec<(Uuid, u64, i64)> = page.iter().map(|r| (r.member, r.rank, r.score)).collect();
        assert_eq!(order, [(b, 1, 30), (a, 2, 15), (c, 3, 10)]);
        assert_eq!(total, 3);
        assert_eq!(board.rank("w", c).await.unwrap().map(|r| r.rank), Some(3));
        assert_eq!(board.page("w", 1, 1).await.unwrap().0[0].member, a);
        assert_eq!(board.page("missing", 0, 10).await.unwrap(), (Vec::new(), 0));
        assert_eq!(board.len("w").await.unwrap(), 3);
        assert_eq!(board.rank("w", Uuid::from_u128(9)).await.unwrap(), None);
        // Equal scores: the higher id first, as Redis orders them.
        board.add("w", a, -5, ttl).await.unwrap();
        let (page, _) = board.page("w", 0, 10).await.unwrap();
        assert_eq!(page.iter().map(|r| r.member).collect::<Vec<_>>(), [b, c, a]);
        board.replace("w", vec![(a, 1)], ttl).await.unwrap();
        assert_eq!(board.len("w").await.unwrap(), 1);
        assert!(!board.exists("m").await.unwrap());
    }
}

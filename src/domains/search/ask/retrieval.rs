//! Which passages an answer may cite.

use entity::{passage, post};
use uuid::Uuid;

use super::Source;
use crate::{
    domains::{
        posts::service as posts,
        search::{
            highlight::Terms,
            service,
            store::{Nearest, Scope},
        },
    },
    error::AppResult,
    state::AppState,
};

/// Passages below this cosine similarity are not worth citing.
const MIN_SOURCE_SCORE: f32 = 0.2;
/// At most this many sources from one post (unless the question is about that post).
const SOURCES_PER_POST: usize = 2;

/// The passages to answer from: nearest in meaning, nudged by shared words,
/// at most two per post, premium ones only for entitled viewers.
pub async fn retrieve(
    state: &AppState,
    question: &str,
    post: Option<post::Model>,
    premium: bool,
) -> AppResult<Vec<Source>> {
    let posts_scope = match &post {
        Some(p) => sea_orm::sea_query::Query::select().expr(sea_orm::sea_query::Expr::val(p.id)).to_owned(),
        None => posts::live_ids(&state.db, &Default::default()).await?,
    };
    let scope = Scope { posts: posts_scope, premium, exclude_post: None };
    let wanted = state.config.ai.sources;
    let nearest: Vec<Nearest> = service::nearest_passages(state, question, &scope, (wanted * 6) as u64).await?;
    let passages =
        service::passages_by_ids(&state.db, &nearest.iter().map(|n| n.passage_id).collect::<Vec<_>>()).await?;
    let terms = Terms::new(question);
    let term_count = terms.score(question).0.max(1) as f32;
    let mut ranked: Vec<(f32, passage::Model)> = nearest
        .iter()
        .filter_map(|n| {
            let p = passages.iter().find(|p| p.id == n.passage_id)?.clone();
            let lexical = terms.score(&p.body).0 as f32 / term_count;
            Some((n.score + 0.1 * lexical, p))
        })
        .filter(|(score, _)| *score >= MIN_SOURCE_SCORE)
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    let per_post = if post.is_some() { wanted } else { SOURCES_PER_POST };
    let mut taken: Vec<(f32, passage::Model)> = Vec::new();
    for (score, p) in ranked {
        if taken.iter().filter(|(_, t)| t.post_id == p.post_id).count() < per_post {
            taken.push((score, p));
        }
        if taken.len() == wanted {
            break;
        }
    }
    let post_ids: Vec<Uuid> = taken.iter().map(|(_, p)| p.post_id).collect();
    let found = posts::posts_by_ids(&state.db, &post_ids).await?;
    Ok(taken
        .into_iter()
        .filter_map(|(score, passage)| {
            let post = found.iter().find(|p| p.id == passage.post_id && posts::is_live(p))?.clone();
            (!post.is_premium || premium).then_some((score, passage, post))
        })
        .enumerate()
        .map(|(i, (score, passage, post))| Source { index: i + 1, post, passage, score })
        .collect())
}

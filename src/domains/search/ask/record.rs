//! Every answer is recorded (question, sources, answer, timings) for quality
//! review and cost accounting.

use chrono::Utc;
use entity::ai_answer;
use sea_orm::{ActiveModelTrait, ActiveValue::Set};
use uuid::Uuid;

use super::{Finish, Source};
use crate::{error::AppResult, state::AppState};

#[allow(clippy::too_many_arguments)]
pub(super) async fn record(
    state: &AppState,
    user_id: Uuid,
    post_id: Option<Uuid>,
    question: &str,
    sources: &[Source],
    answer: &str,
    answerer: &str,
    finish: &Finish,
) -> AppResult<()> {
    let sources = serde_json::json!(
        sources
            .iter()
            .map(|s| serde_json::json!({
                "index": s.index, "postId": s.post.id, "passageId": s.passage.id,
                "heading": s.heading(), "score": s.score,
            }))
            .collect::<Vec<_>>()
    );
    ai_answer::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        post_id: Set(post_id),
        question: Set(question.to_owned()),
        sources: Set(sources),
        answer: Set(answer.to_owned()),
        answerer: Set(answerer.to_owned()),
        finish_reason: Set(finish.reason.as_str().to_owned()),
        characters: Set(finish.characters as i32),
        tokens: Set(finish.tokens),
        retrieval_ms: Set(finish.retrieval_ms as i32),
        first_delta_ms: Set(finish.first_delta_ms.map(|ms| ms as i32)),
        total_ms: Set(finish.total_ms as i32),
        created_at: Set(Utc::now()),
    }
    .insert(&state.db)
    .await?;
    Ok(())
}

//! Search, related posts and the `askAi` subscription.

use std::time::Duration;

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject, Subscription, Union};
use entity::passage;
use futures::{StreamExt, stream::BoxStream};

use super::{
    ask::{self, AskEvent, FinishReason},
    service::{self, SearchFilter, SearchMode},
};
use crate::{
    domains::posts::schema::{GqlDifficulty, Post},
    graphql::{ContextExt, Require},
    infra::rate_limit::Rule,
};

/// Narrows a search to posts with a tag, in a series or of a difficulty.
#[derive(InputObject, Default)]
pub struct SearchFilterInput {
    /// Tag slug.
    pub tag: Option<String>,
    /// Series slug.
    pub series: Option<String>,
    /// Only posts of this difficulty.
    pub difficulty: Option<GqlDifficulty>,
}

/// A passage of a post: a few hundred words under one heading.
pub struct Passage(pub passage::Model);

/// A passage of a post: a few hundred words under one heading.
#[Object]
impl Passage {
    /// Stable while the post is unchanged; a re-index gives new ids.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The headings above the passage, outermost first (empty before the first heading).
    async fn heading_path(&self) -> Vec<String> {
        serde_json::from_value(self.0.heading_path.clone()).unwrap_or_default()
    }

    /// The passage's text (markdown reduced to plain text).
    async fn text(&self) -> &str {
        &self.0.body
    }

    /// 0-based place of the passage in its post.
    async fn position(&self) -> i32 {
        self.0.position
    }
}

/// One post that matched.
pub struct SearchHit(service::Hit);

/// One post that matched.
#[Object]
impl SearchHit {
    /// The post that matched.
    async fn post(&self) -> Post {
        Post(self.0.post.clone())
    }

    /// Relevance, higher is better; comparable only within one result list
    /// (KEYWORD: text rank, SEMANTIC: cosine similarity, HYBRID: fused rank).
    async fn score(&self) -> f64 {
        self.0.score
    }

    /// The passage that matched best; null when the viewer may not read the
    /// post's body (premium) or it has no passages yet.
    async fn passage(&self) -> Option<Passage> {
        self.0.passage.clone().map(Passage)
    }

    /// About 30 words of the passage (or of the excerpt when there is no
    /// passage) around the best match: HTML-escaped text in which the query's
    /// words are wrapped in `<mark>`.
    async fn snippet(&self) -> &str {
        &self.0.snippet
    }
}

/// The posts a search found.
#[derive(SimpleObject)]
pub struct SearchResults {
    /// Best first; at most `first`.
    pub hits: Vec<SearchHit>,
    /// The mode that ranked them.
    pub mode: SearchMode,
    /// The query as searched (whitespace collapsed).
    pub query: String,
}

#[derive(Default)]
pub struct SearchQuery;

#[Object]
impl SearchQuery {
    /// Searches live posts. KEYWORD matches the words (title above excerpt
    /// above body), SEMANTIC the meaning of passages, HYBRID (the default)
    /// fuses both rankings. Premium bodies and passages count only for viewers
    /// entitled to them. BAD_USER_INPUT for an empty or over-long query
    /// (200 characters) or `first` outside 1–50; RATE_LIMITED past
    /// `SEARCHES_PER_MINUTE` (300) a minute per client.
    async fn search(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to look for (1–200 characters).")] query: String,
        #[graphql(desc = "How to rank (HYBRID when omitted).", default_with = "Some(SearchMode::Hybrid)")] mode: Option<
            SearchMode,
        >,
        #[graphql(desc = "Narrows the candidates; every part given must match.")] filter: Option<SearchFilterInput>,
        #[graphql(desc = "Hits to return (1–50, default 10).")] first: Option<i32>,
    ) -> Result<SearchResults> {
        let state = ctx.state();
        let mode = mode.unwrap_or_default();
        let query = service::parse_query(&query)?;
        let first = service::parse_first(first)?;
        let rule = Rule::new("search:ip", state.config.ai.searches_per_minute, Duration::from_secs(60));
        state.limiter.hit(&rule, &ctx.meta().rate_limit_key()).await?;
        let filter = filter.unwrap_or_default();
        let filter =
            SearchFilter { tag: filter.tag, series: filter.series, difficulty: filter.difficulty.map(Into::into) };
        let hits = service::search(state, ctx.viewer(), &query, mode, &filter, first).await?;
        Ok(SearchResults { hits: hits.into_iter().map(SearchHit).collect(), mode, query })
    }

    /// Posts closest in meaning to the post with this slug (by their passages),
    /// best first. NOT_FOUND when the viewer cannot read that post.
    async fn related_posts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The post's slug (an old slug that redirects works too).")] slug: String,
        #[graphql(desc = "Posts to return (1–50, default 10).")] first: Option<i32>,
    ) -> Result<Vec<Post>> {
        let first = service::parse_first(first)?;
        let related = service::related(ctx.state(), ctx.viewer(), &slug, first).await?;
        Ok(related.into_iter().map(Post).collect())
    }
}

/// A passage the answer cites as `[index]`.
pub struct AskAiSource(ask::Source);

/// A passage the answer cites as `[index]`.
#[Object]
impl AskAiSource {
    /// 1-based; the answer cites this source as `[index]`.
    async fn index(&self) -> i32 {
        self.0.index as i32
    }

    /// The post the passage is from.
    async fn post(&self) -> Post {
        Post(self.0.post.clone())
    }

    /// The headings above the passage, joined with ›; null before the first heading.
    async fn heading(&self) -> Option<String> {
        self.0.heading()
    }

    /// The passage the answer was given.
    async fn passage(&self) -> Passage {
        Passage(self.0.passage.clone())
    }

    /// Similarity to the question (cosine, nudged by shared words).
    async fn score(&self) -> f64 {
        self.0.score as f64
    }
}

/// First event: the sources the answer will use, in citation order.
#[derive(SimpleObject)]
pub struct AskAiSources {
    /// Empty when nothing relevant was found (the answer then says so).
    pub sources: Vec<AskAiSource>,
}

/// A piece of the answer; concatenate them in order.
#[derive(SimpleObject)]
pub struct AskAiDelta {
    /// The next few words of the answer.
    pub text: String,
}

/// Last event of a complete answer.
#[derive(SimpleObject)]
pub struct AskAiDone {
    /// Why the answer ended.
    pub finish_reason: FinishReason,
    /// Characters in the answer.
    pub characters: i32,
    /// Tokens the model reported generating (null for the extractive answerer).
    pub tokens: Option<i32>,
    /// From subscribing to the sources event.
    pub retrieval_ms: i32,
    /// From subscribing to the first delta.
    pub first_delta_ms: Option<i32>,
    /// From subscribing to this event.
    pub total_ms: i32,
}

/// Last event when the answer failed part-way (the deltas so far are all there is).
#[derive(SimpleObject)]
pub struct AskAiError {
    /// ANSWER_FAILED.
    pub code: String,
    /// For people; clients branch on `code`.
    pub message: String,
}

/// What `askAi` streams: `AskAiSources`, then `AskAiDelta`s, then `AskAiDone`
/// (or `AskAiError`, after which nothing follows).
#[derive(Union)]
pub enum AskAiEvent {
    Sources(AskAiSources),
    Delta(AskAiDelta),
    Done(AskAiDone),
    Error(AskAiError),
}

impl From<AskEvent> for AskAiEvent {
    fn from(event: AskEvent) -> Self {
        match event {
            AskEvent::Sources(sources) => {
                AskAiEvent::Sources(AskAiSources { sources: sources.into_iter().map(AskAiSource).collect() })
            }
            AskEvent::Delta(text) => AskAiEvent::Delta(AskAiDelta { text }),
            AskEvent::Done(f) => AskAiEvent::Done(AskAiDone {
                finish_reason: f.reason,
                characters: f.characters as i32,
                tokens: f.tokens,
                retrieval_ms: f.retrieval_ms as i32,
                first_delta_ms: f.first_delta_ms.map(|ms| ms as i32),
                total_ms: f.total_ms as i32,
            }),
            AskEvent::Error { message } => AskAiEvent::Error(AskAiError { code: "ANSWER_FAILED".into(), message }),
        }
    }
}

#[derive(Default)]
pub struct SearchSubscription;

#[Subscription]
impl SearchSubscription {
    /// Answers a question from the articles, streaming the sources, then the
    /// answer in small deltas citing them as [n], then a final event. With
    /// `postSlug`, only that post is used ("ask about this article").
    /// Signed-in viewers only (anonymous websockets close with 4403);
    /// BAD_USER_INPUT for an empty or over-long question, NOT_FOUND for an
    /// unknown post, RATE_LIMITED past the hourly allowance. Premium passages
    /// are used only for entitled viewers.
    #[graphql(guard = "Require::SignedIn")]
    async fn ask_ai(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The question (at most ASK_AI_MAX_QUESTION_CHARS, 500 by default).")] question: String,
        #[graphql(desc = "Answer from this post only.")] post_slug: Option<String>,
    ) -> Result<BoxStream<'static, AskAiEvent>> {
        let stream = ask::ask(ctx.state(), ctx.viewer(), &question, post_slug.as_deref()).await?;
        Ok(stream.map(AskAiEvent::from).boxed())
    }
}

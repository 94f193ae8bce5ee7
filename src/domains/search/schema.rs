//! Search, related posts and the `askAi` subscription.

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
        Post::from(self.0.post.clone())
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
pub struct SearchResults {
    found: service::Found,
    mode: SearchMode,
    query: String,
    filter: SearchFilter,
}

/// The posts a search found.
#[Object]
impl SearchResults {
    /// Best first; at most `first`. Empty when nothing is relevant: KEYWORD
    /// needs the words, SEMANTIC a best passage at least
    /// SEARCH_MIN_TOP_SIMILARITY similar to the query (then passages down to
    /// SEARCH_MIN_SIMILARITY count), HYBRID either.
    async fn hits(&self) -> Vec<SearchHit> {
        self.found.hits.iter().map(|h| SearchHit(h.clone())).collect()
    }

    /// The mode that ranked them.
    async fn mode(&self) -> SearchMode {
        self.mode
    }

    /// The query as searched (whitespace collapsed).
    async fn query(&self) -> &str {
        &self.query
    }

    /// True when HYBRID could not rank by meaning (the embedding model is not
    /// installed, or the embeddings endpoint is down) and the hits come from
    /// keywords alone. SEMANTIC fails with SEMANTIC_SEARCH_UNAVAILABLE instead.
    async fn semantic_unavailable(&self) -> bool {
        self.found.semantic_unavailable
    }

    /// When there are no hits: another mode that finds something for the same
    /// query and filter (tried in the order SEMANTIC, KEYWORD, HYBRID), else
    /// null. Null whenever there are hits. Runs the other searches only when
    /// selected and nothing was found.
    async fn suggested_mode(&self, ctx: &Context<'_>) -> Result<Option<SearchMode>> {
        if !self.found.hits.is_empty() {
            return Ok(None);
        }
        Ok(service::suggest_mode(ctx.state(), ctx.viewer(), &self.query, self.mode, &self.filter).await?)
    }
}

#[derive(Default)]
pub struct SearchQuery;

#[Object]
impl SearchQuery {
    /// Searches live posts. KEYWORD matches the words (title above excerpt
    /// above body), SEMANTIC the meaning of passages, HYBRID (the default)
    /// fuses both rankings. SEMANTIC and HYBRID find anything by meaning only
    /// when the query's best passage reaches a similarity threshold, so an
    /// off-topic query finds nothing. Premium bodies and passages count only for viewers
    /// entitled to them. BAD_USER_INPUT for an empty or over-long query
    /// (200 characters) or `first` outside 1–50; RATE_LIMITED past
    /// `SEARCHES_PER_MINUTE` (300) a minute per client;
    /// SEMANTIC_SEARCH_UNAVAILABLE for SEMANTIC when the server cannot embed
    /// the query (HYBRID then answers from keywords, `semanticUnavailable`).
    #[graphql(complexity = "crate::domains::search::service::hits_complexity(child_complexity, first)")]
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
        service::count_search(state, ctx.meta()).await?;
        let filter = filter.unwrap_or_default();
        let filter =
            SearchFilter { tag: filter.tag, series: filter.series, difficulty: filter.difficulty.map(Into::into) };
        let found = service::search(state, ctx.viewer(), &query, mode, &filter, first).await?;
        Ok(SearchResults { found, mode, query, filter })
    }

    /// Posts closest in meaning to the post with this slug (by their passages),
    /// best first. NOT_FOUND when the viewer cannot read that post;
    /// BAD_USER_INPUT for `first` outside 1–50; RATE_LIMITED like `search`
    /// (each call counts as a search).
    #[graphql(complexity = "crate::domains::search::service::hits_complexity(child_complexity, first)")]
    async fn related_posts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The post's slug (an old slug that redirects works too).")] slug: String,
        #[graphql(desc = "Posts to return (1–50, default 10).")] first: Option<i32>,
    ) -> Result<Vec<Post>> {
        let first = service::parse_first(first)?;
        service::count_search(ctx.state(), ctx.meta()).await?;
        let related = service::related(ctx.state(), ctx.viewer(), &slug, first).await?;
        Ok(related.into_iter().map(Post::from).collect())
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
        Post::from(self.0.post.clone())
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
    /// ANSWER_FAILED (the answer broke off, or searching the articles failed),
    /// or SEMANTIC_SEARCH_UNAVAILABLE (the server cannot embed the question:
    /// no embedding model installed, or the embeddings endpoint is down).
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
            AskEvent::Error { code, message } => AskAiEvent::Error(AskAiError { code: code.into(), message }),
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

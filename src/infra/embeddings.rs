//! Text embeddings behind one trait: the local all-MiniLM-L6-v2 (candle) by
//! default, or any OpenAI-compatible `/v1/embeddings` endpoint.
//!
//! Every vector an embedder returns is L2-normalised, so cosine similarity is
//! a dot product everywhere (pgvector's `<=>`, the in-process scan, the
//! extractive answerer).

use std::{
    path::{Path, PathBuf},
    sync::Arc,
    time::Duration,
};

use anyhow::{Context, bail, ensure};
use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config as BertConfig};
use secrecy::{ExposeSecret, SecretString};
use tokenizers::{PaddingParams, Tokenizer, TruncationParams};
use tokio::sync::OnceCell;

use crate::{config::EmbeddingsConfig, infra::work::Bound};

#[async_trait::async_trait]
pub trait Embedder: Send + Sync {
    /// Names the model; stored with the index so a different model is noticed.
    fn model(&self) -> &str;
    /// Length of every vector this embedder returns.
    fn dimensions(&self) -> usize;
    /// One normalised vector per text, in order.
    async fn embed(&self, texts: &[String]) -> anyhow::Result<Vec<Vec<f32>>>;
    /// What an operator does when `embed` fails (shown with SEMANTIC_SEARCH_UNAVAILABLE).
    fn unavailable_fix(&self) -> &'static str;
}

/// `bound` caps the local model's passes at once (a remote embedder is only I/O here).
pub fn from_config(config: &EmbeddingsConfig, data_dir: &Path, bound: Bound) -> anyhow::Result<Arc<dyn Embedder>> {
    Ok(match &config.url {
        Some(url) => Arc::new(OpenAiEmbedder::new(
            url.clone(),
            config.model.clone(),
            config.api_key.clone(),
            config.dimensions.context("EMBEDDINGS_DIMENSIONS is required with EMBEDDINGS_URL")?,
        )?),
        None => {
            let dir = config.model_dir.clone().unwrap_or_else(|| data_dir.join("models").join(MINILM));
            Arc::new(MiniLm::new(dir, config.hub_url.clone()).with_bound(bound))
        }
    })
}

/// Scales `v` to unit length (a zero vector stays zero).
pub fn normalize(v: &mut [f32]) {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
}

/// A vector as little-endian f32 bytes (SQLite blobs, cached query embeddings).
pub fn to_bytes(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

pub fn from_bytes(bytes: &[u8]) -> Vec<f32> {
    bytes.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect()
}

/// Cosine similarity of two normalised vectors.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

const MINILM: &str = "all-MiniLM-L6-v2";
/// The files the model needs, as published on the Hugging Face hub.
const MINILM_FILES: [&str; 3] = ["config.json", "tokenizer.json", "model.safetensors"];
/// sentence-transformers truncates this model's input at 256 word pieces.
const MINILM_MAX_TOKENS: usize = 256;
/// Texts embedded per forward pass. On CPU, batching buys little and large
/// batches cost more than they save (padding, cache misses): the 90 demo
/// passages took 26.2 s in batches of 16 and 19.8 s in batches of 4, about
/// what one at a time costs (0.2 s a passage), on two cores shared with builds.
const MINILM_BATCH: usize = 4;

/// all-MiniLM-L6-v2 run in process with candle: BERT, mean pooling over the
/// attention mask, L2 normalisation (the sentence-transformers pipeline).
/// Loaded on first use from `dir`; when `dir` lacks the files they are
/// fetched from `hub_url` into it first.
pub struct MiniLm {
    dir: PathBuf,
    hub_url: String,
    loaded: OnceCell<Arc<LoadedMiniLm>>,
    /// When the last load failed, and why: for a while after, callers fail at
    /// once instead of each waiting out a fetch that cannot succeed (a hub
    /// with no route costs the 10 s connect timeout per search).
    failed: std::sync::Mutex<Option<(std::time::Instant, String)>>,
    bound: Bound,
}

/// How long after a failed load callers fail fast before the next attempt.
const MINILM_RETRY_AFTER: Duration = Duration::from_secs(30);

struct LoadedMiniLm {
    model: BertModel,
    tokenizer: Tokenizer,
}

impl MiniLm {
    pub fn new(dir: PathBuf, hub_url: String) -> Self {
        MiniLm {
            dir,
            hub_url,
            loaded: OnceCell::new(),
            failed: std::sync::Mutex::new(None),
            bound: Bound::unbounded("embedding text"),
        }
    }

    /// Caps how many embedding passes run at once (the server's `EMBEDDING_CONCURRENCY`).
    pub fn with_bound(self, bound: Bound) -> Self {
        MiniLm { bound, ..self }
    }

    async fn loaded(&self) -> anyhow::Result<Arc<LoadedMiniLm>> {
        if let Some(loaded) = self.loaded.get() {
            return Ok(loaded.clone());
        }
        if let Some((at, why)) = self.failed.lock().unwrap_or_else(|p| p.into_inner()).as_ref()
            && at.elapsed() < MINILM_RETRY_AFTER
        {
            bail!("{why} (the last attempt failed {} s ago)", at.elapsed().as_secs());
        }
        let result = self.load().await;
        if let Err(err) = &result {
            *self.failed.lock().unwrap_or_else(|p| p.into_inner()) =
                Some((std::time::Instant::now(), format!("{err:#}")));
        }
        result
    }

    async fn load(&self) -> anyhow::Result<Arc<LoadedMiniLm>> {
        self.loaded
            .get_or_try_init(|| async {
                if !MINILM_FILES.iter().all(|f| self.dir.join(f).is_file()) {
                    fetch_from_hub(&self.hub_url, &self.dir).await?;
                }
                // One copy of the weights per process and directory: every app
                // state built in this process (tests build dozens) shares it
                // instead of reading and converting 90 MB again.
                // (Kept for the life of the process: one model per directory.)
                static SHARED: std::sync::Mutex<Vec<(PathBuf, Arc<LoadedMiniLm>)>> = std::sync::Mutex::new(Vec::new());
                let shared = |dir: &Path| {
                    let all = SHARED.lock().unwrap_or_else(|p| p.into_inner());
                    all.iter().find(|(d, _)| d == dir).map(|(_, m)| m.clone())
                };
                if let Some(loaded) = shared(&self.dir) {
                    return Ok(loaded);
                }
                let dir = self.dir.clone();
                let loaded = tokio::task::spawn_blocking(move || LoadedMiniLm::load(&dir)).await?.map(Arc::new)?;
                let mut all = SHARED.lock().unwrap_or_else(|p| p.into_inner());
                match all.iter().find(|(d, _)| *d == self.dir) {
                    // Another state loaded it meanwhile: keep one copy.
                    Some((_, first)) => Ok(first.clone()),
                    None => {
                        all.push((self.dir.clone(), loaded.clone()));
                        Ok(loaded)
                    }
                }
            })
            .await
            .cloned()
    }
}

#[async_trait::async_trait]
impl Embedder for MiniLm {
    fn model(&self) -> &str {
        MINILM
    }

    fn dimensions(&self) -> usize {
        384
    }

    fn unavailable_fix(&self) -> &'static str {
        "the embedding model all-MiniLM-L6-v2 is not installed and could not be fetched. Run \
         `scripts/fetch-model <dir>` and set EMBEDDING_MODEL_DIR=<dir> (or let the server reach \
         EMBEDDING_MODEL_HUB_URL)"
    }

    async fn embed(&self, texts: &[String]) -> anyhow::Result<Vec<Vec<f32>>> {
        let loaded = self.loaded().await?;
        let texts = texts.to_vec();
        self.bound
            .run_blocking(move || {
                // Batches of similar lengths: a batch is padded to its longest
                // text, so mixing short and long texts wastes most of a pass.
                let mut order: Vec<usize> = (0..texts.len()).collect();
                order.sort_by_key(|&i| texts[i].len());
                let mut out = vec![Vec::new(); texts.len()];
                for batch in order.chunks(MINILM_BATCH) {
                    let batch_texts: Vec<String> = batch.iter().map(|&i| texts[i].clone()).collect();
                    for (&i, vector) in batch.iter().zip(loaded.embed_batch(&batch_texts)?) {
                        out[i] = vector;
                    }
                }
                Ok(out)
            })
            .await?
    }
}

impl LoadedMiniLm {
    fn load(dir: &Path) -> anyhow::Result<Self> {
        let read =
            |name: &str| std::fs::read(dir.join(name)).with_context(|| format!("reading {}/{name}", dir.display()));
        let config: BertConfig = serde_json::from_slice(&read("config.json")?).context("config.json")?;
        let vb = VarBuilder::from_buffered_safetensors(read("model.safetensors")?, DType::F32, &Device::Cpu)?;
        let model = BertModel::load(vb, &config).context("loading all-MiniLM-L6-v2 weights")?;
        let mut tokenizer = Tokenizer::from_bytes(read("tokenizer.json")?).map_err(anyhow::Error::msg)?;
        tokenizer.with_padding(Some(PaddingParams::default()));
        tokenizer
            .with_truncation(Some(TruncationParams { max_length: MINILM_MAX_TOKENS, ..Default::default() }))
            .map_err(anyhow::Error::msg)?;
        Ok(LoadedMiniLm { model, tokenizer })
    }

    fn embed_batch(&self, texts: &[String]) -> anyhow::Result<Vec<Vec<f32>>> {
        let encodings = self.tokenizer.encode_batch(texts.to_vec(), true).map_err(anyhow::Error::msg)?;
        let rows = |f: fn(&tokenizers::Encoding) -> &[u32]| -> anyhow::Result<Tensor> {
            let rows = encodings.iter().map(|e| Tensor::new(f(e), &Device::Cpu)).collect::<Result<Vec<_>, _>>()?;
            Ok(Tensor::stack(&rows, 0)?)
        };
        let ids = rows(|e| e.get_ids())?;
        let type_ids = rows(|e| e.get_type_ids())?;
        let mask = rows(|e| e.get_attention_mask())?;
        let hidden = self.model.forward(&ids, &type_ids, Some(&mask))?; // (batch, tokens, 384)
        // Mean over the real tokens only.
        let mask = mask.to_dtype(DType::F32)?.unsqueeze(2)?;
        let summed = hidden.broadcast_mul(&mask)?.sum(1)?;
        let counts = mask.sum(1)?;
        let pooled = summed.broadcast_div(&counts)?;
        let mut vectors: Vec<Vec<f32>> = pooled.to_vec2()?;
        vectors.iter_mut().for_each(|v| normalize(v));
        Ok(vectors)
    }
}

/// Downloads the model files into `dir` (written under temporary names and
/// renamed, so a cut download never leaves a half file behind).
async fn fetch_from_hub(hub_url: &str, dir: &Path) -> anyhow::Result<()> {
    tracing::info!(%hub_url, dir = %dir.display(), "fetching the embedding model");
    tokio::fs::create_dir_all(dir).await.with_context(|| format!("creating {}", dir.display()))?;
    let client = reqwest::Client::builder().connect_timeout(Duration::from_secs(10)).build()?;
    for file in MINILM_FILES {
        let url = format!("{}/{file}", hub_url.trim_end_matches('/'));
        let bytes = client
            .get(&url)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .with_context(|| {
                format!(
                    "The embedding model is not in {} and fetching {url} failed; set EMBEDDING_MODEL_DIR",
                    dir.display()
                )
            })?
            .bytes()
            .await?;
        // Unique per process: instances sharing a volume may fetch at once.
        let partial = dir.join(format!("{file}.{}.partial", std::process::id()));
        tokio::fs::write(&partial, &bytes).await?;
        tokio::fs::rename(&partial, dir.join(file)).await?;
    }
    Ok(())
}

/// Any OpenAI-compatible `POST {base}/embeddings` (OpenAI, Ollama, vLLM, TEI…).
pub struct OpenAiEmbedder {
    client: reqwest::Client,
    endpoint: String,
    /// The model as the API names it.
    api_model: String,
    /// `openai:<model>`, the name stored with the index.
    model: String,
    api_key: Option<SecretString>,
    dimensions: usize,
}

/// Inputs per request (OpenAI accepts up to 2048; smaller keeps requests quick to retry).
const OPENAI_BATCH: usize = 64;

impl OpenAiEmbedder {
    pub fn new(
        base_url: String,
        model: String,
        api_key: Option<SecretString>,
        dimensions: usize,
    ) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            .build()?;
        Ok(OpenAiEmbedder {
            client,
            endpoint: format!("{}/embeddings", base_url.trim_end_matches('/')),
            model: format!("openai:{model}"),
            api_model: model,
            api_key,
            dimensions,
        })
    }

    async fn embed_batch(&self, texts: &[String]) -> anyhow::Result<Vec<Vec<f32>>> {
        #[derive(serde::Deserialize)]
        struct Response {
            data: Vec<Item>,
        }
        #[derive(serde::Deserialize)]
        struct Item {
            index: usize,
            embedding: Vec<f32>,
        }
        let mut request =
            self.client.post(&self.endpoint).json(&serde_json::json!({ "model": self.api_model, "input": texts }));
        if let Some(key) = &self.api_key {
            request = request.bearer_auth(key.expose_secret());
        }
        let response = request.send().await.with_context(|| format!("POST {}", self.endpoint))?;
        let status = response.status();
        if !status.is_success() {
            let body = response.text().await.unwrap_or_default();
            bail!("POST {} answered {status}: {}", self.endpoint, body.chars().take(300).collect::<String>());
        }
        let response: Response = response.json().await.context("the embeddings response is not the expected JSON")?;
        ensure!(
            response.data.len() == texts.len(),
            "asked for {} embeddings, got {}",
            texts.len(),
            response.data.len()
        );
        let mut out = vec![Vec::new(); texts.len()];
        for mut item in response.data {
            ensure!(item.index < texts.len(), "embedding index {} out of range", item.index);
            ensure!(
                item.embedding.len() == self.dimensions,
                "the endpoint returned {} dimensions; EMBEDDINGS_DIMENSIONS says {}",
                item.embedding.len(),
                self.dimensions
            );
            normalize(&mut item.embedding);
            out[item.index] = item.embedding;
        }
        ensure!(out.iter().all(|v| !v.is_empty()), "the endpoint skipped an input");
        Ok(out)
    }
}

#[async_trait::async_trait]
impl Embedder for OpenAiEmbedder {
    fn model(&self) -> &str {
        &self.model
    }

    fn dimensions(&self) -> usize {
        self.dimensions
    }

    fn unavailable_fix(&self) -> &'static str {
        "the embeddings endpoint (EMBEDDINGS_URL) could not be reached or failed; check it and its settings"
    }

    async fn embed(&self, texts: &[String]) -> anyhow::Result<Vec<Vec<f32>>> {
        let mut out = Vec::with_capacity(texts.len());
        for batch in texts.chunks(OPENAI_BATCH) {
            out.extend(self.embed_batch(batch).await?);
        }
        Ok(out)
    }
}

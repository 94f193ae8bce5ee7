//! Search and "ask AI": posts chunked into passages with embeddings (a job on
//! publish, update and unpublish), keyword/semantic/hybrid search over them,
//! related posts, and answers streamed with citations.

pub mod ask;
pub mod chunk;
pub mod highlight;
pub mod schema;
pub mod service;
pub mod store;

//! Batched lookups for post pages: tags of each post, posts by id, the bodies
//! of posts read without them, and each post's counters.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use uuid::Uuid;

use super::service;
use crate::graphql::loaders::Loaders;
use entity::{post, post_count, tag};

/// Key: the tags of a post.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TagsOfPost(pub Uuid);

impl Loader<TagsOfPost> for Loaders {
    type Value = Vec<tag::Model>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[TagsOfPost]) -> Result<HashMap<TagsOfPost, Vec<tag::Model>>, Self::Error> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let tags = service::tags_of_posts(&self.state.db, &ids).await?;
        Ok(ids.into_iter().map(|id| (TagsOfPost(id), tags.get(&id).cloned().unwrap_or_default())).collect())
    }
}

/// Key: a post's counters (visible comments, reactions of each kind), which
/// `commentCount` and `reactions` share: one lookup for both, for the whole page.
/// The loader does not check that the viewer may read the post; callers do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CountsOfPost(pub Uuid);

impl Loader<CountsOfPost> for Loaders {
    type Value = post_count::Model;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[CountsOfPost]) -> Result<HashMap<CountsOfPost, post_count::Model>, Self::Error> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let counts = service::counts_of_posts(&self.state.db, &ids).await?;
        Ok(counts.into_iter().map(|(post_id, counts)| (CountsOfPost(post_id), counts)).collect())
    }
}

/// Key: a post by id, when the viewer may read it (absent otherwise, like a missing post).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ReadablePostById(pub Uuid);

impl Loader<ReadablePostById> for Loaders {
    type Value = post::Model;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[ReadablePostById]) -> Result<HashMap<ReadablePostById, post::Model>, Self::Error> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        Ok(service::posts_by_ids(&self.state.db, &ids)
            .await?
            .into_iter()
            .filter(|p| service::can_read(&self.viewer, p))
            .map(|p| (ReadablePostById(p.id), p))
            .collect())
    }
}

/// Key: the readable posts of a series, in reading order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PostsOfSeries(pub Uuid);

impl Loader<PostsOfSeries> for Loaders {
    type Value = Vec<post::Model>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[PostsOfSeries]) -> Result<HashMap<PostsOfSeries, Vec<post::Model>>, Self::Error> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let posts = service::posts_of_series(&self.state.db, &self.viewer, &ids).await?;
        Ok(ids.into_iter().map(|id| (PostsOfSeries(id), posts.get(&id).cloned().unwrap_or_default())).collect())
    }
}

/// Key: the markdown and HTML bodies of a post read without them (lists).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PostBodies(pub Uuid);

impl Loader<PostBodies> for Loaders {
    type Value = (String, String);
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[PostBodies]) -> Result<HashMap<PostBodies, (String, String)>, Self::Error> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        Ok(service::bodies_of_posts(&self.state.db, &ids)
            .await?
            .into_iter()
            .map(|(id, b)| (PostBodies(id), b))
            .collect())
    }
}

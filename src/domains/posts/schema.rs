//! GraphQL surface of posts.

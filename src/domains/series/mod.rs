//! Series: ordered collections of posts read from first to last. Owns the
//! series rows; post membership and order are set through the posts service.

pub mod loaders;
pub mod schema;
pub mod service;

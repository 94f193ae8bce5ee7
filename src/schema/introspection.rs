//! With `GRAPHQL_INTROSPECTION=false`, an operation that asks for `__schema`
//! or `__type` is refused before it runs, with GRAPHQL_VALIDATION_FAILED and a
//! message naming the setting. async-graphql alone would answer such a query
//! with a silent `null`, which reads like a server bug rather than a policy.
//! `__typename` stays allowed: clients (and caches) need it.

use std::sync::Arc;

use async_graphql::{
    ServerResult, Variables,
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery},
    parser::types::{ExecutableDocument, Selection, SelectionSet},
};

use crate::error::code;

pub struct RefuseIntrospection;

impl ExtensionFactory for RefuseIntrospection {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(RefuseIntrospection)
    }
}

#[async_trait::async_trait]
impl Extension for RefuseIntrospection {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        if let Some(field) = introspection_field(&document) {
            return Err(super::limits::refused(
                format!(
                    "Introspection is turned off on this server (GRAPHQL_INTROSPECTION=false); `{field}` cannot be queried"
                ),
                code::GRAPHQL_VALIDATION_FAILED,
            ));
        }
        Ok(document)
    }
}

/// The first `__schema` or `__type` field anywhere in the document. Every
/// operation and fragment is looked at once, without following spreads, so
/// this is linear in the document's size.
pub(super) fn introspection_field(document: &ExecutableDocument) -> Option<&'static str> {
    fn in_set(set: &SelectionSet) -> Option<&'static str> {
        set.items.iter().find_map(|selection| match &selection.node {
            Selection::Field(field) => match field.node.name.node.as_str() {
                "__schema" => Some("__schema"),
                "__type" => Some("__type"),
                _ => in_set(&field.node.selection_set.node),
            },
            Selection::InlineFragment(fragment) => in_set(&fragment.node.selection_set.node),
            Selection::FragmentSpread(_) => None,
        })
    }
    document
        .operations
        .iter()
        .find_map(|(_, operation)| in_set(&operation.node.selection_set.node))
        .or_else(|| document.fragments.values().find_map(|fragment| in_set(&fragment.node.selection_set.node)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_introspection_in_operations_and_fragments_only() {
        let parse = |q: &str| async_graphql::parser::parse_query(q).unwrap();
        assert_eq!(introspection_field(&parse("{ __schema { types { name } } }")), Some("__schema"));
        assert_eq!(
            introspection_field(&parse("query { ...F } fragment F on Query { __type(name: \"Post\") { name } }")),
            Some("__type")
        );
        assert_eq!(
            introspection_field(&parse("{ ... on Query { __schema { queryType { name } } } }")),
            Some("__schema")
        );
        assert_eq!(introspection_field(&parse("{ tags { __typename slug } }")), None);
    }
}

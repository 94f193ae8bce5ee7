//! Operation limits and error codes for failures that happen before any
//! resolver runs: parse errors, validation errors, depth, complexity and alias
//! limits. Depth and complexity are counted by async-graphql; aliases here.

use std::{collections::HashMap, sync::Arc};

use async_graphql::{
    Response, ServerError, ServerResult, ValidationResult, Variables,
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextValidation},
    parser::types::{ExecutableDocument, Selection, SelectionSet},
};

use crate::error::code;

pub struct Limits {
    pub max_aliases: usize,
}

impl ExtensionFactory for Limits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(LimitsExtension { max_aliases: self.max_aliases })
    }
}

struct LimitsExtension {
    max_aliases: usize,
}

fn with_code(mut error: ServerError, code: &str) -> ServerError {
    error.extensions.get_or_insert_with(Default::default).set("code", code);
    error
}

#[async_trait::async_trait]
impl Extension for LimitsExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await.map_err(|e| with_code(e, code::GRAPHQL_PARSE_FAILED))?;
        let aliases = count_aliases(&document);
        if aliases > self.max_aliases {
            return Err(with_code(
                ServerError::new(
                    format!("The operation uses {aliases} aliases; at most {} are allowed", self.max_aliases),
                    None,
                ),
                code::TOO_MANY_ALIASES,
            ));
        }
        Ok(document)
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        next.run(ctx).await.map_err(|errors| {
            errors
                .into_iter()
                .map(|error| {
                    let code = match error.message.as_str() {
                        "Query is nested too deep." => code::QUERY_TOO_DEEP,
                        "Query is too complex." => code::QUERY_TOO_COMPLEX,
                        _ => code::GRAPHQL_VALIDATION_FAILED,
                    };
                    with_code(error, code)
                })
                .collect()
        })
    }
}

/// Aliases the document would execute, counting a fragment once per spread.
/// Fragment cycles count as zero here; validation rejects them.
fn count_aliases(document: &ExecutableDocument) -> usize {
    fn in_set(
        set: &SelectionSet,
        document: &ExecutableDocument,
        memo: &mut HashMap<String, usize>,
        visiting: &mut Vec<String>,
    ) -> usize {
        let mut total = 0usize;
        for selection in &set.items {
            total = total.saturating_add(match &selection.node {
                Selection::Field(field) => usize::from(field.node.alias.is_some()).saturating_add(in_set(
                    &field.node.selection_set.node,
                    document,
                    memo,
                    visiting,
                )),
                Selection::InlineFragment(fragment) => {
                    in_set(&fragment.node.selection_set.node, document, memo, visiting)
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.to_string();
                    if let Some(count) = memo.get(&name) {
                        *count
                    } else if visiting.contains(&name) {
                        0
                    } else if let Some(fragment) = document.fragments.get(&spread.node.fragment_name.node) {
                        visiting.push(name.clone());
                        let count = in_set(&fragment.node.selection_set.node, document, memo, visiting);
                        visiting.pop();
                        memo.insert(name, count);
                        count
                    } else {
                        0
                    }
                }
            });
        }
        total
    }

    let mut memo = HashMap::new();
    document
        .operations
        .iter()
        .map(|(_, operation)| in_set(&operation.node.selection_set.node, document, &mut memo, &mut Vec::new()))
        .max()
        .unwrap_or(0)
}

/// Gives every error in a response a stable code, and masked internal errors
/// the request id, on HTTP and websockets alike.
pub fn finalize(response: &mut Response, request_id: &str) {
    let before_execution = response.data == async_graphql::Value::Null;
    for error in &mut response.errors {
        let extensions = error.extensions.get_or_insert_with(Default::default);
        if extensions.get("code").is_none() {
            // Errors async-graphql raises itself: unknown operation names before
            // execution, input coercion (a bad argument value) during it.
            let code = if before_execution && error.path.is_empty() {
                code::GRAPHQL_VALIDATION_FAILED
            } else {
                code::BAD_USER_INPUT
            };
            extensions.set("code", code);
        }
        if matches!(extensions.get("code"), Some(async_graphql::Value::String(c)) if c == code::INTERNAL_SERVER_ERROR) {
            extensions.set("requestId", request_id);
        }
    }
}

/// True when the operation failed before execution (parse, validation, limits):
/// a "request error" in GraphQL-over-HTTP terms.
pub fn is_request_error(response: &Response) -> bool {
    const REQUEST_ERROR_CODES: [&str; 6] = [
        code::GRAPHQL_PARSE_FAILED,
        code::GRAPHQL_VALIDATION_FAILED,
        code::QUERY_TOO_DEEP,
        code::QUERY_TOO_COMPLEX,
        code::TOO_MANY_ALIASES,
        code::BAD_REQUEST,
    ];
    response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| {
            e.path.is_empty()
                && matches!(
                    e.extensions.as_ref().and_then(|x| x.get("code")),
                    Some(async_graphql::Value::String(c)) if REQUEST_ERROR_CODES.contains(&c.as_str())
                )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_aliases_through_fragments() {
        let doc = async_graphql::parser::parse_query(
            "query { a: me { id } b: me { ...F ...F } } fragment F on User { x: id y: id }",
        )
        .unwrap();
        assert_eq!(count_aliases(&doc), 2 + 2 * 2);
        let cyclic =
            async_graphql::parser::parse_query("query { ...A } fragment A on Query { a: me { id } ...A }").unwrap();
        assert_eq!(count_aliases(&cyclic), 1);
    }
}

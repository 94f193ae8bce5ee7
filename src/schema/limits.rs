//! Operation limits and error codes for failures that happen before any
//! resolver runs: parse errors, validation errors, depth, complexity, alias and
//! token limits, and strings no database can store.
//!
//! async-graphql walks every fragment once per spread, before and during
//! validation (its recursion-depth check, depth and complexity): a ~1 KB
//! document whose fragments each spread the previous one twice makes those
//! walks exponential, on the async worker threads. So the document is first
//! measured here in time linear in its size: its tokens (before parsing), then
//! its aliases and expanded selections with a memoised count per fragment.
//! Selections are every field, `__typename`, fragment spread and inline
//! fragment, counted once per place it lands after expanding fragments; they
//! bound every later walk. They share the complexity budget: async-graphql
//! counts a field 1 (list fields their page size times their selection), so a
//! document within budget has about as many selections as it has fields, plus
//! its spreads and `__typename`s.

use std::{
    collections::HashMap,
    sync::{Arc, LazyLock, Mutex},
};

use async_graphql::{
    Name, Positioned, Response, ServerError, ServerResult, ValidationResult, Value, Variables,
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextValidation},
    parser::{
        self,
        types::{ExecutableDocument, OperationType, Selection, SelectionSet},
    },
};
use tokio::{runtime::RuntimeFlavor, sync::OwnedSemaphorePermit};

use crate::{
    error::{UNAVAILABLE_RETRY_AFTER_SECS, code},
    infra::work::Bound,
};

/// Documents with more tokens than this are parsed and validated under the
/// validation bound (`GRAPHQL_VALIDATION_CONCURRENCY`), off the async workers
/// (`block_in_place`): a few hundred tokens can still ask for costly work (e.g.
/// "did you mean" suggestions for hundreds of long unknown names), and while
/// one request validates on an async worker, the requests queued behind it
/// there wait. Every operation the web app sends is well below it.
const LARGE_DOCUMENT_TOKENS: usize = 500;

/// How deeply selection sets may nest, fragments included, as async-graphql
/// checks it while parsing.
pub const RECURSIVE_DEPTH: usize = 64;

pub struct Limits {
    pub max_aliases: usize,
    /// Selections after expanding fragments (the complexity budget).
    pub max_selections: usize,
    pub max_tokens: usize,
    /// Bounds validating large documents (`GRAPHQL_VALIDATION_CONCURRENCY`); none for the bare schema.
    pub validation: Option<Bound>,
}

impl ExtensionFactory for Limits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(LimitsExtension {
            max_aliases: self.max_aliases,
            max_selections: self.max_selections,
            max_tokens: self.max_tokens,
            validation: self.validation.clone(),
            permit: Mutex::new(None),
        })
    }
}

/// One per request.
struct LimitsExtension {
    max_aliases: usize,
    max_selections: usize,
    max_tokens: usize,
    validation: Option<Bound>,
    /// A large document's place under the validation bound, from parsing to the end of validation.
    permit: Mutex<Option<OwnedSemaphorePermit>>,
}

fn with_code(mut error: ServerError, code: &str) -> ServerError {
    error.extensions.get_or_insert_with(Default::default).set("code", code);
    error
}

/// An error raised before execution, with its stable code.
pub(crate) fn refused(message: String, code: &str) -> ServerError {
    with_code(ServerError::new(message, None), code)
}

/// Runs `work` where it holds up no other request: for a large document on a
/// multi-threaded runtime, in `block_in_place` (this worker's queued tasks move
/// to another thread meanwhile); otherwise inline.
async fn off_the_workers<T>(large: bool, work: impl Future<Output = T>) -> T {
    let multi_threaded =
        tokio::runtime::Handle::try_current().is_ok_and(|h| h.runtime_flavor() == RuntimeFlavor::MultiThread);
    if large && multi_threaded {
        tokio::task::block_in_place(|| tokio::runtime::Handle::current().block_on(work))
    } else {
        work.await
    }
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
        let scan = scan(query, self.max_tokens);
        if scan.tokens > self.max_tokens {
            return Err(refused(
                format!("The operation has more than {} tokens", self.max_tokens),
                code::TOO_MANY_TOKENS,
            ));
        }
        if scan.longest_name > MAX_NAME_LEN {
            return Err(refused(
                format!("Names can have at most {MAX_NAME_LEN} characters"),
                code::GRAPHQL_PARSE_FAILED,
            ));
        }
        // A large document is parsed and validated under one permit, released after validation.
        let large = scan.tokens > LARGE_DOCUMENT_TOKENS;
        if let Some(bound) = self.validation.as_ref().filter(|_| large) {
            let permit = bound.acquire().await.map_err(|busy| {
                let mut error = refused(busy.to_string(), code::UNAVAILABLE);
                error.extensions.get_or_insert_with(Default::default).set("retryAfter", UNAVAILABLE_RETRY_AFTER_SECS);
                error
            })?;
            *self.permit.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(permit);
        }
        off_the_workers(large, async {
            // Parsed here as well as by async-graphql, because its own parse step
            // already expands fragments (its recursion-depth check); parsing twice
            // costs time linear in the (token-bounded) document.
            if let Ok(document) = async_graphql::parser::parse_query(query) {
                check_parsed(&document, variables, self.max_aliases, self.max_selections)?;
            }
            next.run(ctx, query, variables).await.map_err(|e| with_code(e, code::GRAPHQL_PARSE_FAILED))
        })
        .await
    }

    /// Validation errors get their codes in [`finalize`], as on the lean schema.
    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let permit = self.permit.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).take();
        let validated = off_the_workers(permit.is_some(), next.run(ctx)).await;
        drop(permit);
        validated
    }
}

/// The checks of a parsed document that both schemas rely on: the alias and
/// selection limits and no NUL. Returns the document's measure.
fn check_parsed(
    document: &ExecutableDocument,
    variables: &Variables,
    max_aliases: usize,
    max_selections: usize,
) -> ServerResult<Measure> {
    let measure = measure(document);
    if measure.aliases > max_aliases {
        return Err(refused(
            format!("The operation uses {} aliases; at most {max_aliases} are allowed", measure.aliases),
            code::TOO_MANY_ALIASES,
        ));
    }
    if measure.selections > max_selections {
        // async-graphql's own message, so clients see one refusal whichever counted.
        return Err(refused("Query is too complex.".into(), code::QUERY_TOO_COMPLEX));
    }
    reject_nul(document, variables)?;
    Ok(measure)
}

/// Whether `request` may run on the lean schema (`build_lean_schema`, no
/// extensions), having passed here every check the guarded schema's
/// extensions make before validation: a document of at most
/// [`LARGE_DOCUMENT_TOKENS`] tokens (so cheap enough to parse and validate on
/// the async workers) and names of at most [`MAX_NAME_LEN`] bytes, that
/// parses, nests at most [`RECURSIVE_DEPTH`] deep, stays within the alias and
/// selection limits, holds no NUL, and asks for no introspection when it is
/// off. The parsed document is kept in the request, so it is parsed once,
/// and among the recently parsed ones (see [`parsed`]), so a document sent
/// again is not parsed again. Any other request runs on the guarded schema,
/// whose extensions refuse it (or, for a large document, parse and validate it
/// off the workers) exactly as they always have: the refusals have one
/// implementation.
pub fn admit(request: &mut async_graphql::Request, limits: &crate::config::GraphqlLimits) -> bool {
    let scan = scan(&request.query, LARGE_DOCUMENT_TOKENS);
    if scan.tokens > LARGE_DOCUMENT_TOKENS.min(limits.max_tokens) || scan.longest_name > MAX_NAME_LEN {
        return false;
    }
    let Some(document) = parsed(&request.query) else { return false };
    let admitted = check_parsed(&document, &request.variables, limits.max_aliases, limits.max_complexity)
        .is_ok_and(|measure| measure.depth <= RECURSIVE_DEPTH && !measure.cyclic)
        && (limits.introspection || super::introspection::introspection_field(&document).is_none());
    if admitted {
        request.set_parsed_query(document);
    }
    admitted
}

/// `query` parsed: from the documents parsed recently when it is one of them
/// (a clone of the tree, whose names are shared `Arc`s), else parsed now and
/// kept. Clients send the same few documents over and over (the web app's
/// generated operations, persisted ones), and parsing one with the grammar
/// was ~5 % of a post page's server CPU (BENCHMARKS.md). Only small documents
/// come here (at most [`LARGE_DOCUMENT_TOKENS`] tokens), and at most
/// [`PARSED_DOCUMENTS_BYTES`] of their text are kept, the least used leaving
/// first, so a stream of distinct documents costs a bounded amount of memory.
/// Only documents of queries are kept: a mutation may carry a password or a
/// token inline (`login(input: {password: "…"})`), which must not outlive
/// its request. None when it does not parse (not kept: async-graphql reports
/// the error).
fn parsed(query: &str) -> Option<ExecutableDocument> {
    if let Some(document) = PARSED.get(query) {
        return Some(ExecutableDocument::clone(&document));
    }
    let document = parser::parse_query(query).ok()?;
    if document.operations.iter().all(|(_, operation)| operation.node.ty == OperationType::Query) {
        PARSED.insert(query.to_owned(), Arc::new(document.clone()));
    }
    Some(document)
}

/// The documents [`parsed`] keeps, by their text.
static PARSED: LazyLock<moka::sync::Cache<String, Arc<ExecutableDocument>>> = LazyLock::new(|| {
    moka::sync::Cache::builder()
        .max_capacity(PARSED_DOCUMENTS_BYTES)
        .weigher(|query: &String, _| u32::try_from(query.len()).unwrap_or(u32::MAX))
        .build()
});

/// The text of the recently parsed documents kept (see [`parsed`]): 1 MiB,
/// some thousands of operations (their trees take some times more).
const PARSED_DOCUMENTS_BYTES: u64 = 1 << 20;

/// The longest name a document may use. Every name in the schema is far
/// shorter; an unknown name is compared with the schema's for "did you mean"
/// suggestions at a cost that grows with its length (a 1 MB field name took
/// seconds of validation).
const MAX_NAME_LEN: usize = 128;

/// What one pass over a document's text finds.
#[derive(Debug, PartialEq, Eq)]
struct Scan {
    /// Lexical tokens (punctuators, names, numbers, strings; whitespace, commas
    /// and comments are not tokens), counted no further than just past the limit.
    tokens: usize,
    /// Bytes of the longest name among them.
    longest_name: usize,
}

/// Counts the tokens of `query` in one pass over its bytes, stopping just past
/// `limit`, so a refusal costs no more than reading the document.
fn scan(query: &str, limit: usize) -> Scan {
    let bytes = query.as_bytes();
    let mut tokens = 0usize;
    let mut longest_name = 0usize;
    let mut i = 0;
    while i < bytes.len() && tokens <= limit {
        match bytes[i] {
            b' ' | b'\t' | b'\n' | b'\r' | b',' => i += 1,
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
            }
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                tokens += 1;
                i += 3;
                while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                    i += if bytes[i..].starts_with(b"\\\"\"\"") { 4 } else { 1 };
                }
                i += 3;
            }
            b'"' => {
                tokens += 1;
                i += 1;
                while i < bytes.len() && !matches!(bytes[i], b'"' | b'\n' | b'\r') {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'.' if bytes[i..].starts_with(b"...") => {
                tokens += 1;
                i += 3;
            }
            b'_' | b'a'..=b'z' | b'A'..=b'Z' => {
                tokens += 1;
                let start = i;
                i += 1;
                while i < bytes.len() && matches!(bytes[i], b'_' | b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9') {
                    i += 1;
                }
                longest_name = longest_name.max(i - start);
            }
            b'-' | b'0'..=b'9' => {
                tokens += 1;
                i += 1;
                while i < bytes.len() && matches!(bytes[i], b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-') {
                    i += 1;
                }
            }
            // Punctuators, and anything else (which the parser will refuse).
            _ => {
                tokens += 1;
                i += 1;
            }
        }
    }
    Scan { tokens, longest_name }
}

/// What a document would execute, counting each fragment once per spread.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Measure {
    /// Aliases of the largest operation (the alias limit is per operation).
    aliases: usize,
    /// Selections of all operations together (async-graphql's complexity adds up operations too).
    selections: usize,
    /// How deep selection sets nest below the operation's (fields with a
    /// selection, inline fragments and spreads each one more), the deepest
    /// operation's: async-graphql's recursion depth.
    depth: usize,
    /// A fragment spreads itself, directly or not (validation refuses it).
    cyclic: bool,
}

/// Measures `document` in time linear in its size: each fragment is counted
/// once and its count reused at every further spread. Fragment cycles count as
/// zero here (and mark the measure cyclic); validation rejects them.
fn measure(document: &ExecutableDocument) -> Measure {
    /// Two measures side by side: counts add up, depth is the deeper.
    fn add(a: Measure, b: Measure) -> Measure {
        Measure {
            aliases: a.aliases.saturating_add(b.aliases),
            selections: a.selections.saturating_add(b.selections),
            depth: a.depth.max(b.depth),
            cyclic: a.cyclic || b.cyclic,
        }
    }
    /// A nested selection set's measure, seen from the set holding it.
    fn nested(inner: Measure) -> Measure {
        Measure { depth: inner.depth.saturating_add(1), ..inner }
    }

    fn in_set(
        set: &SelectionSet,
        document: &ExecutableDocument,
        memo: &mut HashMap<Name, Measure>,
        visiting: &mut Vec<Name>,
    ) -> Measure {
        let mut total = Measure::default();
        for selection in &set.items {
            let inner = match &selection.node {
                Selection::Field(field) => {
                    let own = Measure { aliases: usize::from(field.node.alias.is_some()), ..Measure::default() };
                    let children = &field.node.selection_set.node;
                    if children.items.is_empty() {
                        own
                    } else {
                        add(own, nested(in_set(children, document, memo, visiting)))
                    }
                }
                Selection::InlineFragment(fragment) => {
                    nested(in_set(&fragment.node.selection_set.node, document, memo, visiting))
                }
                Selection::FragmentSpread(spread) => {
                    let name = &spread.node.fragment_name.node;
                    if let Some(count) = memo.get(name) {
                        nested(*count)
                    } else if visiting.contains(name) {
                        Measure { cyclic: true, ..Measure::default() }
                    } else if let Some(fragment) = document.fragments.get(name) {
                        visiting.push(name.clone());
                        let count = in_set(&fragment.node.selection_set.node, document, memo, visiting);
                        visiting.pop();
                        memo.insert(name.clone(), count);
                        nested(count)
                    } else {
                        Measure::default()
                    }
                }
            };
            total = add(add(total, Measure { selections: 1, ..Measure::default() }), inner);
        }
        total
    }

    let mut memo = HashMap::new();
    document.operations.iter().fold(Measure::default(), |measure, (_, operation)| {
        let count = in_set(&operation.node.selection_set.node, document, &mut memo, &mut Vec::new());
        Measure {
            aliases: measure.aliases.max(count.aliases),
            selections: measure.selections.saturating_add(count.selections),
            depth: measure.depth.max(count.depth),
            cyclic: measure.cyclic || count.cyclic,
        }
    })
}

/// Refuses any string argument or variable holding U+0000: PostgreSQL cannot
/// store or compare it (`invalid byte sequence for encoding "UTF8": 0x00`)
/// where SQLite takes it, and no text Lectern keeps has a use for it. One check
/// here covers every field's arguments on HTTP and websockets alike, and on
/// both databases, instead of one per newtype and lookup; the error names the
/// innermost argument or input field holding the string.
fn reject_nul(document: &ExecutableDocument, variables: &Variables) -> ServerResult<()> {
    fn nul_in<'a>(name: &'a str, value: &'a Value) -> Option<&'a str> {
        match value {
            Value::String(text) => text.contains('\0').then_some(name),
            Value::List(items) => items.iter().find_map(|item| nul_in(name, item)),
            Value::Object(fields) => fields.iter().find_map(|(key, value)| nul_in(key.as_str(), value)),
            _ => None,
        }
    }

    // Argument literals as constants (variables inside them become null: they
    // are checked with the variables themselves). A macro, because the parser's
    // non-constant value type is not exported to name in a signature.
    macro_rules! in_arguments {
        ($arguments:expr) => {
            $arguments.iter().find_map(|(name, value)| {
                let literal = value.node.clone().into_const_with(|_| Ok::<_, std::convert::Infallible>(Value::Null));
                literal.ok().and_then(|literal| nul_in(name.node.as_str(), &literal).map(str::to_owned))
            })
        };
    }

    fn in_directives(directives: &[Positioned<parser::types::Directive>]) -> Option<String> {
        directives.iter().find_map(|directive| in_arguments!(directive.node.arguments))
    }

    fn in_set(set: &SelectionSet) -> Option<String> {
        set.items.iter().find_map(|selection| match &selection.node {
            Selection::Field(field) => in_arguments!(field.node.arguments)
                .or_else(|| in_directives(&field.node.directives))
                .or_else(|| in_set(&field.node.selection_set.node)),
            Selection::InlineFragment(fragment) => {
                in_directives(&fragment.node.directives).or_else(|| in_set(&fragment.node.selection_set.node))
            }
            Selection::FragmentSpread(spread) => in_directives(&spread.node.directives),
        })
    }

    let in_variables = variables.iter().find_map(|(name, value)| nul_in(name.as_str(), value).map(str::to_owned));
    let in_operations = || {
        document.operations.iter().find_map(|(_, operation)| {
            let operation = &operation.node;
            operation
                .variable_definitions
                .iter()
                .find_map(|definition| {
                    let default = definition.node.default_value.as_ref()?;
                    nul_in(definition.node.name.node.as_str(), &default.node).map(str::to_owned)
                })
                .or_else(|| in_directives(&operation.directives))
                .or_else(|| in_set(&operation.selection_set.node))
        })
    };
    let in_fragments = || {
        document.fragments.values().find_map(|fragment| {
            in_directives(&fragment.node.directives).or_else(|| in_set(&fragment.node.selection_set.node))
        })
    };
    match in_variables.or_else(in_operations).or_else(in_fragments) {
        None => Ok(()),
        Some(field) => {
            let mut error = refused("Text cannot contain the NUL character (U+0000)".into(), code::BAD_USER_INPUT);
            error.extensions.get_or_insert_with(Default::default).set("field", field);
            Err(error)
        }
    }
}

/// Gives every error in a response a stable code, and masked internal errors
/// the request id, on HTTP and websockets alike.
pub fn finalize(response: &mut Response, request_id: &str) {
    let before_execution = response.data == async_graphql::Value::Null;
    for error in &mut response.errors {
        let extensions = error.extensions.get_or_insert_with(Default::default);
        if extensions.get("code").is_none() {
            // Errors async-graphql raises itself: validation (the depth and
            // complexity limits have codes of their own) and unknown operation
            // names before execution, input coercion (a bad argument value) during it.
            let code = if before_execution && error.path.is_empty() {
                match error.message.as_str() {
                    "Query is nested too deep." => code::QUERY_TOO_DEEP,
                    "Query is too complex." => code::QUERY_TOO_COMPLEX,
                    _ => code::GRAPHQL_VALIDATION_FAILED,
                }
            } else {
                code::BAD_USER_INPUT
            };
            extensions.set("code", code);
        }
        if matches!(extensions.get("code"), Some(async_graphql::Value::String(c))
            if c == code::INTERNAL_SERVER_ERROR || c == code::UPSTREAM_UNAVAILABLE)
        {
            extensions.set("requestId", request_id);
        }
    }
}

/// True when the operation failed before execution (parse, validation, limits):
/// a "request error" in GraphQL-over-HTTP terms.
pub fn is_request_error(response: &Response) -> bool {
    const REQUEST_ERROR_CODES: [&str; 7] = [
        code::GRAPHQL_PARSE_FAILED,
        code::GRAPHQL_VALIDATION_FAILED,
        code::QUERY_TOO_DEEP,
        code::QUERY_TOO_COMPLEX,
        code::TOO_MANY_ALIASES,
        code::TOO_MANY_TOKENS,
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

    fn limits(introspection: bool) -> crate::config::GraphqlLimits {
        crate::config::GraphqlLimits {
            max_depth: 15,
            max_complexity: 2_000,
            max_aliases: 30,
            max_tokens: 2_000,
            max_batch: 10,
            max_body_bytes: 1 << 20,
            introspection,
        }
    }

    fn admitted(query: &str, variables: serde_json::Value, introspection: bool) -> bool {
        let mut request = async_graphql::Request::new(query).variables(Variables::from_json(variables));
        let admitted = admit(&mut request, &limits(introspection));
        // An admitted document is parsed once, here, and kept for async-graphql.
        assert_eq!(request.parsed_query().is_ok(), admitted || parser::parse_query(query).is_ok());
        admitted
    }

    #[test]
    fn admits_to_the_lean_schema_only_what_the_extensions_would_pass() {
        let none = serde_json::json!({});
        assert!(admitted(
            "query Feed($n: Int) { posts(first: $n) { edges { node { id title } } } }",
            none.clone(),
            false
        ));
        // Larger than LARGE_DOCUMENT_TOKENS: parsed and validated off the workers, on the guarded schema.
        let large = format!("{{ {} }}", "me { id } ".repeat(LARGE_DOCUMENT_TOKENS / 4 + 1));
        assert!(!admitted(&large, none.clone(), false));
        let long_name = format!("{{ {} }}", "a".repeat(MAX_NAME_LEN + 1));
        assert!(!admitted(&long_name, none.clone(), false));
        assert!(!admitted("{ me { id }", none.clone(), false), "a parse error");
        let aliases = format!("{{ {} }}", (0..31).map(|i| format!("a{i}: me {{ id }}")).collect::<Vec<_>>().join(" "));
        assert!(!admitted(&aliases, none.clone(), false));
        assert!(!admitted(
            "query ($q: String) { search(query: $q) { id } }",
            serde_json::json!({"q": "a\u{0}b"}),
            false
        ));
        assert!(!admitted("{ search(query: \"a\\u0000b\") { id } }", none.clone(), false));
        assert!(!admitted("{ __schema { types { name } } }", none.clone(), false));
        assert!(admitted("{ __schema { types { name } } }", none.clone(), true));
        assert!(admitted("{ __typename }", none.clone(), false));
        assert!(!admitted("query { ...A } fragment A on QueryRoot { me { id } ...A }", none.clone(), false));
        // async-graphql's recursion depth (fragments count): 64 nested sets pass, 65 do not.
        let nested = |n: usize| {
            format!("{{ ...F }} fragment F on QueryRoot {{ {}b{} }}", "a { ".repeat(n - 1), " }".repeat(n - 1))
        };
        assert!(admitted(&nested(64), none.clone(), false));
        assert!(!admitted(&nested(65), none, false));
    }

    #[test]
    fn a_document_sent_again_is_parsed_once_and_checked_each_time() {
        let query = "query Again($q: String) { search(query: $q) { id } }";
        let fresh = format!("{:?}", parser::parse_query(query).unwrap());
        for _ in 0..2 {
            assert_eq!(format!("{:?}", parsed(query).unwrap()), fresh, "kept as parsed");
        }
        // The checks that depend on the variables still run on a kept document.
        assert!(admitted(query, serde_json::json!({"q": "fine"}), false));
        assert!(!admitted(query, serde_json::json!({"q": "a\u{0}b"}), false));
        assert!(admitted(query, serde_json::json!({"q": "fine again"}), false));
        assert!(PARSED.contains_key(query), "a query is kept");
        for _ in 0..2 {
            assert!(parsed("query Broken { me { id }").is_none(), "a parse error stays one");
        }
        // A mutation is parsed every time, never kept: it may carry a password inline.
        let login = r#"mutation SignIn { login(input: {email: "a@example.com", password: "hunter2-hunter2"}) { accessToken } }"#;
        let mixed = format!("query Q {{ me {{ id }} }} {login}");
        for document in [login, mixed.as_str()] {
            assert!(parsed(document).is_some());
            assert!(!PARSED.contains_key(document), "{document}");
        }
    }

    #[test]
    fn measures_depth_as_async_graphql_counts_it() {
        let doc = async_graphql::parser::parse_query(
            "query { a { b { ... on X { c { d } } } } e { ...F } } fragment F on Y { f { g } }",
        )
        .unwrap();
        // a(1) b(2) inline(3) c(4); e(1) F(2) f(3).
        assert_eq!(measure(&doc).depth, 4);
    }

    #[test]
    fn counts_aliases_and_selections_through_fragments() {
        let doc = async_graphql::parser::parse_query(
            "query { a: me { id } b: me { ...F ...F __typename } } fragment F on User { x: id y: id }",
        )
        .unwrap();
        // a, id, b, two spreads of two fields each, __typename.
        assert_eq!(
            measure(&doc),
            Measure { aliases: 2 + 2 * 2, selections: 2 + 1 + 2 * 3 + 1, depth: 2, cyclic: false }
        );
        let cyclic =
            async_graphql::parser::parse_query("query { ...A } fragment A on Query { a: me { id } ...A }").unwrap();
        assert_eq!(measure(&cyclic), Measure { aliases: 1, selections: 1 + 2 + 1, depth: 2, cyclic: true });
        // Selections add up over every operation, as async-graphql's complexity does.
        let two = async_graphql::parser::parse_query("query A { me { id } } query B { tags { slug } }").unwrap();
        assert_eq!(measure(&two).selections, 4);
    }

    #[test]
    fn fan_out_is_measured_without_expanding_it() {
        // Fragments that select nothing but each other still expand: spreads count.
        let fan_out = |levels: usize| {
            let mut document = format!("query {{ ...F0 }} fragment F{levels} on Query {{ __typename }}\n");
            for i in 0..levels {
                document.push_str(&format!("fragment F{i} on Query {{ ...F{n} ...F{n} }}\n", n = i + 1));
            }
            async_graphql::parser::parse_query(&document).unwrap()
        };
        // 2^60 typenames plus the spreads above them: counting one by one would never finish.
        assert_eq!(measure(&fan_out(60)).selections, 3 * (1usize << 60) - 1);
        assert_eq!(measure(&fan_out(80)).selections, usize::MAX, "counts saturate instead of overflowing");
    }

    #[test]
    fn a_long_chain_of_fragments_is_measured_on_a_small_stack() {
        // As deep as the token limit allows: each level costs a name, a brace pair and a spread.
        let mut document = String::from("query { ...F0 }\n");
        for i in 0..1_500 {
            document.push_str(&format!("fragment F{i} on Query {{ me {{ ...F{n} }} }}\n", n = i + 1));
        }
        document.push_str("fragment F1500 on Query { __typename }\n");
        let doc = async_graphql::parser::parse_query(&document).unwrap();
        let measured = std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(move || measure(&doc))
            .unwrap()
            .join()
            .unwrap();
        assert_eq!(measured.selections, 1 + 1_500 * 2 + 1);
    }

    #[test]
    fn counts_tokens_like_the_graphql_lexer() {
        let tokens = |query: &str| scan(query, 100).tokens;
        assert_eq!(tokens("{ me { id } }"), 6);
        assert_eq!(tokens("query Q($a: Int = -1.5e3) { ...F, # comment { { {\n x }"), 15);
        assert_eq!(tokens(r#"{ f(a: "s \" { }", b: """block \""" { """) }"#), 11);
        assert_eq!(tokens("{id...F}"), 5, "a spread after a name is three tokens");
        // Counting stops just past the limit, however long the document.
        assert_eq!(scan(&"a ".repeat(1_000_000), 10).tokens, 11);
        assert_eq!(scan("{ me { displayName } }", 100).longest_name, "displayName".len());
        assert_eq!(scan(r#"{ f(a: "a very long string is not a name") }"#, 100).longest_name, 1);
    }

    #[test]
    fn nul_characters_are_refused_with_the_argument() {
        let field = |query: &str, variables: serde_json::Value| {
            let doc = async_graphql::parser::parse_query(query).unwrap();
            reject_nul(&doc, &Variables::from_json(variables))
                .err()
                .map(|e| e.extensions.unwrap().get("field").unwrap().clone())
        };
        assert_eq!(field(r#"{ post(slug: "a\u0000b") { id } }"#, serde_json::json!({})), Some(Value::from("slug")));
        assert_eq!(
            field(
                "mutation($i: AddCommentInput!) { addComment(input: $i) { id } }",
                serde_json::json!({ "i": { "postId": "x", "body": "hi\u{0}" } })
            ),
            Some(Value::from("body"))
        );
        assert_eq!(
            field(r#"{ posts(filter: { tagSlugs: ["ok", "b\u0000"] }) { totalCount } }"#, serde_json::json!({})),
            Some(Value::from("tagSlugs"))
        );
        assert_eq!(
            field(r#"query($q: String = "\u0000") { search(query: $q) { id } }"#, serde_json::json!({})),
            Some(Value::from("q"))
        );
        assert_eq!(field(r#"{ post(slug: "fine") { id } }"#, serde_json::json!({ "x": "fine" })), None);
    }
}

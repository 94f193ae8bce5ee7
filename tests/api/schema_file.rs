//! `schema.graphql` is the output of `lectern schema`; this fails when it is stale.

#[test]
fn schema_graphql_is_current() {
    let current = lectern::schema::sdl();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema.graphql");
    let stored = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        stored == current,
        "schema.graphql is stale: run `cargo run -- schema > schema.graphql` and commit the result"
    );
}

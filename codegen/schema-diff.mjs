// Breaking schema changes and their acknowledgements, without git or files:
// the part of the schema check that unit tests exercise.

const NAME = '[A-Za-z_][\\w]*';
const PATTERNS = [
  // "HARD was removed from enum type Level."
  [new RegExp(`^(${NAME}) was removed from enum type (${NAME})`), (m) => `${m[2]}.${m[1]}`],
  // "A required arg order on Query.posts was added."
  [new RegExp(`^A required arg ${NAME} on (${NAME}\\.${NAME})`), (m) => m[1]],
  // "A required field x on input type Foo was added."
  [new RegExp(`^A required field (${NAME}) on input type (${NAME})`), (m) => `${m[2]}.${m[1]}`],
  // "Post was removed from union type Result."
  [new RegExp(`^${NAME} was removed from union type (${NAME})`), (m) => m[1]],
  // "Post.body was removed.", "Query.posts arg first was removed.", "Post was removed.", ...
  [new RegExp(`^(${NAME}(?:\\.${NAME})?)`), (m) => m[1]],
];

/**
 * The schema coordinate a graphql-js change description is about:
 * "Post.body was removed." -> `Post.body`; "HARD was removed from enum type
 * Level." -> `Level.HARD`; "A required arg order on Query.posts was added."
 * -> `Query.posts`.
 */
export function coordinateOf(description) {
  for (const [pattern, pick] of PATTERNS) {
    const match = pattern.exec(description);
    if (match) return pick(match);
  }
  return description;
}

/** Coordinates written in backticks in a text, e.g. an entry of SCHEMA_CHANGES.md. */
export function acknowledged(text) {
  const found = new Set();
  for (const match of text.matchAll(/`([A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)?)(?:\([^`]*\))?`/g)) found.add(match[1]);
  return found;
}

/**
 * Compares two SDL texts with graphql-js and returns the breaking changes
 * whose coordinate (or whose type, for a field or value) is not acknowledged
 * in `acknowledgement` text, plus the dangerous ones for information.
 */
export function checkSchemas(graphql, oldSdl, newSdl, acknowledgement) {
  const { buildSchema, findBreakingChanges, findDangerousChanges } = graphql;
  const before = buildSchema(oldSdl);
  const after = buildSchema(newSdl);
  const ack = acknowledged(acknowledgement);
  const breaking = findBreakingChanges(before, after).map((change) => ({
    type: change.type,
    description: change.description,
    coordinate: coordinateOf(change.description),
  }));
  const unacknowledged = breaking.filter((change) => !ack.has(change.coordinate));
  const dangerous = findDangerousChanges(before, after).map((change) => change.description);
  return { breaking, unacknowledged, dangerous };
}

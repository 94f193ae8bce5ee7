import * as graphql from 'graphql';
import { describe, expect, it } from 'vitest';

import { acknowledged, checkSchemas, coordinateOf } from './schema-diff.mjs';

const base = `
  type Query { post(slug: String!): Post, posts(first: Int): [Post!]! }
  type Post { id: ID!, title: String!, body: String, level: Level }
  enum Level { EASY HARD }
`;

describe('schema check', () => {
  it('passes additions without any acknowledgement', () => {
    const next = base.replace('body: String,', 'body: String, summary: String,');
    const result = checkSchemas(graphql, base, next, '');
    expect(result.breaking).toEqual([]);
    expect(result.unacknowledged).toEqual([]);
  });

  it('reports a removed field until an entry names it', () => {
    const next = base.replace('body: String,', '');
    const unacked = checkSchemas(graphql, base, next, '');
    expect(unacked.unacknowledged.map((c) => c.coordinate)).toEqual(['Post.body']);
    const mentionedWithoutBackticks = checkSchemas(graphql, base, next, 'Post.body is gone');
    expect(mentionedWithoutBackticks.unacknowledged).toHaveLength(1);
    const acked = checkSchemas(graphql, base, next, '- `Post.body` moved to `Post.content`.');
    expect(acked.breaking).toHaveLength(1);
    expect(acked.unacknowledged).toEqual([]);
  });

  it('reports type changes, removed enum values and new required arguments', () => {
    const next = base
      .replace('title: String!', 'title: Int!')
      .replace('EASY HARD', 'EASY')
      .replace('posts(first: Int)', 'posts(first: Int, order: String!)');
    const coordinates = checkSchemas(graphql, base, next, '').unacknowledged.map((c) => c.coordinate).sort();
    expect(coordinates).toEqual(['Level.HARD', 'Post.title', 'Query.posts']);
    const partly = checkSchemas(graphql, base, next, '`Post.title` and `Level.HARD`');
    expect(partly.unacknowledged.map((c) => c.coordinate)).toEqual(['Query.posts']);
  });

  it('lists dangerous changes without failing on them', () => {
    const next = base.replace('EASY HARD', 'EASY HARD MEDIUM');
    const result = checkSchemas(graphql, base, next, '');
    expect(result.dangerous.length).toBeGreaterThan(0);
    expect(result.unacknowledged).toEqual([]);
  });

  it('reads coordinates from descriptions and backticks', () => {
    expect(coordinateOf('Post.body was removed.')).toBe('Post.body');
    expect(coordinateOf('Level.HARD was removed from enum type Level.')).toBe('Level.HARD');
    expect(coordinateOf('Post was removed.')).toBe('Post');
    expect([...acknowledged('`Query.posts(order)` and `Post` and `not a coordinate!`')].sort()).toEqual(['Post', 'Query.posts']);
  });
});

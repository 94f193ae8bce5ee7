import { describe, expect, it } from 'vitest';

import { buildTree, countVisible, flatten, merge, remove, upsert, type Nested, type TreeNode } from './tree';

interface Comment {
  id: string;
  parentId: string | null;
  createdAt: string;
  status?: string;
  body?: string;
}

const minute = (n: number) => `2030-01-01T10:${String(n).padStart(2, '0')}:00+00:00`;

function c(id: string, parentId: string | null, createdAt: string | number, extra: Partial<Comment> = {}): Comment {
  return { id, parentId, createdAt: typeof createdAt === 'number' ? minute(createdAt) : createdAt, body: `body ${id}`, status: 'VISIBLE', ...extra };
}

/** The tree as nested ids, for readable assertions. */
type Shape = [string, Shape[]];
const shape = (nodes: TreeNode<Comment>[]): Shape[] => nodes.map((n) => [n.comment.id, shape(n.replies)]);
const allIds = (nodes: TreeNode<Comment>[]): string[] => nodes.flatMap((n) => [n.comment.id, ...allIds(n.replies)]);

// ---------------------------------------------------------------------------

describe('flatten', () => {
  it('puts parents before their replies and removes `replies`', () => {
    const tree: Nested<Comment>[] = [
      {
        ...c('a', null, 1),
        replies: [
          { ...c('a1', 'a', 2), replies: [{ ...c('a1x', 'a1', 3), replies: [] }] },
          { ...c('a2', 'a', 4), replies: null },
        ],
      },
      { ...c('b', null, 5) },
    ];
    const flat = flatten(tree);
    expect(flat.map((x) => x.id)).toEqual(['a', 'a1', 'a1x', 'a2', 'b']);
    for (const comment of flat) expect(comment).not.toHaveProperty('replies');
    expect(flat[1]).toEqual(c('a1', 'a', 2));
  });

  it('keeps every other field', () => {
    const [only] = flatten<Comment & { author: { name: string } }>([
      { ...c('a', null, 1), author: { name: 'Ada' }, replies: [] },
    ]);
    expect(only).toEqual({ ...c('a', null, 1), author: { name: 'Ada' } });
  });

  it('does not modify the input', () => {
    const tree: Nested<Comment>[] = [{ ...c('a', null, 1), replies: [{ ...c('b', 'a', 2) }] }];
    const copy = structuredClone(tree);
    flatten(tree);
    expect(tree).toEqual(copy);
  });

  it('of nothing is nothing', () => {
    expect(flatten<Comment>([])).toEqual([]);
  });

  it('then buildTree gives back the same tree', () => {
    const tree: Nested<Comment>[] = [
      { ...c('a', null, 1), replies: [{ ...c('a1', 'a', 2), replies: [{ ...c('a1x', 'a1', 3) }] }, { ...c('a2', 'a', 4) }] },
      { ...c('b', null, 5), replies: [{ ...c('b1', 'b', 6) }] },
    ];
    expect(shape(buildTree(flatten(tree)))).toEqual([
      ['a', [['a1', [['a1x', []]]], ['a2', []]]],
      ['b', [['b1', []]]],
    ]);
  });
});

describe('upsert', () => {
  it('appends an unknown comment', () => {
    const list = [c('a', null, 1)];
    const next = upsert(list, c('b', null, 2));
    expect(next.map((x) => x.id)).toEqual(['a', 'b']);
    expect(list).toHaveLength(1); // not mutated
  });

  it('replaces a known one in place, merging fields (newer data wins)', () => {
    const list = [c('a', null, 1), c('b', null, 2), c('z', null, 3)];
    const next = upsert(list, { ...c('b', null, 2), body: 'edited' });
    expect(next.map((x) => x.id)).toEqual(['a', 'b', 'z']);
    expect(next[1]!.body).toBe('edited');
    expect(list[1]!.body).toBe('body b'); // not mutated
  });

  it('keeps fields the newer copy lacks', () => {
    const list: (Comment & { author?: string })[] = [{ ...c('a', null, 1), author: 'Ada' }];
    const next = upsert(list, { id: 'a', parentId: null, createdAt: minute(1), body: 'new' });
    expect(next).toEqual([{ ...c('a', null, 1), author: 'Ada', body: 'new' }]);
  });

  it('the same comment twice (our own, echoed by the subscription) stays one', () => {
    const once = upsert([], c('a', null, 1));
    const twice = upsert(once, c('a', null, 1));
    expect(twice).toEqual([c('a', null, 1)]);
  });
});

describe('merge', () => {
  it('the server copy wins for ids it knows', () => {
    const server = [c('a', null, 1, { body: 'server' })];
    const live = [c('a', null, 1, { body: 'live' })];
    expect(merge(server, live)).toEqual([c('a', null, 1, { body: 'server' })]);
  });

  it('adds live-only comments after the server ones', () => {
    const server = [c('a', null, 1), c('b', null, 2)];
    const live = [c('b', null, 2, { body: 'stale' }), c('c', 'a', 3)];
    const merged = merge(server, live);
    expect(merged.map((x) => x.id)).toEqual(['a', 'b', 'c']);
    expect(merged[1]!.body).toBe('body b');
  });

  it('a live-only comment seen twice is added once (the later copy wins)', () => {
    const merged = merge([c('a', null, 1)], [c('x', 'a', 2, { body: 'first' }), c('x', 'a', 2, { body: 'second' })]);
    expect(merged.map((x) => x.id)).toEqual(['a', 'x']);
    expect(merged[1]!.body).toBe('second');
  });

  it('with nothing live is the server copy; with no server copy is the live list', () => {
    const server = [c('a', null, 1)];
    expect(merge(server, [])).toEqual(server);
    expect(merge([], [c('x', null, 1)])).toEqual([c('x', null, 1)]);
  });

  it('does not modify its inputs', () => {
    const server = [c('a', null, 1)];
    const live = [c('b', null, 2)];
    merge(server, live);
    expect(server).toEqual([c('a', null, 1)]);
    expect(live).toEqual([c('b', null, 2)]);
  });
});

describe('remove', () => {
  it('a leaf disappears', () => {
    const list = [c('a', null, 1), c('b', 'a', 2), c('c', null, 3)];
    expect(remove(list, 'b').map((x) => x.id)).toEqual(['a', 'c']);
    expect(remove(list, 'c').map((x) => x.id)).toEqual(['a', 'b']);
  });

  it('a comment with replies becomes "[deleted]" with status DELETED, keeping its place and replies', () => {
    const list = [c('a', null, 1), c('b', 'a', 2), c('c', 'b', 3)];
    const next = remove(list, 'b');
    expect(next.map((x) => x.id)).toEqual(['a', 'b', 'c']);
    expect(next[1]).toEqual({ ...c('b', 'a', 2), body: '[deleted]', status: 'DELETED' });
    expect(next[0]).toBe(list[0]);
    expect(next[2]).toBe(list[2]);
    expect(shape(buildTree(next))).toEqual([['a', [['b', [['c', []]]]]]]);
  });

  it('an unknown id changes nothing', () => {
    const list = [c('a', null, 1), c('b', 'a', 2)];
    expect(remove(list, 'nope')).toEqual(list);
  });

  it('does not modify the input', () => {
    const list = [c('a', null, 1), c('b', 'a', 2)];
    remove(list, 'a');
    remove(list, 'b');
    expect(list).toEqual([c('a', null, 1), c('b', 'a', 2)]);
  });

  it('removing the last reply of a placeholder leaves the placeholder', () => {
    let list = [c('a', null, 1), c('b', 'a', 2)];
    list = remove(list, 'a');
    list = remove(list, 'b');
    expect(list).toEqual([{ ...c('a', null, 1), body: '[deleted]', status: 'DELETED' }]);
    expect(countVisible(list)).toBe(0);
  });
});

describe('buildTree', () => {
  it('is empty for no comments', () => {
    expect(buildTree<Comment>([])).toEqual([]);
  });

  it('nests replies under their parents', () => {
    const tree = buildTree([c('a', null, 1), c('b', 'a', 2), c('c', 'b', 3), c('d', null, 4)]);
    expect(shape(tree)).toEqual([
      ['a', [['b', [['c', []]]]]],
      ['d', []],
    ]);
    expect(tree[0]!.comment).toEqual(c('a', null, 1));
  });

  it('orders oldest first at every level, whatever the input order', () => {
    const comments = [
      c('r2', null, 20),
      c('r1-b', 'r1', 15),
      c('r1', null, 10),
      c('r1-a', 'r1', 12),
      c('r1-a-2', 'r1-a', 14),
      c('r1-a-1', 'r1-a', 13),
      c('r0', null, 5),
    ];
    const expected: Shape[] = [
      ['r0', []],
      [
        'r1',
        [
          ['r1-a', [['r1-a-1', []], ['r1-a-2', []]]],
          ['r1-b', []],
        ],
      ],
      ['r2', []],
    ];
    expect(shape(buildTree(comments))).toEqual(expected);
    expect(shape(buildTree([...comments].reverse()))).toEqual(expected);
  });

  it('breaks ties in createdAt by id', () => {
    const tree = buildTree([c('b', null, 1), c('c', null, 1), c('a', null, 1), c('y', 'a', 2), c('x', 'a', 2)]);
    expect(shape(tree)).toEqual([
      ['a', [['x', []], ['y', []]]],
      ['b', []],
      ['c', []],
    ]);
  });

  it('orders by the full timestamp (fractions of a second)', () => {
    const tree = buildTree([
      c('late', null, '2030-01-01T10:00:00.900000+00:00'),
      c('early', null, '2030-01-01T10:00:00.100000+00:00'),
      c('mid', null, '2030-01-01T10:00:00.500+00:00'),
    ]);
    expect(shape(tree).map(([id]) => id)).toEqual(['early', 'mid', 'late']);
  });

  // Regression: siblings are ordered with String#localeCompare on the raw createdAt
  // strings. The server writes DateTime<Utc> with chrono's to_rfc3339()
  // (async-graphql), which omits the fraction when it is zero, so a comment
  // made on a whole second is "…T10:00:00+00:00" while one 0.5 s later is
  // "…T10:00:00.500+00:00". Collation puts '.' (punctuation) before '+'
  // (symbol), so the later comment sorts first. (Plain code-unit order
  // would get this pair right but not the same pair in `Z` form; comparing
  // Date.parse values would get both right.)
  it('orders a whole-second timestamp before a later one in the same second', () => {
    const tree = buildTree([
      c('later', null, '2030-01-01T10:00:00.500+00:00'),
      c('earlier', null, '2030-01-01T10:00:00+00:00'),
    ]);
    expect(shape(tree).map(([id]) => id)).toEqual(['earlier', 'later']); // actually ['later', 'earlier']
  });

  it('shows a reply whose parent is not (yet) known at the root', () => {
    const tree = buildTree([c('a', null, 1), c('orphan', 'missing', 2), c('b', null, 3)]);
    expect(shape(tree)).toEqual([
      ['a', []],
      ['orphan', []],
      ['b', []],
    ]);
  });

  it('keeps an orphan\'s own replies under it', () => {
    const tree = buildTree([c('orphan', 'missing', 1), c('child', 'orphan', 2)]);
    expect(shape(tree)).toEqual([['orphan', [['child', []]]]]);
  });

  it('a self-parented comment appears once, at the root', () => {
    const tree = buildTree([c('a', 'a', 1)]);
    expect(shape(tree)).toEqual([['a', []]]);
  });

  it('a two-comment cycle cannot hang and each comment appears exactly once', () => {
    const tree = buildTree([c('a', 'b', 1), c('b', 'a', 2)]);
    expect(allIds(tree).sort()).toEqual(['a', 'b']);
  });

  it('a longer cycle with a tail and a normal thread: every comment exactly once', () => {
    const comments = [
      c('x', 'z', 1),
      c('y', 'x', 2),
      c('z', 'y', 3),
      c('tail', 'x', 4),
      c('tail-reply', 'tail', 5),
      c('root', null, 6),
      c('reply', 'root', 7),
    ];
    const tree = buildTree(comments);
    const ids = allIds(tree);
    expect(ids).toHaveLength(comments.length);
    expect(new Set(ids)).toEqual(new Set(comments.map((x) => x.id)));
    // The healthy thread is untouched.
    expect(shape(tree).find(([id]) => id === 'root')).toEqual(['root', [['reply', []]]]);
  });

  it('every comment appears exactly once for any parent assignment (exhaustive over 4 comments)', () => {
    const ids = ['a', 'b', 'c', 'd'];
    const choices = [null, 'missing', ...ids];
    let cases = 0;
    const assign = (i: number, parents: (string | null)[]) => {
      if (i === ids.length) {
        cases++;
        const comments = ids.map((id, k) => c(id, parents[k]!, k));
        const seen = allIds(buildTree(comments));
        expect(seen.sort()).toEqual(ids);
        return;
      }
      for (const p of choices) assign(i + 1, [...parents, p]);
    };
    assign(0, []);
    expect(cases).toBe(6 ** 4);
  });

  it('a deep thread builds (no hang) and keeps its depth', () => {
    const comments = Array.from({ length: 500 }, (_, i) => c(`n${i}`, i === 0 ? null : `n${i - 1}`, `2030-01-01T10:00:${String(i % 60).padStart(2, '0')}+00:00`));
    let node = buildTree(comments)[0];
    let depth = 0;
    while (node) {
      depth++;
      node = node.replies[0];
    }
    expect(depth).toBe(500);
  });

  it('duplicate ids collapse to one node (the last copy)', () => {
    const tree = buildTree([c('a', null, 1, { body: 'old' }), c('a', null, 1, { body: 'new' })]);
    expect(tree).toHaveLength(1);
    expect(tree[0]!.comment.body).toBe('new');
  });
});

describe('countVisible', () => {
  it('counts every comment but the deleted placeholders', () => {
    expect(countVisible([c('a', null, 1), c('b', 'a', 2, { status: 'DELETED' }), c('c', null, 3, { status: undefined })])).toBe(2);
  });

  it('is zero for nothing', () => {
    expect(countVisible([])).toBe(0);
  });

  // Regression: a comment HIDDEN by a moderator is counted. Readers see a
  // placeholder for it, just as for a deleted one, and the server's
  // `Post.commentCount` ("Visible comments on the post") counts only status
  // VISIBLE (visible_comment_counts filters Status::Visible). So with one
  // hidden comment the discussion header says one more than the post's
  // commentCount shown elsewhere.
  it('does not count comments hidden by a moderator, like Post.commentCount', () => {
    expect(countVisible([c('a', null, 1), c('b', null, 2, { status: 'HIDDEN', body: '[hidden by a moderator]' })])).toBe(1); // actually 2
  });
});

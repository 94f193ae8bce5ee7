import { describe, expect, it } from 'vitest';

import {
  arrange,
  beyondIndent,
  emptyThread,
  indentOf,
  MAX_INDENT,
  threadReducer,
  visibleCount,
  type ThreadComment,
  type ThreadEvent,
  type ThreadState,
} from './thread';

interface Comment extends ThreadComment {
  body: string;
  status: string;
  author?: { name: string } | null;
}

const minute = (n: number) => `2030-01-01T10:${String(n).padStart(2, '0')}:00+00:00`;

function c(id: string, parentId: string | null, depth: number, createdAt: string | number, extra: Partial<Comment> = {}): Comment {
  return {
    id,
    parentId,
    depth,
    createdAt: typeof createdAt === 'number' ? minute(createdAt) : createdAt,
    body: `body ${id}`,
    status: 'VISIBLE',
    ...extra,
  };
}

const ids = (list: readonly ThreadComment[]) => list.map((x) => x.id);
const run = (events: ThreadEvent<Comment>[], from: ThreadState<Comment> = emptyThread<Comment>()) =>
  events.reduce(threadReducer<Comment>, from);
const page = (nodes: Comment[], more = false, reset = false, commentCount?: number): ThreadEvent<Comment> => ({
  type: 'page',
  nodes,
  hasNextPage: more,
  endCursor: more ? `after-${nodes.at(-1)?.id}` : null,
  commentCount,
  reset,
});
const shown = (state: ThreadState<Comment>) => ids(arrange(state.server, state.extras));

// A thread as the server pages it: a (a1 (a1x) a2) b (b1).
const a = c('a', null, 0, 1);
const a1 = c('a1', 'a', 1, 2);
const a1x = c('a1x', 'a1', 2, 3);
const a2 = c('a2', 'a', 1, 4);
const b = c('b', null, 0, 5);
const b1 = c('b1', 'b', 1, 6);
const thread = [a, a1, a1x, a2, b, b1];

// ---------------------------------------------------------------------------

describe('arrange', () => {
  it('with nothing live is the server order, untouched', () => {
    expect(ids(arrange(thread, []))).toEqual(['a', 'a1', 'a1x', 'a2', 'b', 'b1']);
  });

  it('puts a new reply right after its parent\'s whole subtree', () => {
    expect(ids(arrange(thread, [c('a3', 'a', 1, 10)]))).toEqual(['a', 'a1', 'a1x', 'a2', 'a3', 'b', 'b1']);
  });

  it('puts a reply to a reply after that reply\'s subtree, not after the root\'s', () => {
    expect(ids(arrange(thread, [c('a1y', 'a1', 2, 10)]))).toEqual(['a', 'a1', 'a1x', 'a1y', 'a2', 'b', 'b1']);
  });

  it('puts a reply to the last comment at the end', () => {
    expect(ids(arrange(thread, [c('b1x', 'b1', 2, 10)]))).toEqual([...ids(thread), 'b1x']);
  });

  it('puts a new root comment at the end', () => {
    expect(ids(arrange(thread, [c('z', null, 0, 10)]))).toEqual([...ids(thread), 'z']);
  });

  it('puts a reply whose parent is not loaded (yet) at the end rather than dropping it', () => {
    expect(ids(arrange(thread, [c('q', 'elsewhere', 3, 10)]))).toEqual([...ids(thread), 'q']);
  });

  it('places several live comments oldest first, a reply to a live comment under it', () => {
    const extras = [c('a3x', 'a3', 2, 12), c('z', null, 0, 13), c('a4', 'a', 1, 11), c('a3', 'a', 1, 10)];
    expect(ids(arrange(thread, extras))).toEqual(['a', 'a1', 'a1x', 'a2', 'a3', 'a3x', 'a4', 'b', 'b1', 'z']);
  });

  it('the server copy wins for ids it knows (no duplicate)', () => {
    const out = arrange(thread, [c('a1', 'a', 1, 2, { body: 'live' })]);
    expect(ids(out)).toEqual(ids(thread));
    expect(out[1]!.body).toBe('body a1');
  });

  it('a live comment seen twice appears once (the later copy wins)', () => {
    const out = arrange([a], [c('x', 'a', 1, 2, { body: 'first' }), c('x', 'a', 1, 2, { body: 'second' })]);
    expect(ids(out)).toEqual(['a', 'x']);
    expect(out[1]!.body).toBe('second');
  });

  it('orders live siblings by the full timestamp (fractions of a second), ties by id', () => {
    const out = arrange(
      [a],
      [
        c('late', 'a', 1, '2030-01-01T10:00:00.900000+00:00'),
        c('early', 'a', 1, '2030-01-01T10:00:00.100000+00:00'),
        c('y', 'a', 1, '2030-01-01T10:00:00.500+00:00'),
        c('x', 'a', 1, '2030-01-01T10:00:00.500+00:00'),
      ],
    );
    expect(ids(out)).toEqual(['a', 'early', 'x', 'y', 'late']);
  });

  // RFC 3339 from the server omits a zero fraction: "…T10:00:00+00:00" is
  // earlier than "…T10:00:00.500+00:00", though it does not sort so as text.
  it('orders a whole-second timestamp before a later one in the same second', () => {
    const out = arrange(
      [a],
      [c('later', 'a', 1, '2030-01-01T10:00:00.500+00:00'), c('earlier', 'a', 1, '2030-01-01T10:00:00+00:00')],
    );
    expect(ids(out)).toEqual(['a', 'earlier', 'later']);
  });

  it('a self-parented comment appears once, at the end', () => {
    expect(ids(arrange([a], [c('s', 's', 1, 2)]))).toEqual(['a', 's']);
  });

  it('does not modify its inputs', () => {
    const server = [a, b];
    const extras = [c('a1', 'a', 1, 10)];
    arrange(server, extras);
    expect(ids(server)).toEqual(['a', 'b']);
    expect(ids(extras)).toEqual(['a1']);
  });

  it('of nothing is nothing', () => {
    expect(arrange<Comment>([], [])).toEqual([]);
  });
});

describe('pages', () => {
  it('the first page loads, and says whether there is more', () => {
    const state = run([page([a, a1, a1x], true, true, 6)]);
    expect(state.loaded).toBe(true);
    expect(shown(state)).toEqual(['a', 'a1', 'a1x']);
    expect(state.hasNextPage).toBe(true);
    expect(state.endCursor).toBe('after-a1x');
    expect(visibleCount(state)).toBe(6);
  });

  it('a next page is appended in the server\'s order', () => {
    const state = run([page([a, a1, a1x], true, true), page([a2, b, b1])]);
    expect(shown(state)).toEqual(ids(thread));
    expect(state.hasNextPage).toBe(false);
    expect(state.endCursor).toBeNull();
  });

  it('a comment seen on two pages appears once, with the newer data', () => {
    const state = run([page([a, a1], true, true), page([c('a1', 'a', 1, 2, { body: 'edited' }), a1x])]);
    expect(shown(state)).toEqual(['a', 'a1', 'a1x']);
    expect(state.server[1]!.body).toBe('edited');
  });

  it('a live comment that a later page brings takes the server\'s place, once', () => {
    // A root comment arrived live while more pages were unread: shown at the end of what is loaded…
    let state = run([page([a, a1], true, true), { type: 'added', comment: c('z', null, 0, 10) }]);
    expect(shown(state)).toEqual(['a', 'a1', 'z']);
    // …and still at the end once the next page is there, which does not have it yet.
    state = run([page([a1x, a2], true)], state);
    expect(shown(state)).toEqual(['a', 'a1', 'a1x', 'a2', 'z']);
    // The last page has it: it is the server's now, not a live extra.
    state = run([page([b, b1, c('z', null, 0, 10)])], state);
    expect(shown(state)).toEqual([...ids(thread), 'z']);
    expect(state.extras).toEqual([]);
  });

  it('a fresh first page replaces what was loaded and keeps live comments it does not have', () => {
    const state = run([
      page(thread, false, true, 6),
      { type: 'added', comment: c('z', null, 0, 10) },
      page([a, a1], true, true, 7),
    ]);
    expect(shown(state)).toEqual(['a', 'a1', 'z']);
    expect(visibleCount(state)).toBe(7);
  });

  it('a page that cannot be read keeps what was loaded and says why', () => {
    const state = run([page([a], true, true), { type: 'loading' }, { type: 'failed', error: new Error('offline') }]);
    expect(state.loading).toBe(false);
    expect(state.error?.message).toBe('offline');
    expect(shown(state)).toEqual(['a']);
    const again = run([{ type: 'loading' }], state);
    expect(again.loading).toBe(true);
    expect(again.error).toBeNull();
    expect(run([page([b])], again).loading).toBe(false);
  });
});

describe('live comments', () => {
  it('a reply (ours or live) lands after its parent\'s subtree and counts', () => {
    const state = run([page(thread, false, true, 6), { type: 'added', comment: c('a3', 'a', 1, 10) }]);
    expect(shown(state)).toEqual(['a', 'a1', 'a1x', 'a2', 'a3', 'b', 'b1']);
    expect(visibleCount(state)).toBe(7);
  });

  it('our own comment, echoed by the subscription, stays one and counts once', () => {
    const mine = c('a3', 'a', 1, 10);
    for (const order of [
      ['mutation', 'live'],
      ['live', 'mutation'],
    ]) {
      const state = run([page(thread, false, true, 6), ...order.map(() => ({ type: 'added', comment: mine }) as const)]);
      expect(shown(state).filter((id) => id === 'a3')).toHaveLength(1);
      expect(visibleCount(state)).toBe(7);
    }
  });

  it('a live copy of a comment already on a loaded page changes nothing but its data', () => {
    const state = run([page(thread, false, true, 6), { type: 'added', comment: c('b', null, 0, 5, { body: 'newer' }) }]);
    expect(shown(state)).toEqual(ids(thread));
    expect(state.server[4]!.body).toBe('newer');
    expect(visibleCount(state)).toBe(6);
  });

  it('an edit replaces the text in place, on a page or live', () => {
    const state = run([
      page(thread, false, true, 6),
      { type: 'added', comment: c('z', null, 0, 10) },
      { type: 'changed', comment: c('a1', 'a', 1, 2, { body: 'edited a1' }) },
      { type: 'changed', comment: c('z', null, 0, 10, { body: 'edited z' }) },
    ]);
    const rows = arrange(state.server, state.extras);
    expect(rows.find((r) => r.id === 'a1')!.body).toBe('edited a1');
    expect(rows.find((r) => r.id === 'z')!.body).toBe('edited z');
    expect(ids(rows)).toEqual([...ids(thread), 'z']);
  });

  it('a change to a comment that is not loaded is ignored', () => {
    const before = run([page([a], true, true, 3)]);
    expect(run([{ type: 'changed', comment: c('q', null, 0, 9) }], before)).toBe(before);
  });

  it('hiding and showing again changes the count, not the place', () => {
    let state = run([page(thread, false, true, 6), { type: 'changed', comment: c('a1', 'a', 1, 2, { status: 'HIDDEN' }) }]);
    expect(visibleCount(state)).toBe(5);
    expect(shown(state)).toEqual(ids(thread));
    state = run([{ type: 'changed', comment: c('a1', 'a', 1, 2, { status: 'VISIBLE' }) }], state);
    expect(visibleCount(state)).toBe(6);
  });
});

describe('deleting', () => {
  const loaded = () => run([page(thread, false, true, 6)]);

  it('a leaf disappears', () => {
    const state = run([{ type: 'deleted', id: 'a1x' }], loaded());
    expect(shown(state)).toEqual(['a', 'a1', 'a2', 'b', 'b1']);
    expect(visibleCount(state)).toBe(5);
  });

  it('a comment with replies becomes "[deleted]" with status DELETED and no author, keeping its place and replies', () => {
    const state = run([{ type: 'deleted', id: 'a1' }], run([page([a, { ...a1, author: { name: 'Ada' } }, a1x, a2, b, b1], false, true, 6)]));
    expect(shown(state)).toEqual(ids(thread));
    expect(state.server[1]).toMatchObject({ id: 'a1', body: '[deleted]', status: 'DELETED', author: null });
    expect(visibleCount(state)).toBe(5);
  });

  it('the last loaded comment, with more pages to come, stays as a placeholder (its replies may be there)', () => {
    const state = run([page([a, a1], true, true), { type: 'deleted', id: 'a1' }]);
    expect(shown(state)).toEqual(['a', 'a1']);
    expect(state.server[1]!.status).toBe('DELETED');
  });

  it('a live comment can be deleted, and a live reply keeps its deleted parent as a placeholder', () => {
    let state = run([{ type: 'added', comment: c('z', null, 0, 10) }], loaded());
    expect(shown(run([{ type: 'deleted', id: 'z' }], state))).toEqual(ids(thread));
    state = run([{ type: 'added', comment: c('zz', 'z', 1, 11) }, { type: 'deleted', id: 'z' }], state);
    expect(shown(state)).toEqual([...ids(thread), 'z', 'zz']);
    expect(state.extras[0]!.body).toBe('[deleted]');
  });

  it('removing the last reply of a placeholder leaves the placeholder', () => {
    const state = run([{ type: 'deleted', id: 'b' }, { type: 'deleted', id: 'b1' }], loaded());
    expect(shown(state)).toEqual(['a', 'a1', 'a1x', 'a2', 'b']);
  });

  it('deleting twice counts once; an unknown id changes nothing', () => {
    const state = run([{ type: 'deleted', id: 'a1' }, { type: 'deleted', id: 'a1' }], loaded());
    expect(visibleCount(state)).toBe(5);
    const before = loaded();
    expect(run([{ type: 'deleted', id: 'nope' }], before)).toBe(before);
  });

  it('does not modify the previous state', () => {
    const before = loaded();
    const copy = structuredClone(before);
    run([{ type: 'deleted', id: 'a1' }, { type: 'deleted', id: 'b1' }], before);
    expect(before).toEqual(copy);
  });
});

describe('count', () => {
  it('is zero before anything loads and never below zero', () => {
    expect(visibleCount(emptyThread<Comment>())).toBe(0);
    expect(visibleCount(run([page([a], false, true, 0), { type: 'deleted', id: 'a' }]))).toBe(0);
  });

  it('a live comment that is not visible (a placeholder) does not count', () => {
    const state = run([page([a], false, true, 1), { type: 'added', comment: c('h', null, 0, 9, { status: 'HIDDEN' }) }]);
    expect(visibleCount(state)).toBe(1);
  });
});

describe('indent', () => {
  it('follows the depth up to the cap, then stays there', () => {
    expect([0, 1, 2, MAX_INDENT, MAX_INDENT + 1, 40].map(indentOf)).toEqual([0, 1, 2, MAX_INDENT, MAX_INDENT, MAX_INDENT]);
    expect(indentOf(-1)).toBe(0);
  });

  it('a comment deeper than the cap says whom it replies to', () => {
    expect(beyondIndent(MAX_INDENT)).toBe(false);
    expect(beyondIndent(MAX_INDENT + 1)).toBe(true);
  });

  it('the cap fits a phone: six steps', () => {
    expect(MAX_INDENT).toBe(6);
  });
});

describe('a long, deep thread', () => {
  it('a 60-deep chain paged in tens arranges in order and a live reply lands at the bottom', () => {
    const chain = Array.from({ length: 60 }, (_, i) => c(`n${i}`, i === 0 ? null : `n${i - 1}`, i, `2030-01-01T10:00:${String(i).padStart(2, '0')}+00:00`));
    let state = emptyThread<Comment>();
    for (let i = 0; i < 60; i += 10) state = run([page(chain.slice(i, i + 10), i + 10 < 60, i === 0, 60)], state);
    state = run([{ type: 'added', comment: c('reply', 'n10', 11, 59) }], state);
    expect(shown(state)).toEqual([...ids(chain), 'reply']);
  });
});

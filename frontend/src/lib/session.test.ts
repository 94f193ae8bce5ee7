import { describe, expect, it, vi } from 'vitest';

import {
  EXPIRY_SKEW_MS,
  SESSION_LOCK,
  Session,
  browserTokenStore,
  isFresh,
  subjectOf,
  type LockRunner,
  type RefreshOutcome,
  type Refresher,
  type TabChannel,
  type TokenStore,
  type Tokens,
} from './session';

// ---------------------------------------------------------------------------
// Test doubles
// ---------------------------------------------------------------------------

const NOW = Date.parse('2030-01-01T12:00:00Z');
const at = (offsetMs: number) => new Date(NOW + offsetMs).toISOString();

function tokens(n: number | string, expiresInMs = 15 * 60_000): Tokens {
  return { accessToken: `access-${n}`, accessTokenExpiresAt: at(expiresInMs) };
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every pending promise callback run. */
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * What the tabs share: the newest tokens one of them announced, and the
 * "a session may exist" flag. Each tab gets its own view; `save` in one view
 * notifies the watchers of the *other* views, as the BroadcastChannel does
 * (optionally not at all, or not yet).
 */
class SharedStorage {
  value: Tokens | null;
  flag: boolean;
  saves: (Tokens | null)[] = [];
  private watchers = new Map<number, Set<() => void>>();
  private nextView = 0;

  constructor(initial: Tokens | null, private readonly withWatch = true, flag = initial !== null) {
    this.value = initial ? { ...initial } : null;
    this.flag = flag;
  }

  view(): TokenStore {
    const id = this.nextView++;
    const watchers = new Set<() => void>();
    this.watchers.set(id, watchers);
    const store: TokenStore = {
      load: () => (this.value ? { ...this.value } : null),
      save: (next) => {
        this.value = next ? { ...next } : null;
        this.flag = next !== null;
        this.saves.push(this.value);
        for (const [other, set] of this.watchers) if (other !== id) for (const listener of [...set]) listener();
      },
      hasSession: () => this.flag,
    };
    if (this.withWatch) {
      store.watch = (listener) => {
        watchers.add(listener);
        return () => watchers.delete(listener);
      };
    }
    return store;
  }

  /** Another tab writes (signs in, say) without a Session of its own. */
  writeFromElsewhere(next: Tokens | null) {
    this.value = next ? { ...next } : null;
    this.flag = next !== null;
    for (const set of this.watchers.values()) for (const listener of [...set]) listener();
  }
}

/** A real mutex, shared by the tabs: what Web Locks provide. */
function makeMutex(): { lock: LockRunner; held: () => number; requests: string[] } {
  const tails = new Map<string, Promise<void>>();
  const requests: string[] = [];
  let held = 0;
  const lock: LockRunner = async <T,>(name: string, run: () => Promise<T>): Promise<T> => {
    requests.push(name);
    const previous = tails.get(name) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    tails.set(
      name,
      previous.then(() => mine),
    );
    await previous;
    held++;
    try {
      return await run();
    } finally {
      held--;
      release();
    }
  };
  return { lock, held: () => held, requests };
}

/**
 * A fake server and the browser's cookie jar, which every tab shares. The
 * cookie is single use: presenting a spent one is refused and revokes the
 * whole session (the server takes it for a stolen copy). A request carries
 * the jar's cookie as it is when sent; its answer stores the next one (or
 * clears it). Each call can be held open.
 */
class FakeAuthServer {
  jar: string | null = null;
  valid = new Set<string>();
  spent: string[] = [];
  calls: (string | null)[] = [];
  private serial = 100;
  gate: Promise<void> | null = null;

  constructor(cookie?: string) {
    if (cookie) {
      this.jar = cookie;
      this.valid.add(cookie);
    }
  }

  refresher: Refresher = async () => {
    const cookie = this.jar;
    this.calls.push(cookie);
    if (this.gate) await this.gate;
    if (cookie === null || !this.valid.has(cookie)) {
      if (cookie !== null && this.spent.includes(cookie)) this.valid.clear();
      this.jar = null;
      return { kind: 'rejected' };
    }
    this.valid.delete(cookie);
    this.spent.push(cookie);
    const n = this.serial++;
    this.jar = `cookie-${n}`;
    this.valid.add(this.jar);
    return { kind: 'ok', tokens: tokens(n) };
  };
}

/** A refresher whose every answer the test gives by hand. */
function manualRefresher() {
  const pending: { answer: Deferred<RefreshOutcome> }[] = [];
  const fn = vi.fn<Refresher>(() => {
    const answer = deferred<RefreshOutcome>();
    pending.push({ answer });
    return answer.promise;
  });
  return { fn, pending };
}

// ---------------------------------------------------------------------------
// isFresh
// ---------------------------------------------------------------------------

describe('isFresh', () => {
  it('is fresh well before expiry', () => {
    expect(isFresh(tokens(1, 10 * 60_000), NOW)).toBe(true);
  });

  it('is not fresh after expiry', () => {
    expect(isFresh(tokens(1, -1), NOW)).toBe(false);
  });

  it('treats a token within the skew of its expiry as expired', () => {
    expect(EXPIRY_SKEW_MS).toBe(30_000);
    expect(isFresh(tokens(1, EXPIRY_SKEW_MS), NOW)).toBe(false);
    expect(isFresh(tokens(1, EXPIRY_SKEW_MS - 1), NOW)).toBe(false);
    expect(isFresh(tokens(1, EXPIRY_SKEW_MS + 1), NOW)).toBe(true);
  });

  it('treats an unreadable expiry as expired', () => {
    expect(isFresh({ ...tokens(1), accessTokenExpiresAt: '' }, NOW)).toBe(false);
    expect(isFresh({ ...tokens(1), accessTokenExpiresAt: 'not a date' }, NOW)).toBe(false);
  });

  it('understands the server\'s RFC 3339 offsets', () => {
    // 13:00 +01:00 is 12:00Z, i.e. exactly NOW: expired.
    expect(isFresh({ ...tokens(1), accessTokenExpiresAt: '2030-01-01T13:00:00+01:00' }, NOW)).toBe(false);
    expect(isFresh({ ...tokens(1), accessTokenExpiresAt: '2030-01-01T12:10:00.123456+00:00' }, NOW)).toBe(true);
  });

  it('uses the real clock by default', () => {
    const future = { ...tokens(1), accessTokenExpiresAt: new Date(Date.now() + 60 * 60_000).toISOString() };
    const past = { ...tokens(1), accessTokenExpiresAt: new Date(Date.now() - 1000).toISOString() };
    expect(isFresh(future)).toBe(true);
    expect(isFresh(past)).toBe(false);
  });
});

// ---------------------------------------------------------------------------
// subjectOf
// ---------------------------------------------------------------------------

function base64url(text: string): string {
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function jwt(payload: unknown): string {
  return `${base64url('{"alg":"HS256","typ":"JWT"}')}.${base64url(JSON.stringify(payload))}.signature`;
}

describe('subjectOf', () => {
  it('reads the sub claim of a JWT', () => {
    expect(subjectOf(jwt({ sub: '0190b8a4-7d2e-7c3a-9b1e-6f0d2a4c8e11', role: 'READER' }))).toBe(
      '0190b8a4-7d2e-7c3a-9b1e-6f0d2a4c8e11',
    );
  });

  it('decodes base64url payloads (with - and _ and no padding)', () => {
    // '?>' and '??' encode to characters that differ between base64 and base64url.
    const payload = { sub: 'user-1', note: '??>>??~~' };
    const segment = base64url(JSON.stringify(payload));
    expect(segment).toMatch(/[-_]/);
    expect(segment).not.toMatch(/[+/=]/);
    expect(subjectOf(`header.${segment}.sig`)).toBe('user-1');
  });

  it('decodes payloads whose length needs padding', () => {
    for (const sub of ['a', 'ab', 'abc', 'abcd']) {
      expect(subjectOf(jwt({ sub }))).toBe(sub);
    }
  });

  it('is null without a token', () => {
    expect(subjectOf(undefined)).toBeNull();
    expect(subjectOf(null)).toBeNull();
    expect(subjectOf('')).toBeNull();
  });

  it('is null for a token without a payload segment', () => {
    expect(subjectOf('opaque-token')).toBeNull();
    expect(subjectOf('header.')).toBeNull();
  });

  it('is null for a payload that is not base64 JSON', () => {
    expect(subjectOf('a.!!!not-base64!!!.c')).toBeNull();
    expect(subjectOf(`a.${base64url('not json')}.c`)).toBeNull();
  });

  it('is null when sub is missing or not a string', () => {
    expect(subjectOf(jwt({ role: 'ADMIN' }))).toBeNull();
    expect(subjectOf(jwt({ sub: 42 }))).toBeNull();
    expect(subjectOf(jwt({ sub: null }))).toBeNull();
    expect(subjectOf(jwt(null))).toBeNull();
  });
});

// ---------------------------------------------------------------------------
// Session: one tab
// ---------------------------------------------------------------------------

describe('Session (one tab)', () => {
  it('starts from the stored tokens', () => {
    const storage = new SharedStorage(tokens(1));
    const session = new Session({ store: storage.view(), refresh: vi.fn(), now: () => NOW });
    expect(session.tokens).toEqual(tokens(1));
    expect(session.signedIn).toBe(true);
  });

  it('starts signed out with an empty store', () => {
    const session = new Session({ store: new SharedStorage(null).view(), refresh: vi.fn(), now: () => NOW });
    expect(session.tokens).toBeNull();
    expect(session.signedIn).toBe(false);
  });

  describe('signIn / signOut / subscribe', () => {
    it('signIn stores the tokens and notifies listeners', () => {
      const storage = new SharedStorage(null);
      const session = new Session({ store: storage.view(), refresh: vi.fn(), now: () => NOW });
      const listener = vi.fn();
      session.subscribe(listener);
      session.signIn(tokens(1));
      expect(session.tokens).toEqual(tokens(1));
      expect(storage.value).toEqual(tokens(1));
      expect(listener).toHaveBeenCalledTimes(1);
    });

    it('signOut clears the store and notifies listeners', () => {
      const storage = new SharedStorage(tokens(1));
      const session = new Session({ store: storage.view(), refresh: vi.fn(), now: () => NOW });
      const listener = vi.fn();
      session.subscribe(listener);
      session.signOut();
      expect(session.tokens).toBeNull();
      expect(session.signedIn).toBe(false);
      expect(storage.value).toBeNull();
      expect(listener).toHaveBeenCalledTimes(1);
    });

    it('does not notify when nothing changed', () => {
      const storage = new SharedStorage(null);
      const session = new Session({ store: storage.view(), refresh: vi.fn(), now: () => NOW });
      const listener = vi.fn();
      session.subscribe(listener);
      session.signOut();
      expect(listener).not.toHaveBeenCalled();
      session.signIn(tokens(1));
      session.signIn(tokens(1));
      expect(listener).toHaveBeenCalledTimes(1);
    });

    it('unsubscribe stops notifications', () => {
      const session = new Session({ store: new SharedStorage(null).view(), refresh: vi.fn(), now: () => NOW });
      const listener = vi.fn();
      const unsubscribe = session.subscribe(listener);
      session.signIn(tokens(1));
      unsubscribe();
      session.signOut();
      expect(listener).toHaveBeenCalledTimes(1);
    });

    it('a listener that unsubscribes while being notified does not disturb the others', () => {
      const session = new Session({ store: new SharedStorage(null).view(), refresh: vi.fn(), now: () => NOW });
      const second = vi.fn();
      const unsubscribeFirst: { fn?: () => void } = {};
      const first = vi.fn(() => unsubscribeFirst.fn?.());
      unsubscribeFirst.fn = session.subscribe(first);
      session.subscribe(second);
      session.signIn(tokens(1));
      session.signOut();
      expect(first).toHaveBeenCalledTimes(1);
      expect(second).toHaveBeenCalledTimes(2);
    });
  });

  describe('accessToken', () => {
    it('is null with no session, without calling the refresher', async () => {
      const refresh = vi.fn<Refresher>();
      const session = new Session({ store: new SharedStorage(null).view(), refresh, now: () => NOW });
      await expect(session.accessToken()).resolves.toBeNull();
      expect(refresh).not.toHaveBeenCalled();
    });

    it('returns the current token while it is fresh, without refreshing', async () => {
      const refresh = vi.fn<Refresher>();
      const session = new Session({ store: new SharedStorage(tokens(1)).view(), refresh, now: () => NOW });
      await expect(session.accessToken()).resolves.toBe('access-1');
      expect(refresh).not.toHaveBeenCalled();
    });

    it('refreshes an expired-but-stored token first', async () => {
      const server = new FakeAuthServer('cookie-1');
      const storage = new SharedStorage(tokens(1, -60_000));
      const session = new Session({ store: storage.view(), refresh: server.refresher, now: () => NOW });
      await expect(session.accessToken()).resolves.toBe('access-100');
      expect(server.calls).toEqual(['cookie-1']);
      expect(session.tokens).toEqual(tokens(100));
      expect(storage.value).toEqual(tokens(100));
    });

    it('refreshes a token inside the expiry skew', async () => {
      const server = new FakeAuthServer('cookie-1');
      const session = new Session({
        store: new SharedStorage(tokens(1, EXPIRY_SKEW_MS - 1000)).view(),
        refresh: server.refresher,
        now: () => NOW,
      });
      await expect(session.accessToken()).resolves.toBe('access-100');
      expect(server.calls).toEqual(['cookie-1']);
    });

    it('follows the injected clock', async () => {
      let now = NOW;
      const server = new FakeAuthServer('cookie-1');
      const session = new Session({
        store: new SharedStorage(tokens(1, 10 * 60_000)).view(),
        refresh: server.refresher,
        now: () => now,
      });
      await expect(session.accessToken()).resolves.toBe('access-1');
      now = NOW + 10 * 60_000;
      await expect(session.accessToken()).resolves.toBe('access-100');
      expect(server.calls).toEqual(['cookie-1']);
    });

    it('is null when the refresh is rejected (and the session ends)', async () => {
      const session = new Session({
        store: new SharedStorage(tokens(1, -1)).view(),
        refresh: async () => ({ kind: 'rejected' }),
        now: () => NOW,
      });
      await expect(session.accessToken()).resolves.toBeNull();
      expect(session.signedIn).toBe(false);
    });

    it('is null when the server is unavailable (and the tokens are kept)', async () => {
      const session = new Session({
        store: new SharedStorage(tokens(1, -1)).view(),
        refresh: async () => ({ kind: 'unavailable' }),
        now: () => NOW,
      });
      await expect(session.accessToken()).resolves.toBeNull();
      expect(session.tokens).toEqual(tokens(1, -1));
    });
  });

  describe('refresh', () => {
    it('two concurrent refresh() calls make exactly one refresher call', async () => {
      const { fn, pending } = manualRefresher();
      const session = new Session({ store: new SharedStorage(tokens(1, -1)).view(), refresh: fn, now: () => NOW });
      const a = session.refresh();
      const b = session.refresh();
      const c = session.accessToken();
      expect(a).toBe(b);
      await settle();
      expect(fn).toHaveBeenCalledTimes(1);
      pending[0]!.answer.resolve({ kind: 'ok', tokens: tokens(2) });
      await expect(a).resolves.toEqual(tokens(2));
      await expect(b).resolves.toEqual(tokens(2));
      await expect(c).resolves.toBe('access-2');
      expect(fn).toHaveBeenCalledTimes(1);
    });

    it('a refresh after the previous one finished makes a new request with the new token', async () => {
      const server = new FakeAuthServer('cookie-1');
      const session = new Session({ store: new SharedStorage(tokens(1, -1)).view(), refresh: server.refresher, now: () => NOW });
      await session.refresh();
      await session.refresh();
      expect(server.calls).toEqual(['cookie-1', 'cookie-100']);
      expect(session.tokens).toEqual(tokens(101));
    });

    it('ok: stores the new tokens and notifies listeners once', async () => {
      const storage = new SharedStorage(tokens(1, -1));
      const server = new FakeAuthServer('cookie-1');
      const session = new Session({ store: storage.view(), refresh: server.refresher, now: () => NOW });
      const listener = vi.fn();
      session.subscribe(listener);
      await expect(session.refresh()).resolves.toEqual(tokens(100));
      expect(storage.value).toEqual(tokens(100));
      expect(listener).toHaveBeenCalledTimes(1);
    });

    it('rejected: signs out, clears the store and notifies listeners', async () => {
      const storage = new SharedStorage(tokens(1, -1));
      const session = new Session({ store: storage.view(), refresh: async () => ({ kind: 'rejected' }), now: () => NOW });
      const listener = vi.fn();
      session.subscribe(listener);
      await expect(session.refresh()).resolves.toBeNull();
      expect(session.signedIn).toBe(false);
      expect(storage.value).toBeNull();
      expect(listener).toHaveBeenCalledTimes(1);
    });

    it('unavailable: keeps the tokens (memory and store), returns null, notifies nobody', async () => {
      const storage = new SharedStorage(tokens(1, -1));
      const refresh = vi.fn<Refresher>(async () => ({ kind: 'unavailable' }));
      const session = new Session({ store: storage.view(), refresh, now: () => NOW });
      const listener = vi.fn();
      session.subscribe(listener);
      await expect(session.refresh()).resolves.toBeNull();
      expect(session.tokens).toEqual(tokens(1, -1));
      expect(storage.value).toEqual(tokens(1, -1));
      expect(listener).not.toHaveBeenCalled();
      // Later, it tries again (the cookie was not spent).
      await session.refresh();
      expect(refresh).toHaveBeenCalledTimes(2);
    });

    it('with no session at all: null, no refresher call', async () => {
      const refresh = vi.fn<Refresher>();
      const session = new Session({ store: new SharedStorage(null).view(), refresh, now: () => NOW });
      await expect(session.refresh()).resolves.toBeNull();
      expect(refresh).not.toHaveBeenCalled();
    });

    it('signs out without a request when the store was cleared (by another tab) meanwhile', async () => {
      const storage = new SharedStorage(tokens(1, -1), false);
      const refresh = vi.fn<Refresher>();
      const session = new Session({ store: storage.view(), refresh, now: () => NOW });
      const listener = vi.fn();
      session.subscribe(listener);
      storage.writeFromElsewhere(null); // no watch: the session has not noticed
      expect(session.signedIn).toBe(true);
      await expect(session.refresh()).resolves.toBeNull();
      expect(refresh).not.toHaveBeenCalled();
      expect(session.signedIn).toBe(false);
      expect(listener).toHaveBeenCalledTimes(1);
    });

    it('adopts tokens another tab announced (fresh ones) instead of spending another rotation', async () => {
      const storage = new SharedStorage(tokens(1, -1), false);
      const refresh = vi.fn<Refresher>();
      const session = new Session({ store: storage.view(), refresh, now: () => NOW });
      storage.writeFromElsewhere(tokens(2));
      await expect(session.refresh()).resolves.toEqual(tokens(2));
      expect(refresh).not.toHaveBeenCalled();
      expect(session.tokens).toEqual(tokens(2));
    });

    it('adopts a signIn made elsewhere while it had none', async () => {
      const storage = new SharedStorage(null, false);
      const refresh = vi.fn<Refresher>();
      const session = new Session({ store: storage.view(), refresh, now: () => NOW });
      storage.writeFromElsewhere(tokens(2));
      await expect(session.accessToken()).resolves.toBeNull(); // it does not look while signed out
      await expect(session.refresh()).resolves.toEqual(tokens(2));
      expect(refresh).not.toHaveBeenCalled();
      expect(session.signedIn).toBe(true);
    });

    it('refreshes with the cookie another tab left when the adopted access token is expired too', async () => {
      const storage = new SharedStorage(tokens(1, -1), false);
      const server = new FakeAuthServer('cookie-2');
      const session = new Session({ store: storage.view(), refresh: server.refresher, now: () => NOW });
      storage.writeFromElsewhere(tokens(2, -1));
      await expect(session.refresh()).resolves.toEqual(tokens(100));
      expect(server.calls).toEqual(['cookie-2']);
      expect(session.tokens).toEqual(tokens(100));
    });

    it('a refresher that throws rejects refresh(), keeps the tokens, and does not wedge later refreshes', async () => {
      const storage = new SharedStorage(tokens(1, -1));
      const refresh = vi
        .fn<Refresher>()
        .mockRejectedValueOnce(new Error('boom'))
        .mockResolvedValueOnce({ kind: 'ok', tokens: tokens(2) });
      const session = new Session({ store: storage.view(), refresh, now: () => NOW });
      await expect(session.refresh()).rejects.toThrow('boom');
      expect(session.tokens).toEqual(tokens(1, -1));
      await expect(session.refresh()).resolves.toEqual(tokens(2));
      expect(refresh).toHaveBeenCalledTimes(2);
    });

    it('runs the refresh inside the named lock', async () => {
      const mutex = makeMutex();
      let heldDuringRefresh = -1;
      const session = new Session({
        store: new SharedStorage(tokens(1, -1)).view(),
        refresh: async () => {
          heldDuringRefresh = mutex.held();
          return { kind: 'ok', tokens: tokens(2) };
        },
        lock: mutex.lock,
        now: () => NOW,
      });
      await session.refresh();
      expect(mutex.requests).toEqual([SESSION_LOCK]);
      expect(SESSION_LOCK).toBe('lectern-session');
      expect(heldDuringRefresh).toBe(1);
      expect(mutex.held()).toBe(0);
    });
  });
});

// ---------------------------------------------------------------------------
// Session: after a page load, and the requests that set or clear the cookie
// ---------------------------------------------------------------------------

describe('Session (start-up and the cookie requests)', () => {
  it('after a reload with a session flag: restoring, until the cookie gives an access token', async () => {
    const server = new FakeAuthServer('cookie-1');
    const storage = new SharedStorage(null, true, true);
    const session = new Session({ store: storage.view(), refresh: server.refresher, now: () => NOW });
    const listener = vi.fn();
    session.subscribe(listener);
    expect(session.restoring).toBe(true);
    expect(session.signedIn).toBe(false);
    await expect(session.accessToken()).resolves.toBe('access-100');
    expect(server.calls).toEqual(['cookie-1']);
    expect(session.restoring).toBe(false);
    expect(session.tokens).toEqual(tokens(100));
    expect(storage.value).toEqual(tokens(100)); // announced to the other tabs
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('after a reload without the flag: signed out at once, and nothing is asked of the server', async () => {
    const server = new FakeAuthServer('cookie-1');
    const session = new Session({ store: new SharedStorage(null).view(), refresh: server.refresher, now: () => NOW });
    expect(session.restoring).toBe(false);
    await expect(session.accessToken()).resolves.toBeNull();
    await expect(session.refresh()).resolves.toBeNull();
    expect(server.calls).toEqual([]);
  });

  it('a start-up refresh the server rejects (the cookie expired): signed out, the flag cleared', async () => {
    const storage = new SharedStorage(null, true, true);
    const server = new FakeAuthServer(); // the browser dropped the cookie
    const session = new Session({ store: storage.view(), refresh: server.refresher, now: () => NOW });
    const listener = vi.fn();
    session.subscribe(listener);
    await expect(session.refresh()).resolves.toBeNull();
    expect(session.restoring).toBe(false);
    expect(session.signedIn).toBe(false);
    expect(storage.flag).toBe(false);
    expect(listener).toHaveBeenCalledTimes(1);
    await session.refresh();
    expect(server.calls).toEqual([null]); // once: after that it knows there is no session
  });

  it('a start-up refresh that cannot reach the server: shown signed out, the flag kept for the next load', async () => {
    const storage = new SharedStorage(null, true, true);
    const session = new Session({ store: storage.view(), refresh: async () => ({ kind: 'unavailable' }), now: () => NOW });
    const listener = vi.fn();
    session.subscribe(listener);
    await expect(session.refresh()).resolves.toBeNull();
    expect(session.restoring).toBe(false);
    expect(session.signedIn).toBe(false);
    expect(storage.flag).toBe(true);
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('signOut() while the start-up refresh is in flight stays signed out', async () => {
    const storage = new SharedStorage(null, true, true);
    const { fn, pending } = manualRefresher();
    const session = new Session({ store: storage.view(), refresh: fn, now: () => NOW });
    const result = session.refresh();
    await settle();
    void session.signOut();
    pending[0]!.answer.resolve({ kind: 'ok', tokens: tokens(2) });
    await expect(result).resolves.toBeNull();
    expect(session.signedIn).toBe(false);
    expect(storage.value).toBeNull();
    expect(storage.flag).toBe(false);
  });

  it('signInWith runs the request under the lock and signs in with the tokens of its answer', async () => {
    const mutex = makeMutex();
    const storage = new SharedStorage(null);
    const session = new Session({ store: storage.view(), refresh: vi.fn(), lock: mutex.lock, now: () => NOW });
    let heldDuringRequest = -1;
    const answer = await session.signInWith(
      async () => {
        heldDuringRequest = mutex.held();
        return { tokens: tokens(7), userId: 'u' };
      },
      (a) => a.tokens,
    );
    expect(answer.userId).toBe('u');
    expect(heldDuringRequest).toBe(1);
    expect(mutex.requests).toEqual([SESSION_LOCK]);
    expect(session.tokens).toEqual(tokens(7));
    expect(storage.value).toEqual(tokens(7));
    expect(storage.flag).toBe(true);
  });

  it('signInWith leaves the session alone when the answer has no tokens (a wrong password)', async () => {
    const storage = new SharedStorage(tokens(1));
    const session = new Session({ store: storage.view(), refresh: vi.fn(), now: () => NOW });
    const answer = await session.signInWith(async () => ({ error: 'wrong password' }), () => null);
    expect(answer).toEqual({ error: 'wrong password' });
    expect(session.tokens).toEqual(tokens(1));
  });

  it('a sign-in waits for a refresh another tab has in flight, so the answers cannot cross', async () => {
    const mutex = makeMutex();
    const server = new FakeAuthServer('cookie-1');
    const storage = new SharedStorage(tokens(1, -1));
    const a = new Session({ store: storage.view(), refresh: server.refresher, lock: mutex.lock, now: () => NOW });
    const b = new Session({ store: storage.view(), refresh: vi.fn(), lock: mutex.lock, now: () => NOW });
    const gate = deferred<void>();
    server.gate = gate.promise;
    const refreshing = a.refresh();
    await settle();
    let signInSent = false;
    const signingIn = b.signInWith(
      async () => {
        signInSent = true;
        server.jar = 'cookie-new-user'; // the sign-in's answer sets the new session's cookie
        return tokens('new-user');
      },
      (t) => t,
    );
    await settle();
    expect(signInSent).toBe(false);
    gate.resolve();
    await Promise.all([refreshing, signingIn]);
    expect(signInSent).toBe(true);
    expect(server.jar).toBe('cookie-new-user'); // the refresh's late cookie did not overwrite it
    expect(a.tokens).toEqual(tokens('new-user'));
    expect(b.tokens).toEqual(tokens('new-user'));
  });

  it('signOut() signs out at once, then ends the session on the server under the lock', async () => {
    const mutex = makeMutex();
    const storage = new SharedStorage(tokens(1));
    let heldDuringEnd = -1;
    const end = vi.fn(async () => {
      heldDuringEnd = mutex.held();
    });
    const session = new Session({ store: storage.view(), refresh: vi.fn(), end, lock: mutex.lock, now: () => NOW });
    const done = session.signOut();
    expect(session.signedIn).toBe(false);
    expect(storage.flag).toBe(false);
    await done;
    expect(end).toHaveBeenCalledTimes(1);
    expect(heldDuringEnd).toBe(1);
  });

  it('signOut() during an in-flight refresh ends the session after the refresh answered (with the newest cookie)', async () => {
    const mutex = makeMutex();
    const server = new FakeAuthServer('cookie-1');
    const storage = new SharedStorage(tokens(1, -1));
    const sentWith: (string | null)[] = [];
    const end = vi.fn(async () => {
      sentWith.push(server.jar);
      server.valid.clear();
      server.jar = null;
    });
    const session = new Session({ store: storage.view(), refresh: server.refresher, end, lock: mutex.lock, now: () => NOW });
    const gate = deferred<void>();
    server.gate = gate.promise;
    const refreshing = session.refresh();
    await settle();
    const signingOut = session.signOut();
    await settle();
    expect(end).not.toHaveBeenCalled(); // waits for the refresh's answer
    gate.resolve();
    await Promise.all([refreshing, signingOut]);
    expect(sentWith).toEqual(['cookie-100']);
    expect(session.signedIn).toBe(false);
    expect(storage.value).toBeNull();
    expect(server.jar).toBeNull();
  });
});

// ---------------------------------------------------------------------------
// Session: several tabs
// ---------------------------------------------------------------------------

describe('Session (two tabs sharing one store and one lock)', () => {
  function twoTabs(initial: Tokens | null, withWatch = true) {
    const storage = new SharedStorage(initial, withWatch);
    const mutex = makeMutex();
    const server = new FakeAuthServer(initial ? 'cookie-1' : undefined);
    const make = () => new Session({ store: storage.view(), refresh: server.refresher, lock: mutex.lock, now: () => NOW });
    return { storage, mutex, server, a: make(), b: make() };
  }

  for (const withWatch of [true, false]) {
    describe(withWatch ? 'with channel messages' : 'without channel messages', () => {
      it('refreshing at the same time spends the cookie exactly once; both tabs end with the same new tokens', async () => {
        const { storage, server, a, b } = twoTabs(tokens(1, -1), withWatch);
        const gate = deferred<void>();
        server.gate = gate.promise;
        const fromA = a.refresh();
        const fromB = b.refresh();
        await settle();
        expect(server.calls).toEqual(['cookie-1']); // B waits for the lock
        gate.resolve();
        const [tokensA, tokensB] = await Promise.all([fromA, fromB]);
        expect(server.calls).toEqual(['cookie-1']);
        expect(server.spent).toEqual(['cookie-1']);
        expect(tokensA).toEqual(tokens(100));
        expect(tokensB).toEqual(tokens(100));
        expect(a.tokens).toEqual(tokens(100));
        expect(b.tokens).toEqual(tokens(100));
        expect(storage.value).toEqual(tokens(100));
        expect(a.signedIn && b.signedIn).toBe(true);
      });

      it('both tabs asking for an access token at once: one refresh, same token', async () => {
        const { server, a, b } = twoTabs(tokens(1, -1), withWatch);
        const [tokenA, tokenB] = await Promise.all([a.accessToken(), b.accessToken()]);
        expect(tokenA).toBe('access-100');
        expect(tokenB).toBe('access-100');
        expect(server.calls).toEqual(['cookie-1']);
      });

      it('a tab that refreshes later, with a stale token, adopts instead of spending another rotation', async () => {
        const { server, a, b } = twoTabs(tokens(1, -1), withWatch);
        await a.refresh();
        const listener = vi.fn();
        b.subscribe(listener);
        await expect(b.accessToken()).resolves.toBe('access-100');
        expect(server.calls).toEqual(['cookie-1']);
        expect(b.signedIn).toBe(true);
        // With storage events B already had the new tokens; without, it adopts them now.
        expect(listener).toHaveBeenCalledTimes(withWatch ? 0 : 1);
      });

      it('concurrent refreshes in both tabs over several rounds never present a spent token', async () => {
        const { server, a, b } = twoTabs(tokens(1, -1), withWatch);
        for (let round = 0; round < 5; round++) {
          await Promise.all([a.refresh(), b.refresh(), a.refresh(), b.refresh()]);
          expect(a.tokens).toEqual(b.tokens);
        }
        // Five rounds: every round sees the others' tokens as stale-but-adoptable or
        // spends the current one; none presents a spent one (which would be rejected).
        expect(new Set(server.calls).size).toBe(server.calls.length);
        expect(a.signedIn && b.signedIn).toBe(true);
      });
    });
  }

  it('(the fake is faithful) without the lock, two tabs spend the same cookie and the session ends', async () => {
    const storage = new SharedStorage(tokens(1, -1));
    const server = new FakeAuthServer('cookie-1');
    const gate = deferred<void>();
    server.gate = gate.promise;
    const a = new Session({ store: storage.view(), refresh: server.refresher, now: () => NOW });
    const b = new Session({ store: storage.view(), refresh: server.refresher, now: () => NOW });
    const both = Promise.all([a.refresh(), b.refresh()]);
    await settle();
    gate.resolve();
    await both;
    expect(server.calls).toEqual(['cookie-1', 'cookie-1']);
    expect(server.valid.size).toBe(0); // the reuse revoked the family
  });

  it('two tabs loading at once: one start-up refresh, both signed in, the cookie still good', async () => {
    const storage = new SharedStorage(null, true, true);
    const mutex = makeMutex();
    const server = new FakeAuthServer('cookie-1');
    const make = () => new Session({ store: storage.view(), refresh: server.refresher, lock: mutex.lock, now: () => NOW });
    const [a, b] = [make(), make()];
    expect(a.restoring && b.restoring).toBe(true);
    const [tokenA, tokenB] = await Promise.all([a.accessToken(), b.accessToken()]);
    expect(tokenA).toBe('access-100');
    expect(tokenB).toBe('access-100');
    expect(server.calls).toEqual(['cookie-1']);
    expect(a.restoring || b.restoring).toBe(false);
    expect(server.valid.has(server.jar!)).toBe(true);
  });

  it('a sign-out in another tab while this one is restoring: no request, signed out', async () => {
    const storage = new SharedStorage(null, false, true);
    const refresh = vi.fn<Refresher>();
    const session = new Session({ store: storage.view(), refresh, now: () => NOW });
    storage.writeFromElsewhere(null);
    await expect(session.refresh()).resolves.toBeNull();
    expect(refresh).not.toHaveBeenCalled();
    expect(session.restoring).toBe(false);
  });

  it('a sign-in in another tab reaches this tab through the store watch', () => {
    const { a, b } = twoTabs(null);
    const listener = vi.fn();
    b.subscribe(listener);
    a.signIn(tokens(1));
    expect(b.tokens).toEqual(tokens(1));
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('a sign-out in another tab reaches this tab through the store watch', () => {
    const { a, b } = twoTabs(tokens(1));
    const listener = vi.fn();
    b.subscribe(listener);
    a.signOut();
    expect(b.signedIn).toBe(false);
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('a refresh in another tab reaches this tab and notifies its listeners', async () => {
    const { a, b } = twoTabs(tokens(1, -1));
    const listener = vi.fn();
    b.subscribe(listener);
    await a.refresh();
    expect(b.tokens).toEqual(tokens(100));
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('a store event that does not change the access token is ignored', () => {
    const { storage, b } = twoTabs(tokens(1));
    const listener = vi.fn();
    b.subscribe(listener);
    storage.writeFromElsewhere(tokens(1));
    expect(listener).not.toHaveBeenCalled();
  });

  it('rejected: signs both tabs out', async () => {
    const { server, a, b } = twoTabs(tokens(1, -1));
    server.valid.clear(); // the session was revoked server-side
    const listenerA = vi.fn();
    const listenerB = vi.fn();
    a.subscribe(listenerA);
    b.subscribe(listenerB);
    await expect(a.refresh()).resolves.toBeNull();
    expect(a.signedIn).toBe(false);
    expect(b.signedIn).toBe(false);
    expect(listenerA).toHaveBeenCalledTimes(1);
    expect(listenerB).toHaveBeenCalledTimes(1);
  });

  it('rejected after another tab replaced the tokens: not signed out, adopts the replacement', async () => {
    const storage = new SharedStorage(tokens(1, -1));
    const { fn, pending } = manualRefresher();
    const a = new Session({ store: storage.view(), refresh: fn, now: () => NOW });
    const listener = vi.fn();
    a.subscribe(listener);
    const result = a.refresh();
    await settle();
    // Meanwhile the user signs in afresh in another tab.
    storage.writeFromElsewhere(tokens(2));
    expect(listener).toHaveBeenCalledTimes(1);
    pending[0]!.answer.resolve({ kind: 'rejected' });
    await expect(result).resolves.toEqual(tokens(2));
    expect(a.signedIn).toBe(true);
    expect(a.tokens).toEqual(tokens(2));
    expect(storage.value).toEqual(tokens(2)); // the other tab's session survives
    expect(listener).toHaveBeenCalledTimes(1); // no sign-out notification
  });

  // Regression: after a `rejected` outcome when another tab has replaced the stored
  // tokens, refreshLocked returns `this.current`, i.e. this tab's own stale
  // (just rejected, expired) tokens, unless a store `watch` event happened to
  // update `current` first. `watch` is optional in TokenStore (and a
  // BroadcastChannel message is asynchronous, so it can arrive after the
  // refresh answer). The tab then keeps the rejected tokens in memory and
  // accessToken() hands out the expired access token instead of the
  // replacement stored by the other tab.
  it('rejected after another tab replaced the tokens, with no watch event yet: adopts the replacement', async () => {
    const storage = new SharedStorage(tokens(1, -1), false);
    const { fn, pending } = manualRefresher();
    const a = new Session({ store: storage.view(), refresh: fn, now: () => NOW });
    const token = a.accessToken();
    await settle();
    storage.writeFromElsewhere(tokens(2));
    pending[0]!.answer.resolve({ kind: 'rejected' });
    expect(await token).toBe('access-2'); // actually 'access-1', the expired token
    expect(a.tokens).toEqual(tokens(2)); // actually still tokens(1, -1)
  });

  it('rejected after another tab replaced the tokens, without watch: at least not signed out', async () => {
    const storage = new SharedStorage(tokens(1, -1), false);
    const { fn, pending } = manualRefresher();
    const a = new Session({ store: storage.view(), refresh: fn, now: () => NOW });
    const result = a.refresh();
    await settle();
    storage.writeFromElsewhere(tokens(2));
    pending[0]!.answer.resolve({ kind: 'rejected' });
    await result;
    expect(a.signedIn).toBe(true);
    expect(storage.value).toEqual(tokens(2));
  });

  // Regression: the `ok` branch overwrites whatever happened to the session while
  // the refresh request was in flight. signOut() clears the tokens before it
  // takes the lock, so a sign-out during an in-flight refresh is undone when the
  // answer arrives: the refreshed tokens are written back to the store and
  // every tab is signed in again. (The `rejected` branch guards against
  // exactly this with "only if nobody replaced it meanwhile"; `ok` does not.)
  it('signOut() during an in-flight refresh stays signed out', async () => {
    const storage = new SharedStorage(tokens(1, -1));
    const { fn, pending } = manualRefresher();
    const session = new Session({ store: storage.view(), refresh: fn, now: () => NOW });
    const result = session.refresh();
    await settle();
    session.signOut();
    pending[0]!.answer.resolve({ kind: 'ok', tokens: tokens(2) });
    await result;
    expect(session.signedIn).toBe(false); // actually true
    expect(storage.value).toBeNull(); // actually tokens(2)
  });

  it('a sign-in in another tab during an in-flight refresh is not overwritten', async () => {
    const storage = new SharedStorage(tokens('old-user', -1));
    const { fn, pending } = manualRefresher();
    const a = new Session({ store: storage.view(), refresh: fn, now: () => NOW });
    const b = new Session({ store: storage.view(), refresh: fn, now: () => NOW });
    const result = a.refresh();
    await settle();
    b.signIn(tokens('new-user'));
    pending[0]!.answer.resolve({ kind: 'ok', tokens: tokens('old-user-refreshed') });
    await result;
    expect(storage.value).toEqual(tokens('new-user')); // actually old-user-refreshed
    expect(b.tokens).toEqual(tokens('new-user'));
  });

  it('unavailable in one tab leaves both tabs signed in with the old tokens', async () => {
    const storage = new SharedStorage(tokens(1, -1));
    const refresh = vi.fn<Refresher>(async () => ({ kind: 'unavailable' }));
    const mutex = makeMutex();
    const a = new Session({ store: storage.view(), refresh, lock: mutex.lock, now: () => NOW });
    const b = new Session({ store: storage.view(), refresh, lock: mutex.lock, now: () => NOW });
    const [ra, rb] = await Promise.all([a.refresh(), b.refresh()]);
    expect(ra).toBeNull();
    expect(rb).toBeNull();
    expect(a.tokens).toEqual(tokens(1, -1));
    expect(b.tokens).toEqual(tokens(1, -1));
    expect(storage.value).toEqual(tokens(1, -1));
    // Both tried (serially); the cookie was not spent.
    expect(refresh).toHaveBeenCalledTimes(2);
  });
});

// ---------------------------------------------------------------------------
// browserTokenStore
// ---------------------------------------------------------------------------

class FakeStorage implements Storage {
  data = new Map<string, string>();
  get length() {
    return this.data.size;
  }
  clear() {
    this.data.clear();
  }
  getItem(key: string) {
    return this.data.get(key) ?? null;
  }
  key(index: number) {
    return [...this.data.keys()][index] ?? null;
  }
  removeItem(key: string) {
    this.data.delete(key);
  }
  setItem(key: string, value: string) {
    this.data.set(key, String(value));
  }
}

/** BroadcastChannels of one name in several tabs: a message reaches the others, later. */
class ChannelHub {
  private members = new Set<(event: MessageEvent) => void>();
  posted: unknown[] = [];

  join(): TabChannel {
    const own = new Set<(event: MessageEvent) => void>();
    return {
      postMessage: (message) => {
        this.posted.push(message);
        const copy = structuredClone(message);
        const others = [...this.members].filter((listener) => !own.has(listener));
        setTimeout(() => others.forEach((listener) => listener({ data: copy } as MessageEvent)), 0);
      },
      addEventListener: (_type, listener) => {
        own.add(listener);
        this.members.add(listener);
      },
    };
  }

  /** A page of this origin posting anything at all. */
  inject(data: unknown) {
    for (const listener of this.members) listener({ data } as MessageEvent);
  }
}

describe('browserTokenStore', () => {
  const KEY = 'lectern.session';

  it('never writes a token to storage: only a flag that a session may exist', () => {
    const storage = new FakeStorage();
    const store = browserTokenStore(storage, null);
    expect(store.hasSession()).toBe(false);
    storage.setItem('other', 'kept');
    store.save(tokens(1));
    expect(store.load()).toEqual(tokens(1));
    expect(store.hasSession()).toBe(true);
    expect([...storage.data]).toEqual([
      ['other', 'kept'],
      [KEY, '1'],
    ]);
    store.save(null);
    expect(store.load()).toBeNull();
    expect(store.hasSession()).toBe(false);
    expect([...storage.data]).toEqual([['other', 'kept']]);
  });

  it('a new page (a reload) starts with no tokens but knows a session may exist', () => {
    const storage = new FakeStorage();
    browserTokenStore(storage, null).save(tokens(1));
    const reloaded = browserTokenStore(storage, null);
    expect(reloaded.load()).toBeNull();
    expect(reloaded.hasSession()).toBe(true);
  });

  it('drops the tokens an earlier version kept in localStorage', () => {
    const storage = new FakeStorage();
    storage.setItem(KEY, JSON.stringify({ accessToken: 'a', accessTokenExpiresAt: at(0), refreshToken: 'r' }));
    const store = browserTokenStore(storage, null);
    expect(storage.getItem(KEY)).toBeNull();
    expect(store.hasSession()).toBe(false);
    expect(store.load()).toBeNull();
  });

  it('works when storage throws: no flag, the tokens still in memory', () => {
    const storage = new FakeStorage();
    storage.getItem = () => {
      throw new Error('SecurityError');
    };
    storage.setItem = () => {
      throw new Error('QuotaExceededError');
    };
    const store = browserTokenStore(storage, null);
    expect(store.hasSession()).toBe(false);
    store.save(tokens(1));
    expect(store.load()).toEqual(tokens(1));
  });

  describe('between tabs (BroadcastChannel)', () => {
    it('announces tokens to the other tabs, which hear them; the sender does not hear itself', async () => {
      const hub = new ChannelHub();
      const [a, b] = [browserTokenStore(new FakeStorage(), hub.join()), browserTokenStore(new FakeStorage(), hub.join())];
      const [heardA, heardB] = [vi.fn(), vi.fn()];
      a.watch!(heardA);
      b.watch!(heardB);
      a.save(tokens(1));
      expect(b.load()).toBeNull(); // messages arrive later
      await settle();
      expect(b.load()).toEqual(tokens(1));
      expect(heardB).toHaveBeenCalledTimes(1);
      expect(heardA).not.toHaveBeenCalled();
      a.save(null);
      await settle();
      expect(b.load()).toBeNull();
      expect(heardB).toHaveBeenCalledTimes(2);
      expect(hub.posted).toEqual([{ tokens: tokens(1) }, { tokens: null }]);
    });

    it('ignores messages that are not a session announcement', () => {
      const hub = new ChannelHub();
      const store = browserTokenStore(new FakeStorage(), hub.join());
      const heard = vi.fn();
      store.watch!(heard);
      store.save(tokens(1));
      for (const junk of ['hello', null, {}, { tokens: 'x' }, { tokens: { accessToken: 1, accessTokenExpiresAt: 'x' } }, { tokens: { accessToken: 'a' } }]) {
        hub.inject(junk);
      }
      expect(heard).not.toHaveBeenCalled();
      expect(store.load()).toEqual(tokens(1));
      hub.inject({ tokens: { accessToken: 'a', accessTokenExpiresAt: 'e', refreshToken: 'dropped' } });
      expect(store.load()).toEqual({ accessToken: 'a', accessTokenExpiresAt: 'e' });
    });

    it('stops calling back after unwatch', async () => {
      const hub = new ChannelHub();
      const [a, b] = [browserTokenStore(new FakeStorage(), hub.join()), browserTokenStore(new FakeStorage(), hub.join())];
      const heard = vi.fn();
      const unwatch = b.watch!(heard);
      unwatch();
      a.save(tokens(1));
      await settle();
      expect(heard).not.toHaveBeenCalled();
      expect(b.load()).toEqual(tokens(1));
    });

    it('drives a Session: another tab signing in, refreshing and signing out updates it', async () => {
      const hub = new ChannelHub();
      const storage = new FakeStorage(); // localStorage is one for the origin
      const a = new Session({ store: browserTokenStore(storage, hub.join()), refresh: vi.fn(), now: () => NOW });
      const b = new Session({ store: browserTokenStore(storage, hub.join()), refresh: vi.fn(), now: () => NOW });
      const listener = vi.fn();
      b.subscribe(listener);
      a.signIn(tokens(7));
      await settle();
      expect(b.tokens).toEqual(tokens(7));
      expect(listener).toHaveBeenCalledTimes(1);
      void a.signOut();
      await settle();
      expect(b.signedIn).toBe(false);
      expect(listener).toHaveBeenCalledTimes(2);
      expect(storage.getItem(KEY)).toBeNull();
    });

    it('a tab opened later restores from the cookie, and the tab already open takes its token', async () => {
      const hub = new ChannelHub();
      const storage = new FakeStorage();
      const server = new FakeAuthServer('cookie-1');
      const first = new Session({ store: browserTokenStore(storage, hub.join()), refresh: server.refresher, now: () => NOW });
      first.signIn(tokens(1));
      const second = new Session({ store: browserTokenStore(storage, hub.join()), refresh: server.refresher, now: () => NOW });
      expect(second.restoring).toBe(true);
      await expect(second.accessToken()).resolves.toBe('access-100');
      await settle();
      expect(first.tokens).toEqual(tokens(100));
      expect(server.calls).toEqual(['cookie-1']);
    });
  });
});

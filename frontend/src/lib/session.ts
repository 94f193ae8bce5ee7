// The signed-in session: a short-lived access token (15 minutes) kept in
// memory only, and a refresh token in an HttpOnly cookie that no script can
// read. The server sets the cookie on `/auth/session`; the browser sends it
// by itself to the refresh and sign-out endpoints. Nothing that grants access
// is ever written to storage: a reload gets a new access token from the
// cookie (`refresh()`, while `restoring`).
//
// Refreshing is the delicate part. The cookie works once: each refresh
// rotates it, and presenting a spent value signs the whole session out (the
// server takes it for a stolen copy). Every tab shares the one cookie, so
// every request that changes it (sign-in, registration, refresh, sign-out)
// runs under one Web Lock across tabs: the next is sent only after the
// previous answer has stored its cookie. Inside a tab, refreshes are single
// flight; a tab that waited for the lock first looks at what the other tabs
// announced meanwhile (a BroadcastChannel) and takes a fresh token from there
// instead of spending another rotation. A sign-out (here or in another tab)
// wins over a refresh that was in flight.

export interface Tokens {
  accessToken: string;
  /** RFC 3339. */
  accessTokenExpiresAt: string;
}

/** What the tabs share: the newest access token any of them holds, and whether a session may exist. */
export interface TokenStore {
  /** The newest tokens this tab or another one announced; null after a sign-out. */
  load(): Tokens | null;
  /** Announces this tab's tokens (null: signed out) to the others. */
  save(tokens: Tokens | null): void;
  /** Whether a cookie session may exist (signed in, not yet signed out): worth a refresh at start-up. */
  hasSession(): boolean;
  /** Calls back when another tab announces tokens or a sign-out. */
  watch?(listener: () => void): () => void;
}

/** Why a refresh did not produce tokens. */
export type RefreshOutcome =
  | { kind: 'ok'; tokens: Tokens }
  /** The server refused the cookie (or there was none): the session is over. */
  | { kind: 'rejected' }
  /** The server could not be asked (offline, 5xx, rate limited): keep the session, try later. */
  | { kind: 'unavailable' };

/** Rotates the session cookie; the browser sends and stores the cookie itself. */
export type Refresher = () => Promise<RefreshOutcome>;
export type LockRunner = <T>(name: string, run: () => Promise<T>) => Promise<T>;

/** The lock every request that changes the session cookie runs under, in every tab. */
export const SESSION_LOCK = 'lectern-session';

/** Treat an access token this close to its expiry as expired. */
export const EXPIRY_SKEW_MS = 30_000;

export function isFresh(tokens: Tokens, now: number = Date.now()): boolean {
  const expires = Date.parse(tokens.accessTokenExpiresAt);
  return Number.isFinite(expires) && expires - EXPIRY_SKEW_MS > now;
}

export interface SessionOptions {
  store: TokenStore;
  refresh: Refresher;
  /** Ends the cookie's session on the server and clears the cookie. */
  end?: () => Promise<void>;
  lock?: LockRunner;
  now?: () => number;
}

export class Session {
  private current: Tokens | null;
  /** True until the first refresh after start-up settles, when a cookie session may exist. */
  private unresolved: boolean;
  /** Counts sign-ins and sign-outs (here or announced by another tab), so a refresh sees them. */
  private epoch = 0;
  private inFlight: Promise<Tokens | null> | null = null;
  private listeners = new Set<() => void>();
  private readonly store: TokenStore;
  private readonly refresher: Refresher;
  private readonly ender: () => Promise<void>;
  private readonly lock: LockRunner;
  private readonly now: () => number;

  constructor(options: SessionOptions) {
    this.store = options.store;
    this.refresher = options.refresh;
    this.ender = options.end ?? (async () => {});
    this.lock = options.lock ?? ((_name, run) => run());
    this.now = options.now ?? Date.now;
    this.current = this.store.load();
    this.unresolved = this.current === null && this.store.hasSession();
    this.store.watch?.(() => {
      const stored = this.store.load();
      if (stored?.accessToken !== this.current?.accessToken) {
        this.epoch++;
        this.current = stored;
        this.unresolved = false;
        this.emit();
      }
    });
  }

  get tokens(): Tokens | null {
    return this.current;
  }

  get signedIn(): boolean {
    return this.current !== null;
  }

  /** Not yet known whether the cookie holds a session: the first refresh has not settled. */
  get restoring(): boolean {
    return this.unresolved;
  }

  /** After a sign-in or registration that set the cookie: the new session's tokens. */
  signIn(tokens: Tokens): void {
    this.epoch++;
    this.set(tokens);
  }

  /**
   * Sends a request that starts a session (sign-in, registration) under the
   * lock, so it never crosses a refresh in another tab, and signs in with the
   * tokens `tokensOf` finds in its answer.
   */
  async signInWith<R>(request: () => Promise<R>, tokensOf: (result: R) => Tokens | null): Promise<R> {
    const result = await this.lock(SESSION_LOCK, request);
    const tokens = tokensOf(result);
    if (tokens) this.signIn(tokens);
    return result;
  }

  /**
   * Signs out at once (this tab and the others), then ends the session on the
   * server and clears the cookie, after any refresh already in flight.
   */
  async signOut(): Promise<void> {
    this.epoch++;
    this.set(null);
    await this.lock(SESSION_LOCK, this.ender);
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A usable access token: the current one while fresh, else a refreshed one. */
  async accessToken(): Promise<string | null> {
    if (!this.current && !this.unresolved) return null;
    if (this.current && isFresh(this.current, this.now())) return this.current.accessToken;
    const tokens = await this.refresh();
    return tokens?.accessToken ?? null;
  }

  /**
   * Trades the cookie for a new access token (and a rotated cookie).
   * Concurrent calls share one request; `null` means there is no session (any
   * more) or the server could not be reached.
   */
  refresh(): Promise<Tokens | null> {
    if (!this.inFlight) {
      const spent = this.current?.accessToken ?? null;
      const epoch = this.epoch;
      this.inFlight = this.lock(SESSION_LOCK, () => this.refreshLocked(spent, epoch)).finally(() => {
        this.inFlight = null;
        this.resolved();
      });
    }
    return this.inFlight;
  }

  private async refreshLocked(spent: string | null, epoch: number): Promise<Tokens | null> {
    // Another tab may have refreshed, signed in or signed out while this one waited for the lock.
    const stored = this.store.load();
    if (!stored && !this.store.hasSession()) {
      if (this.current) this.set(null);
      return null;
    }
    if (stored && stored.accessToken !== spent) {
      this.take(stored);
      if (isFresh(stored, this.now())) return stored;
    }
    const outcome = await this.refresher();
    // A sign-out, or a sign-in (here or in another tab), while the request
    // was out wins over its answer.
    const now = this.store.load();
    const replaced =
      this.epoch !== epoch ||
      now?.accessToken !== stored?.accessToken ||
      this.current?.accessToken !== stored?.accessToken;
    switch (outcome.kind) {
      case 'ok':
        if (replaced) return this.adopt(now);
        this.set(outcome.tokens);
        return outcome.tokens;
      case 'rejected':
        if (replaced) return this.adopt(now);
        this.set(null);
        return null;
      case 'unavailable':
        return null;
    }
  }

  /** Takes what the tabs share now (another tab's session, or none). */
  private adopt(stored: Tokens | null): Tokens | null {
    this.take(stored);
    return stored && isFresh(stored, this.now()) ? stored : null;
  }

  /** This tab's tokens become `tokens`, which the other tabs already know. */
  private take(tokens: Tokens | null): void {
    if (tokens?.accessToken !== this.current?.accessToken) {
      this.current = tokens;
      this.unresolved = false;
      this.emit();
    }
  }

  /** This tab's tokens become `tokens`, announced to the other tabs. */
  private set(tokens: Tokens | null): void {
    const changed = tokens?.accessToken !== this.current?.accessToken || this.unresolved;
    this.current = tokens;
    this.unresolved = false;
    this.store.save(tokens);
    if (changed) this.emit();
  }

  /** The start-up refresh settled, whatever its outcome. */
  private resolved(): void {
    if (this.unresolved) {
      this.unresolved = false;
      this.emit();
    }
  }

  private emit(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

/** Whether a cookie session may exist. Not a secret: a flag, never a token. */
const SESSION_FLAG_KEY = 'lectern.session';
const CHANNEL_NAME = 'lectern-session';

/** The part of BroadcastChannel the store uses. */
export interface TabChannel {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
}

function tokensFrom(message: unknown): Tokens | null | undefined {
  if (typeof message !== 'object' || message === null || !('tokens' in message)) return undefined;
  const tokens = (message as { tokens: unknown }).tokens;
  if (tokens === null) return null;
  if (typeof tokens !== 'object') return undefined;
  const { accessToken, accessTokenExpiresAt } = tokens as Partial<Record<keyof Tokens, unknown>>;
  if (typeof accessToken !== 'string' || typeof accessTokenExpiresAt !== 'string') return undefined;
  return { accessToken, accessTokenExpiresAt };
}

/**
 * The browser's store: tokens in this tab's memory, shared with the other
 * tabs over a BroadcastChannel (which only this origin's pages hear), and
 * the "a session may exist" flag in localStorage so a reload knows whether
 * to ask the cookie.
 */
export function browserTokenStore(
  storage: Storage = window.localStorage,
  channel: TabChannel | null = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel(CHANNEL_NAME),
): TokenStore {
  let latest: Tokens | null = null;
  const listeners = new Set<() => void>();
  try {
    // Earlier versions kept the tokens themselves under this key: drop them.
    if (storage.getItem(SESSION_FLAG_KEY) !== null && storage.getItem(SESSION_FLAG_KEY) !== '1') {
      storage.removeItem(SESSION_FLAG_KEY);
    }
  } catch {
    // Storage forbidden: every start-up is then signed out until a sign-in.
  }
  channel?.addEventListener('message', (event) => {
    const tokens = tokensFrom(event.data);
    if (tokens === undefined) return;
    latest = tokens;
    for (const listener of [...listeners]) listener();
  });
  return {
    load: () => latest,
    save(tokens) {
      latest = tokens;
      try {
        if (tokens) storage.setItem(SESSION_FLAG_KEY, '1');
        else storage.removeItem(SESSION_FLAG_KEY);
      } catch {
        // Storage full or forbidden: the session still works in this tab until a reload.
      }
      channel?.postMessage({ tokens });
    },
    hasSession() {
      try {
        return storage.getItem(SESSION_FLAG_KEY) === '1';
      } catch {
        return false;
      }
    },
    watch(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** Web Locks when the browser has them (all current ones), else none. */
export const browserLock: LockRunner = (name, run) =>
  typeof navigator !== 'undefined' && navigator.locks
    ? (navigator.locks.request(name, run) as ReturnType<typeof run>)
    : run();

/** The user id (`sub`) an access token was issued to, or null if unreadable. */
export function subjectOf(accessToken: string | undefined | null): string | null {
  const payload = accessToken?.split('.')[1];
  if (!payload) return null;
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const sub = (JSON.parse(json) as { sub?: unknown }).sub;
    return typeof sub === 'string' ? sub : null;
  } catch {
    return null;
  }
}

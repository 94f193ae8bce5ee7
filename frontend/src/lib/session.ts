// The signed-in session: an access token (15 minutes) and a single-use
// refresh token, kept in localStorage so every tab shares them.
//
// Refreshing is the delicate part. A refresh token works once; presenting a
// used one signs the whole session out (the server takes it for a stolen
// token). So refreshes are single-flight inside a tab, serialised across tabs
// with a Web Lock, and a tab that waited re-reads the store first: if another
// tab already refreshed, it adopts those tokens instead of spending its stale
// refresh token.

export interface Tokens {
  accessToken: string;
  /** RFC 3339. */
  accessTokenExpiresAt: string;
  refreshToken: string;
}

export interface TokenStore {
  load(): Tokens | null;
  save(tokens: Tokens | null): void;
  /** Calls back when another tab changes the stored tokens. */
  watch?(listener: () => void): () => void;
}

/** Why a refresh did not produce tokens. */
export type RefreshOutcome =
  | { kind: 'ok'; tokens: Tokens }
  /** The server refused the refresh token: the session is over. */
  | { kind: 'rejected' }
  /** The server could not be asked (offline, 5xx): keep the tokens, try later. */
  | { kind: 'unavailable' };

export type Refresher = (refreshToken: string) => Promise<RefreshOutcome>;
export type LockRunner = <T>(name: string, run: () => Promise<T>) => Promise<T>;

/** Treat an access token this close to its expiry as expired. */
export const EXPIRY_SKEW_MS = 30_000;

export function isFresh(tokens: Tokens, now: number = Date.now()): boolean {
  const expires = Date.parse(tokens.accessTokenExpiresAt);
  return Number.isFinite(expires) && expires - EXPIRY_SKEW_MS > now;
}

export interface SessionOptions {
  store: TokenStore;
  refresh: Refresher;
  lock?: LockRunner;
  now?: () => number;
}

export class Session {
  private current: Tokens | null;
  private inFlight: Promise<Tokens | null> | null = null;
  private listeners = new Set<() => void>();
  private readonly store: TokenStore;
  private readonly refresher: Refresher;
  private readonly lock: LockRunner;
  private readonly now: () => number;

  constructor(options: SessionOptions) {
    this.store = options.store;
    this.refresher = options.refresh;
    this.lock = options.lock ?? ((_name, run) => run());
    this.now = options.now ?? Date.now;
    this.current = this.store.load();
    this.store.watch?.(() => {
      const stored = this.store.load();
      if (stored?.refreshToken !== this.current?.refreshToken) {
        this.current = stored;
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

  /** After register, login or a password reset: a new session. */
  signIn(tokens: Tokens): void {
    this.set(tokens);
  }

  /** After logout, or when the server ends the session. */
  signOut(): void {
    this.set(null);
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A usable access token: the current one while fresh, else a refreshed one. */
  async accessToken(): Promise<string | null> {
    if (!this.current) return null;
    if (isFresh(this.current, this.now())) return this.current.accessToken;
    const tokens = await this.refresh();
    return tokens?.accessToken ?? null;
  }

  /**
   * Exchanges the refresh token for a new pair. Concurrent calls share one
   * request; `null` means there is no session (any more) or the server could
   * not be reached.
   */
  refresh(): Promise<Tokens | null> {
    if (!this.inFlight) {
      const spent = this.current?.refreshToken ?? null;
      this.inFlight = this.lock('lectern-token-refresh', () => this.refreshLocked(spent)).finally(() => {
        this.inFlight = null;
      });
    }
    return this.inFlight;
  }

  private async refreshLocked(spent: string | null): Promise<Tokens | null> {
    // Another tab may have refreshed while this one waited for the lock.
    const stored = this.store.load();
    if (!stored) {
      if (this.current) this.set(null);
      return null;
    }
    if (stored.refreshToken !== spent) {
      this.set(stored);
      if (isFresh(stored, this.now())) return stored;
    }
    const outcome = await this.refresher(stored.refreshToken);
    // A sign-out, or a sign-in (here or in another tab), while the request
    // was out wins over its answer.
    const now = this.store.load();
    const replaced = now?.refreshToken !== stored.refreshToken || this.current?.refreshToken !== stored.refreshToken;
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

  /** Takes what the store holds now (another tab's session, or none). */
  private adopt(stored: Tokens | null): Tokens | null {
    if (stored?.refreshToken !== this.current?.refreshToken) {
      this.current = stored;
      this.emit();
    }
    return stored && isFresh(stored, this.now()) ? stored : null;
  }

  private set(tokens: Tokens | null): void {
    const changed = tokens?.refreshToken !== this.current?.refreshToken;
    this.current = tokens;
    this.store.save(tokens);
    if (changed) this.emit();
  }

  private emit(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

const STORAGE_KEY = 'lectern.session';

/** The browser's store: localStorage, with the `storage` event for other tabs. */
export function browserTokenStore(storage: Storage = window.localStorage): TokenStore {
  return {
    load() {
      try {
        const raw = storage.getItem(STORAGE_KEY);
        if (!raw) return null;
        const value = JSON.parse(raw) as Partial<Tokens>;
        if (typeof value.accessToken !== 'string' || typeof value.refreshToken !== 'string') return null;
        return {
          accessToken: value.accessToken,
          refreshToken: value.refreshToken,
          accessTokenExpiresAt: String(value.accessTokenExpiresAt ?? ''),
        };
      } catch {
        return null;
      }
    },
    save(tokens) {
      try {
        if (tokens) storage.setItem(STORAGE_KEY, JSON.stringify(tokens));
        else storage.removeItem(STORAGE_KEY);
      } catch {
        // Storage full or forbidden: the session still lives in memory for this tab.
      }
    },
    watch(listener) {
      const onStorage = (event: StorageEvent) => {
        if (event.key === STORAGE_KEY || event.key === null) listener();
      };
      window.addEventListener('storage', onStorage);
      return () => window.removeEventListener('storage', onStorage);
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

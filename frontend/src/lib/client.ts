// The GraphQL client: urql with graphcache (normalised by `__typename` + `id`,
// schema-aware through the generated introspection), transparent token
// refresh with one retry on UNAUTHENTICATED, operations sent by hash
// (persisted.ts), and subscriptions over graphql-ws on `/graphql/ws`; and the
// cookie session endpoints under `/auth` that sign in, refresh and sign out.
//
// A new client (and so a new cache and a new socket) is made whenever the
// signed-in user changes, so nothing one viewer saw leaks to the next.

import { authExchange, type AuthConfig } from '@urql/exchange-auth';
import { cacheExchange, type Cache, type Data } from '@urql/exchange-graphcache';
import { relayPagination } from '@urql/exchange-graphcache/extras';
import { Client, CombinedError, fetchExchange, subscriptionExchange, type Operation } from '@urql/core';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';

import schema from '../gql/introspection';
import { documentText, lecternPersistedExchange, manifestTextFetch } from './persisted';
import { EXPIRY_SKEW_MS, type RefreshOutcome, type Refresher, type Session, type Tokens } from './session';

export const GRAPHQL_PATH = '/graphql';

export function wsUrl(location: Location = window.location): string {
  const protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${protocol}//${location.host}${GRAPHQL_PATH}/ws`;
}

/** The web app's cookie session endpoints (the server's src/http/auth.rs). */
export const AUTH_PATHS = {
  signIn: '/auth/session',
  signOut: '/auth/session',
  refresh: '/auth/session/refresh',
  register: '/auth/register',
} as const;

/** What the server asks of every cookie session request, so no other site can send one. */
const AUTH_HEADERS = { 'Content-Type': 'application/json', 'X-Lectern-CSRF': '1' };

/** A sign-in or registration: the new session's tokens, or why not (in the shape forms read). */
export type AuthAnswer = { tokens: Tokens; userId: string } | { error: CombinedError };

export interface RegisterInput {
  email: string;
  password: string;
  displayName: string;
  /** The code of the referral link the reader came with, if any. */
  referralCode?: string;
}

interface SessionBody {
  accessToken?: unknown;
  accessTokenExpiresAt?: unknown;
  user?: { id?: unknown };
  errors?: GraphQLErrorLike[];
}
type GraphQLErrorLike = { message: string; extensions?: Record<string, unknown> };

function tokensIn(body: SessionBody | null): Tokens | null {
  if (typeof body?.accessToken !== 'string' || typeof body.accessTokenExpiresAt !== 'string') return null;
  return { accessToken: body.accessToken, accessTokenExpiresAt: body.accessTokenExpiresAt };
}

async function bodyOf(response: Response): Promise<SessionBody | null> {
  try {
    return (await response.json()) as SessionBody;
  } catch {
    return null;
  }
}

/**
 * The requests that read or set the session cookie. The refresh token never
 * passes through here: the browser keeps the cookie and sends it itself.
 */
export function sessionEndpoints(base: string = '', fetchFn: typeof fetch = (...args) => fetch(...args)) {
  const send = (method: 'POST' | 'DELETE', path: string, body: unknown = {}) =>
    fetchFn(`${base}${path}`, {
      method,
      headers: AUTH_HEADERS,
      body: JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });

  async function start(path: string, input: unknown): Promise<AuthAnswer> {
    let response: Response;
    try {
      response = await send('POST', path, input);
    } catch (error) {
      return { error: new CombinedError({ networkError: error instanceof Error ? error : new Error(String(error)) }) };
    }
    const body = await bodyOf(response);
    const tokens = tokensIn(body);
    if (response.ok && tokens && typeof body?.user?.id === 'string') return { tokens, userId: body.user.id };
    if (body?.errors?.length) return { error: new CombinedError({ graphQLErrors: body.errors, response }) };
    return { error: new CombinedError({ networkError: new Error(`HTTP ${response.status}`), response }) };
  }

  return {
    signIn: (email: string, password: string) => start(AUTH_PATHS.signIn, { email, password }),
    register: (input: RegisterInput) => start(AUTH_PATHS.register, input),
    async refresh(): Promise<RefreshOutcome> {
      try {
        const response = await send('POST', AUTH_PATHS.refresh);
        if (response.status === 401) return { kind: 'rejected' };
        const tokens = response.ok ? tokensIn(await bodyOf(response)) : null;
        return tokens ? { kind: 'ok', tokens } : { kind: 'unavailable' };
      } catch {
        return { kind: 'unavailable' };
      }
    },
    async signOut(): Promise<void> {
      try {
        await send('DELETE', AUTH_PATHS.signOut);
      } catch {
        // Offline: this tab is signed out anyway; the cookie's session ends at its expiry.
      }
    },
  };
}

/** The refresher the session uses: the cookie endpoint, outside the auth exchange. */
export function makeRefresher(base?: string, fetchFn?: typeof fetch): Refresher {
  return sessionEndpoints(base, fetchFn).refresh;
}

/** The bearer token an operation was sent with, or null when it went without one. */
function bearerOf(operation: Operation): string | null {
  const options =
    typeof operation.context.fetchOptions === 'function'
      ? operation.context.fetchOptions()
      : operation.context.fetchOptions;
  const headers = options?.headers;
  if (!headers) return null;
  let value: string | null | undefined;
  if (headers instanceof Headers) value = headers.get('Authorization');
  else if (Array.isArray(headers)) value = headers.find(([key]) => key.toLowerCase() === 'authorization')?.[1];
  else value = Object.entries(headers).find(([key]) => key.toLowerCase() === 'authorization')?.[1];
  return value ? value.replace(/^Bearer\s+/i, '') : null;
}

/** Whether an error means the access token was not accepted. */
export function isAuthError(error: CombinedError): boolean {
  return (
    error.response?.status === 401 ||
    error.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED')
  );
}

/**
 * The auth exchange's behaviour: add the bearer token; refresh before sending
 * when it has expired; after an UNAUTHENTICATED answer to a request that
 * carried a token, refresh and retry that request once (the exchange retries
 * each operation at most once). Requests sent without a token (a wrong
 * password at login, say) are never retried.
 */
export function authConfig(session: Session) {
  // The token of the last request the server refused: a refusal that arrives
  // after the token was already replaced needs no second refresh.
  let refused: string | null = null;
  return async (utils: { appendHeaders: (op: Operation, headers: Record<string, string>) => Operation }): Promise<AuthConfig> => ({
    addAuthToOperation(operation) {
      const tokens = session.tokens;
      return tokens ? utils.appendHeaders(operation, { Authorization: `Bearer ${tokens.accessToken}` }) : operation;
    },
    willAuthError() {
      // Wait for the start-up refresh; refresh first only when the token has surely expired
      // (an unreadable expiry is left to the server, whose 401 then triggers the refresh).
      if (session.restoring) return true;
      const tokens = session.tokens;
      return tokens !== null && Date.parse(tokens.accessTokenExpiresAt) - EXPIRY_SKEW_MS <= Date.now();
    },
    didAuthError(error, operation) {
      const token = bearerOf(operation);
      if (token === null || !isAuthError(error)) return false;
      refused = token;
      return true;
    },
    async refreshAuth() {
      if (refused !== null && session.tokens && session.tokens.accessToken !== refused) return;
      await session.refresh();
    },
  });
}

/** Types without an `id` are embedded in their parent, not normalised. */
function embeddedKeys(): Record<string, () => null> {
  const keys: Record<string, () => null> = {};
  for (const type of schema.__schema.types) {
    if (type.kind !== 'OBJECT' || type.name.startsWith('__')) continue;
    if (['QueryRoot', 'MutationRoot', 'SubscriptionRoot'].includes(type.name)) continue;
    const fields = 'fields' in type ? (type.fields as readonly { name: string }[]) : [];
    if (!fields.some((field) => field.name === 'id')) keys[type.name] = () => null;
  }
  return keys;
}

function invalidateField(cache: Cache, entity: string, fieldName: string) {
  for (const field of cache.inspectFields(entity)) {
    if (field.fieldName === fieldName) cache.invalidate(entity, field.fieldKey);
  }
}

const invalidateNotifications = (_result: unknown, _args: unknown, cache: Cache) => {
  invalidateField(cache, 'QueryRoot', 'notifications');
  invalidateField(cache, 'QueryRoot', 'unreadNotificationCount');
};
/** The viewer's level, XP, streak, badges and latest awards, which follow from what they do. */
const STANDING_FIELDS = ['level', 'xp', 'levelProgress', 'streak', 'badges', 'recentActivity'];

/**
 * Something that may have earned the viewer XP or a streak day (a finished
 * post, a comment, a new time zone, a level-up or badge arriving live): their
 * standing is read again, wherever it shows (the header chip, the profile).
 */
export function invalidateStanding(cache: Cache) {
  const me = cache.resolve('QueryRoot', 'me');
  if (typeof me === 'string') for (const field of STANDING_FIELDS) invalidateField(cache, me, field);
  invalidateField(cache, 'QueryRoot', 'leaderboard');
}

const standingChanged = (_result: unknown, _args: unknown, cache: Cache) => invalidateStanding(cache);
/** A read recorded: the standing, and the learning dashboard's figures and history. */
const readingChanged = (_result: unknown, _args: unknown, cache: Cache) => {
  invalidateStanding(cache);
  invalidateField(cache, 'QueryRoot', 'learningStats');
  invalidateField(cache, 'QueryRoot', 'readingHistory');
};

/** A referral code entered: who referred the viewer (and that no code can be entered any more) is read again. */
const referralApplied = (_result: unknown, _args: unknown, cache: Cache) => {
  const me = cache.resolve('QueryRoot', 'me');
  if (typeof me === 'string') invalidateField(cache, me, 'referral');
};

/** A live notification: the bell's count and list, and the standing when it is a level-up or a badge. */
export const onLiveNotification = (result: Record<string, unknown>, args: unknown, cache: Cache) => {
  invalidateNotifications(result, args, cache);
  const kind = (result.notifications as { kind?: unknown } | null | undefined)?.kind;
  if (kind === 'LEVEL_UP' || kind === 'BADGE_EARNED') invalidateStanding(cache);
  if (kind === 'CERTIFICATE_ISSUED') invalidateField(cache, 'QueryRoot', 'myCertificates');
};

/**
 * The viewer's review cards changed (added, removed, graded): the queue, the
 * nav's due count, the card list and the statistics are read again. A graded
 * card may also have earned XP or a streak day.
 */
export const reviewsChanged = (_result: unknown, _args: unknown, cache: Cache) => {
  for (const field of ['reviewQueue', 'reviewCards', 'reviewStats']) invalidateField(cache, 'QueryRoot', field);
};
const cardReviewed = (result: unknown, args: unknown, cache: Cache) => {
  reviewsChanged(result, args, cache);
  invalidateStanding(cache);
};
/** A removed card: gone from its post (`viewerReviewCard`) as well as from the lists. */
export const cardRemoved = (result: Record<string, unknown>, args: { cardId?: unknown }, cache: Cache) => {
  reviewsChanged(result, args, cache);
  if (result.removeFromReview !== true || typeof args.cardId !== 'string') return;
  const card = cache.keyOfEntity({ __typename: 'ReviewCard', id: args.cardId });
  const post = card ? cache.resolve(card, 'post') : null;
  if (typeof post === 'string') cache.link(post, 'viewerReviewCard', null);
};
/** A new note or a changed one: the notes page's lists (searches included) are read again. */
export const notesChanged = (_result: unknown, _args: unknown, cache: Cache) => {
  invalidateField(cache, 'QueryRoot', 'studyNotes');
  invalidateField(cache, 'QueryRoot', 'studyNotesMarkdown');
};
/** A deleted note leaves its post's `viewerNotes` at once, and the notes lists. */
export const noteDeleted = (result: Record<string, unknown>, args: { id?: unknown }, cache: Cache) => {
  notesChanged(result, args, cache);
  if (typeof result.deleteStudyNote !== 'string') return;
  const note = cache.keyOfEntity({ __typename: 'StudyNote', id: result.deleteStudyNote });
  const post = note ? cache.resolve(note, 'post') : null;
  if (typeof post !== 'string') return;
  const notes = cache.resolve(post, 'viewerNotes');
  if (Array.isArray(notes)) cache.link(post, 'viewerNotes', notes.filter((key) => key !== note) as string[]);
};

const invalidatePosts = (_result: unknown, _args: unknown, cache: Cache) => {
  invalidateField(cache, 'QueryRoot', 'posts');
  invalidateField(cache, 'QueryRoot', 'search');
};
const invalidateBookmarks = (_result: unknown, _args: unknown, cache: Cache) => {
  invalidateField(cache, 'QueryRoot', 'bookmarks');
};
/** An admin changed someone's plan: the lists and the figures are stale. */
const invalidateBilling = (_result: unknown, _args: unknown, cache: Cache) => {
  invalidateField(cache, 'QueryRoot', 'subscriptions');
  invalidateField(cache, 'QueryRoot', 'billingOverview');
};
/**
 * The viewer's subscription changed (a live `billingChanged` event, or a
 * cancel/resume answer): it becomes `me.subscription` (null removes it), and
 * what follows from it (premium access, payments, locked posts) is fetched anew.
 */
export const linkViewerSubscription =
  (field: string) =>
  (result: Record<string, unknown>, _args: unknown, cache: Cache) => {
    const me = cache.resolve('QueryRoot', 'me');
    if (typeof me !== 'string') return;
    const sub = result[field] as Data | null | undefined;
    if (sub === undefined) return;
    cache.link(me, 'subscription', sub ? (cache.keyOfEntity(sub) ?? null) : null);
    cache.invalidate(me, 'hasPremiumAccess');
    invalidateField(cache, me, 'payments');
    invalidateField(cache, 'QueryRoot', 'post');
  };

export interface LecternClient {
  client: Client;
  dispose(): void;
}

export function createLecternClient(session: Session, url: string = GRAPHQL_PATH): LecternClient {
  const ws: WsClient = createWsClient({
    url: wsUrl(),
    lazy: true,
    // Ask for a fresh token on every (re)connect: the socket authenticates once, at init.
    connectionParams: async () => {
      const token = await session.accessToken();
      return token ? { Authorization: `Bearer ${token}` } : {};
    },
    retryAttempts: Infinity,
    shouldRetry: () => true,
  });

  const client = new Client({
    url,
    requestPolicy: 'cache-and-network',
    fetch: manifestTextFetch(),
    exchanges: [
      cacheExchange({
        schema,
        keys: embeddedKeys(),
        // Pages of a connection merge into one list: infinite scroll only moves `after`.
        // Not `Post.thread`/`commentThread`: a post's discussion keeps its pages in the
        // Comments component's state, where live comments are placed inside them
        // (see components/Comments.tsx).
        resolvers: {
          QueryRoot: {
            posts: relayPagination(),
            bookmarks: relayPagination(),
            notifications: relayPagination(),
            seriesList: relayPagination(),
            subscriptions: relayPagination(),
            payments: relayPagination(),
            referrals: relayPagination(),
            studyNotes: relayPagination(),
            readingHistory: relayPagination(),
            myCertificates: relayPagination(),
          },
          Tag: { posts: relayPagination() },
          User: { payments: relayPagination() },
        },
        updates: {
          MutationRoot: {
            bookmarkPost: invalidateBookmarks,
            unbookmarkPost: invalidateBookmarks,
            createPost: invalidatePosts,
            updatePost: invalidatePosts,
            publishPost: invalidatePosts,
            unpublishPost: invalidatePosts,
            schedulePost: invalidatePosts,
            deletePost: invalidatePosts,
            markNotificationsRead: invalidateNotifications,
            markAllNotificationsRead: invalidateNotifications,
            dismissNotification: invalidateNotifications,
            cancelSubscription: linkViewerSubscription('cancelSubscription'),
            resumeSubscription: linkViewerSubscription('resumeSubscription'),
            grantComplimentaryPlan: invalidateBilling,
            revokeComplimentaryPlan: invalidateBilling,
            markPostRead: readingChanged,
            applyReferralCode: referralApplied,
            addToReview: reviewsChanged,
            removeFromReview: cardRemoved,
            reviewCard: cardReviewed,
            createStudyNote: notesChanged,
            updateStudyNote: notesChanged,
            deleteStudyNote: noteDeleted,
            addComment: standingChanged,
            updateProfile: standingChanged,
          },
          SubscriptionRoot: {
            notifications: onLiveNotification,
            billingChanged: linkViewerSubscription('billingChanged'),
          },
        },
      }),
      authExchange(authConfig(session)),
      lecternPersistedExchange(),
      fetchExchange,
      subscriptionExchange({
        enableAllOperations: false,
        forwardSubscription(request, operation) {
          // The manifest's text, so a trusted-only server recognises the web app's subscriptions.
          const input = { ...request, query: documentText(operation.query, request.query ?? '') };
          return {
            subscribe(sink) {
              const unsubscribe = ws.subscribe(input, sink);
              return { unsubscribe };
            },
          };
        },
      }),
    ],
  });

  return {
    client,
    dispose: () => void ws.dispose(),
  };
}

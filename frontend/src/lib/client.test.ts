import { authExchange } from '@urql/exchange-auth';
import { Client, CombinedError, createRequest, fetchExchange, gql, makeOperation, type Operation } from '@urql/core';
import { describe, expect, it, vi } from 'vitest';

import type { Cache } from '@urql/exchange-graphcache';

import { AUTH_PATHS, GRAPHQL_PATH, authConfig, cardRemoved, isAuthError, makeRefresher, noteDeleted, onLiveNotification, sessionEndpoints, wsUrl } from './client';
import { formErrors } from './errors';
import { Session, type RefreshOutcome, type Refresher, type TokenStore, type Tokens } from './session';

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

const GRAPHQL_RESPONSE = 'application/graphql-response+json; charset=utf-8';

function respond(status: number, body: unknown, contentType = GRAPHQL_RESPONSE): Response {
  return new Response(typeof body === 'string' ? body : JSON.stringify(body), {
    status,
    headers: { 'content-type': contentType },
  });
}

/** What the server answers (HTTP 401) to a bad Authorization header, before GraphQL runs. */
const invalidToken = () =>
  respond(401, { errors: [{ message: 'Invalid token', extensions: { code: 'UNAUTHENTICATED' } }] });

const minutes = (n: number) => new Date(Date.now() + n * 60_000).toISOString();

function tokens(name: string, expiresAt = minutes(15)): Tokens {
  return { accessToken: `access-${name}`, accessTokenExpiresAt: expiresAt };
}

/** One tab's store; `flag`: a cookie session may exist (after a reload, before the start-up refresh). */
function memoryStore(initial: Tokens | null, flag = initial !== null): TokenStore & { value: Tokens | null } {
  const store = {
    value: initial,
    flag,
    load: () => store.value,
    save: (next: Tokens | null) => {
      store.value = next;
      store.flag = next !== null;
    },
    hasSession: () => store.flag,
  };
  return store;
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((res) => (resolve = res));
  return { promise, resolve };
}

const settle = (ms = 0) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The operation of a request: urql sends queries as GET (within the URL limit), mutations as POST. */
function requestBody(input: Parameters<typeof fetch>[0], init?: RequestInit) {
  if (init?.body !== undefined && init.body !== null) {
    return JSON.parse(String(init.body)) as { query: string; variables?: Record<string, unknown> };
  }
  const params = new URL(String(input)).searchParams;
  const variables = params.get('variables');
  return {
    query: params.get('query') ?? '',
    variables: variables ? (JSON.parse(variables) as Record<string, unknown>) : undefined,
  };
}

interface SeenRequest {
  url: string;
  authorization: string | null;
  query: string;
  variables: Record<string, unknown> | undefined;
}

/**
 * A fake Lectern: accepts the access tokens in `valid`; any other bearer
 * token gets the 401 answer. `login` with any password is refused the way
 * the server refuses a wrong password (HTTP 200, UNAUTHENTICATED).
 */
function fakeServer(valid: string[]) {
  const accepted = new Set(valid);
  const seen: SeenRequest[] = [];
  const fetchFn = vi.fn<typeof fetch>(async (input, init) => {
    const headers = new Headers(init?.headers);
    const body = requestBody(input, init);
    const authorization = headers.get('authorization');
    seen.push({ url: String(input), authorization, query: body.query, variables: body.variables });
    if (authorization !== null) {
      const token = authorization.replace(/^Bearer /, '');
      if (!accepted.has(token)) return invalidToken();
    }
    if (/\blogin\b/.test(body.query)) {
      return respond(200, {
        data: null,
        errors: [{ message: 'Wrong email or password', path: ['login'], extensions: { code: 'UNAUTHENTICATED' } }],
      });
    }
    if (/\bforbidden\b/.test(body.query)) {
      return respond(200, {
        data: { forbidden: null },
        errors: [{ message: 'You are not allowed to do this', path: ['forbidden'], extensions: { code: 'FORBIDDEN' } }],
      });
    }
    const viewer = authorization ? authorization.replace(/^Bearer access-/, '') : null;
    return respond(200, { data: { viewer } });
  });
  return { fetchFn, seen, accepted };
}

const ViewerQuery = gql`
  query Viewer {
    viewer
  }
`;
const LoginMutation = gql`
  mutation Login($email: String!, $password: String!) {
    login(email: $email, password: $password)
  }
`;
const ForbiddenQuery = gql`
  query Forbidden {
    forbidden
  }
`;

/** A refresher that rotates to `next` (and teaches the server to accept it). */
function rotatingRefresher(server: ReturnType<typeof fakeServer>, next: Tokens, accept = true) {
  return vi.fn<Refresher>(async () => {
    if (accept) server.accepted.add(next.accessToken);
    return { kind: 'ok', tokens: next };
  });
}

function authClient(session: Session, fetchFn: typeof fetch) {
  return new Client({
    url: 'http://lectern.test/graphql',
    exchanges: [authExchange(authConfig(session)), fetchExchange],
    fetch: fetchFn,
    requestPolicy: 'network-only',
  });
}

// ---------------------------------------------------------------------------
// isAuthError
// ---------------------------------------------------------------------------

describe('isAuthError', () => {
  it('is true for an UNAUTHENTICATED GraphQL error', () => {
    const error = new CombinedError({
      graphQLErrors: [{ message: 'Invalid token', extensions: { code: 'UNAUTHENTICATED' } }],
    });
    expect(isAuthError(error)).toBe(true);
  });

  it('is true when any of several errors is UNAUTHENTICATED', () => {
    const error = new CombinedError({
      graphQLErrors: [
        { message: 'no', extensions: { code: 'NOT_FOUND' } },
        { message: 'Invalid token', extensions: { code: 'UNAUTHENTICATED' } },
      ],
    });
    expect(isAuthError(error)).toBe(true);
  });

  it('is true for an HTTP 401 even without a GraphQL body', () => {
    const error = new CombinedError({
      networkError: new Error('Unauthorized'),
      response: new Response('', { status: 401 }),
    });
    expect(isAuthError(error)).toBe(true);
  });

  it('is false for other codes, other statuses and network failures', () => {
    expect(isAuthError(new CombinedError({ graphQLErrors: [{ message: 'x', extensions: { code: 'FORBIDDEN' } }] }))).toBe(false);
    expect(isAuthError(new CombinedError({ graphQLErrors: ['plain message'] }))).toBe(false);
    expect(isAuthError(new CombinedError({ networkError: new TypeError('fetch failed') }))).toBe(false);
    expect(
      isAuthError(new CombinedError({ networkError: new Error('x'), response: new Response('', { status: 403 }) })),
    ).toBe(false);
    expect(
      isAuthError(new CombinedError({ networkError: new Error('x'), response: new Response('', { status: 500 }) })),
    ).toBe(false);
  });
});

// ---------------------------------------------------------------------------
// authConfig, called directly
// ---------------------------------------------------------------------------

describe('authConfig (its callbacks)', () => {
  const appendHeaders = (op: Operation, headers: Record<string, string>) => {
    const current = typeof op.context.fetchOptions === 'function' ? op.context.fetchOptions() : op.context.fetchOptions;
    return makeOperation(op.kind, op, {
      ...op.context,
      fetchOptions: { ...current, headers: { ...(current?.headers as Record<string, string>), ...headers } },
    });
  };
  const client = new Client({ url: 'http://lectern.test/graphql', exchanges: [] });
  const operation = (fetchOptions?: Operation['context']['fetchOptions']) =>
    client.createRequestOperation('query', createRequest(ViewerQuery, {}), fetchOptions ? { fetchOptions } : {});
  const unauthenticated = new CombinedError({
    graphQLErrors: [{ message: 'Invalid token', extensions: { code: 'UNAUTHENTICATED' } }],
  });

  const configFor = (initial: Tokens | null, refresh: Refresher = vi.fn()) => {
    const session = new Session({ store: memoryStore(initial), refresh });
    return authConfig(session)({ appendHeaders }).then((config) => ({ config, session }));
  };

  it('addAuthToOperation adds the bearer token', async () => {
    const { config } = await configFor(tokens('1'));
    const op = config.addAuthToOperation(operation({ headers: { 'X-Other': 'kept' } }));
    const options = op.context.fetchOptions as RequestInit;
    expect(options.headers).toEqual({ 'X-Other': 'kept', Authorization: 'Bearer access-1' });
  });

  it('addAuthToOperation leaves the operation alone when signed out', async () => {
    const { config } = await configFor(null);
    const op = operation();
    expect(config.addAuthToOperation(op)).toBe(op);
  });

  it('addAuthToOperation uses the token current at the time (after a refresh, the new one)', async () => {
    const { config, session } = await configFor(tokens('1'));
    session.signIn(tokens('2'));
    const options = config.addAuthToOperation(operation()).context.fetchOptions as RequestInit;
    expect(options.headers).toEqual({ Authorization: 'Bearer access-2' });
  });

  it('willAuthError: false when signed out or the token is fresh, true when expired or nearly so', async () => {
    expect((await configFor(null)).config.willAuthError!(operation())).toBe(false);
    expect((await configFor(tokens('1', minutes(10)))).config.willAuthError!(operation())).toBe(false);
    expect((await configFor(tokens('1', minutes(-1)))).config.willAuthError!(operation())).toBe(true);
    // Within the 30 s skew.
    expect((await configFor(tokens('1', minutes(0.25)))).config.willAuthError!(operation())).toBe(true);
    // After a reload, until the start-up refresh has answered.
    const restoring = new Session({ store: memoryStore(null, true), refresh: vi.fn() });
    expect((await authConfig(restoring)({ appendHeaders })).willAuthError!(operation())).toBe(true);
    // An unreadable expiry: NaN <= now is false, so it is not refreshed up front
    // (the server's 401 then triggers the refresh).
    expect((await configFor(tokens('1', 'garbage'))).config.willAuthError!(operation())).toBe(false);
  });

  it('didAuthError: only for auth errors on operations that carried Authorization, however the headers are given', async () => {
    const { config } = await configFor(tokens('1'));
    const other = new CombinedError({ graphQLErrors: [{ message: 'x', extensions: { code: 'FORBIDDEN' } }] });

    expect(config.didAuthError(unauthenticated, operation())).toBe(false);
    expect(config.didAuthError(unauthenticated, operation({ headers: { 'X-Other': '1' } }))).toBe(false);

    expect(config.didAuthError(unauthenticated, operation({ headers: { Authorization: 'Bearer a' } }))).toBe(true);
    expect(config.didAuthError(unauthenticated, operation({ headers: { authorization: 'Bearer a' } }))).toBe(true);
    expect(config.didAuthError(unauthenticated, operation({ headers: new Headers({ Authorization: 'Bearer a' }) }))).toBe(
      true,
    );
    expect(config.didAuthError(unauthenticated, operation({ headers: [['AUTHORIZATION', 'Bearer a']] }))).toBe(true);
    expect(config.didAuthError(unauthenticated, operation(() => ({ headers: { Authorization: 'Bearer a' } })))).toBe(true);
    expect(config.didAuthError(unauthenticated, operation(() => ({})))).toBe(false);
    expect(config.didAuthError(unauthenticated, operation({ headers: new Headers() }))).toBe(false);

    expect(config.didAuthError(other, operation({ headers: { Authorization: 'Bearer a' } }))).toBe(false);
  });

  it('refreshAuth refreshes the session', async () => {
    const next = tokens('2');
    const refresh = vi.fn<Refresher>(async () => ({ kind: 'ok', tokens: next }));
    const { config, session } = await configFor(tokens('1', minutes(-1)), refresh);
    await config.refreshAuth();
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(session.tokens).toEqual(next);
  });
});

// ---------------------------------------------------------------------------
// authExchange(authConfig(session)) in a real urql Client
// ---------------------------------------------------------------------------

describe('auth exchange with a real urql Client', () => {
  it('sends the bearer token with requests', async () => {
    const server = fakeServer(['access-1']);
    const session = new Session({ store: memoryStore(tokens('1')), refresh: vi.fn() });
    const result = await authClient(session, server.fetchFn).query(ViewerQuery, {}).toPromise();
    expect(result.error).toBeUndefined();
    expect(result.data).toEqual({ viewer: '1' });
    expect(server.seen.map((r) => r.authorization)).toEqual(['Bearer access-1']);
  });

  it('sends no Authorization header when signed out', async () => {
    const server = fakeServer([]);
    const refresh = vi.fn<Refresher>();
    const session = new Session({ store: memoryStore(null), refresh });
    const result = await authClient(session, server.fetchFn).query(ViewerQuery, {}).toPromise();
    expect(result.data).toEqual({ viewer: null });
    expect(server.seen.map((r) => r.authorization)).toEqual([null]);
    expect(refresh).not.toHaveBeenCalled();
  });

  it('UNAUTHENTICATED (401) for a request that carried a token: one refresh, one retry with the new token, data to the caller', async () => {
    // The stored token looks fresh by the clock but the server no longer accepts it.
    const server = fakeServer([]);
    const next = tokens('2');
    const refresh = rotatingRefresher(server, next);
    const session = new Session({ store: memoryStore(tokens('1')), refresh });
    const result = await authClient(session, server.fetchFn).query(ViewerQuery, {}).toPromise();
    expect(result.error).toBeUndefined();
    expect(result.data).toEqual({ viewer: '2' });
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(server.seen.map((r) => r.authorization)).toEqual(['Bearer access-1', 'Bearer access-2']);
    expect(session.tokens).toEqual(next);
  });

  it('if the retry fails too, the error reaches the caller and there is no third attempt', async () => {
    const server = fakeServer([]);
    const refresh = rotatingRefresher(server, tokens('2'), false); // the new token is refused as well
    const session = new Session({ store: memoryStore(tokens('1')), refresh });
    const result = await authClient(session, server.fetchFn).query(ViewerQuery, {}).toPromise();
    expect(result.data).toBeUndefined();
    expect(result.error?.response?.status).toBe(401);
    expect(result.error?.graphQLErrors.map((e) => e.extensions.code)).toEqual(['UNAUTHENTICATED']);
    await settle(20);
    expect(server.fetchFn).toHaveBeenCalledTimes(2);
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('a request sent without a token that gets UNAUTHENTICATED (wrong password) is not retried and nothing is refreshed', async () => {
    const server = fakeServer([]);
    const refresh = vi.fn<Refresher>();
    const session = new Session({ store: memoryStore(null), refresh });
    const result = await authClient(session, server.fetchFn)
      .mutation(LoginMutation, { email: 'a@b.c', password: 'wrong' })
      .toPromise();
    expect(result.error?.graphQLErrors.map((e) => e.message)).toEqual(['Wrong email or password']);
    expect(result.error?.graphQLErrors[0]?.extensions.code).toBe('UNAUTHENTICATED');
    await settle(20);
    expect(server.fetchFn).toHaveBeenCalledTimes(1);
    expect(server.seen[0]!.authorization).toBeNull();
    expect(refresh).not.toHaveBeenCalled();
  });

  it('a bare HTTP 401 to a request without a token is not retried either', async () => {
    const refresh = vi.fn<Refresher>();
    const fetchFn = vi.fn<typeof fetch>(async () => invalidToken());
    const session = new Session({ store: memoryStore(null), refresh });
    const result = await authClient(session, fetchFn).query(ViewerQuery, {}).toPromise();
    expect(result.error?.response?.status).toBe(401);
    await settle(20);
    expect(fetchFn).toHaveBeenCalledTimes(1);
    expect(refresh).not.toHaveBeenCalled();
  });

  it('an access token already past expiry is refreshed BEFORE the request is sent', async () => {
    const server = fakeServer(['access-1']); // the server would even have accepted it
    const refresh = rotatingRefresher(server, tokens('2'));
    const session = new Session({ store: memoryStore(tokens('1', minutes(-5))), refresh });
    const result = await authClient(session, server.fetchFn).query(ViewerQuery, {}).toPromise();
    expect(result.data).toEqual({ viewer: '2' });
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(server.seen.map((r) => r.authorization)).toEqual(['Bearer access-2']);
  });

  it('expired token and the refresh is rejected: signed out, the request goes without a token', async () => {
    const server = fakeServer([]);
    const refresh = vi.fn<Refresher>(async () => ({ kind: 'rejected' }));
    const session = new Session({ store: memoryStore(tokens('1', minutes(-5))), refresh });
    const result = await authClient(session, server.fetchFn).query(ViewerQuery, {}).toPromise();
    expect(result.data).toEqual({ viewer: null });
    expect(session.signedIn).toBe(false);
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(server.seen.map((r) => r.authorization)).toEqual([null]);
  });

  it('expired token and the server is unavailable for the refresh: one attempt with the old token, its error to the caller, no loop', async () => {
    const server = fakeServer([]);
    const refresh = vi.fn<Refresher>(async () => ({ kind: 'unavailable' }));
    const expired = tokens('1', minutes(-5));
    const session = new Session({ store: memoryStore(expired), refresh });
    const result = await authClient(session, server.fetchFn).query(ViewerQuery, {}).toPromise();
    expect(result.error?.response?.status).toBe(401);
    await settle(20);
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(server.seen.map((r) => r.authorization)).toEqual(['Bearer access-1']);
    expect(session.tokens).toEqual(expired); // kept
  });

  it('two requests rejected at once share one refresh; each is retried once', async () => {
    const server = fakeServer([]);
    const gate = deferred<void>();
    const refresh = vi.fn<Refresher>(async (): Promise<RefreshOutcome> => {
      await gate.promise;
      server.accepted.add('access-2');
      return { kind: 'ok', tokens: tokens('2') };
    });
    const session = new Session({ store: memoryStore(tokens('1')), refresh });
    const client = authClient(session, server.fetchFn);
    const first = client.query(ViewerQuery, {}).toPromise();
    const second = client.query(ForbiddenQuery, {}).toPromise();
    await settle(20); // both 401s are in
    expect(server.fetchFn).toHaveBeenCalledTimes(2);
    gate.resolve();
    const [a, b] = await Promise.all([first, second]);
    expect(a.data).toEqual({ viewer: '2' });
    expect(b.error?.graphQLErrors[0]?.extensions.code).toBe('FORBIDDEN');
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(server.seen.map((r) => r.authorization)).toEqual([
      'Bearer access-1',
      'Bearer access-1',
      'Bearer access-2',
      'Bearer access-2',
    ]);
  });

  // Regression: refreshAuth always calls session.refresh(), which spends the
  // *current* refresh cookie, even when the failed request carried an access
  // token that has already been replaced. So a 401 that arrives after another
  // request's refresh has finished (a slow response to a request sent with the
  // old token) rotates the tokens a second time for nothing: one extra
  // refresh request per late 401, each counting against the server's
  // per-account refresh rate limit (20 a minute). The retry itself would have
  // succeeded with the token the session already had.
  it('a late 401 for a request sent with an already-replaced token does not refresh again', async () => {
    const server = fakeServer([]);
    let serial = 2;
    const refresh = vi.fn<Refresher>(async (): Promise<RefreshOutcome> => {
      const next = tokens(String(serial++));
      server.accepted.add(next.accessToken);
      return { kind: 'ok', tokens: next };
    });
    const session = new Session({ store: memoryStore(tokens('1')), refresh });
    let call = 0;
    const slowSecond = vi.fn<typeof fetch>(async (input, init) => {
      // The second request's (401) answer arrives after the first one's refresh and retry.
      if (call++ === 1) await settle(50);
      return server.fetchFn(input, init);
    });
    const client = authClient(session, slowSecond);
    const [a, b] = await Promise.all([
      client.query(ViewerQuery, {}).toPromise(),
      client.query(ViewerQuery, { other: true }).toPromise(),
    ]);
    expect(a.data).toEqual({ viewer: '2' });
    expect(b.data).toEqual({ viewer: '2' }); // actually '3'
    expect(refresh).toHaveBeenCalledTimes(1); // actually 2: refresh-1, then refresh-2
  });

  it('errors other than UNAUTHENTICATED are not retried', async () => {
    const server = fakeServer(['access-1']);
    const refresh = vi.fn<Refresher>();
    const session = new Session({ store: memoryStore(tokens('1')), refresh });
    const result = await authClient(session, server.fetchFn).query(ForbiddenQuery, {}).toPromise();
    expect(result.error?.graphQLErrors[0]?.extensions.code).toBe('FORBIDDEN');
    await settle(20);
    expect(server.fetchFn).toHaveBeenCalledTimes(1);
    expect(refresh).not.toHaveBeenCalled();
  });

  it('a network failure is not taken for an auth error', async () => {
    const refresh = vi.fn<Refresher>();
    const fetchFn = vi.fn<typeof fetch>(async () => {
      throw new TypeError('fetch failed');
    });
    const session = new Session({ store: memoryStore(tokens('1')), refresh });
    const result = await authClient(session, fetchFn).query(ViewerQuery, {}).toPromise();
    expect(result.error?.networkError?.message).toBe('fetch failed');
    await settle(20);
    expect(fetchFn).toHaveBeenCalledTimes(1);
    expect(refresh).not.toHaveBeenCalled();
  });

  it('after a reload, a request waits for the start-up refresh and goes with its token', async () => {
    const server = fakeServer([]);
    const refresh = rotatingRefresher(server, tokens('2'));
    const session = new Session({ store: memoryStore(null, true), refresh });
    expect(session.restoring).toBe(true);
    const result = await authClient(session, server.fetchFn).query(ViewerQuery, {}).toPromise();
    expect(result.data).toEqual({ viewer: '2' });
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(server.seen.map((r) => r.authorization)).toEqual(['Bearer access-2']);
  });

  it('end to end with makeRefresher: the cookie refresh goes out bare, then the query with the new token', async () => {
    const server = fakeServer(['access-1']);
    const fetchFn = vi.fn<typeof fetch>(async (input, init) => {
      if (new URL(String(input)).pathname === AUTH_PATHS.refresh) {
        expect(init?.method).toBe('POST');
        const headers = new Headers(init?.headers);
        expect(headers.get('authorization')).toBeNull();
        expect(headers.get('x-lectern-csrf')).toBe('1');
        server.accepted.add('access-2');
        return respond(200, { ...tokens('2'), user: { id: 'u' } }, 'application/json');
      }
      return server.fetchFn(input, init);
    });
    const session = new Session({
      store: memoryStore(tokens('1', minutes(-1))),
      refresh: makeRefresher('http://lectern.test', fetchFn),
    });
    const result = await authClient(session, fetchFn).query(ViewerQuery, {}).toPromise();
    expect(result.data).toEqual({ viewer: '2' });
    expect(fetchFn).toHaveBeenCalledTimes(2);
    expect(session.tokens?.accessToken).toBe('access-2');
  });
});

// ---------------------------------------------------------------------------
// makeRefresher and sessionEndpoints: the cookie session requests
// ---------------------------------------------------------------------------

const JSON_TYPE = 'application/json; charset=utf-8';

interface SentRequest {
  url: string;
  method: string | undefined;
  headers: Headers;
  body: unknown;
  credentials: RequestCredentials | undefined;
  cache: RequestCache | undefined;
}

/** A fetch that records what was sent and answers with `answer()`. */
function recordingFetch(answer: () => Response | Promise<Response>) {
  const sent: SentRequest[] = [];
  const fetchFn = vi.fn<typeof fetch>(async (input, init) => {
    sent.push({
      url: String(input),
      method: init?.method,
      headers: new Headers(init?.headers),
      body: init?.body === undefined ? undefined : JSON.parse(String(init.body)),
      credentials: init?.credentials,
      cache: init?.cache,
    });
    return answer();
  });
  return { fetchFn, sent };
}

/** What every cookie session request must look like, so the server's CSRF checks pass. */
function expectCookieRequest(request: SentRequest, method: string, path: string) {
  expect(request.url).toBe(`http://lectern.test${path}`);
  expect(request.method).toBe(method);
  expect(request.headers.get('content-type')).toBe('application/json');
  expect(request.headers.get('x-lectern-csrf')).toBe('1');
  expect(request.headers.get('authorization')).toBeNull();
  expect(request.credentials).toBe('same-origin');
  expect(request.cache).toBe('no-store');
}

const sessionAnswer = (name: string) =>
  respond(200, { accessToken: `access-${name}`, accessTokenExpiresAt: '2030-01-01T12:15:00+00:00', user: { id: 'user-1' } }, JSON_TYPE);

describe('makeRefresher', () => {
  it('ok: posts to the refresh endpoint with no token of its own (the browser sends the cookie) and returns the new access token', async () => {
    const { fetchFn, sent } = recordingFetch(() => sessionAnswer('2'));
    const outcome = await makeRefresher('http://lectern.test', fetchFn)();
    expect(outcome).toEqual({
      kind: 'ok',
      tokens: { accessToken: 'access-2', accessTokenExpiresAt: '2030-01-01T12:15:00+00:00' },
    });
    expect(sent).toHaveLength(1);
    expectCookieRequest(sent[0]!, 'POST', '/auth/session/refresh');
    expect(sent[0]!.body).toEqual({});
  });

  it('posts to /auth/session/refresh on this origin by default', async () => {
    const fetchFn = vi.fn<typeof fetch>(async () => sessionAnswer('2'));
    await makeRefresher(undefined, fetchFn)();
    expect(AUTH_PATHS.refresh).toBe('/auth/session/refresh');
    expect(String(fetchFn.mock.calls[0]![0])).toBe('/auth/session/refresh');
    expect(fetchFn.mock.calls[0]![1]?.method).toBe('POST');
  });

  it('never answers from a cache: two refreshes make two requests', async () => {
    const fetchFn = vi.fn<typeof fetch>(async () => sessionAnswer('2'));
    const refresh = makeRefresher('http://lectern.test', fetchFn);
    await refresh();
    await refresh();
    expect(fetchFn).toHaveBeenCalledTimes(2);
  });

  it('rejected: 401 (a spent, revoked or expired cookie, or none)', async () => {
    const fetchFn = vi.fn<typeof fetch>(async () =>
      respond(
        401,
        { errors: [{ message: 'The refresh token was already used; the session has been signed out', extensions: { code: 'UNAUTHENTICATED' } }] },
        JSON_TYPE,
      ),
    );
    await expect(makeRefresher('http://lectern.test', fetchFn)()).resolves.toEqual({ kind: 'rejected' });
    const bare = vi.fn<typeof fetch>(async () => new Response('', { status: 401 }));
    await expect(makeRefresher('http://lectern.test', bare)()).resolves.toEqual({ kind: 'rejected' });
  });

  it('unavailable: HTTP 500 (plain text or JSON)', async () => {
    const text = vi.fn<typeof fetch>(async () => respond(500, 'Internal Server Error', 'text/plain'));
    await expect(makeRefresher('http://lectern.test', text)()).resolves.toEqual({ kind: 'unavailable' });
    const json = vi.fn<typeof fetch>(async () =>
      respond(500, { errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] }, JSON_TYPE),
    );
    await expect(makeRefresher('http://lectern.test', json)()).resolves.toEqual({ kind: 'unavailable' });
  });

  it('unavailable: HTTP 502 with an HTML page from a proxy', async () => {
    const html = vi.fn<typeof fetch>(async () => respond(502, '<html>Bad Gateway</html>', 'text/html'));
    await expect(makeRefresher('http://lectern.test', html)()).resolves.toEqual({ kind: 'unavailable' });
  });

  it('unavailable: the network fails', async () => {
    const fetchFn = vi.fn<typeof fetch>(async () => {
      throw new TypeError('fetch failed');
    });
    await expect(makeRefresher('http://lectern.test', fetchFn)()).resolves.toEqual({ kind: 'unavailable' });
  });

  it('unavailable: rate limited (the cookie is still good; try later)', async () => {
    const fetchFn = vi.fn<typeof fetch>(async () =>
      respond(429, { errors: [{ message: 'Too many attempts; try again in 30 s', extensions: { code: 'RATE_LIMITED', retryAfter: 30 } }] }, JSON_TYPE),
    );
    await expect(makeRefresher('http://lectern.test', fetchFn)()).resolves.toEqual({ kind: 'unavailable' });
  });

  it('unavailable: refused as cross-site (403): a deployment problem, not the end of the session', async () => {
    const fetchFn = vi.fn<typeof fetch>(async () =>
      respond(403, { errors: [{ message: 'Cross-site requests are not allowed here', extensions: { code: 'FORBIDDEN' } }] }, JSON_TYPE),
    );
    await expect(makeRefresher('http://lectern.test', fetchFn)()).resolves.toEqual({ kind: 'unavailable' });
  });

  it('unavailable: a 200 without an access token', async () => {
    const fetchFn = vi.fn<typeof fetch>(async () => respond(200, { accessToken: null }, JSON_TYPE));
    await expect(makeRefresher('http://lectern.test', fetchFn)()).resolves.toEqual({ kind: 'unavailable' });
  });
});

describe('sessionEndpoints', () => {
  it('signIn posts the credentials and returns the tokens and user id', async () => {
    const { fetchFn, sent } = recordingFetch(() => sessionAnswer('1'));
    const answer = await sessionEndpoints('http://lectern.test', fetchFn).signIn('ada@example.com', 'pw-pw-pw-pw');
    expect(answer).toEqual({
      tokens: { accessToken: 'access-1', accessTokenExpiresAt: '2030-01-01T12:15:00+00:00' },
      userId: 'user-1',
    });
    expectCookieRequest(sent[0]!, 'POST', '/auth/session');
    expect(sent[0]!.body).toEqual({ email: 'ada@example.com', password: 'pw-pw-pw-pw' });
  });

  it('signIn refused: the server\'s errors, which forms read like GraphQL errors', async () => {
    const fetchFn = vi.fn<typeof fetch>(async () =>
      respond(401, { errors: [{ message: 'Wrong email or password', extensions: { code: 'UNAUTHENTICATED' } }] }, JSON_TYPE),
    );
    const answer = await sessionEndpoints('http://lectern.test', fetchFn).signIn('a@b.c', 'wrong');
    expect('error' in answer).toBe(true);
    const error = 'error' in answer ? answer.error : null;
    expect(error?.response?.status).toBe(401);
    expect(formErrors(error, ['email', 'password'])).toEqual({ fields: {}, form: 'Wrong email or password' });
  });

  it('register posts the input; a field error lands at its field', async () => {
    const { fetchFn, sent } = recordingFetch(() =>
      respond(
        400,
        { errors: [{ message: 'This password is too easy to guess', extensions: { code: 'BAD_USER_INPUT', field: 'password' } }] },
        JSON_TYPE,
      ),
    );
    const input = { email: 'ada@example.com', password: 'password1', displayName: 'Ada' };
    const answer = await sessionEndpoints('http://lectern.test', fetchFn).register(input);
    expectCookieRequest(sent[0]!, 'POST', '/auth/register');
    expect(sent[0]!.body).toEqual(input);
    const error = 'error' in answer ? answer.error : null;
    expect(formErrors(error, ['displayName', 'email', 'password']).fields).toEqual({ password: 'This password is too easy to guess' });
  });

  it('register signs in like signIn', async () => {
    const fetchFn = vi.fn<typeof fetch>(async () => sessionAnswer('9'));
    const answer = await sessionEndpoints('http://lectern.test', fetchFn).register({ email: 'a@b.c', password: 'x', displayName: 'A' });
    expect('tokens' in answer && answer.tokens.accessToken).toBe('access-9');
  });

  it('a network failure or a proxy page is a network error (the form says the server cannot be reached)', async () => {
    const offline = vi.fn<typeof fetch>(async () => {
      throw new TypeError('fetch failed');
    });
    const down = await sessionEndpoints('http://lectern.test', offline).signIn('a@b.c', 'x');
    const downError = 'error' in down ? down.error : null;
    expect(formErrors(downError).form).toBe('Cannot reach the server. Check your connection and try again.');
    const proxy = vi.fn<typeof fetch>(async () => respond(502, '<html>Bad Gateway</html>', 'text/html'));
    const bad = await sessionEndpoints('http://lectern.test', proxy).signIn('a@b.c', 'x');
    const badError = 'error' in bad ? bad.error : null;
    expect(badError?.response?.status).toBe(502);
    expect(formErrors(badError).form).toBe('Cannot reach the server. Check your connection and try again.');
  });

  it('signOut deletes the session (the browser sends the cookie) and never throws', async () => {
    const { fetchFn, sent } = recordingFetch(() => respond(200, { ended: true }, JSON_TYPE));
    await sessionEndpoints('http://lectern.test', fetchFn).signOut();
    expectCookieRequest(sent[0]!, 'DELETE', '/auth/session');
    const offline = vi.fn<typeof fetch>(async () => {
      throw new TypeError('fetch failed');
    });
    await expect(sessionEndpoints('http://lectern.test', offline).signOut()).resolves.toBeUndefined();
  });
});

// ---------------------------------------------------------------------------
// wsUrl
// ---------------------------------------------------------------------------

describe('wsUrl', () => {
  it('uses wss on https and ws on http, with the host and port', () => {
    expect(wsUrl({ protocol: 'https:', host: 'blog.example.com' } as Location)).toBe('wss://blog.example.com/graphql/ws');
    expect(wsUrl({ protocol: 'http:', host: 'localhost:5173' } as Location)).toBe('ws://localhost:5173/graphql/ws');
    expect(GRAPHQL_PATH).toBe('/graphql');
  });
});

// ---------------------------------------------------------------------------
// Cache updates for live notifications
// ---------------------------------------------------------------------------

/** A cache holding `me` and a few fields (and `extra` ones), recording what is invalidated. */
function recordingCache(extra: Record<string, string[]> = {}) {
  const fields: Record<string, string[]> = {
    ...extra,
    QueryRoot: ['me', 'notifications({"first":8})', 'unreadNotificationCount', 'leaderboard({"period":"WEEK"})', ...(extra.QueryRoot ?? [])],
    'User:u1': ['displayName', 'level', 'xp', 'streak', 'levelProgress', 'recentActivity({"first":10})'],
  };
  const invalidated: string[] = [];
  const cache = {
    resolve: (entity: string, field: string) => (entity === 'QueryRoot' && field === 'me' ? 'User:u1' : null),
    inspectFields: (entity: string) =>
      (fields[entity] ?? []).map((fieldKey) => ({ fieldKey, fieldName: fieldKey.replace(/\(.*$/, ''), arguments: null })),
    invalidate: (entity: string, field?: string) => void invalidated.push(`${entity}.${field ?? '*'}`),
  } as unknown as Cache;
  return { cache, invalidated };
}

describe('a live notification', () => {
  it("refreshes the bell, and for a level-up or a badge the viewer's standing too", () => {
    for (const kind of ['LEVEL_UP', 'BADGE_EARNED']) {
      const { cache, invalidated } = recordingCache();
      onLiveNotification({ notifications: { __typename: 'Notification', id: 'n1', kind } }, {}, cache);
      expect(invalidated.sort()).toEqual(
        [
          'QueryRoot.notifications({"first":8})',
          'QueryRoot.unreadNotificationCount',
          'QueryRoot.leaderboard({"period":"WEEK"})',
          'User:u1.level',
          'User:u1.xp',
          'User:u1.streak',
          'User:u1.levelProgress',
          'User:u1.recentActivity({"first":10})',
        ].sort(),
      );
    }
  });

  it('of another kind leaves the standing alone', () => {
    const { cache, invalidated } = recordingCache();
    onLiveNotification({ notifications: { __typename: 'Notification', id: 'n2', kind: 'COMMENT_REPLY' } }, {}, cache);
    expect(invalidated.sort()).toEqual(['QueryRoot.notifications({"first":8})', 'QueryRoot.unreadNotificationCount']);
  });
});

/** A cache holding links between entities, recording what is invalidated and linked. */
function linkingCache(links: Record<string, unknown>, fields: Record<string, string[]> = {}) {
  const { cache: base, invalidated } = recordingCache(fields);
  const linked: Record<string, unknown> = {};
  const cache = Object.assign(Object.create(null), base, {
    keyOfEntity: (entity: { __typename: string; id: string }) => `${entity.__typename}:${entity.id}`,
    resolve: (entity: string, field: string) => links[`${entity}.${field}`] ?? null,
    link: (entity: string, field: string, value: unknown) => void (linked[`${entity}.${field}`] = value),
  }) as Cache;
  return { cache, invalidated, linked };
}

describe('a certificate arriving live', () => {
  it("refreshes the viewer's certificate list", () => {
    const { cache, invalidated } = recordingCache({ QueryRoot: ['myCertificates({"first":20})'] });
    onLiveNotification({ notifications: { __typename: 'Notification', id: 'n3', kind: 'CERTIFICATE_ISSUED' } }, {}, cache);
    expect(invalidated).toContain('QueryRoot.myCertificates({"first":20})');
  });
});

describe('review and note updates', () => {
  it('a removed card leaves its post and the review lists', () => {
    const { cache, invalidated, linked } = linkingCache(
      { 'ReviewCard:c1.post': 'Post:p1' },
      { QueryRoot: ['reviewQueue({"first":1})', 'reviewStats', 'posts({"first":10})'] },
    );
    cardRemoved({ removeFromReview: true }, { cardId: 'c1' }, cache);
    expect(linked).toEqual({ 'Post:p1.viewerReviewCard': null });
    expect(invalidated.sort()).toEqual(['QueryRoot.reviewQueue({"first":1})', 'QueryRoot.reviewStats']);
  });

  it('a card the cache never held still refreshes the lists, and links nothing', () => {
    const { cache, invalidated, linked } = linkingCache({}, { QueryRoot: ['reviewQueue({"first":1})'] });
    cardRemoved({ removeFromReview: true }, { cardId: 'c9' }, cache);
    expect(linked).toEqual({});
    expect(invalidated).toEqual(['QueryRoot.reviewQueue({"first":1})']);
  });

  it("a deleted note leaves its post's notes at once, the others stay in order", () => {
    const { cache, invalidated, linked } = linkingCache(
      { 'StudyNote:n2.post': 'Post:p1', 'Post:p1.viewerNotes': ['StudyNote:n1', 'StudyNote:n2', 'StudyNote:n3'] },
      { QueryRoot: ['studyNotes({"first":20})', 'studyNotes({"first":20,"search":"borrow"})'] },
    );
    noteDeleted({ deleteStudyNote: 'n2' }, { id: 'n2' }, cache);
    expect(linked).toEqual({ 'Post:p1.viewerNotes': ['StudyNote:n1', 'StudyNote:n3'] });
    expect(invalidated.sort()).toEqual(['QueryRoot.studyNotes({"first":20,"search":"borrow"})', 'QueryRoot.studyNotes({"first":20})']);
  });

  it('a failed delete changes no post', () => {
    const { cache, linked } = linkingCache({ 'StudyNote:n2.post': 'Post:p1', 'Post:p1.viewerNotes': ['StudyNote:n2'] });
    noteDeleted({ deleteStudyNote: null }, { id: 'n2' }, cache);
    expect(linked).toEqual({});
  });
});

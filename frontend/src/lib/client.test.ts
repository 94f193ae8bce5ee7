import { authExchange } from '@urql/exchange-auth';
import { Client, CombinedError, createRequest, fetchExchange, gql, makeOperation, type Operation } from '@urql/core';
import { describe, expect, it, vi } from 'vitest';

import { GRAPHQL_PATH, authConfig, isAuthError, makeRefresher, wsUrl } from './client';
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
  return { accessToken: `access-${name}`, accessTokenExpiresAt: expiresAt, refreshToken: `refresh-${name}` };
}

function memoryStore(initial: Tokens | null): TokenStore & { value: Tokens | null } {
  const store = {
    value: initial,
    load: () => store.value,
    save: (next: Tokens | null) => {
      store.value = next;
    },
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
    expect(refresh).toHaveBeenCalledWith('refresh-1');
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
    expect(refresh).toHaveBeenCalledWith('refresh-1');
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
  // *current* refresh token, even when the failed request carried an access
  // token that has already been replaced. So a 401 that arrives after another
  // request's refresh has finished (a slow response to a request sent with the
  // old token) rotates the tokens a second time for nothing: one extra
  // refreshToken mutation per late 401, each counting against the server's
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

  it('end to end with makeRefresher: the refresh mutation goes out bare, then the query with the new token', async () => {
    const server = fakeServer(['access-1']);
    const fetchFn = vi.fn<typeof fetch>(async (input, init) => {
      const body = requestBody(input, init);
      if (body.query.includes('refreshToken(token: $token)')) {
        expect(init?.method).toBe('POST');
        const headers = new Headers(init?.headers);
        expect(headers.get('authorization')).toBeNull();
        expect(body.variables).toEqual({ token: 'refresh-1' });
        server.accepted.add('access-2');
        return respond(200, { data: { refreshToken: { __typename: 'AuthPayload', ...tokens('2') } } });
      }
      return server.fetchFn(input, init);
    });
    const session = new Session({
      store: memoryStore(tokens('1', minutes(-1))),
      refresh: makeRefresher('http://lectern.test/graphql', fetchFn),
    });
    const result = await authClient(session, fetchFn).query(ViewerQuery, {}).toPromise();
    expect(result.data).toEqual({ viewer: '2' });
    expect(fetchFn).toHaveBeenCalledTimes(2);
    expect(session.tokens?.refreshToken).toBe('refresh-2');
    expect(session.tokens?.accessToken).toBe('access-2');
  });
});

// ---------------------------------------------------------------------------
// makeRefresher
// ---------------------------------------------------------------------------

describe('makeRefresher', () => {
  it('ok: returns the new tokens, sending the refresh token as $token with no Authorization', async () => {
    const seen: { url: string; body: { query: string; variables: unknown }; authorization: string | null }[] = [];
    const fetchFn = vi.fn<typeof fetch>(async (input, init) => {
      seen.push({
        url: String(input),
        body: JSON.parse(String(init?.body)) as { query: string; variables: unknown },
        authorization: new Headers(init?.headers).get('authorization'),
      });
      return respond(200, {
        data: {
          refreshToken: {
            __typename: 'AuthPayload',
            accessToken: 'access-2',
            accessTokenExpiresAt: '2030-01-01T12:15:00+00:00',
            refreshToken: 'refresh-2',
          },
        },
      });
    });
    const outcome = await makeRefresher('http://lectern.test/graphql', fetchFn)('refresh-1');
    expect(outcome.kind).toBe('ok');
    expect(outcome.kind === 'ok' && outcome.tokens).toMatchObject({
      accessToken: 'access-2',
      accessTokenExpiresAt: '2030-01-01T12:15:00+00:00',
      refreshToken: 'refresh-2',
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.url).toBe('http://lectern.test/graphql');
    expect(seen[0]!.body.variables).toEqual({ token: 'refresh-1' });
    expect(seen[0]!.body.query).toMatch(/mutation RefreshToken/);
    expect(seen[0]!.authorization).toBeNull();
  });

  it('posts to /graphql by default', async () => {
    const fetchFn = vi.fn<typeof fetch>(async () =>
      respond(200, { data: { refreshToken: { accessToken: 'a', accessTokenExpiresAt: 'x', refreshToken: 'r' } } }),
    );
    await makeRefresher(undefined, fetchFn)('t');
    expect(GRAPHQL_PATH).toBe('/graphql');
    expect(String(fetchFn.mock.calls[0]![0])).toBe('/graphql');
    expect(fetchFn.mock.calls[0]![1]?.method).toBe('POST');
  });

  it('never answers from a cache: the same token twice makes two requests', async () => {
    const fetchFn = vi.fn<typeof fetch>(async () =>
      respond(200, { data: { refreshToken: { accessToken: 'a', accessTokenExpiresAt: 'x', refreshToken: 'r' } } }),
    );
    const refresh = makeRefresher('http://lectern.test/graphql', fetchFn);
    await refresh('same');
    await refresh('same');
    expect(fetchFn).toHaveBeenCalledTimes(2);
  });

  it('rejected: an UNAUTHENTICATED error (HTTP 200, as the server sends for a bad refresh token)', async () => {
    const fetchFn = vi.fn<typeof fetch>(async () =>
      respond(200, {
        data: null,
        errors: [
          {
            message: 'The refresh token was already used; the session has been signed out',
            path: ['refreshToken'],
            extensions: { code: 'UNAUTHENTICATED' },
          },
        ],
      }),
    );
    await expect(makeRefresher('http://lectern.test/graphql', fetchFn)('used')).resolves.toEqual({ kind: 'rejected' });
  });

  it('rejected: an UNAUTHENTICATED error with HTTP 401', async () => {
    const fetchFn = vi.fn<typeof fetch>(async () => invalidToken());
    await expect(makeRefresher('http://lectern.test/graphql', fetchFn)('x')).resolves.toEqual({ kind: 'rejected' });
  });

  it('unavailable: HTTP 500 (plain text or JSON)', async () => {
    const text = vi.fn<typeof fetch>(async () => respond(500, 'Internal Server Error', 'text/plain'));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    await expect(makeRefresher('http://lectern.test/graphql', text)('x')).resolves.toEqual({ kind: 'unavailable' });
    warn.mockRestore();
    const json = vi.fn<typeof fetch>(async () =>
      respond(500, { errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] }),
    );
    await expect(makeRefresher('http://lectern.test/graphql', json)('x')).resolves.toEqual({ kind: 'unavailable' });
  });

  it('unavailable: HTTP 502 with an HTML page from a proxy', async () => {
    const html = vi.fn<typeof fetch>(async () => respond(502, '<html>Bad Gateway</html>', 'text/html'));
    await expect(makeRefresher('http://lectern.test/graphql', html)('x')).resolves.toEqual({ kind: 'unavailable' });
  });

  it('unavailable: the network fails', async () => {
    const fetchFn = vi.fn<typeof fetch>(async () => {
      throw new TypeError('fetch failed');
    });
    await expect(makeRefresher('http://lectern.test/graphql', fetchFn)('x')).resolves.toEqual({ kind: 'unavailable' });
  });

  it('unavailable: rate limited (the token is still good; try later)', async () => {
    const fetchFn = vi.fn<typeof fetch>(async () =>
      respond(200, {
        data: null,
        errors: [{ message: 'Too many attempts; try again in 30 s', extensions: { code: 'RATE_LIMITED', retryAfter: 30 } }],
      }),
    );
    await expect(makeRefresher('http://lectern.test/graphql', fetchFn)('x')).resolves.toEqual({ kind: 'unavailable' });
  });

  it('unavailable: an answer with neither data nor errors', async () => {
    const fetchFn = vi.fn<typeof fetch>(async () => respond(200, { data: { refreshToken: null } }));
    await expect(makeRefresher('http://lectern.test/graphql', fetchFn)('x')).resolves.toEqual({ kind: 'unavailable' });
  });
});

// ---------------------------------------------------------------------------
// wsUrl
// ---------------------------------------------------------------------------

describe('wsUrl', () => {
  it('uses wss on https and ws on http, with the host and port', () => {
    expect(wsUrl({ protocol: 'https:', host: 'blog.example.com' } as Location)).toBe('wss://blog.example.com/graphql/ws');
    expect(wsUrl({ protocol: 'http:', host: 'localhost:5173' } as Location)).toBe('ws://localhost:5173/graphql/ws');
  });
});

// Persisted queries with a real client: urql's persisted exchange against the
// running server. The first request carries only the hash and is answered
// PersistedQueryNotFound; the exchange retries with the text; from then on
// the hash alone runs the operation (GET for queries).

import { Client, fetchExchange, gql } from '@urql/core';
import { cacheExchange } from '@urql/exchange-graphcache';
import { persistedExchange } from '@urql/exchange-persisted';
import { describe, expect, it } from 'vitest';

import { SeriesListDocument } from '../src/gql/graphql';
import schema from '../src/gql/introspection';
import { lecternPersistedExchange, manifestTextFetch, trustedDocument } from '../src/lib/persisted';
import { baseUrl } from './harness';

interface Seen {
  method: string;
  hasQuery: boolean;
  query: string | undefined;
  hash: string | undefined;
  status: number;
  code: string | undefined;
}

/** A fetch that records what each request carried and how the server answered. */
function recordingFetch(seen: Seen[]): typeof fetch {
  return async (input, init) => {
    const method = init?.method ?? 'GET';
    let body: { query?: string; extensions?: { persistedQuery?: { sha256Hash?: string } } };
    if (method === 'GET') {
      const params = new URL(String(input)).searchParams;
      const extensions = params.get('extensions');
      body = { query: params.get('query') ?? undefined, extensions: extensions ? JSON.parse(extensions) : undefined };
    } else {
      body = JSON.parse(String(init?.body));
    }
    const response = await fetch(input, init);
    const answer = (await response.clone().json()) as { errors?: { extensions?: { code?: string } }[] };
    seen.push({
      method,
      hasQuery: typeof body.query === 'string' && body.query.length > 0,
      query: body.query,
      hash: body.extensions?.persistedQuery?.sha256Hash,
      status: response.status,
      code: answer.errors?.[0]?.extensions?.code,
    });
    return response;
  };
}

function client(exchange: ReturnType<typeof persistedExchange>, seen: Seen[], app = false): Client {
  return new Client({
    url: `${baseUrl}/graphql`,
    // The web app's set-up: graphcache (which adds nothing: the documents carry `__typename`), the exchange, its fetch.
    exchanges: app ? [cacheExchange({ schema }), exchange, fetchExchange] : [exchange, fetchExchange],
    fetch: app ? manifestTextFetch(recordingFetch(seen)) : recordingFetch(seen),
    requestPolicy: 'network-only',
  });
}

describe('automatic persisted queries (urql persisted exchange)', () => {
  it('sends the hash, falls back to the text once, then the hash alone succeeds', async () => {
    // A document no one has sent before (a unique alias), hashed by the exchange itself.
    const alias = `t${Date.now()}`;
    const Tags = gql(`query ApqTags { ${alias}: tags { slug } }`);

    const first: Seen[] = [];
    const result = await client(persistedExchange({ preferGetForPersistedQueries: true }), first).query(Tags, {}).toPromise();
    expect(result.error).toBeUndefined();
    expect(result.data?.[alias]).toBeInstanceOf(Array);
    expect(first).toHaveLength(2);
    expect(first[0]).toMatchObject({ method: 'GET', hasQuery: false, code: 'PERSISTED_QUERY_NOT_FOUND' });
    expect(first[0]?.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(first[1]).toMatchObject({ hasQuery: true, hash: first[0]?.hash, status: 200, code: undefined });

    const second: Seen[] = [];
    const again = await client(persistedExchange({ preferGetForPersistedQueries: true }), second).query(Tags, {}).toPromise();
    expect(again.error).toBeUndefined();
    expect(second).toEqual([
      { method: 'GET', hasQuery: false, query: undefined, hash: first[0]?.hash, status: 200, code: undefined },
    ]);
  });

  it("sends the web app's codegen hashes, and the manifest's text when the server does not know one", async () => {
    const trusted = trustedDocument(SeriesListDocument);
    expect(trusted?.hash).toMatch(/^[0-9a-f]{64}$/);

    const first: Seen[] = [];
    const result = await client(lecternPersistedExchange(), first, true).query(SeriesListDocument, {}).toPromise();
    expect(result.error).toBeUndefined();
    expect(result.data?.seriesList.edges).toBeInstanceOf(Array);
    // The e2e server has no TRUSTED_DOCUMENTS: it learns the hash from the retry,
    // which it only accepts because the text sent is the manifest's. When the
    // browser tests ran first, the web app already taught it this hash the
    // same way (the server stores a hash only after checking the text), so
    // the hash alone is answered.
    if (first.length === 1) {
      expect(first[0]).toMatchObject({ hasQuery: false, hash: trusted?.hash, status: 200, code: undefined });
    } else {
      expect(first.map((s) => [s.hasQuery, s.hash, s.code])).toEqual([
        [false, trusted?.hash, 'PERSISTED_QUERY_NOT_FOUND'],
        [true, trusted?.hash, undefined],
      ]);
      expect(first[1]?.query).toBe(trusted?.text);
    }

    const second: Seen[] = [];
    const again = await client(lecternPersistedExchange(), second, true).query(SeriesListDocument, {}).toPromise();
    expect(again.data?.seriesList.__typename).toBe('SeriesConnection');
    expect(second).toEqual([
      { method: 'GET', hasQuery: false, query: undefined, hash: trusted?.hash, status: 200, code: undefined },
    ]);
  });
});

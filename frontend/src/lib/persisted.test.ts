import { describe, expect, it, vi } from 'vitest';

import * as generated from '../gql/graphql';
import manifest from '../gql/persisted-documents.json';
import { manifestTextFetch, trustedDocument } from './persisted';

const documents: Record<string, string> = manifest;

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

describe('the persisted-documents manifest', () => {
  it("holds every generated operation under the sha256 of its text, with __typename below the root", async () => {
    const operations = Object.entries(generated).filter(([name]) => name.endsWith('Document'));
    expect(operations.length).toBeGreaterThan(10);
    for (const [name, document] of operations) {
      const trusted = trustedDocument(document as never);
      expect(trusted, name).not.toBeNull();
      expect(await sha256(trusted!.text), name).toBe(trusted!.hash);
      // Objects below the root carry __typename (graphcache needs it); a root of scalars has none to carry.
      if ((trusted!.text.match(/\{/g) ?? []).length > 1) expect(trusted!.text, name).toContain('__typename');
    }
  });
});

describe('manifestTextFetch', () => {
  const [id, text] = Object.entries(documents)[0]!;
  const hash = id.replace(/^sha256:/, '');
  const extensions = { persistedQuery: { version: 1, sha256Hash: hash } };

  it("puts the manifest's text into a POST retry that carries its hash", async () => {
    const inner = vi.fn<typeof fetch>(async () => new Response('{}'));
    await manifestTextFetch(inner)('http://lectern.test/graphql', {
      method: 'POST',
      body: JSON.stringify({ query: 'query urqlPrintedIt { x }', extensions }),
    });
    expect(JSON.parse(String(inner.mock.calls[0]![1]!.body))).toEqual({ query: text, extensions });
  });

  it("puts it into a GET retry, and leaves hash-only and unknown requests alone", async () => {
    const inner = vi.fn<typeof fetch>(async () => new Response('{}'));
    const send = manifestTextFetch(inner);
    const url = (params: Record<string, string>) => `http://lectern.test/graphql?${new URLSearchParams(params)}`;
    await send(url({ query: 'query printed { x }', extensions: JSON.stringify(extensions) }));
    expect(new URL(String(inner.mock.calls[0]![0])).searchParams.get('query')).toBe(text);

    const hashOnly = url({ extensions: JSON.stringify(extensions) });
    await send(hashOnly);
    expect(inner.mock.calls[1]![0]).toBe(hashOnly);

    const unknown = { query: '{ tags { slug } }', extensions: { persistedQuery: { version: 1, sha256Hash: 'f'.repeat(64) } } };
    await send('http://lectern.test/graphql', { method: 'POST', body: JSON.stringify(unknown) });
    expect(JSON.parse(String(inner.mock.calls[2]![1]!.body))).toEqual(unknown);
  });
});

// Operations by hash. `npm run codegen` embeds each operation's sha256 in its
// generated document (`__meta__.hash`) and lists hash -> text in
// src/gql/persisted-documents.json, the manifest the server loads as
// TRUSTED_DOCUMENTS. The web app sends the hash alone (GET for queries, so a
// CDN can cache anonymous answers); a server that does not know it answers
// PersistedQueryNotFound and urql's persisted exchange sends the text with
// the hash once, after which the hash alone is enough. That text must be the
// manifest's (the hash is its sha256), not urql's own printing: the client's
// fetch (`manifestTextFetch`) puts it in.

import type { TypedDocumentNode } from '@urql/core';
import { persistedExchange } from '@urql/exchange-persisted';
import type { DocumentNode } from 'graphql';

import manifest from '../gql/persisted-documents.json';

const documents: Record<string, string> = manifest;

type Generated = DocumentNode & { __meta__?: { hash?: string } };

/** The manifest's hash (hex) and text of a generated document, or null for a document written elsewhere. */
export function trustedDocument(document: DocumentNode): { hash: string; text: string } | null {
  const id = (document as Generated).__meta__?.hash;
  const text = id === undefined ? undefined : documents[id];
  return id !== undefined && text !== undefined ? { hash: id.replace(/^sha256:/, ''), text } : null;
}

/** The manifest's text for a hash (hex), if the web app has that operation. */
function manifestText(hash: unknown): string | undefined {
  return typeof hash === 'string' ? documents[`sha256:${hash}`] : undefined;
}

/**
 * A fetch that, when a request carries a manifest hash and text (the retry
 * after PersistedQueryNotFound), sends the manifest's text: urql prints the
 * document itself, differently, and the server checks the hash against the
 * text it gets.
 */
export function manifestTextFetch(fetchFn: typeof fetch = (...args) => fetch(...args)): typeof fetch {
  return (input, init) => {
    if (typeof init?.body === 'string') {
      const body = JSON.parse(init.body) as { query?: unknown; extensions?: { persistedQuery?: { sha256Hash?: unknown } } };
      const text = manifestText(body.extensions?.persistedQuery?.sha256Hash);
      if (text !== undefined && typeof body.query === 'string') {
        return fetchFn(input, { ...init, body: JSON.stringify({ ...body, query: text }) });
      }
    } else if (typeof input === 'string' || input instanceof URL) {
      const url = new URL(String(input), typeof window === 'undefined' ? undefined : window.location.href);
      const extensions = url.searchParams.get('extensions');
      const hash = extensions ? (JSON.parse(extensions) as { persistedQuery?: { sha256Hash?: unknown } }).persistedQuery?.sha256Hash : undefined;
      const text = manifestText(hash);
      if (text !== undefined && url.searchParams.has('query')) {
        url.searchParams.set('query', text);
        return fetchFn(typeof input === 'string' && !/^https?:/.test(input) ? `${url.pathname}${url.search}` : url.toString(), init);
      }
    }
    return fetchFn(input, init);
  };
}

/** The text to send for `document`: the manifest's for a generated one. */
export function documentText(document: DocumentNode, fallback: string): string {
  return trustedDocument(document)?.text ?? fallback;
}

/**
 * urql's persisted exchange with the codegen hashes; documents not in the
 * manifest are sent as text. Use with `manifestTextFetch` as the client's fetch.
 */
export function lecternPersistedExchange() {
  return persistedExchange({
    preferGetForPersistedQueries: 'within-url-limit',
    enableForMutation: true,
    async generateHash(_query: string, document: TypedDocumentNode<unknown, never>) {
      return trustedDocument(document)?.hash ?? null;
    },
  });
}

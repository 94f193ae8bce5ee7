// Operations by hash. `npm run codegen` embeds each operation's sha256 in its
// generated document (`__meta__.hash`) and lists hash -> text in
// src/gql/persisted-documents.json, the manifest the server loads as
// TRUSTED_DOCUMENTS. The web app sends the hash alone (GET for queries, so a
// CDN can cache anonymous answers); a server that does not know it answers
// PersistedQueryNotFound and urql's persisted exchange sends the text with
// the hash once, after which the hash alone is enough. That text must be the
// manifest's (the hash is its sha256), not urql's own printing.

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

/**
 * urql prints a document it has keyed from `loc.source.body`; pointing that at
 * the manifest's text makes every request that carries text carry the text
 * the hash was made from.
 */
function sendManifestText(document: DocumentNode, text: string): void {
  (document as { loc?: unknown }).loc = {
    start: 0,
    end: text.length,
    source: { body: text, name: 'gql', locationOffset: { line: 1, column: 1 } },
  };
}

/** The text to send for `document`: the manifest's for a generated one. */
export function documentText(document: DocumentNode, fallback: string): string {
  return trustedDocument(document)?.text ?? fallback;
}

/** urql's persisted exchange with the codegen hashes; documents not in the manifest are sent as text. */
export function lecternPersistedExchange() {
  return persistedExchange({
    preferGetForPersistedQueries: 'within-url-limit',
    enableForMutation: true,
    async generateHash(_query: string, document: TypedDocumentNode<unknown, never>) {
      const trusted = trustedDocument(document);
      if (!trusted) return null;
      sendManifestText(document, trusted.text);
      return trusted.hash;
    },
  });
}

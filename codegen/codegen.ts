// graphql-codegen: reads the server's schema (`../schema.graphql`, the output
// of `lectern schema`) and every operation document in the frontend, and
// writes typed documents and result types into `frontend/src/gql/`.
//
// Run from `frontend/`: `npm run codegen` regenerates, `npm run codegen:check`
// fails when the generated files are stale or an operation no longer
// validates against the schema.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const rel = (p: string) => path.relative(process.cwd(), path.join(root, p));
// The tools are the frontend's dependencies; this file sits outside its node_modules.
const frontendRequire = createRequire(path.join(root, 'frontend', 'package.json'));
type Node = { kind: string; name?: { value: string }; alias?: unknown; selections?: Node[] };
const { visit } = frontendRequire('graphql') as { visit: (document: unknown, visitor: unknown) => unknown };

// graphcache needs `__typename` on every object; it must be in the documents
// themselves (not added by the client) so the manifest's text, which the
// server runs for a hash, asks for it too. Not on the operation's root: a
// failed mutation would then come back as `{ __typename }` instead of null.
const typenameBelowRoot = {
  transform: ({ documents }: { documents: { document?: unknown }[] }) =>
    documents.map((file) => ({
      ...file,
      document:
        file.document &&
        visit(file.document, {
          SelectionSet: {
            leave(node: Node, _key: unknown, parent: Node | undefined) {
              if (parent?.kind === 'OperationDefinition') return undefined;
              const has = node.selections?.some((s) => s.kind === 'Field' && s.name?.value === '__typename' && !s.alias);
              if (has) return undefined;
              return { ...node, selections: [...(node.selections ?? []), { kind: 'Field', name: { kind: 'Name', value: '__typename' } }] };
            },
          },
        }),
    })),
};

const config = {
  overwrite: true,
  schema: rel('schema.graphql'),
  // Tests may hold their own throwaway documents; they are not the app's operations.
  documents: [rel('frontend/src/**/*.{ts,tsx}'), '!' + rel('frontend/src/gql/**'), '!' + rel('frontend/src/**/*.test.ts')],
  ignoreNoDocuments: false,
  generates: {
    [rel('frontend/src/gql') + '/']: {
      preset: 'client',
      // persistedDocuments: every operation's sha256 goes into its document
      // (`__meta__.hash`, what the web app sends) and into
      // `persisted-documents.json`, the manifest the server's TRUSTED_DOCUMENTS reads.
      presetConfig: { fragmentMasking: false, persistedDocuments: { mode: 'embedHashInDocument', hashAlgorithm: 'sha256' } },
      documentTransforms: [typenameBelowRoot],
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        strictScalars: true,
        scalars: { DateTime: 'string', NaiveDate: 'string', ID: 'string' },
        avoidOptionals: { field: true, inputValue: false, object: false },
        skipTypename: false,
        nonOptionalTypename: true,
      },
    },
    [rel('frontend/src/gql/introspection.ts')]: {
      plugins: ['urql-introspection'],
      config: { module: 'es2015', minify: true, includeScalars: false, useTypeImports: true },
    },
  },
};

export default config;

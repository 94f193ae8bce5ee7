import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// In development Vite serves the app and proxies the API (HTTP and
// websockets) to a Lectern server, by default the one `cargo run` starts.
const api = process.env.LECTERN_URL ?? 'http://localhost:8080';

export default defineConfig({
  plugins: [react()],
  server: {
    port: 5173,
    proxy: {
      '/graphql': { target: api, ws: true, changeOrigin: true },
      // The session cookie is set for this (the dev server's) origin, on /auth/session.
      '/auth': api,
      '/graphiql': api,
      '/feed.xml': api,
      '/atom.xml': api,
      '/unsubscribe': api,
      // A certificate's PDF (its page, /certificates/<code>, is the app's own).
      '^/certificates/[^/]+/pdf$': api,
      '/.well-known': api,
    },
  },
  build: { sourcemap: true, outDir: 'dist', emptyOutDir: true },
  test: {
    include: ['src/**/*.test.ts', '../codegen/**/*.test.mjs'],
    environment: 'node',
  },
});

// Writes tests/fixtures/stripe-signatures.json: Stripe-Signature headers made by
// Stripe's official Node library (npm `stripe`, webhooks.generateTestHeaderString),
// which the server's verifier must accept (src/infra/stripe/signature.rs checks them).
// Regenerate: cd "$(mktemp -d)" && npm install stripe && node /path/to/this/file > fixture.json
import Stripe from 'stripe';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const stripe = new Stripe('sk_test_fixture');
const require = createRequire(import.meta.url);
const version = JSON.parse(readFileSync(require.resolve('stripe').replace(/cjs\/.*|esm\/.*/, 'package.json'), 'utf8')).version;
const payload = JSON.stringify({ id: 'evt_fixture_1', object: 'event', type: 'invoice.paid', created: 1800000000, data: { object: { id: 'in_1' } } });
const cases = [
  { secret: 'whsec_fixture_secret', timestamp: 1800000000 },
  { secret: 'whsec_another_secret_with_more_bytes_0123456789', timestamp: 1800000123 },
].map(({ secret, timestamp }) => ({
  secret,
  timestamp,
  payload,
  header: stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp }),
}));
console.log(JSON.stringify({ generator: `npm stripe ${version} webhooks.generateTestHeaderString`, cases }, null, 2));

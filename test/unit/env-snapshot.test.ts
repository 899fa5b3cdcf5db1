/**
 * After start-up the gateway's `process.env` is a plain copy of its environment (read by
 * drachtio-srf for every SIP header: issue 16's CPU per call): the same variables, read at a
 * property's cost, and drachtio-srf still honours `DRACHTIO_PRESERVE_HEADER_NAMES` from it.
 */
import { createRequire } from 'node:module';
import t from 'tap';
import { snapshotEnvironment } from '../../src/config/env-snapshot.js';

const original = process.env;
t.afterEach(() => {
  process.env = original;
  delete original.CALLTRACK_TEST_VARIABLE;
});

t.test('the copy holds every variable with its value, and nothing else', async (t) => {
  original.CALLTRACK_TEST_VARIABLE = 'kept';
  const before = Object.entries(original).sort();
  snapshotEnvironment();
  t.not(process.env, original);
  t.same(Object.entries(process.env).sort(), before);
  t.equal(process.env.CALLTRACK_TEST_VARIABLE, 'kept');
});

t.test('the copy is a plain object, not the C environment behind an interceptor', async (t) => {
  snapshotEnvironment();
  t.equal(Object.getPrototypeOf(process.env), Object.prototype);
  // the interceptor turns every value it is given into a string; a plain object keeps it
  (process.env as Record<string, unknown>).CALLTRACK_TEST_VARIABLE = 5;
  t.equal(process.env.CALLTRACK_TEST_VARIABLE, 5);
  t.equal(original.CALLTRACK_TEST_VARIABLE, undefined, 'the environment itself is left as it was');
});

t.test('drachtio-srf reads DRACHTIO_PRESERVE_HEADER_NAMES from the copy', async (t) => {
  const parser = createRequire(import.meta.url)('drachtio-srf/lib/sip-parser/parser.js') as {
    getHeaderName(name: string): string;
  };
  snapshotEnvironment();
  t.equal(parser.getHeaderName('Geo-Routing'), 'geo-routing', 'lower-cased by default');
  process.env.DRACHTIO_PRESERVE_HEADER_NAMES = 'Geo-Routing';
  t.equal(parser.getHeaderName('Geo-Routing'), 'Geo-Routing', 'kept as written once named');
});

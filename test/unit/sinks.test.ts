/**
 * The log and file sinks persist neither the caller's number nor the destination reached: both
 * are traffic data, for the traffic stream alone.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import t from 'tap';
import { fileSink, logSink } from '../../src/call/sinks.js';
import { createLogger } from '../../src/observability/logger.js';
import { callRecord, DISTINCT_CALLER } from '../helpers/records.js';

const DEALER = '+493089001234';

t.test('the log sink writes neither caller nor destination', async (t) => {
  let out = '';
  const logger = createLogger(
    'info',
    new Writable({
      write(c, _e, cb) {
        out += String(c);
        cb();
      },
    }),
  );
  logSink(logger).write(callRecord('answered', { destination: DEALER }));
  t.match(out, /"call record"/, 'the record was logged');
  t.match(out, /"destinationIndex":0/, 'with the index of the destination');
  t.notMatch(out, DEALER.slice(1));
  t.notMatch(out, DISTINCT_CALLER.slice(1));
});

t.test('the file sink writes neither caller nor destination', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'calltrack-sink-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'records.jsonl');
  const sink = fileSink(path, createLogger('silent'));
  sink.write(callRecord('answered', { destination: 'sip:reception@pbx.example' }));
  await sink.flush();
  const line = readFileSync(path, 'utf8');
  t.match(line, /"outcome":"answered"/);
  t.notMatch(line, 'reception');
  t.notMatch(line, DISTINCT_CALLER.slice(1));
});

import { appendFileSync, chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { createAnonymiser } from '../../src/records/anonymise.js';
import { Spool } from '../../src/records/spool.js';
import { callRecord } from '../helpers/records.js';

const anonymise = createAnonymiser(undefined);
const item = (seq: number) => ({
  seq,
  record: anonymise(callRecord('answered', { source: 'Müller, "Print"' })),
});

async function spoolIn(t: Test, maxBytes = 1 << 20) {
  const dir = mkdtempSync(join(tmpdir(), 'calltrack-spool-unit-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const spool = new Spool(dir, 'node', maxBytes);
  await spool.open();
  t.teardown(() => spool.close());
  return { spool, dir };
}

t.test('append, peek in order, consume; an emptied spool is truncated', async (t) => {
  const { spool } = await spoolIn(t);
  t.equal(await spool.append([item(1), item(2), item(3)]), 3);
  const first = await spool.peek(2);
  t.same(
    first.items.map((i) => i.seq),
    [1, 2],
  );
  t.equal(first.items[0]?.record.source, 'Müller, "Print"', 'UTF-8 and quotes survive');
  await spool.consume(2, first.bytes);
  t.equal(spool.pending, 1);
  await spool.append([item(4)]);
  const rest = await spool.peek(10);
  t.same(
    rest.items.map((i) => i.seq),
    [3, 4],
  );
  await spool.consume(rest.items.length, rest.bytes);
  t.equal(spool.pending, 0);
  t.equal(statSync(spool.path).size, 0);
});

t.test('a reopened spool replays from the start; a torn last line is dropped', async (t) => {
  const { spool, dir } = await spoolIn(t);
  await spool.append([item(1), item(2)]);
  await spool.close();
  appendFileSync(spool.path, '{"seq":3,"rec');
  const again = new Spool(dir, 'node', 1 << 20);
  await again.open();
  t.teardown(() => again.close());
  t.equal(again.pending, 2);
  t.same(
    (await again.peek(10)).items.map((i) => i.seq),
    [1, 2],
  );
  await again.append([item(4)]);
  t.same(
    (await again.peek(10)).items.map((i) => i.seq),
    [1, 2, 4],
    'new lines follow whole lines',
  );
  t.notMatch(readFileSync(again.path, 'utf8'), /"rec$/m);
});

t.test('the size limit: what does not fit is refused, not written half', async (t) => {
  const one = Buffer.byteLength(`${JSON.stringify(item(1))}\n`);
  const { spool } = await spoolIn(t, one * 2 + 10);
  t.equal(await spool.append([item(1), item(2), item(3)]), 2);
  t.equal(await spool.append([item(4)]), 0);
  t.equal(spool.pending, 2);
});

t.test('the spool file is owner-only (0600), also one an older version left wider', async (t) => {
  const { spool, dir } = await spoolIn(t);
  t.equal(statSync(spool.path).mode & 0o777, 0o600, 'created 0600');
  await spool.close();
  chmodSync(spool.path, 0o644);
  const again = new Spool(dir, 'node', 1 << 20);
  await again.open();
  t.teardown(() => again.close());
  t.equal(statSync(again.path).mode & 0o777, 0o600, 'narrowed on open');
});

t.test('a traffic record travels with its call record through the spool', async (t) => {
  const { trafficOf } = await import('../../src/records/traffic-entry.js');
  const { spool } = await spoolIn(t);
  const raw = callRecord('answered', { destination: '+493089001234' });
  await spool.append([{ ...item(1), traffic: trafficOf(raw) }, item(2)]);
  const { items } = await spool.peek(10);
  t.same(items[0]?.traffic, trafficOf(raw));
  t.notOk('traffic' in (items[1] ?? {}), 'a call spooled without one has none');
});

/**
 * The tests' free-port helper: a test file takes ports only from its own slice of each range, so
 * files tap runs side by side never probe the same port free at once, and a port it handed out is
 * not handed out again while the first taker may still be starting to bind it.
 */
import t from 'tap';
import { freeTcpPort, freeUdpPort, freeUdpPortBlock } from '../helpers/ports.js';

const slice = Number(process.env.TAP_JOB_ID ?? 0) % 4;

t.test('single ports: distinct, all in this job slot slice of 10000-19999', async (t) => {
  const ports: number[] = [];
  // 150 picks from a 2,500-port slice: without the memory a repeat is all but certain
  for (let i = 0; i < 75; i++) ports.push(await freeTcpPort(), await freeUdpPort());
  t.equal(new Set(ports).size, ports.length, 'no port handed out twice');
  const low = 10000 + slice * 2500;
  t.ok(
    ports.every((p) => p >= low && p < low + 2500),
    `all in ${low}-${low + 2499} (TAP_JOB_ID ${process.env.TAP_JOB_ID})`,
  );
});

t.test('port blocks: even, apart from each other and from the single range', async (t) => {
  const blocks: number[] = [];
  for (let i = 0; i < 20; i++) blocks.push(await freeUdpPortBlock(4));
  t.ok(
    blocks.every((b) => b % 2 === 0 && b >= 20000),
    'even, from 20000',
  );
  const sorted = [...blocks].sort((a, b) => a - b);
  t.ok(
    sorted.every((b, i) => i === 0 || b >= (sorted[i - 1] as number) + 4),
    'no two blocks share a port',
  );
});

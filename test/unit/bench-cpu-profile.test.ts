/**
 * The self-time summary `bench/cps` prints from a V8 `.cpuprofile`: a function sampled on two call
 * paths is one entry, each sample lasts until the next, idle time is left out of the shares.
 */
import t from 'tap';
import {
  type CpuProfile,
  formatOwners,
  formatSummary,
  owners,
  summarise,
} from '../../bench/cpu-profile.js';

const frame = (functionName: string, url = '', lineNumber = -1) => ({
  functionName,
  url,
  lineNumber,
  columnNumber: 0,
});

const ROOT = '/srv/calltrack';
const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(root)') },
    { id: 2, callFrame: frame('(idle)') },
    { id: 3, callFrame: frame('redactValue', `file://${ROOT}/dist/src/log.js`, 59) },
    // the same function reached on another path
    { id: 4, callFrame: frame('redactValue', `file://${ROOT}/dist/src/log.js`, 59) },
    { id: 5, callFrame: frame('write', `file://${ROOT}/node_modules/pino/lib/proto.js`, 9) },
    { id: 6, callFrame: frame('') },
  ],
  startTime: 1000,
  endTime: 10_000,
  // stamps 1000, 3000, 5000, 6000, 8000, 9000 → each lasts until the next, the last until the end
  samples: [2, 3, 4, 5, 2, 6],
  timeDeltas: [0, 2000, 2000, 1000, 2000, 1000],
};

t.test('self time per function, summed over its call paths, biggest first', async (t) => {
  const s = summarise(profile, 15, ROOT);
  t.same(
    { total: s.totalMs, idle: s.idleMs, busy: s.busyMs },
    { total: 9, idle: 3, busy: 6 },
    'idle: the first 2 ms and the 1 ms from 8000',
  );
  t.same(
    s.top,
    [
      { fn: 'redactValue', where: 'dist/src/log.js:60', selfMs: 3, share: 3 / 6 },
      { fn: 'write', where: 'pino/lib/proto.js:10', selfMs: 2, share: 2 / 6 },
      { fn: '(anonymous)', where: '', selfMs: 1, share: 1 / 6 },
    ],
    'never sampled on its own, (root) is left out',
  );
  t.equal(summarise(profile, 1, ROOT).top.length, 1, 'cut to the n asked for');
});

t.test('a profile without samples spreads its time over the hit counts', async (t) => {
  const hits: CpuProfile = {
    nodes: [
      { id: 1, callFrame: frame('(idle)'), hitCount: 1 },
      { id: 2, callFrame: frame('f', 'file:///x/a.js', 0), hitCount: 3 },
    ],
    startTime: 0,
    endTime: 4000,
  };
  t.same(summarise(hits, 5).top, [{ fn: 'f', where: '/x/a.js:1', selfMs: 3, share: 1 }]);
});

t.test('the text names self ms, share, function and place', async (t) => {
  const text = formatSummary(summarise(profile, 15, ROOT));
  t.match(text, /^profile: 9 ms, idle 3 ms, busy 6 ms$/m);
  t.match(text, /^ +3\.0 +50\.0 {2}redactValue {2}dist\/src\/log\.js:60$/m);
});

t.test(
  'busy time by who caused it: the innermost package or project frame on the stack',
  async (t) => {
    const caused: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame('(root)'), children: [2, 3, 7] },
        { id: 2, callFrame: frame('(idle)') },
        {
          id: 3,
          callFrame: frame('handleInvite', `file://${ROOT}/dist/src/call/a.js`, 1),
          children: [4],
        },
        {
          id: 4,
          callFrame: frame('send', `file://${ROOT}/node_modules/drachtio-srf/lib/x.js`, 1),
          children: [5],
        },
        { id: 5, callFrame: frame('Socket._write', 'node:net', 1), children: [6] },
        { id: 6, callFrame: frame('writeUtf8String') },
        { id: 7, callFrame: frame('(garbage collector)') },
      ],
      startTime: 0,
      endTime: 6000,
      // idle 1 ms, the socket write 3 ms (srf's), the handler itself 1 ms, GC 1 ms
      samples: [2, 6, 6, 3, 6, 7],
      timeDeltas: [0, 1000, 1000, 1000, 1000, 1000],
    };
    t.same(owners(caused, 5, ROOT), [
      { owner: 'drachtio-srf', ms: 3, share: 3 / 5 },
      { owner: 'dist/src/call/a.js', ms: 1, share: 1 / 5 },
      { owner: '(garbage collector)', ms: 1, share: 1 / 5 },
    ]);
    t.match(formatOwners(owners(caused, 1, ROOT)), /^ +3\.0 +60\.0 {2}drachtio-srf$/m);
  },
);

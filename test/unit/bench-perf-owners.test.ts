/**
 * bench/perf-owners.ts: each perf sample goes to GC when in a collection, else to the innermost
 * project file on its stack, else the innermost package, else to what it is (compiler, other
 * threads, Node's JavaScript, native code); two profiles print in µs per call, the biggest
 * difference first; a profile is read through `perf inject --jit`, and what inject makes is
 * removed again (a stand-in for perf: the real one needs a profiled process).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import {
  formatOwners,
  grainOf,
  ownersOf,
  ownersOfFile,
  PERF_HZ,
  removeJitFiles,
} from '../../bench/perf-owners.js';

const sample = (tid: string, ...frames: string[]) =>
  `${tid} \n${frames.map((f, i) => `\t    7f00000${i} ${f}`).join('\n')}\n`;

const SCRIPT = [
  // a socket write under srf under the dialer: the dialer's
  sample(
    '100',
    'tcp_sendmsg',
    'JS:*writeGeneric node:internal/stream_base_commons:148:22',
    'JS:*send /app/node_modules/drachtio-srf/lib/wire-protocol.js:246:7',
    'JS:* file:///app/dist/src/sip/dialer.js:22:30',
    'JS:*handleInvite file:///app/dist/src/call/handle-invite.js:15:35',
  ),
  sample(
    '100',
    'Builtins_LoadIC',
    'JS:*_onMsg /app/node_modules/drachtio-srf/lib/drachtio-agent.js:596:9',
  ),
  sample('100', 'Builtins_LoadIC', 'JS:*x /app/node_modules/@scope/pkg/index.js:1:1'),
  sample('101', 'v8::internal::Scavenger::ScavengeObject', 'start_thread'),
  // a scavenge an allocation of ours started: GC, not the allocating file
  sample(
    '100',
    'v8::internal::Scavenger::ScavengeObject',
    'v8::internal::Heap::CollectGarbage',
    'Builtins_CreateTypedArray',
    'JS:*detached file:///app/dist/src/sip/dialog-memory.js:1:1',
  ),
  sample('102', 'v8::internal::compiler::GraphReducer::ReduceTop', 'start_thread'),
  sample('103', 'uv__fs_work', 'start_thread'),
  sample('100', 'Builtins_Call', 'JS:*processTimers node:internal/timers:504:25'),
  sample('100', 'epoll_wait', 'uv__io_poll', 'uv_run'),
  sample('100', 'JS:*handle /app/bench/baseline-b2bua.ts:35:14'),
].join('\n');

/** SCRIPT's samples outside any file of ours or of a package: owned alike at either grain. */
const NOT_CODE = {
  GC: 2,
  'optimising compiler': 1,
  'other threads': 1,
  "Node's JavaScript": 1,
  'native, no JavaScript (event loop, I/O)': 1,
};

/** SCRIPT's owners at each grain: by file and package, or by function (file, line, name). */
const OWNERS = {
  file: {
    'own: sip/dialer.js': 1,
    'package: drachtio-srf': 1,
    'package: @scope/pkg': 1,
    'own: baseline-b2bua.ts': 1,
  },
  function: {
    // a closure has no name: its line tells it from the file's others
    'own: sip/dialer.js:22 (anonymous)': 1,
    'package: drachtio-srf lib/drachtio-agent.js:596 _onMsg': 1,
    'package: @scope/pkg index.js:1 x': 1,
    'own: baseline-b2bua.ts:35 handle': 1,
  },
};

t.test('every sample has one owner, the innermost of ours first, at either grain', async (t) => {
  const byFile = ownersOf(SCRIPT, '100');
  t.equal(byFile.samples, 10);
  t.same(Object.fromEntries(byFile.owners), { ...OWNERS.file, ...NOT_CODE });
  const byFunction = ownersOf(SCRIPT, '100', 'function');
  t.equal(byFunction.samples, 10);
  t.same(Object.fromEntries(byFunction.owners), { ...OWNERS.function, ...NOT_CODE });
});

t.test("by function, the name leaves out V8's tier mark", async (t) => {
  // V8's tier marks (~ interpreted, ^ baseline, + maglev, * optimised) are not part of the name
  const tiers = ['~', '^', '+', '*', '']
    .map((mark) => sample('100', `JS:${mark}talk file:///app/dist/src/call/connected-call.js:9:1`))
    .join('\n');
  t.same(Object.fromEntries(ownersOf(tiers, '100', 'function').owners), {
    'own: call/connected-call.js:9 talk': 5,
  });
});

t.test('BENCH_PERF_BY: file unless it says function; a typo stops the bench', async (t) => {
  t.equal(grainOf(undefined), 'file');
  t.equal(grainOf(''), 'file');
  t.equal(grainOf('file'), 'file');
  t.equal(grainOf('function'), 'function');
  t.throws(() => grainOf('functions'), /BENCH_PERF_BY=functions: expected file or function/);
});

t.test("a process's jitdump and inject's libraries go; another process's stay", async (t) => {
  const dir = t.testdir({
    'jit-77.dump': '',
    'jitted-77-1.so': '',
    'jitted-77-2.so': '',
    'jit-771.dump': '',
    'jitted-771-1.so': '',
    'keep.txt': '',
  });
  removeJitFiles(dir, 77);
  t.same(readdirSync(dir).sort(), ['jit-771.dump', 'jitted-771-1.so', 'keep.txt']);
});

t.test('two profiles in µs per call, the biggest difference first', async (t) => {
  const a = {
    samples: 3 * PERF_HZ,
    owners: new Map([
      ['GC', PERF_HZ],
      ['own: x.js', 2 * PERF_HZ],
    ]),
    calls: 1000,
  };
  const b = { samples: 2 * PERF_HZ, owners: new Map([['GC', 2 * PERF_HZ]]), calls: 1000 };
  const lines = formatOwners(['this', 'other'], a, b).trim().split('\n');
  t.match(lines[1], /^\s*1000\.0\s+3000\.0\s+2000\.0\s+all$/);
  t.match(lines[2], /^\s*2000\.0\s+2000\.0\s+0\.0\s+own: x\.js$/, 'the bigger difference first');
  t.match(lines[3], /^\s*-1000\.0\s+1000\.0\s+2000\.0\s+GC$/);
});

/**
 * A stand-in for perf on PATH: `inject` leaves what the real one leaves (the injected copy, a
 * library per piece of code beside the jitdump, build ids under `--buildid-dir`), `script`
 * prints one sample of the injected copy; `FAKE_PERF_FAIL=inject` makes inject fail.
 */
function fakePerf(bin: string, cwd: string, pid: number, notes: string): void {
  mkdirSync(bin, { recursive: true });
  const script = `#!/bin/sh
[ "$1" = --buildid-dir ] || exit 4
ids="$2"
shift 2
case "$1" in
  inject)
    [ "$FAKE_PERF_FAIL" = inject ] && { echo "jitdump unreadable" >&2; exit 1; }
    echo injected > "$6"
    touch "${cwd}/jitted-${pid}-1.so" "${cwd}/jitted-${pid}-2.so"
    mkdir -p "$ids/.build-id" && echo "$ids" > "${notes}"
    ;;
  script)
    [ -f "$5" ] || exit 3
    printf '${pid} \\n\\t    7f01 JS:* file:///app/dist/src/call/x.js:1:1\\n\\n'
    ;;
esac
`;
  writeFileSync(join(bin, 'perf'), script, { mode: 0o755 });
}

t.test(
  'a profile read through inject; what inject makes goes again, the jitdump too',
  async (t) => {
    const dir = t.testdir({
      cwd: { 'jit-4242.dump': 'dump', 'jitted-999-1.so': '', 'keep.txt': '' },
    });
    const cwd = join(dir, 'cwd');
    const notes = join(dir, 'build-id-dir');
    fakePerf(join(dir, 'bin'), cwd, 4242, notes);
    const path = process.env.PATH;
    process.env.PATH = `${join(dir, 'bin')}:${path}`;
    t.teardown(() => {
      process.env.PATH = path;
      delete process.env.FAKE_PERF_FAIL;
    });
    const file = join(dir, 'this.perf.data');
    writeFileSync(file, 'data');

    const got = ownersOfFile(file, 4242, cwd);
    t.same(Object.fromEntries(got.owners), { 'own: call/x.js': 1 }, 'read from the injected copy');
    t.same(readdirSync(cwd).sort(), ['jitted-999-1.so', 'keep.txt'], "another process's stay");
    t.notOk(existsSync(`${file}.jit`), 'the injected copy is gone');
    t.ok(existsSync(file), 'the recording stays');
    const buildIds = readFileSync(notes, 'utf8').trim();
    t.not(buildIds, '', 'perf was given a build-id directory of its own');
    t.notOk(existsSync(buildIds), 'and it is gone');

    // inject fails: its words in the error, and nothing it made stays
    writeFileSync(join(cwd, 'jit-4242.dump'), 'dump');
    process.env.FAKE_PERF_FAIL = 'inject';
    t.throws(() => ownersOfFile(file, 4242, cwd), /perf inject: jitdump unreadable/);
    t.same(readdirSync(cwd).sort(), ['jitted-999-1.so', 'keep.txt']);
  },
);

/**
 * Where the stand-ins' traces go: kept for a test's assertions by default; handed to a bench's
 * counter or made not at all when a run would otherwise hold every frame in memory.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { FsTracer } from '../fsstandin/trace.js';
import { connectApp, disconnectApp, newApp } from '../helpers/srf-app.js';
import { start, type TraceRecord } from '../standin/index.js';
import { Tracer } from '../standin/trace.js';

t.test('kept by default; a function gets each record instead; none keeps nothing', async (t) => {
  const trace = new Tracer();
  trace.note('kept');
  const handed: TraceRecord[] = [];
  trace.sendTo((r) => handed.push(r));
  trace.frame('in', 1, 'handed');
  trace.sip('out', '127.0.0.1:5060', 'SIP/2.0 200 OK\r\nCall-ID: c1\r\n\r\n');
  trace.sendTo('none');
  trace.note('dropped');
  trace.sendTo('keep');
  trace.note('kept again');
  t.strictSame(
    trace.records.map((r) => r.kind === 'note' && r.text),
    ['kept', 'kept again'],
    'what went elsewhere is not kept, and what came before stays',
  );
  t.match(handed, [
    { kind: 'frame', dir: 'in', conn: 1, payload: 'handed' },
    { kind: 'sip', firstLine: 'SIP/2.0 200 OK', callId: 'c1' },
  ]);
});

t.test('with a trace file every record is written there whatever the target', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'calltrack-trace-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'trace.jsonl');
  const trace = new Tracer(file);
  trace.sendTo('none');
  t.notOk(trace.idle, 'a file still takes records');
  trace.note('to the file');
  t.strictSame(trace.records, []);
  t.match(JSON.parse(readFileSync(file, 'utf8')), { kind: 'note', text: 'to the file' });
});

t.test("the FreeSWITCH stand-in's trace goes where it is sent", async (t) => {
  const trace = new FsTracer();
  const handed: string[] = [];
  trace.sendTo((r) => handed.push(r.kind));
  trace.add({ kind: 'note', text: 'x' });
  t.strictSame(handed, ['note']);
  t.strictSame(trace.records, []);
  t.notOk(trace.idle, 'a function takes records');
  trace.sendTo('none');
  t.ok(trace.idle, 'nothing takes a record: none is made');
});

t.test("a stand-in's frames go to its trace target", async (t) => {
  const standin = await start({ sipPort: 0, adminPort: 0, secret: 'cymru' });
  const seen: TraceRecord[] = [];
  standin.traceTo((r) => seen.push(r));
  const app = newApp();
  t.teardown(async () => {
    disconnectApp(app);
    await standin.close();
  });
  await connectApp(app, standin.adminAddress, 'cymru');
  t.ok(
    seen.some((r) => r.kind === 'frame' && r.dir === 'in' && r.payload.includes('authenticate')),
    "the app's authentication reached the target",
  );
  t.strictSame(standin.trace, [], 'and was not kept');
});

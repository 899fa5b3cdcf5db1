/**
 * Hot reload through the running gateway, as operators do it: dialplan files edited, added,
 * renamed over and deleted under DIALPLAN_DIR, and SIGHUP. Every case proves the change on the wire (the answer a
 * sipp caller gets through the drachtio stand-in) and times it from the write or the signal to
 * the answer's arrival in sipp's message log; the reload metric only says when to place the call.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { CUSTOMERS, callThrough, dealerSipp, numbersYaml, TRACKING } from '../helpers/call-bed.js';
import { type Gateway, reloads, startGateway } from '../helpers/gateway.js';
import { LIVE_WITHIN_MS, liveInTime } from '../helpers/live-in-time.js';
import { passed } from '../helpers/sipp.js';
import { waitFor } from '../helpers/wait.js';

const OTHER = '+493025550109';

const DEACTIVATED = `version: 1
numbers:
  - number: "${TRACKING}"
    customer: autohaus-berlin
    source: mobile.de
    status: deactivated
    deactivatedAt: 2025-01-01
`;

/** Returns once the gateway counts one more reload with `result` than `before`. */
async function nextReload(gw: Gateway, result: 'loaded' | 'rejected', before: number) {
  await waitFor(async () => (await reloads(gw, result)) > before, 5000, `a ${result} reload`);
}

/**
 * When to place the call that proves a change: once the gateway counts the reload, or when the
 * bound is up. Only a cue: without a reload the call gets the old answer and fails on the wire.
 */
async function reloadedOrLate(gw: Gateway, before: number, since: number) {
  const left = since + LIVE_WITHIN_MS - Date.now();
  await waitFor(async () => (await reloads(gw, 'loaded')) > before, left).catch(() => undefined);
}

/** A gateway routing TRACKING (numbers.yaml) to one sipp dealer that answers one call. */
async function routedToDealer(t: Test, env: Record<string, string> = {}) {
  const d = await dealerSipp('uas-answer-200.xml');
  const files = { 'customers.yaml': CUSTOMERS, 'numbers.yaml': numbersYaml([{ port: d.port }]) };
  const gw = await startGateway(t, files, env);
  return { d, gw, file: join(gw.dialplans, 'numbers.yaml') };
}

t.test('an edit that deactivates a number: a call gets 410 within 1 s of the write', async (t) => {
  const { d, gw, file } = await routedToDealer(t);
  const before = await callThrough(gw, 'uac-expect-200-caller-bye.xml');
  t.match(before, { exitCode: 0 }, `active before the edit: ${before.errors}`);
  await passed(t, d, 'dealer');

  const loaded = await reloads(gw, 'loaded');
  const since = Date.now();
  writeFileSync(file, DEACTIVATED);
  await reloadedOrLate(gw, loaded, since);
  liveInTime(t, await callThrough(gw, 'uac-expect-410.xml'), 410, since, 'after the edit');
});

t.test('a file added with a new number: it routes within 1 s of the write', async (t) => {
  const gw = await startGateway(t, {
    'customers.yaml': CUSTOMERS,
    'numbers.yaml': DEACTIVATED,
  });
  const unknown = await callThrough(gw, 'uac-expect-404.xml', OTHER);
  t.match(unknown, { exitCode: 0 }, `unknown before the file: ${unknown.errors}`);
  const d = await dealerSipp('uas-answer-200.xml');

  const loaded = await reloads(gw, 'loaded');
  const since = Date.now();
  writeFileSync(join(gw.dialplans, 'more.yaml'), numbersYaml([{ port: d.port }], [], OTHER));
  await reloadedOrLate(gw, loaded, since);
  const call = await callThrough(gw, 'uac-expect-200-caller-bye.xml', OTHER);
  liveInTime(t, call, 200, since, 'after the new file');
  await passed(t, d, 'the new number’s dealer');
});

t.test('a file deleted: its numbers answer 404 within 1 s, the others still route', async (t) => {
  const [a, b] = await Promise.all([
    dealerSipp('uas-answer-200.xml'),
    dealerSipp('uas-answer-200.xml'),
  ]);
  const gw = await startGateway(t, {
    'customers.yaml': CUSTOMERS,
    'a.yaml': numbersYaml([{ port: a.port }]),
    'b.yaml': numbersYaml([{ port: b.port }], [], OTHER),
  });
  const before = await callThrough(gw, 'uac-expect-200-caller-bye.xml', OTHER);
  t.match(before, { exitCode: 0 }, `routed before the delete: ${before.errors}`);
  await passed(t, b, 'dealer b');

  const loaded = await reloads(gw, 'loaded');
  const since = Date.now();
  rmSync(join(gw.dialplans, 'b.yaml'));
  await reloadedOrLate(gw, loaded, since);
  liveInTime(t, await callThrough(gw, 'uac-expect-404.xml', OTHER), 404, since, 'after the delete');
  const kept = await callThrough(gw, 'uac-expect-200-caller-bye.xml');
  t.match(kept, { exitCode: 0 }, `the other file's number still routes: ${kept.errors}`);
  await passed(t, a, 'dealer a');
});

t.test('SIGHUP alone reloads: the change is live within 1 s of the signal', async (t) => {
  // the watcher waits a minute after the last change: within this test only SIGHUP can reload
  const { d, gw, file } = await routedToDealer(t, { RELOAD_DEBOUNCE_MS: '60000' });
  const loaded = await reloads(gw, 'loaded');
  writeFileSync(file, DEACTIVATED);
  const unseen = await callThrough(gw, 'uac-expect-200-caller-bye.xml');
  t.match(unseen, { exitCode: 0 }, `the written change is not live yet: ${unseen.errors}`);
  await passed(t, d, 'dealer');
  t.equal(await reloads(gw, 'loaded'), loaded, 'no reload before the signal');

  const since = Date.now();
  gw.proc.kill('SIGHUP');
  await reloadedOrLate(gw, loaded, since);
  liveInTime(t, await callThrough(gw, 'uac-expect-410.xml'), 410, since, 'after SIGHUP');
});

t.test(
  'an invalid edit: logged at file:line:col, the old routes answer, a later valid edit is taken',
  async (t) => {
    const { d, gw, file } = await routedToDealer(t);
    const rejected = await reloads(gw, 'rejected');
    writeFileSync(file, readFileSync(file, 'utf8').replace('status: active', 'status: activ'));
    await nextReload(gw, 'rejected', rejected);
    t.match(
      gw.logs(),
      `${file}:6:13: `,
      'the error names the file, line and column of the bad status',
    );
    t.match(
      gw.logs(),
      /dialplan change rejected; the previous routes stay in force/,
      'the rejection is logged as such',
    );
    const ready = await fetch(`http://127.0.0.1:${gw.httpPort}/readyz`);
    t.equal(ready.status, 200, 'still ready');
    const old = await callThrough(gw, 'uac-expect-200-caller-bye.xml');
    t.match(old, { exitCode: 0 }, `the old route still answers: ${old.errors}`);
    await passed(t, d, 'dealer');

    // this time written as config management does: a temp file renamed over the old one
    const loaded = await reloads(gw, 'loaded');
    const since = Date.now();
    writeFileSync(`${file}.tmp`, DEACTIVATED);
    renameSync(`${file}.tmp`, file);
    await reloadedOrLate(gw, loaded, since);
    liveInTime(t, await callThrough(gw, 'uac-expect-410.xml'), 410, since, 'after the fix');
  },
);

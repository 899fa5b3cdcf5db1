/**
 * Hostile SIP against the drachtio stand-in and the gateway behind it: the RFC 4475 section 3.1
 * torture messages and a seeded fuzz corpus, sent over UDP three times. Every request is answered
 * or dropped as sofia-sip would (asserted where its code decides it), both processes stay up,
 * their memory stays flat, and a normal call still goes through afterwards.
 */
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import t from 'tap';
import { CALLER, CUSTOMERS, callThrough, numbersYaml, TRACKING } from '../helpers/call-bed.js';
import { startGateway } from '../helpers/gateway.js';
import {
  finalStatus,
  openSocket,
  type Sent,
  sendAll,
  tortureMessages,
} from '../helpers/hostile-peer.js';
import { baseInvite, fuzzCorpus, refusedCorpus } from '../helpers/sip-fuzz.js';
import { passed, startSipp } from '../helpers/sipp.js';

/** A number no dialplan holds: fuzzed INVITEs reach the gateway's routing but no dealer. */
const UNKNOWN = '+493025550199';

/**
 * What sofia-sip (nta.c agent_recv_request, sip_sanity_check) and drachtio-server
 * (processMessageStatelessly) do with each torture message over UDP, where their code decides it
 * without depending on the finer grammar of a header parser. Messages not listed may go either way.
 */
const TORTURE_EXPECT: Readonly<Record<string, 'answered' | 'dropped' | number>> = {
  wsinv: 'answered', // a To tag naming no dialog: 100, then 481
  esc01: 'answered',
  escnull: 'answered',
  lwsdisp: 'answered',
  dblreq: 'answered',
  semiuri: 'answered',
  transports: 'answered',
  mpart01: 'answered',
  // responses to no transaction are never answered
  unreason: 'dropped',
  noreason: 'dropped',
  scalarlg: 'dropped',
  bigcode: 'dropped',
  // sip_sanity_check fails (mandatory header missing, CSeq method differs) with a Via: 400
  insuf: 400,
  mismatch01: 400,
  mismatch02: 400,
  // a datagram shorter than its Content-Length is truncated (MSG_FLG_TRUNC): 400
  clerr: 400,
  // a header sofia cannot parse (sip_error) with a Via: 400
  ncl: 400,
  quotbal: 400,
  // answered, but not to the sender: a 505 goes out before the Via check, and scalar02's 400 to
  // a TCP Via fails it, so each goes to its Via's sent-by as written (c.example.com, and
  // host129.example.com over TCP)
  scalar02: 'dropped',
  badvers: 'dropped',
};

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function rssKb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? Number.NaN);
}

function answers(name: string): boolean {
  const expect = TORTURE_EXPECT[name];
  return expect !== undefined && expect !== 'dropped';
}

function isAnswered(replies: readonly string[]): boolean {
  return finalStatus(replies) !== undefined;
}

t.test('torture and fuzz: answered or dropped, nothing dies, memory flat', async (t) => {
  const dealer = await startSipp({ scenario: 'uas-answer-200.xml', timeoutMs: 90_000 });
  const gw = await startGateway(
    t,
    { 'customers.yaml': CUSTOMERS, 'numbers.yaml': numbersYaml([{ port: dealer.port }]) },
    { LOG_LEVEL: 'warn' },
  );
  const pid = gw.proc.pid ?? 0;
  const torture = tortureMessages();
  t.ok(torture.length >= 30, `${torture.length} torture messages`);

  const pass = async (round: number): Promise<Sent[]> => {
    const corpus = [
      ...torture,
      ...fuzzCorpus(4475, `r${round}`, UNKNOWN, { address: '127.0.0.1', port: 5999 }),
    ];
    const items = await Promise.all(
      corpus.map(async (c) => ({ name: c.name, data: c.data, socket: await openSocket() })),
    );
    // a torture message sent again in a later round may be absorbed as a retransmission
    const mustAnswer = new Set(
      corpus
        .filter((c) => ('expect' in c ? c.expect === 'answered' : round === 1 && answers(c.name)))
        .map((c) => c.name),
    );
    const sent = await sendAll(items, gw.sip, (s) =>
      s.every((x) => !mustAnswer.has(x.name) || isAnswered(x.replies)),
    );
    const health = await fetch(`http://127.0.0.1:${gw.httpPort}/healthz`);
    t.equal(health.status, 200, `round ${round}: the gateway is healthy`);
    t.equal(gw.proc.exitCode, null, `round ${round}: the gateway is running`);
    // the trace is the test's own record of every datagram, not the stand-in's state
    gw.standin.trace.splice(0);
    return sent;
  };

  const first = await pass(1);
  const byName = new Map(first.map((s) => [s.name, s.replies]));
  for (const [name, expect] of Object.entries(TORTURE_EXPECT)) {
    const replies = byName.get(name) ?? [];
    if (expect === 'answered') t.ok(isAnswered(replies), `${name} is answered: ${replies}`);
    else if (expect === 'dropped') t.same(replies, [], `${name} is dropped`);
    else t.equal(finalStatus(replies), expect, `${name} gets ${expect}: ${replies}`);
  }
  t.notOk(
    (byName.get('dblreq') ?? []).some((l) => / 100 /.test(l)),
    'dblreq: the INVITE after the REGISTER in the same datagram is ignored',
  );
  const fuzz = fuzzCorpus(4475, 'r1', UNKNOWN, { address: '127.0.0.1', port: 5999 });
  for (const c of fuzz) {
    const replies = byName.get(c.name) ?? [];
    if (c.expect === 'answered') t.ok(isAnswered(replies), `fuzz "${c.name}" is answered`);
    if (c.expect === 'dropped') t.same(replies, [], `fuzz "${c.name}" is dropped`);
  }
  const answered = first.filter((s) => isAnswered(s.replies)).length;
  t.comment(`round 1: ${answered} of ${first.length} answered, the rest dropped`);

  gc();
  const rss1 = rssKb(pid);
  const heap1 = process.memoryUsage().heapUsed;
  await pass(2);
  await pass(3);
  // let the transactions of the last round end (64×T1 = 3.2 s with the bed's T1 of 50 ms)
  await new Promise((r) => setTimeout(r, 3500));
  gc();
  const rss3 = rssKb(pid);
  const heap3 = process.memoryUsage().heapUsed;
  t.comment(`gateway RSS ${rss1} kB -> ${rss3} kB; stand-in heap ${heap1} -> ${heap3} bytes`);
  t.ok(rss3 - rss1 < 10 * 1024, 'the gateway RSS grows by less than 10 MB over two more rounds');
  t.ok(heap3 - heap1 < 10 * 1024 * 1024, 'the stand-in heap grows by less than 10 MB');

  const call = await callThrough(gw, 'uac-expect-200-caller-bye.xml', TRACKING, CALLER);
  t.match(
    call,
    { exitCode: 0, counts: { successful: 1 } },
    `a normal call still connects: ${call.errors}`,
  );
  await passed(t, dealer, 'dealer');
});

t.test(
  'hostile Require headers and bodies to a tracking number: 420, 415 or 400 each, no dealer dialled',
  async (t) => {
    // a dealer on the discard port: a call the checks let through would fail, not pass
    const gw = await startGateway(
      t,
      { 'customers.yaml': CUSTOMERS, 'numbers.yaml': numbersYaml([{ port: 9 }]) },
      { LOG_LEVEL: 'warn' },
    );
    const corpus = refusedCorpus('refused', TRACKING, { address: '127.0.0.1', port: 5999 });
    const items = await Promise.all(
      corpus.map(async (c) => ({ name: c.name, data: c.data, socket: await openSocket() })),
    );
    const sent = await sendAll(items, gw.sip, (s) => s.every((x) => isAnswered(x.replies)));
    const byName = new Map(sent.map((s) => [s.name, s.replies]));
    for (const c of corpus)
      t.equal(
        finalStatus(byName.get(c.name) ?? []),
        c.status,
        `${c.name}: ${c.status} (${byName.get(c.name)})`,
      );
    // what drachtio-server answers itself never reaches the gateway: no record
    const refused = corpus.filter((c) => c.status !== 400);
    const records = await gw.records(refused.length);
    t.same(
      records.map((r) => r.rejectReason).sort(),
      refused.map((c) => (c.status === 420 ? 'bad-extension' : 'unsupported-body')).sort(),
      'one record each the gateway refused',
    );
    t.match(
      records,
      refused.map(() => ({ outcome: 'rejected', attempts: [] })),
      'refused before anything was dialled',
    );
    const health = await fetch(`http://127.0.0.1:${gw.httpPort}/healthz`);
    t.equal(health.status, 200, 'the gateway is healthy');
  },
);

t.test(
  'an INVITE whose Contact names no host: left unanswered (an answer kills drachtio-server v0.9.10), counted, the next call fine',
  async (t) => {
    const dealer = await startSipp({ scenario: 'uas-answer-200.xml', timeoutMs: 60_000 });
    const gw = await startGateway(
      t,
      { 'customers.yaml': CUSTOMERS, 'numbers.yaml': numbersYaml([{ port: dealer.port }]) },
      { LOG_LEVEL: 'warn' },
    );
    // the quoted name holds a SIP URI with a host: the Contact's own URI is what counts
    const contacts = ['*', '<tel:+4917699887766>', '"Max <sip:x@y>" <tel:+4930>'];
    const items = await Promise.all(
      contacts.map(async (contact, i) => {
        const socket = await openSocket();
        const from = { address: '127.0.0.1', port: socket.address().port };
        const invite = baseInvite(`hostless-${i}`, TRACKING, from).replace(
          /^Contact: .*$/m,
          `Contact: ${contact}`,
        );
        return { name: contact, data: Buffer.from(invite), socket };
      }),
    );
    const sent = await sendAll(items, gw.sip, () => false, 1500);
    for (const s of sent)
      t.equal(finalStatus(s.replies), undefined, `${s.name}: no final answer (${s.replies})`);
    t.match(
      await gw.metrics(),
      /^calltrack_unanswerable_requests_total\{reason="contact-without-host"\} 3$/m,
    );
    const call = await callThrough(gw, 'uac-expect-200-caller-bye.xml', TRACKING, CALLER);
    t.match(call, { exitCode: 0 }, `the next call: ${call.errors}`);
    await passed(t, dealer, 'dealer');
    t.match(await gw.records(1), [{ outcome: 'answered' }], 'no record for the unanswered ones');
  },
);

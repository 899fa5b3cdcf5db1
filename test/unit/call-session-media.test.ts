/**
 * CallSession's media steps with plain fakes of the ports (no SIP, no FreeSWITCH): the order of
 * the steps, what happens when a media step fails, and that the anchor is released once.
 */
import t from 'tap';
import { CallSession, type SessionDeps } from '../../src/call/call-session.js';
import type { MediaAnchor, MediaPort } from '../../src/call/media-port.js';
import type { ConnectedLeg, Dialer, InboundLeg } from '../../src/call/ports.js';
import { createLogger } from '../../src/observability/logger.js';
import type { ForwardDecision } from '../../src/routing/decision.js';

const decision: ForwardDecision = {
  kind: 'forward',
  number: '+493025550101',
  customerId: 'c',
  source: 's',
  destinations: [{ type: 'sip', uri: 'sip:dealer@127.0.0.1:5070', ringTimeoutMs: 1000 }],
  options: { whisper: { file: 'w.wav' } },
};

function fakes(failAt?: 'anchor' | 'modify' | 'bridge' | 'notice' | 'record', recording = false) {
  const steps: string[] = [];
  const leg = (name: string): ConnectedLeg => ({
    ended: name === 'caller' ? Promise.resolve() : new Promise(() => undefined),
    hangup: async () => void steps.push(`hangup ${name}`),
  });
  const inbound: InboundLeg = {
    sdp: 'caller-sdp',
    provisional: (p) => void steps.push(`provisional ${p.status}`),
    earlyMedia: (sdp) => void steps.push(`183 ${sdp}`),
    reject: (status) => void steps.push(`reject ${status}`),
    answer: async (sdp) => {
      steps.push(`200 ${sdp}`);
      return leg('caller');
    },
    onCancel: () => undefined,
  };
  const dialer: Dialer = {
    dial: async (r) => {
      steps.push(`invite ${r.sdp}`);
      r.onProvisional({ status: 180 });
      return { kind: 'answered', leg: leg('dealer'), sdp: 'dealer-sdp' };
    },
  };
  const anchor: MediaAnchor = {
    callerSdp: 'fs-a',
    dealerSdp: 'fs-b',
    ended: new Promise(() => undefined),
    connectDealer: async (sdp) => {
      steps.push(`modify ${sdp}`);
      if (failAt === 'modify') throw new Error('modify failed');
    },
    whisper: async (p) => {
      steps.push(`whisper ${p.file}`);
      return 'played';
    },
    notice: async (p) => {
      steps.push(`notice ${p.file}`);
      return failAt === 'notice' ? 'failed' : 'played';
    },
    record: async (path) => {
      steps.push(`record ${path}`);
      if (failAt === 'record') throw new Error('record failed');
    },
    bridge: async () => {
      steps.push('bridge');
      if (failAt === 'bridge') throw new Error('bridge failed');
    },
    release: async () => void steps.push('release'),
  };
  const port: MediaPort = {
    anchor: async (sdp, opts) => {
      steps.push(`anchor ${sdp}${opts?.ringback === false ? ' (no ringback)' : ''}`);
      if (failAt === 'anchor') throw new Error('no media server');
      return anchor;
    },
  };
  const errors: string[] = [];
  const deps: SessionDeps = {
    dialer,
    trunk: '127.0.0.1:5060',
    now: Date.now,
    logger: createLogger('silent'),
    media: {
      port,
      options: decision.options,
      onError: (s) => void errors.push(s),
      ...(recording && {
        recording: {
          notice: { file: 'n.wav' },
          path: '/rec/id-1.wav',
          file: 'id-1.wav',
          prepare: async () => void steps.push('sidecar'),
        },
      }),
    },
  };
  return {
    steps,
    errors,
    session: new CallSession(inbound, decision, { callingNumber: '+4930', headers: {} }, deps),
  };
}

t.test(
  'anchored: 183, dealer offered FreeSWITCH SDP, modify, whisper, bridge, then 200',
  async (t) => {
    const { steps, session } = fakes();
    const r = await session.run();
    t.same(steps, [
      'anchor caller-sdp',
      '183 fs-a',
      'invite fs-b',
      'modify dealer-sdp',
      'whisper w.wav',
      'bridge',
      '200 fs-a',
      'hangup dealer',
      'release',
    ]);
    t.match(r, { outcome: 'answered', media: { anchored: true, whisper: 'played' } });
  },
);

t.test('no media server: forwarded signalling-only, counted', async (t) => {
  const { steps, errors, session } = fakes('anchor');
  const r = await session.run();
  t.same(steps.slice(0, 4), [
    'anchor caller-sdp',
    'invite caller-sdp',
    'provisional 180',
    '200 dealer-sdp',
  ]);
  t.match(r, { outcome: 'answered', media: { anchored: false, error: 'anchor-failed' } });
  t.same(errors, ['anchor']);
});

for (const step of ['modify', 'bridge'] as const)
  t.test(
    `${step} fails after the answer: dealer released, caller 503, anchor released`,
    async (t) => {
      const { steps, errors, session } = fakes(step);
      const r = await session.run();
      t.same(steps.slice(-3), ['hangup dealer', 'reject 503', 'release']);
      t.notOk(
        steps.some((s) => s.startsWith('200')),
        'the caller is never answered',
      );
      t.match(r, { outcome: 'failed', sipStatus: 503, media: { error: `${step}-failed` } });
      t.same(errors, [step]);
    },
  );

t.test(
  'recorded: notice in early media, bridge after it, then record_session, then 200',
  async (t) => {
    const { steps, errors, session } = fakes(undefined, true);
    const r = await session.run();
    t.same(steps, [
      'anchor caller-sdp (no ringback)',
      '183 fs-a',
      'notice n.wav',
      'invite fs-b',
      'modify dealer-sdp',
      'whisper w.wav',
      'bridge',
      'sidecar',
      'record /rec/id-1.wav',
      '200 fs-a',
      'hangup dealer',
      'release',
    ]);
    t.match(r, { outcome: 'answered', media: { notice: 'played', recording: 'id-1.wav' } });
    t.same(errors, []);
  },
);

t.test('record fails: the call goes on, the record notes failed, counted', async (t) => {
  const { steps, errors, session } = fakes('record', true);
  const r = await session.run();
  t.ok(steps.includes('200 fs-a'), 'the caller is connected');
  t.match(r, { outcome: 'answered', media: { notice: 'played', recording: 'failed' } });
  t.same(errors, ['record']);
});

t.test('the notice did not play: no recording', async (t) => {
  const { steps, errors, session } = fakes('notice', true);
  const r = await session.run();
  t.notOk(
    steps.some((s) => s.startsWith('record') || s === 'sidecar'),
    'nothing recorded',
  );
  t.ok(steps.includes('200 fs-a'), 'the caller is connected');
  t.match(r, { media: { notice: 'failed', recording: 'failed' } });
  t.same(errors, ['notice', 'record']);
});

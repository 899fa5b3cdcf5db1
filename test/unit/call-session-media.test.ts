/**
 * CallSession's media steps with plain fakes of the ports (no SIP, no FreeSWITCH): the order of
 * the steps, what happens when a media step fails, and that the anchor is released once.
 */
import t from 'tap';
import { CallSession } from '../../src/call/call-session.js';
import { type MediaAnchor, MediaBusyError, type MediaPort } from '../../src/call/media-port.js';
import type { ConnectedLeg, Dialer, InboundLeg, LegEnd } from '../../src/call/ports.js';
import type { SessionDeps } from '../../src/call/session-types.js';
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

type Fail = 'anchor' | 'anchor-busy' | 'modify' | 'bridge' | 'notice' | 'record' | 'voicemail';

/**
 * `dealers: 'busy'` makes every destination answer 486; `voicemail` gives the number voicemail;
 * `callerHangsUp` ends the caller's leg while the message records (else the recording runs to
 * its limit and the gateway hangs up).
 */
function fakes(
  failAt?: Fail,
  recording = false,
  more: {
    dealers?: 'answer' | 'busy';
    voicemail?: boolean;
    callerHangsUp?: boolean;
    /** FreeSWITCH ends the call's channels while the dealers ring. */
    mediaLost?: boolean;
    /** The number is closed: no destinations; `announcement` plays a prompt before the 480. */
    closed?: 'announcement' | 'other';
    /** The caller cancels while the announcement plays. */
    cancelsDuringAnnouncement?: boolean;
  } = {},
) {
  const steps: string[] = [];
  let callerGone: () => void = () => undefined;
  const leg = (name: string): ConnectedLeg => ({
    ended:
      name === 'caller' && !more.voicemail
        ? Promise.resolve('hangup')
        : name === 'caller'
          ? new Promise<LegEnd>((resolve) => {
              callerGone = () => resolve('hangup');
            })
          : new Promise(() => undefined),
    hangup: async () => void steps.push(`hangup ${name}`),
    remoteSdp: `${name}-sdp`,
    onRequest: () => undefined,
    onRefer: () => undefined,
    alive: async () => true,
    request: async () => ({ status: 200 }),
  });
  const inbound: InboundLeg = {
    sdp: 'caller-sdp',
    provisional: (p) => void steps.push(`provisional ${p.status}`),
    earlyMedia: (sdp) => void steps.push(`183 ${sdp}`),
    reject: (status, headers) =>
      void steps.push(headers?.Reason ? `reject ${status} ${headers.Reason}` : `reject ${status}`),
    answer: async (sdp) => {
      steps.push(`200 ${sdp}`);
      return leg('caller');
    },
    answerWithOffer: async (offer) => {
      steps.push(`200 offer ${offer}`);
      return { leg: leg('caller'), answer: 'caller-answer' };
    },
    onCancel: (handler) => {
      cancel = handler;
    },
  };
  let cancel: () => void = () => undefined;
  const dialer: Dialer = {
    dial: async (r) => {
      steps.push(`invite ${r.sdp}`);
      r.onProvisional({ status: 180 });
      if (more.dealers === 'busy') return { kind: 'failed', status: 486, cause: 'busy' };
      const dealer = leg('dealer');
      return { kind: 'answered', leg: dealer, sdp: 'dealer-sdp', release: () => dealer.hangup() };
    },
  };
  const anchor: MediaAnchor = {
    callerSdp: 'fs-a',
    dealerSdp: 'fs-b',
    ended: more.mediaLost ? Promise.resolve() : new Promise(() => undefined),
    connectDealer: async (sdp) => {
      steps.push(`modify ${sdp}`);
      if (failAt === 'modify') throw new Error('modify failed');
    },
    whisper: async (p) => {
      steps.push(`whisper ${p.file}`);
      return 'played';
    },
    stopWhisper: async () => void steps.push('stop whisper'),
    resumeRingback: () => void steps.push('ringback'),
    updateCaller: async (sdp) => {
      steps.push(`update caller ${sdp}`);
      return 'fs-a2';
    },
    updateDealer: async (sdp) => {
      steps.push(`update dealer ${sdp}`);
      return 'fs-b2';
    },
    notice: async (p) => {
      steps.push(`notice ${p.file}`);
      if (more.cancelsDuringAnnouncement) {
        cancel();
        return new Promise(() => undefined);
      }
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
    voicemail: async (v) => {
      steps.push(`voicemail ${v.greeting.file} ${v.path} ${v.maxSeconds}s`);
      if (more.callerHangsUp) {
        callerGone();
        await interrupted;
      }
      return failAt === 'voicemail' ? 'failed' : 'recorded';
    },
    interrupt: async () => {
      steps.push('interrupt');
      interrupt();
    },
    release: async () => void steps.push('release'),
  };
  let interrupt: () => void = () => undefined;
  const interrupted = new Promise<void>((resolve) => {
    interrupt = resolve;
  });
  const port: MediaPort = {
    anchor: async (sdp, opts) => {
      steps.push(`anchor ${sdp}${opts?.ringback === false ? ' (no ringback)' : ''}`);
      if (failAt === 'anchor') throw new Error('no media server');
      if (failAt === 'anchor-busy') throw new MediaBusyError();
      return anchor;
    },
  };
  const errors: string[] = [];
  const deps: SessionDeps = {
    dialer,
    trunk: { route: { scheme: 'sip', hostPort: '127.0.0.1:5060' } },
    now: Date.now,
    logger: createLogger('silent'),
    maxDurationMs: 60_000,
    keepaliveMs: 0,
    ...(more.closed && { closed: { reason: 'Q.850;cause=31;text="Closed: public holiday"' } }),
    media: {
      port,
      anchorTimeoutMs: 2000,
      options: decision.options,
      onError: (s) => void errors.push(s),
      ...(more.closed === 'announcement' && { announcement: { file: 'closed.wav' } }),
      ...(recording && {
        recording: {
          notice: { file: 'n.wav' },
          path: '/rec/id-1.wav',
          file: 'id-1.wav',
          prepare: async () => void steps.push('sidecar'),
        },
      }),
      ...(more.voicemail && {
        voicemail: {
          greeting: { file: 'greeting.wav' },
          maxSeconds: 30,
          path: '/vm/id-1.wav',
          prepare: async () => void steps.push('note'),
          complete: async () => {
            steps.push('complete');
            return failAt === 'voicemail' ? 'empty' : 'left';
          },
        },
      }),
    },
  };
  return {
    steps,
    errors,
    session: new CallSession(
      inbound,
      more.closed ? [] : decision.destinations,
      { callingNumber: '+4930', headers: {} },
      deps,
    ),
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

t.test('every media server busy: forwarded signalling-only, its own code, counted', async (t) => {
  const { steps, errors, session } = fakes('anchor-busy');
  const r = await session.run();
  t.same(steps.slice(0, 3), ['anchor caller-sdp', 'invite caller-sdp', 'provisional 180']);
  t.match(r, { outcome: 'answered', media: { anchored: false, error: 'anchor-busy' } });
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

t.test(
  'voicemail: every dealer busy, the caller is answered with FreeSWITCH SDP and leaves a message',
  async (t) => {
    const { steps, errors, session } = fakes(undefined, false, {
      dealers: 'busy',
      voicemail: true,
    });
    const r = await session.run();
    t.same(steps, [
      'anchor caller-sdp',
      '183 fs-a',
      'invite fs-b',
      '200 fs-a',
      'note',
      'voicemail greeting.wav /vm/id-1.wav 30s',
      'complete',
      'hangup caller',
      'release',
    ]);
    t.match(r, {
      outcome: 'busy',
      sipStatus: 200,
      endedBy: 'gateway',
      media: { anchored: true, voicemail: 'left' },
    });
    t.ok(r.answeredAt, 'the caller was answered: the record says when');
    t.same(errors, []);
  },
);

t.test('voicemail: the caller hangs up mid-message, the recording is cut and kept', async (t) => {
  const { steps, session } = fakes(undefined, false, {
    dealers: 'busy',
    voicemail: true,
    callerHangsUp: true,
  });
  const r = await session.run();
  t.same(
    steps.slice(-4),
    ['voicemail greeting.wav /vm/id-1.wav 30s', 'interrupt', 'complete', 'release'],
    'the record app is broken off, then what it wrote is queued',
  );
  t.notOk(steps.includes('hangup caller'), 'no BYE to a caller who already hung up');
  t.match(r, { endedBy: 'caller', media: { voicemail: 'left' } });
});

t.test('voicemail: FreeSWITCH fails and nothing was recorded: failed, counted', async (t) => {
  const { steps, errors, session } = fakes('voicemail', false, {
    dealers: 'busy',
    voicemail: true,
  });
  const r = await session.run();
  t.ok(steps.includes('complete'), 'whatever was written is still handed to the outbox');
  t.match(r, { outcome: 'busy', sipStatus: 200, media: { voicemail: 'failed' } });
  t.same(errors, ['voicemail']);
});

t.test('no voicemail: every dealer busy, the caller gets 486 with its Reason', async (t) => {
  const { steps, session } = fakes(undefined, false, { dealers: 'busy' });
  const r = await session.run();
  t.same(steps.slice(-2), ['reject 486 Q.850;cause=17;text="User busy"', 'release']);
  t.notOk(
    steps.some((s) => s.startsWith('200')),
    'never answered',
  );
  t.match(r, { outcome: 'busy', sipStatus: 486 });
  t.notOk(r.media?.voicemail);
});

t.test(
  'voicemail, but FreeSWITCH lost the call while it rang: the caller is not answered',
  async (t) => {
    const { steps, session } = fakes(undefined, false, {
      dealers: 'busy',
      voicemail: true,
      mediaLost: true,
    });
    const r = await session.run();
    t.notOk(
      steps.some((s) => s.startsWith('200') || s.startsWith('voicemail')),
      'no 200 for a message nobody could record',
    );
    t.same(steps.slice(-2), ['reject 486 Q.850;cause=17;text="User busy"', 'release']);
    t.match(r, { outcome: 'busy', sipStatus: 486 });
  },
);

t.test(
  'closed with voicemail: no dealer rings, the caller leaves a message, outcome closed',
  async (t) => {
    const { steps, session } = fakes(undefined, false, { closed: 'other', voicemail: true });
    const r = await session.run();
    t.same(steps.slice(0, 4), ['anchor caller-sdp', '183 fs-a', '200 fs-a', 'note']);
    t.notOk(
      steps.some((s) => s.startsWith('invite')),
      'no dealer rings',
    );
    t.match(r, { outcome: 'closed', sipStatus: 200, attempts: [], media: { voicemail: 'left' } });
  },
);

t.test(
  'closed with an announcement: early media, the prompt, then 480 with its Reason',
  async (t) => {
    const { steps, session } = fakes(undefined, false, { closed: 'announcement' });
    const r = await session.run();
    t.same(steps, [
      'anchor caller-sdp (no ringback)',
      '183 fs-a',
      'notice closed.wav',
      'reject 480 Q.850;cause=31;text="Closed: public holiday"',
      'release',
    ]);
    t.match(r, { outcome: 'closed', sipStatus: 480, media: { announcement: 'played' } });
  },
);

t.test('closed: the caller hangs up during the announcement: 487, no 480', async (t) => {
  const { steps, session } = fakes(undefined, false, {
    closed: 'announcement',
    cancelsDuringAnnouncement: true,
  });
  const r = await session.run();
  t.notOk(
    steps.some((s) => s.startsWith('reject')),
    'nothing more is sent to a caller who cancelled',
  );
  t.match(r, { outcome: 'cancelled', sipStatus: 487 });
});

t.test('closed, announcement wanted but no media server: the 480 at once', async (t) => {
  const { steps, errors, session } = fakes('anchor', false, { closed: 'announcement' });
  const r = await session.run();
  t.same(steps, [
    'anchor caller-sdp (no ringback)',
    'reject 480 Q.850;cause=31;text="Closed: public holiday"',
  ]);
  t.match(r, { outcome: 'closed', sipStatus: 480, media: { anchored: false } });
  t.same(errors, ['anchor']);
});

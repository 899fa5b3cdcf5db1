/**
 * The trunk leg (URI with scheme and transport, credentials and the operator's PAI only towards
 * the trunk, CLIR kept), where a redirect may go, and CallSession following 3xx with plain fakes
 * of the ports: followed through the trunk, refused or over the limit recorded with their own
 * cause and the next destination tried.
 */
import t from 'tap';
import { CallSession } from '../../src/call/call-session.js';
import type {
  ConnectedLeg,
  Dialer,
  DialRequest,
  DialResult,
  InboundLeg,
  Presentation,
} from '../../src/call/ports.js';
import { redirectTarget } from '../../src/call/redirect.js';
import { Transfer } from '../../src/call/transfer.js';
import type { TransferPolicy } from '../../src/call/transfer-target.js';
import { viaTrunk } from '../../src/call/trunk-leg.js';
import { createLogger } from '../../src/observability/logger.js';
import type { ForwardDecision } from '../../src/routing/decision.js';
import { type TrunkAccess, trunkUri } from '../../src/routing/trunk.js';
import { redirectContacts } from '../../src/sip/srf-types.js';

const AUTH = { username: 'gw', password: 'pw' };
const TRUNK: TrunkAccess = {
  route: { scheme: 'sips', hostPort: 'trunk.example:5061', transport: 'tls' },
  auth: AUTH,
};
const SHOWN: Presentation = { callingNumber: '+4917612345678', headers: {} };
const WITHHELD: Presentation = {
  callingNumber: 'anonymous',
  headers: { From: '<sip:anonymous@anonymous.invalid>', Privacy: 'id' },
};
const policy: TransferPolicy = {
  trunk: TRUNK,
  defaultCountryCode: '49',
  international: false,
  isTrackingNumber: (n) => n === '+493025550101',
};

t.test('the trunk URI keeps scheme and transport', async (t) => {
  t.equal(
    trunkUri(TRUNK.route, '+493089001234'),
    'sips:+493089001234@trunk.example:5061;transport=tls',
  );
  t.equal(
    trunkUri({ scheme: 'sip', hostPort: '10.0.0.1:5060' }, '+4315123456'),
    'sip:+4315123456@10.0.0.1:5060',
  );
});

t.test('a trunk leg carries the credentials; the operator PAI only when set', async (t) => {
  t.same(viaTrunk(TRUNK, '+493089001234', SHOWN), {
    uri: 'sips:+493089001234@trunk.example:5061;transport=tls',
    headers: {},
    auth: AUTH,
  });
  const withPai = { ...TRUNK, assertedIdentity: '+493025550999' };
  t.same(
    viaTrunk(withPai, '+493089001234', SHOWN).headers,
    {
      'P-Asserted-Identity': '<tel:+493025550999>',
    },
    'the caller shows its number: no Privacy',
  );
  t.same(
    viaTrunk(withPai, '+493089001234', WITHHELD).headers,
    {
      From: '<sip:anonymous@anonymous.invalid>',
      Privacy: 'id',
      'P-Asserted-Identity': '<tel:+493025550999>',
    },
    'CLIR: anonymous From, Privacy: id (RFC 3325) with the operator PAI',
  );
  t.notOk('auth' in viaTrunk({ route: TRUNK.route }, '+493089001234', SHOWN), 'no credentials set');
});

t.test(
  'a redirect goes where a transfer may: DE/AT numbers through the trunk, never a tracking number',
  async (t) => {
    t.same(redirectTarget(['sip:+493089001234@pbx.example'], 0, 3, policy), {
      follow: true,
      target: { ok: true, kind: 'e164', number: '+493089001234' },
    });
    t.match(redirectTarget(['sip:+493025550101@x'], 0, 3, policy), {
      follow: false,
      cause: 'redirect-refused',
      why: /Tracking Number/,
    });
    t.match(redirectTarget(['sip:+41445551234@x'], 0, 3, policy), {
      follow: false,
      cause: 'redirect-refused',
      why: /Outside DE\/AT/,
    });
    t.match(redirectTarget(['sip:+41445551234@x'], 0, 3, { ...policy, international: true }), {
      follow: true,
    });
    t.match(
      redirectTarget(['sip:+493025550101@x', 'tel:+4315123456'], 0, 3, policy),
      { follow: true, target: { number: '+4315123456' } },
      'the first allowed Contact',
    );
    t.match(redirectTarget(['sip:+493089001234@x'], 3, 3, policy), {
      follow: false,
      cause: 'redirect-limit',
    });
    t.match(
      redirectTarget(['sip:+493089001234@x'], 0, 0, policy),
      { cause: 'redirect-limit' },
      '0: never',
    );
    t.match(redirectTarget([], 0, 3, policy), { cause: 'redirect-refused', why: 'no Contact' });
  },
);

t.test('3xx Contacts: most preferred first (q, then order)', async (t) => {
  const res = (contact: string) => ({
    res: {
      has: () => true,
      getParsedHeader: () =>
        contact.split(/,\s*/).map((c) => {
          const [, uri, q] = /<([^>]+)>(?:;q=([\d.]+))?/.exec(c) ?? [];
          return { uri, params: q ? { q } : {} };
        }),
    },
  });
  t.same(redirectContacts(res('<sip:a@x>;q=0.5, <sip:b@x>;q=0.9, <sip:c@x>')), [
    'sip:c@x',
    'sip:b@x',
    'sip:a@x',
  ]);
  t.same(redirectContacts(new Error('no response')), []);
});

/** A CallSession over fake ports; `answers` maps a dialled URI to what the dealer does. */
async function session(
  answers: Record<string, DialResult | 'answer'>,
  destinations: ForwardDecision['destinations'],
  presentation = SHOWN,
  max = 3,
) {
  const dialled: DialRequest[] = [];
  const leg: ConnectedLeg = {
    ended: Promise.resolve('hangup'),
    remoteSdp: 'sdp',
    hangup: async () => undefined,
    onRequest: () => undefined,
    onRefer: () => undefined,
    alive: async () => true,
    request: async () => ({ status: 200 }),
  };
  const dialer: Dialer = {
    dial: async (r) => {
      dialled.push(r);
      const a = answers[r.uri] ?? { kind: 'failed', status: 404, cause: 'unreachable' };
      if (a === 'answer')
        return { kind: 'answered', leg, sdp: 'sdp', release: async () => undefined };
      return a;
    },
  };
  const rejected: number[] = [];
  const inbound: InboundLeg = {
    sdp: 'caller-sdp',
    provisional: () => undefined,
    earlyMedia: () => undefined,
    reject: (s) => void rejected.push(s),
    answer: async () => leg,
    answerWithOffer: async () => ({ leg, answer: 'a' }),
    onCancel: () => undefined,
  };
  const decision: ForwardDecision = {
    kind: 'forward',
    number: '+493025550101',
    customerId: 'c',
    source: 's',
    destinations,
    options: {},
  };
  const result = await new CallSession(inbound, decision.destinations, presentation, {
    dialer,
    trunk: TRUNK,
    redirect: { policy, max },
    now: Date.now,
    logger: createLogger('silent'),
    maxDurationMs: 60_000,
    keepaliveMs: 0,
  }).run();
  return { result, dialled, rejected };
}

const redirect = (...contacts: string[]): DialResult => ({
  kind: 'failed',
  status: 302,
  cause: 'rejected',
  contacts,
});
const dealer = { type: 'sip', uri: 'sip:dealer@pbx.example', ringTimeoutMs: 1000 } as const;
const second = { type: 'e164', number: '+493089009999', ringTimeoutMs: 1000 } as const;
const REDIRECTED = 'sips:+493089001234@trunk.example:5061;transport=tls';
const SECOND = 'sips:+493089009999@trunk.example:5061;transport=tls';

t.test(
  'a dealer’s 302 to an allowed number: followed through the trunk, answered there',
  async (t) => {
    const { result, dialled } = await session(
      {
        'sip:dealer@pbx.example': redirect('sip:+493089001234@pbx.example'),
        [REDIRECTED]: 'answer',
      },
      [dealer, second],
      WITHHELD,
    );
    t.same(
      dialled.map((d) => d.uri),
      ['sip:dealer@pbx.example', REDIRECTED],
    );
    t.notOk(dialled[0]?.auth, 'no credentials to the dealer’s own URI');
    t.same(dialled[1]?.auth, AUTH, 'credentials towards the trunk');
    t.same(dialled[1]?.headers, WITHHELD.headers, 'the withheld caller stays anonymous');
    t.equal(dialled[1]?.callingNumber, 'anonymous');
    t.match(result, {
      outcome: 'answered',
      destinationIndex: 0,
      attempts: [
        { index: 0, status: 302, cause: 'redirected' },
        { index: 0, status: 200, cause: 'answered', redirect: 1 },
      ],
    });
    t.equal(
      result.destination,
      '+493089001234',
      'the destination reached is the redirect target that answered, as routed (not the trunk URI)',
    );
  },
);

t.test('a refused redirect is an attempt of its own; the next destination follows', async (t) => {
  for (const [contact, label] of [
    ['sip:+493025550101@pbx.example', 'a tracking number'],
    ['sip:+41445551234@pbx.example', 'outside DE/AT'],
  ] as const) {
    const { result, dialled } = await session(
      { 'sip:dealer@pbx.example': redirect(contact), [SECOND]: 'answer' },
      [dealer, second],
    );
    t.same(
      dialled.map((d) => d.uri),
      ['sip:dealer@pbx.example', SECOND],
      label,
    );
    t.match(
      result.attempts,
      [
        { index: 0, status: 302, cause: 'redirect-refused' },
        { index: 1, status: 200, cause: 'answered' },
      ],
      label,
    );
    t.equal(result.destination, '+493089009999', `${label}: the next destination reached`);
  }
});

t.test('redirects beyond the limit are not followed', async (t) => {
  const loop = 'sips:+493089001234@trunk.example:5061;transport=tls';
  const { result, dialled, rejected } = await session(
    {
      'sip:dealer@pbx.example': redirect('sip:+493089001234@x'),
      [loop]: redirect('sip:+493089001234@x'),
    },
    [dealer],
    SHOWN,
    2,
  );
  t.equal(dialled.length, 3, 'the destination and two redirects');
  t.match(result.attempts, [
    { index: 0, status: 302, cause: 'redirected' },
    { index: 0, status: 302, cause: 'redirected', redirect: 1 },
    { index: 0, status: 302, cause: 'redirect-limit', redirect: 2 },
  ]);
  t.equal(result.outcome, 'failed');
  t.same(rejected, [480], 'the caller hears the failure');
});

t.test(
  'a trunk that keeps challenging fails with auth-failed; the next destination follows',
  async (t) => {
    const first = { type: 'e164', number: '+493089001234', ringTimeoutMs: 1000 } as const;
    const { result } = await session(
      {
        [REDIRECTED]: { kind: 'failed', status: 401, cause: 'auth-failed' },
        'sip:dealer@pbx.example': 'answer',
      },
      [first, dealer],
    );
    t.match(result.attempts, [
      { index: 0, status: 401, cause: 'auth-failed' },
      { index: 1, status: 200, cause: 'answered' },
    ]);
  },
);

t.test(
  'a transfer target number goes through the trunk with its credentials; a SIP URI without',
  async (t) => {
    for (const [target, uri, auth] of [
      ['tel:+493089001234', REDIRECTED, AUTH],
      ['sip:reception@pbx.example', 'sip:reception@pbx.example', undefined],
    ] as const) {
      const dialled: DialRequest[] = [];
      const settled = new Promise<void>((resolve) => {
        const transfer = new Transfer(
          {
            dialer: {
              dial: async (r) => {
                dialled.push(r);
                return { kind: 'failed', status: 486, cause: 'busy' };
              },
            },
            policy,
            enabled: true,
            presentation: WITHHELD,
            ringTimeoutMs: 1000,
            signal: new AbortController().signal,
            now: Date.now,
            logger: createLogger('silent'),
          },
          {
            caller: () => {
              throw new Error('not connected');
            },
            completed: () => {
              throw new Error('not completed');
            },
            settled: () => resolve(),
          },
        );
        t.match(
          transfer.refer({ target, replaces: false }, async () => undefined),
          { accept: true },
        );
      });
      await settled;
      t.equal(dialled[0]?.uri, uri, target);
      t.same(dialled[0]?.auth, auth, `${target}: credentials only towards the trunk`);
      t.equal(dialled[0]?.headers.Privacy, 'id', `${target}: CLIR kept`);
    }
  },
);

t.test('the abort that cancels a ringing attempt carries the CANCEL’s Reason', async (t) => {
  for (const how of ['caller', 'drain'] as const) {
    let cancel: () => void = () => undefined;
    let rings: () => void = () => undefined;
    const ringing = new Promise<void>((resolve) => {
      rings = resolve;
    });
    let reason: unknown;
    const inbound: InboundLeg = {
      sdp: 'caller-sdp',
      provisional: () => undefined,
      earlyMedia: () => undefined,
      reject: () => undefined,
      answer: async () => {
        throw new Error('not answered');
      },
      answerWithOffer: async () => {
        throw new Error('not answered');
      },
      onCancel: (handler) => {
        cancel = handler;
      },
    };
    const dialer: Dialer = {
      dial: (r) =>
        new Promise((done) => {
          r.signal.addEventListener('abort', () => {
            reason = r.signal.reason;
            done({ kind: 'failed', status: 487, cause: 'cancelled' });
          });
          rings();
        }),
    };
    const decision: ForwardDecision = {
      kind: 'forward',
      number: '+493025550101',
      customerId: 'c',
      source: 's',
      destinations: [dealer],
      options: {},
    };
    const s = new CallSession(inbound, decision.destinations, SHOWN, {
      dialer,
      trunk: TRUNK,
      now: Date.now,
      logger: createLogger('silent'),
      maxDurationMs: 1000,
      keepaliveMs: 0,
    });
    const ran = s.run();
    await ringing;
    if (how === 'caller') cancel();
    else s.terminate();
    t.match(await ran, { outcome: how === 'caller' ? 'cancelled' : 'failed' });
    t.equal(
      reason,
      how === 'caller'
        ? 'SIP;cause=487;text="Caller cancelled"'
        : 'SIP;cause=503;text="gateway shutting down"',
      how,
    );
  }
});

t.test(
  'a 302 to a SIP URI without a number: dialled as written, without the trunk’s credentials',
  async (t) => {
    const { result, dialled } = await session(
      {
        'sip:dealer@pbx.example': redirect('sip:reception@pbx.example'),
        'sip:reception@pbx.example': 'answer',
      },
      [dealer],
      WITHHELD,
    );
    t.same(
      dialled.map((d) => d.uri),
      ['sip:dealer@pbx.example', 'sip:reception@pbx.example'],
    );
    t.notOk(dialled[1]?.auth, 'no credentials');
    t.notOk(dialled[1]?.headers['P-Asserted-Identity'], 'no operator PAI');
    t.same(dialled[1]?.headers, WITHHELD.headers, 'still anonymous');
    t.match(result.attempts, [{ cause: 'redirected' }, { cause: 'answered', redirect: 1 }]);
  },
);

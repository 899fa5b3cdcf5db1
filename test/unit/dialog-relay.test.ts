/**
 * DialogRelay with plain fakes of the legs: what crosses to the other side, what comes back,
 * glare (491/500), offerless re-INVITEs, and the media-anchored path.
 */
import t from 'tap';
import { DialogRelay } from '../../src/call/dialog-relay.js';
import type { MediaAnchor } from '../../src/call/media-port.js';
import type { DialogRequest, DialogResult } from '../../src/call/ports.js';
import { createLogger } from '../../src/observability/logger.js';
import { fakeLeg as leg } from '../helpers/fake-leg.js';

const log = createLogger('silent');
const hold: DialogRequest = {
  method: 'INVITE',
  body: 'sdp sendonly',
  contentType: 'application/sdp',
};

t.test('a re-INVITE crosses to the other leg, its answer comes back', async (t) => {
  const caller = leg('caller-sdp');
  const dealer = leg('dealer-sdp');
  dealer.answer = async () => ({ status: 200, body: 'sdp recvonly' });
  new DialogRelay({ caller, dealer }, { caller: undefined, dealer: undefined }, undefined, log);
  t.same(await caller.send(hold), { status: 200, body: 'sdp recvonly' });
  t.same(dealer.got, [hold], 'the dealer got the offer as it was');
  dealer.answer = async () => ({ status: 488 });
  t.same(await caller.send(hold), { status: 488 }, 'a refusal comes back as it is');
});

t.test('glare: an offer on a leg where ours is pending gets 491; a second one 500', async (t) => {
  const caller = leg('caller-sdp');
  const dealer = leg('dealer-sdp');
  let release: (r: DialogResult) => void = () => undefined;
  dealer.answer = () =>
    new Promise((resolve) => {
      release = resolve;
    });
  new DialogRelay({ caller, dealer }, { caller: undefined, dealer: undefined }, undefined, log);
  const first = caller.send(hold);
  t.same(await dealer.send(hold), { status: 491 }, "the dealer's crossing offer");
  t.same(await caller.send(hold), { status: 500 }, 'a second offer from the caller meanwhile');
  release({ status: 200, body: 'sdp recvonly' });
  t.same(await first, { status: 200, body: 'sdp recvonly' });
  dealer.answer = async () => ({ status: 200, body: 'again' });
  t.same(
    await dealer.send(hold),
    { status: 200, body: 'answer' },
    'once settled, offers pass again',
  );
});

t.test(
  "an offerless re-INVITE gets the other side's offer; the ACK's answer goes back",
  async (t) => {
    const caller = leg('caller-sdp');
    const dealer = leg('dealer-sdp');
    const acked: string[] = [];
    dealer.answer = async () => ({
      status: 200,
      body: 'dealer offer',
      ack: async (sdp) => void acked.push(sdp),
    });
    new DialogRelay({ caller, dealer }, { caller: undefined, dealer: undefined }, undefined, log);
    const a = await caller.send({ method: 'INVITE' });
    t.match(a, { status: 200, body: 'dealer offer' });
    a.onAck?.('caller answer');
    t.same(acked, ['caller answer']);
    a.onAck?.(undefined);
    t.same(acked, ['caller answer', 'caller-sdp'], "an ACK without SDP: the caller's last SDP");
  },
);

t.test('INFO is relayed with its body and type', async (t) => {
  const caller = leg('caller-sdp');
  const dealer = leg('dealer-sdp');
  dealer.answer = async () => ({ status: 200 });
  new DialogRelay({ caller, dealer }, { caller: undefined, dealer: undefined }, undefined, log);
  const info: DialogRequest = {
    method: 'INFO',
    body: 'Signal=5',
    contentType: 'application/dtmf-relay',
  };
  t.same(await caller.send(info), { status: 200 });
  t.same(dealer.got, [info]);
});

t.test("media-anchored: the leg's endpoint follows, the other leg is not asked", async (t) => {
  const caller = leg('caller-sdp');
  const dealer = leg('dealer-sdp');
  const moved: string[] = [];
  const anchor = {
    updateCaller: async (sdp: string) => {
      moved.push(`caller ${sdp}`);
      return 'fs caller answer';
    },
    updateDealer: async (sdp: string) => {
      moved.push(`dealer ${sdp}`);
      return 'fs dealer answer';
    },
  } as unknown as MediaAnchor;
  new DialogRelay({ caller, dealer }, { caller: 'fs-a', dealer: 'fs-b' }, anchor, log);
  t.same(await caller.send(hold), { status: 200, body: 'fs caller answer' });
  t.same(await dealer.send(hold), { status: 200, body: 'fs dealer answer' });
  t.same(moved, ['caller sdp sendonly', 'dealer sdp sendonly']);
  t.same(dealer.got, [], 'nothing relayed: FreeSWITCH anchors both');
  const offerless = await caller.send({ method: 'INVITE' });
  t.match(offerless, { status: 200, body: 'fs caller answer' }, 'what we last gave the caller');
  offerless.onAck?.('new caller sdp');
  await new Promise((r) => setImmediate(r));
  t.same(moved.at(-1), 'caller new caller sdp');
});

t.test('after a transfer, requests from the replaced dealer get 481', async (t) => {
  const caller = leg('caller-sdp');
  const dealer = leg('dealer-sdp');
  const target = leg('target-sdp');
  const relay = new DialogRelay(
    { caller, dealer },
    { caller: undefined, dealer: undefined },
    undefined,
    log,
  );
  relay.replace('dealer', target, 'caller answer');
  t.same(await dealer.send(hold), { status: 481 });
  target.answer = async () => ({ status: 200, body: 'target answer' });
  t.same(
    await caller.send(hold),
    { status: 200, body: 'target answer' },
    'offers go to the target now',
  );
  t.same(target.got, [hold]);
});

/**
 * A request the kernel will not send: to a broadcast address (EACCES), or off this host from a
 * server bound to loopback (EINVAL). sofia's send fails at once and it answers that request itself
 * with 503 (nta.c outgoing_send → outgoing_tport_error), where silence would take until timer B.
 * A datagram to 0.0.0.0 is sent (to this host) and runs to the timeout. The servers here listen
 * on 127.0.0.1. Each case runs on drachtio-server v0.9.10 (`TEST_DRACHTIO_BIN`) unchanged.
 */
import t from 'tap';
import { freeUdpPort } from '../helpers/ports.js';
import { dialed, standUp, toApp } from '../helpers/standin-bed.js';

/** `network|0|udp||0`: what drachtio-server tells the app of a response its stack made. */
const STACK_MADE = ['network', '0', 'udp', '', '0'];

for (const [what, host] of [
  ['the limited broadcast address', '255.255.255.255'],
  ['a reserved (class E) address', '240.0.0.1'],
  ['an address off this host, from a server bound to loopback', '192.0.2.1'],
] as const) {
  t.test(`an INVITE to ${what}: the stack’s 503 at once`, async (t) => {
    const { standin, app } = await standUp(t);
    const started = Date.now();
    t.equal(await dialed(app, `sip:d@${host}:5060`), 503);
    const took = Date.now() - started;
    // the first retransmission would come after 1 s, timer B after 32 × T1
    t.ok(took < 1000, `answered in ${took} ms`);
    const answer = toApp(standin.trace, 'sip').find((f) => f.sip.startsWith('SIP/2.0 503'));
    t.match(answer?.sip, /^SIP\/2\.0 503 Service Unavailable\r\n/);
    t.same(answer?.tokens.slice(2, 7), STACK_MADE, 'from no address');
  });
}

t.test('an INVITE to 0.0.0.0 goes out and runs to the timeout: 408, not 503', async (t) => {
  // the datagram reaches this host's closed port, but the ICMP error names 127.0.0.1, where
  // nothing is pending
  const { standin, app } = await standUp(t);
  t.equal(await dialed(app, `sip:d@0.0.0.0:${await freeUdpPort()}`), 408);
  const answer = toApp(standin.trace, 'sip').find((f) => f.sip.startsWith('SIP/2.0 408'));
  t.same(answer?.tokens.slice(2, 7), STACK_MADE, 'the stack’s own timeout');
});

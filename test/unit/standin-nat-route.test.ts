/**
 * The stand-in's copy of drachtio-server's NAT detection (v0.9.10, sip-dialog-controller.cpp
 * processResponseOutsideDialog and SipDialog's constructor): when a dialog's requests go to the
 * address the peer sent from rather than where its Contact or route set points.
 */
import t from 'tap';
import { parseBuilt } from '../standin/dialog-requests.js';
import {
  drachtioCallsPrivate,
  natCheckCrashes,
  uacNatRoute,
  uasNatRoute,
} from '../standin/nat-route.js';

const UDP = { address: '127.0.0.1', port: 5070 };
const TCP = { ...UDP, transport: 'tcp' as const };

t.test(
  '"private" as drachtio tests it: 10.x, 192.168.x and every 172.x, dotted decimal only',
  async (t) => {
    for (const host of [
      '10.0.0.5',
      '192.168.1.1',
      '172.16.0.1',
      '172.31.9.9',
      '172.1.2.3',
      '172.200.0.1',
    ])
      t.ok(drachtioCallsPrivate(host), host);
    for (const host of [
      '127.0.0.1',
      '192.169.0.1',
      '11.0.0.1',
      'pbx.invalid',
      '10.0.0',
      '[::1]',
      '',
    ])
      t.notOk(drachtioCallsPrivate(host), host);
  },
);

t.test(
  'our INVITE answered: the Contact host against the source, the port not compared',
  async (t) => {
    t.same(uacNatRoute([], '<sip:d@10.0.0.5:5060>', UDP), UDP, 'a private Contact');
    t.same(uacNatRoute([], '<sip:d@pbx.invalid:5070>', UDP), UDP, 'a host name');
    t.same(uacNatRoute([], '<sip:d@pbx.invalid>', TCP), TCP, 'over TCP: the route keeps TCP');
    t.equal(uacNatRoute([], '<sip:d@127.0.0.1:5999>', UDP), undefined, 'same host, another port');
    t.equal(uacNatRoute([], undefined, UDP), undefined, 'no Contact');
  },
);

t.test('our INVITE answered through a proxy: only a private first hop means NAT', async (t) => {
  const contact = '<sip:d@10.0.0.5>';
  t.same(uacNatRoute(['<sip:10.0.0.9;lr>', '<sip:1.2.3.4;lr>'], contact, UDP), UDP);
  t.equal(uacNatRoute(['<sip:proxy.invalid;lr>'], contact, UDP), undefined, 'a host name');
  t.equal(uacNatRoute(['<sip:1.2.3.4;lr>', '<sip:10.0.0.9;lr>'], contact, UDP), undefined);
});

t.test(
  'an INVITE we answer: over UDP without Record-Route, host or a named port moved',
  async (t) => {
    t.same(uasNatRoute('<sip:c@10.0.0.5:5060>', false, UDP), UDP, 'another host');
    t.same(uasNatRoute('<sip:c@127.0.0.1:5071>', false, UDP), UDP, 'another port');
    t.equal(uasNatRoute('<sip:c@127.0.0.1:5070>', false, UDP), undefined, 'where it came from');
    t.equal(uasNatRoute('<sip:c@127.0.0.1>', false, UDP), undefined, 'no port named');
    t.equal(uasNatRoute('<sip:c@10.0.0.5>', true, UDP), undefined, 'record-routed');
    t.equal(uasNatRoute('<sip:c@pbx.invalid>', false, TCP), undefined, 'over TCP: never');
    t.equal(uasNatRoute(undefined, false, UDP), undefined, 'no Contact');
  },
);

t.test(
  'the NAT check of an answered INVITE dies of a Contact without host (UDP, no Record-Route)',
  async (t) => {
    const invite = (contact: string, extra = '') =>
      parseBuilt(
        `INVITE sip:+4930100@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1\r\nFrom: <sip:c@127.0.0.1>;tag=1\r\nTo: <sip:+4930100@127.0.0.1>\r\nCall-ID: n1\r\nCSeq: 1 INVITE\r\nContact: ${contact}\r\n${extra}Content-Length: 0\r\n\r\n`,
      );
    t.ok(natCheckCrashes(invite('*'), UDP));
    t.ok(natCheckCrashes(invite('<tel:+4930123>'), UDP));
    t.notOk(natCheckCrashes(invite('<sip:c@127.0.0.1:5070>'), UDP), 'a host');
    t.notOk(natCheckCrashes(invite('*'), TCP), 'over TCP the check does not run');
    t.notOk(
      natCheckCrashes(invite('*', 'Record-Route: <sip:10.0.0.9;lr>\r\n'), UDP),
      'record-routed',
    );
  },
);

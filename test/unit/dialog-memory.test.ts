import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import Srf from 'drachtio-srf';
import t from 'tap';
import { detached, releaseSetupMessages } from '../../src/sip/dialog-memory.js';
import type { SrfDialog } from '../../src/sip/srf-types.js';

/** The part of srf's dialog map these tests use (its bundled types leave it out). */
type DialogMap = {
  addDialog(dialog: unknown): void;
  findDialogById(id: string): unknown;
};
const newSrf = () => new Srf() as unknown as DialogMap;

const FRAME =
  'INVITE sip:+493025550101@gw SIP/2.0\r\nCall-ID: 1-28957@127.0.0.1\r\n\r\nv=0\r\no=caller 1 1 IN IP4 127.0.0.1\r\n';

t.test('a detached string is equal to the slice it was made from', async (t) => {
  const slice = FRAME.slice(FRAME.indexOf('Call-ID: ') + 9, FRAME.indexOf('\r\n\r\n'));
  t.equal(detached(slice), '1-28957@127.0.0.1');
  t.equal(detached('Grüße "Ä" ☎'), 'Grüße "Ä" ☎', 'UTF-8 survives the copy');
  t.equal(detached(undefined), undefined);
});

t.test('a detached string keeps nothing of the frame it was cut from', async (t) => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const MB = 1 << 20;
  // a 32 MB frame, and a hundred characters of it kept: a plain slice keeps the whole frame
  const cut = (keep: (s: string) => string) => {
    const frame = `${'x'.repeat(32 * MB)}${Math.random()}`;
    return keep(frame.slice(1000, 1100));
  };
  const heapAfter = (keep: (s: string) => string) => {
    gc();
    const before = process.memoryUsage().heapUsed;
    const kept = cut(keep);
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    t.equal(kept.length, 100);
    return grown;
  };
  t.ok(heapAfter((s) => s) > 30 * MB, 'the measure sees a slice keep its frame');
  t.ok(heapAfter(detached) < MB, 'a detached copy lets the frame go');
});

t.test('a dialog keeps what srf reads of its setup messages, and srf still finds it', async (t) => {
  const srf = newSrf();
  const socket = {};
  const id = FRAME.slice(FRAME.indexOf('Call-ID: ') + 9, FRAME.indexOf('\r\n\r\n'));
  const sdp = FRAME.slice(FRAME.indexOf('v=0'));
  const dialog = {
    srf,
    req: { method: 'INVITE', socket, msg: { raw: FRAME }, body: sdp },
    res: { stackDialogId: id, msg: { raw: FRAME } },
    sip: { callId: id, remoteTag: 'a', localTag: 'b' },
    local: { uri: 'sip:calltrack@127.0.0.1', sdp: undefined, contact: '<sip:calltrack@127.0.0.1>' },
    remote: { uri: 'sip:caller@127.0.0.1', sdp },
    get id() {
      return this.res.stackDialogId;
    },
  };
  srf.addDialog(dialog);
  releaseSetupMessages(dialog as unknown as SrfDialog);
  t.same(Object.keys(dialog.req).sort(), ['method', 'socket'], 'the request: method, connection');
  t.equal(dialog.req.socket, socket);
  t.same(Object.keys(dialog.res), ['stackDialogId'], 'the response: the dialog id');
  t.equal(dialog.id, '1-28957@127.0.0.1');
  t.equal(srf.findDialogById('1-28957@127.0.0.1'), dialog, 'found by its id as before');
  t.same(dialog.sip, { callId: '1-28957@127.0.0.1', remoteTag: 'a', localTag: 'b' });
  t.equal(dialog.remote.sdp, sdp);
  t.equal(dialog.local.sdp, undefined, 'an absent SDP stays absent');
  t.equal(dialog.local.contact, '<sip:calltrack@127.0.0.1>');
});

t.test('a dialog srf does not hold is changed, not registered', async (t) => {
  const srf = newSrf();
  const dialog = {
    srf,
    req: { method: 'INVITE' },
    res: { stackDialogId: 'x;from-tag=1' },
    sip: {},
    local: {},
    remote: {},
  };
  releaseSetupMessages(dialog as unknown as SrfDialog);
  t.equal(srf.findDialogById('x;from-tag=1'), undefined);
  t.same(dialog.res, { stackDialogId: 'x;from-tag=1' });
});

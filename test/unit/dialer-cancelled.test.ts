/**
 * An attempt the gateway cancelled whose INVITE never gets a final answer: drachtio-server
 * forgets such an INVITE 32 s after the app's CANCEL and srf's promise never settles (seen with
 * v0.9.10, test/e2e/standin-timers-edges.test.ts). The dialer lets it go after its wait: nothing
 * of it stays in flight or in the background work a drain waits for. A fake srf here, whose
 * INVITE is never answered; the wait shortened.
 */
import t from 'tap';
import type { DialRequest } from '../../src/call/ports.js';
import { srfDialer } from '../../src/sip/dialer.js';
import { InFlight } from '../../src/sip/in-flight.js';
import type { Srf } from '../../src/sip/srf-types.js';
import { StopController } from '../../src/util/stop-signal.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An srf whose INVITEs go out and are never answered; counts the CANCELs asked for. */
function silentSrf() {
  const sent = { cancels: 0 };
  const req = {
    cancel: () => {
      sent.cancels += 1;
    },
  };
  const srf = {
    createUAC: (
      _uri: string,
      _opts: unknown,
      cbs: { cbRequest: (e: null, r: unknown) => void },
    ) => {
      setImmediate(() => cbs.cbRequest(null, req));
      return new Promise(() => undefined);
    },
  } as unknown as Srf;
  return { srf, sent };
}

function request(timeoutMs: number, stop = new StopController()): DialRequest {
  return {
    uri: 'sip:dealer@192.0.2.10',
    sdp: 'v=0\r\n',
    callingNumber: '+4930111222333',
    headers: {},
    timeoutMs,
    onProvisional: () => undefined,
    signal: stop.signal,
  };
}

const outbound = (inFlight: InFlight) => inFlight.drop(0).outbound.length;

/** Whether the background work a drain waits for settles within `ms`. */
function settledWithin(dialer: ReturnType<typeof srfDialer>, ms: number) {
  return Promise.race([dialer.settled().then(() => 'settled'), sleep(ms).then(() => 'waiting')]);
}

t.test('cancelled at its ring timeout, never answered: let go after the wait', async (t) => {
  const { srf, sent } = silentSrf();
  const inFlight = new InFlight();
  const dialer = srfDialer(srf, inFlight, 100);
  t.match(await dialer.dial(request(20)), { kind: 'failed', status: 408 });
  t.equal(sent.cancels, 1, 'the CANCEL was asked for');
  t.equal(await settledWithin(dialer, 20), 'waiting', 'still waited for within the wait');
  await sleep(150);
  t.equal(await settledWithin(dialer, 20), 'settled', 'let go after it: a drain waits for nothing');
  t.equal(outbound(inFlight), 0, 'nothing left in flight');
});

t.test('cancelled by the caller: the same', async (t) => {
  const { srf } = silentSrf();
  const inFlight = new InFlight();
  const dialer = srfDialer(srf, inFlight, 100);
  const stop = new StopController();
  const result = dialer.dial(request(60_000, stop));
  await sleep(10);
  stop.abort('caller');
  t.match(await result, { kind: 'failed', status: 487, cause: 'cancelled' });
  await sleep(150);
  t.equal(await settledWithin(dialer, 20), 'settled');
  t.equal(outbound(inFlight), 0);
});

// The app socket itself: wrong secret refused, frames glued together and split anywhere (inside
// the length and inside a UTF-8 character), protocol errors, ping. A raw TCP client plays the
// app where drachtio-srf would hide the framing.
import { connect, type Socket } from 'node:net';
import t, { type Test } from 'tap';
import { startDrachtio } from '../helpers/drachtio-peer.js';
import { runSipp } from '../helpers/sipp.js';
import { connectApp, disconnectApp, newApp } from '../helpers/srf-app.js';
import { SECRET } from '../helpers/standin-bed.js';
import { waitFor } from '../helpers/wait.js';
import { FrameDecoder } from '../standin/framing.js';
import type { StandinHandle } from '../standin/index.js';

const KEYS = { caller: '+4930111222333', called: '+4930100' };

class RawApp {
  readonly payloads: string[] = [];
  closed = false;
  private readonly decoder = new FrameDecoder();

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.payloads.push(...this.decoder.push(chunk)));
    socket.on('close', () => {
      this.closed = true;
    });
  }

  static async open(standin: StandinHandle): Promise<RawApp> {
    const socket = connect(standin.adminAddress.port, standin.adminAddress.address);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.setNoDelay(true);
    return new RawApp(socket);
  }

  /** Writes `bytes` in the given chunk sizes, one TCP write per chunk with a pause in between. */
  async write(bytes: Buffer, chunk = bytes.length): Promise<void> {
    for (let i = 0; i < bytes.length; i += chunk) {
      this.socket.write(bytes.subarray(i, i + chunk));
      if (chunk < bytes.length) await new Promise((r) => setTimeout(r, 2));
    }
  }

  reply(msgId: string): Promise<string[]> {
    return waitFor(() => {
      const found = this.payloads.find((p) => p.split('|')[2] === msgId);
      return found?.split('\r\n')[0]?.split('|');
    });
  }

  end(): void {
    this.socket.destroy();
  }
}

const frame = (payload: string) => Buffer.from(`${Buffer.byteLength(payload)}#${payload}`, 'utf8');

async function standin(t: Test): Promise<StandinHandle> {
  const handle = await startDrachtio(SECRET);
  t.teardown(() => handle.close());
  return handle;
}

t.test('wrong secret: NO|incorrect secret, then the server hangs up', async (t) => {
  const handle = await standin(t);
  const app = newApp();
  t.teardown(() => disconnectApp(app));
  await t.rejects(connectApp(app, handle.adminAddress, 'wrong'), /failed to authenticate/);
  const raw = await RawApp.open(handle);
  t.teardown(() => raw.end());
  await raw.write(frame('a1|authenticate|wrong|'));
  t.same((await raw.reply('a1')).slice(3), ['NO', 'incorrect secret']);
  await waitFor(() => raw.closed || undefined, 2000, 'server to close');
  t.ok(raw.closed, 'connection closed by the server');
});

t.test('frames glued and split across TCP reads, UTF-8 split mid-character', async (t) => {
  const handle = await standin(t);
  const raw = await RawApp.open(handle);
  t.teardown(() => raw.end());
  // authenticate, route and ping glued into one TCP write
  await raw.write(
    Buffer.concat([
      frame(`a1|authenticate|${SECRET}|`),
      frame('a2|route|options'),
      frame('a3|ping'),
    ]),
  );
  t.equal((await raw.reply('a1'))[3], 'OK');
  t.same((await raw.reply('a2')).slice(3), ['OK']);
  t.same((await raw.reply('a3')).slice(3), ['OK', 'pong']);

  const caller = runSipp({
    scenario: 'uac-options-utf8-expect-200.xml',
    remote: handle.sipAddress,
    keys: KEYS,
  });
  const request = await waitFor(
    () => raw.payloads.find((p) => p.includes('|sip|network|')),
    10_000,
    'OPTIONS frame',
  );
  t.match(request, /Subject: Grüße aus Köln ☎ 📞/, 'decoded with its multi-byte characters');
  const txnId = request.split('\r\n')[0]?.split('|')[8] ?? '';
  const answer = frame(
    `a4|sip|${txnId}|\r\nSIP/2.0 200 OK\r\nX-Greeting: Grüße\r\nContent-Length: 0\r\n\r\n`,
  );
  // one byte per write: splits inside the length digits and inside every multi-byte character
  await raw.write(Buffer.concat([answer, frame('a5|ping')]), 1);
  t.equal((await raw.reply('a4'))[3], 'OK', 'the split response was reassembled and sent');
  t.same((await raw.reply('a5')).slice(3), ['OK', 'pong']);
  const result = await caller;
  t.equal(result.exitCode, 0, `sipp got the 200: ${result.errors}`);
  t.match(result.messages.find((m) => m.dir === 'received')?.text ?? '', /^X-Greeting: Grüße$/m);
});

t.test('protocol errors: NO and hang up, as the real server does', async (t) => {
  const handle = await standin(t);
  const unknown = await RawApp.open(handle);
  t.teardown(() => unknown.end());
  await unknown.write(frame('b1|frobnicate|x'));
  t.same((await unknown.reply('b1')).slice(3), ['NO', 'Unknown message type']);
  await waitFor(() => unknown.closed || undefined, 2000, 'close after unknown type');

  const longLength = await RawApp.open(handle);
  t.teardown(() => longLength.end());
  await longLength.write(Buffer.from('123456#x'));
  await waitFor(() => longLength.closed || undefined, 2000, 'close after six length digits');
  t.equal(longLength.payloads.length, 0, 'no reply to a malformed length');

  const noTxn = await RawApp.open(handle);
  t.teardown(() => noTxn.end());
  await noTxn.write(frame(`c1|authenticate|${SECRET}|`));
  await noTxn.reply('c1');
  await noTxn.write(frame('c2|sip||\r\nSIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n'));
  t.same((await noTxn.reply('c2')).slice(3), ['NO', 'transaction id missing']);
  await waitFor(() => noTxn.closed || undefined, 2000, 'close after response without txnId');
  t.ok(noTxn.closed, 'server hung up on each');
});

t.test('answers and requests the real server refuses get NOK', async (t) => {
  const handle = await standin(t);
  const raw = await RawApp.open(handle);
  t.teardown(() => raw.end());
  await raw.write(frame(`d1|authenticate|${SECRET}|`));
  await raw.reply('d1');
  const nok = async (id: string, sip: string, txn = '', dialog = '') => {
    await raw.write(frame(`${id}|sip|${txn}|${dialog}\r\n${sip}`));
    return (await raw.reply(id)).slice(3).join('|');
  };
  const ok200 = 'SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n';
  const UNKNOWN = 'NOK|Response not sent due to unknown transaction';
  t.equal(await nok('d2', ok200, 'no-such-txn'), UNKNOWN);
  // drachtio.cpp FindCSeqMethod matches the whole header block: only a lone CSeq line counts
  const cancel200 = (head: string) => `SIP/2.0 200 OK\r\n${head}\r\n\r\n`;
  const CANCEL_NOK = 'NOK|200 OK to incoming CANCEL is automatically generated by the stack';
  const heads = {
    'CSeq: 1 CANCEL': CANCEL_NOK,
    'CSeq:  1  CANCEL': CANCEL_NOK,
    'CSeq: 1 CANCEL\r\nContent-Length: 0': UNKNOWN,
    'X-A: b\r\nCSeq: 1 CANCEL': UNKNOWN,
    'cseq: 1 CANCEL': UNKNOWN,
    'CSeq: 1 cancel': UNKNOWN,
  };
  for (const [i, [head, answer]] of Object.entries(heads).entries())
    t.equal(await nok(`d3${i}`, cancel200(head), 'no-such-txn'), answer, JSON.stringify(head));
  t.equal(
    await nok('d4', 'BYE sip:placeholder SIP/2.0\r\nContent-Length: 0\r\n\r\n', '', 'x;from-tag=y'),
    'NOK|Server error: unable to find dialog for dialog id provided',
  );
  t.equal(
    await nok('d5', 'CANCEL sip:a@127.0.0.1 SIP/2.0\r\nContent-Length: 0\r\n\r\n', 'no-such-txn'),
    'NOK|unable to cancel unknown transaction id: no-such-txn',
  );
  const self = `INVITE sip:x@127.0.0.1:${handle.sipAddress.port} SIP/2.0\r\nContent-Length: 0\r\n\r\n`;
  t.equal(await nok('d6', self), 'NOK|can not send request to myself');
  t.equal(
    await nok('d7', 'MESSAGE sip:x@127.0.0.1:9 SIP/2.0\r\nContent-Length: 5\r\n\r\nhello'),
    'NOK|missing content-type',
  );
  t.equal(
    await nok('d8', 'INVITE sip:x@127.0.0.1:9;transport=tls SIP/2.0\r\nContent-Length: 0\r\n\r\n'),
    'NOK|requested protocol/transport not available',
  );
});

// Server transactions are told apart by branch AND sent-by (RFC 3261 17.2.3): RFC 4475's
// messages from different hosts share the branch `z9hG4bKkdjuw`, and the stand-in used to take
// the second for a retransmission of the first and swallow it.
import t from 'tap';
import { ServerTxnStore } from '../standin/server-txn.js';
import { parseSip, type SipRequest } from '../standin/sip-message.js';
import type { AppClient } from '../standin/stack.js';
import { newServerTxn } from '../standin/uas.js';

const options = (host: string, callId: string): SipRequest => {
  const text = [
    'OPTIONS sip:user@example.com SIP/2.0',
    `Via: SIP/2.0/UDP ${host};branch=z9hG4bKkdjuw`,
    'From: <sip:caller@example.com>;tag=1',
    'To: <sip:user@example.com>',
    `Call-ID: ${callId}`,
    'CSeq: 1 OPTIONS',
    '',
    '',
  ].join('\r\n');
  const parsed = parseSip(Buffer.from(text));
  if (!parsed.ok || parsed.message.kind !== 'request') throw new Error('bad fixture');
  return parsed.message;
};

const client = { id: 1, closed: false, send() {}, reply() {} } satisfies AppClient;
const from = { address: '127.0.0.1', port: 5060 };

t.test('same branch from another host is a new transaction', async (t) => {
  const store = new ServerTxnStore();
  const first = options('funky.example.com', 'a');
  store.add(newServerTxn(first, from, 0, client, false));
  t.ok(store.match(options('funky.example.com', 'a')), 'a retransmission matches');
  t.notOk(store.match(options('192.0.2.1', 'b')), 'another sent-by does not');
  t.notOk(store.match(options('funky.example.com:5070', 'c')), 'nor another port');
});

// The app cancels its own INVITE (`sip|<txnId>|` + CANCEL). The server builds the CANCEL from the
// INVITE (same branch, RFC 3261 9.1) and swallows the 200 to it: sofia never passes that up.

import type { AppSip } from './app-headers.js';
import { filterAppHeaders, withoutHeaders } from './app-headers.js';
import { newClientTxn, startClientTxn } from './client-txn.js';
import { parseBuilt } from './dialog-requests.js';
import { callIdOf, canonicalKey, cseqOf, headerValue, headerValues } from './sip-message.js';
import { buildMessage } from './sip-serialize.js';
import type { AppClient, Stack } from './stack.js';
import { sentExtra } from './uac-send.js';

/** makeSafeTags: on a CANCEL the app may not touch the dialog-identifying headers. */
const NOT_SAFE = ['from', 'to', 'contact', 'p-asserted-identity', 'call-id', 'cseq'];

export function cancelFromApp(
  stack: Stack,
  client: AppClient,
  msgId: string,
  txnId: string,
  sip: AppSip,
): void {
  const invite = stack.clientTxns.byTxnId(txnId);
  const inProgress =
    invite?.method === 'INVITE' && (invite.state === 'calling' || invite.state === 'proceeding');
  if (invite?.method === 'INVITE' && invite.state === 'accepted') {
    client.reply(msgId, 'NOK', `internal server error canceling transaction id: ${txnId}`);
    return;
  }
  if (!invite || !inProgress) {
    client.reply(msgId, 'NOK', `unable to cancel unknown transaction id: ${txnId}`);
    return;
  }
  invite.canceled = true;
  const req = invite.request;
  const local = { host: stack.config.host, port: stack.config.port };
  const text = buildMessage(`CANCEL ${req.uri} SIP/2.0`, [
    { name: 'Via', value: req.headers.find((h) => canonicalKey(h.name) === 'via')?.value ?? '' },
    ...headerValues(req.headers, 'route').map((value) => ({ name: 'Route', value })),
    { name: 'Max-Forwards', value: '70' },
    { name: 'From', value: headerValue(req.headers, 'from') ?? '' },
    { name: 'To', value: headerValue(req.headers, 'to') ?? '' },
    { name: 'Call-ID', value: callIdOf(req) },
    { name: 'CSeq', value: `${cseqOf(req).seq} CANCEL` },
    ...withoutHeaders(filterAppHeaders(sip.headers, local), NOT_SAFE),
  ]);
  const cancel = newClientTxn({
    method: 'CANCEL',
    branch: invite.branch,
    request: parseBuilt(text),
    text,
    to: invite.to,
    client: undefined,
  });

  startClientTxn(stack, cancel, () => {});
  client.reply(msgId, 'OK', sentExtra(stack, cancel.txnId, text));
}

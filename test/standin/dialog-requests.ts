// Requests the server builds inside a dialog: the app's in-dialog requests, the ACK for a 2xx,
// and BYEs the server sends on its own (ACK timeout, CANCEL/200 race), which it then reports to
// the app as an "unsolicited" BYE with source `application`.
import { newClientTxn, startClientTxn } from './client-txn.js';
import { type Dialog, nextHop, requestTarget } from './dialogs.js';
import { newBranch } from './ids.js';
import type { Endpoint } from './sip-address.js';
import { parseSip, type SipHeader, type SipRequest } from './sip-message.js';
import { buildMessage } from './sip-serialize.js';
import { localVia, type Stack, sentMeta } from './stack.js';
import { sipPayload } from './wire.js';

export interface DialogRequestParts {
  method: string;
  /** Request-URI; defaults to the dialog's remote target. */
  uri?: string;
  cseq: number;
  headers?: SipHeader[];
  body?: string;
  /** Where it goes (`nextHop`, computed once by the sender): the Via names its transport. */
  to: Endpoint | undefined;
}

export interface BuiltRequest {
  text: string;
  branch: string;
  request: SipRequest;
}

export function buildDialogRequest(
  stack: Stack,
  dialog: Dialog,
  parts: DialogRequestParts,
): BuiltRequest {
  const branch = newBranch();
  const { uri, routes } = requestTarget(dialog, parts.uri ?? dialog.remoteTarget);
  const headers: SipHeader[] = [
    { name: 'Via', value: localVia(stack, parts.to, branch) },
    ...routes.map((value) => ({ name: 'Route', value })),
    { name: 'Max-Forwards', value: '70' },
    { name: 'From', value: `${dialog.localUri};tag=${dialog.localTag}` },
    { name: 'To', value: `${dialog.remoteUri};tag=${dialog.remoteTag}` },
    { name: 'Call-ID', value: dialog.callId },
    { name: 'CSeq', value: `${parts.cseq} ${parts.method}` },
    ...(parts.headers ?? []),
  ];
  const text = buildMessage(`${parts.method} ${uri} SIP/2.0`, headers, parts.body);
  return { text, branch, request: parseBuilt(text) };
}

/** Parses a message the stand-in built itself (always well-formed). */
export function parseBuilt(text: string): SipRequest {
  const parsed = parseSip(Buffer.from(text, 'utf8'));
  if (!parsed.ok || parsed.message.kind !== 'request')
    throw new Error(`stand-in built a bad request: ${text}`);
  return parsed.message;
}

/** Ends a dialog from the server side: BYE to the peer, "unsolicited" BYE to the app. */
export function terminateDialog(stack: Stack, dialog: Dialog, why: string): void {
  stack.dialogs.remove(dialog.id);
  const { bye, to } = sendServerBye(stack, dialog, why);
  const meta = sentMeta(stack, to, Buffer.byteLength(bye.text));
  dialog.client.send(sipPayload(meta, 'unsolicited', dialog.id, bye.text));
}

/** The server's own BYE with `Reason: …text="why"`, its answers kept inside; nowhere to: unsent. */
export function sendServerBye(stack: Stack, dialog: Dialog, why: string) {
  const to = nextHop(stack, dialog);
  dialog.localSeq += 1;
  const bye = buildDialogRequest(stack, dialog, {
    method: 'BYE',
    cseq: dialog.localSeq,
    to,
    // drachtio passes `SIP ;cause=200 ;text="…"` (SIPTAG_REASON_STR); sofia parses it and prints
    // it without the spaces, on the wire and in the frame to the app alike (seen with v0.9.10)
    headers: [{ name: 'Reason', value: `SIP;cause=200;text="${why}"` }],
  });
  if (to)
    startClientTxn(stack, newClientTxn({ ...bye, method: 'BYE', to, client: undefined }), () => {});
  return { bye, to };
}

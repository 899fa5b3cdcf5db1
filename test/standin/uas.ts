// Requests from the network: new requests go to a routed app (100 Trying first for INVITE, 503
// without an app), requests inside a dialog go to uas-dialog.ts, retransmissions are absorbed
// or answered with the last response, unknown dialogs get 481.
import { dialogIdOf } from './dialogs.js';
import { newTag, newUuid } from './ids.js';
import { pracked, prackTarget } from './reliable.js';
import { buildResponse } from './responses.js';
import { refusedByDrachtio } from './sanity.js';
import { lingerThenDelete, type ServerTxn, sendTxnResponse } from './server-txn.js';
import { branchOf, type Endpoint, formatVia, getParam, parseVia, tagOf } from './sip-address.js';
import {
  callIdOf,
  canonicalKey,
  headerValue,
  type SipRequest,
  splitCommas,
} from './sip-message.js';
import { protocolOf, type Stack } from './stack.js';
import { handleAck, handleCancel } from './uas-cancel-ack.js';
import { inDialogRequest } from './uas-dialog.js';
import { earlyDialogRequest, earlyInvite } from './uas-early.js';
import { type Meta, sipPayload } from './wire.js';

/** Methods drachtio-server hands to an app when they arrive outside any known dialog. */
const ROUTABLE = new Set([
  'INVITE',
  'REGISTER',
  'MESSAGE',
  'OPTIONS',
  'INFO',
  'NOTIFY',
  'SUBSCRIBE',
  'PUBLISH',
]);

export function handleNetworkRequest(
  stack: Stack,
  req: SipRequest,
  from: Endpoint,
  bytes: number,
): void {
  stampReceived(req, from);
  if (req.method === 'CANCEL') {
    handleCancel(stack, req, from, bytes);
    return;
  }
  if (req.method === 'ACK') {
    handleAck(stack, req, from, bytes);
    return;
  }
  const existing = stack.serverTxns.match(req);
  if (existing) {
    // A retransmission: sofia answers it with the last response, or absorbs it.
    if (existing.lastResponse) stack.sendSip(existing.lastResponse, existing.source);
    return;
  }
  // sofia takes a PRACK for one of its reliable answers before any dialog is looked for
  const prack = req.method === 'PRACK' ? prackTarget(stack, req) : undefined;
  if (prack) {
    const txn = newServerTxn(req, from, bytes, prack.txn.client, false);
    txn.app = 'closed';
    stack.serverTxns.add(txn);
    sendTxnResponse(stack, txn, buildResponse(req, { status: 200, reason: 'OK' }), 200);
    lingerThenDelete(stack, txn);
    pracked(stack, prack);
    return;
  }
  const toTag = tagOf(headerValue(req.headers, 'to'));
  if (toTag) {
    const fromTag = tagOf(headerValue(req.headers, 'from')) ?? '';
    const dialog = stack.dialogs.find(callIdOf(req), toTag, fromTag);
    if (dialog) {
      inDialogRequest(stack, req, from, bytes, dialog);
      return;
    }
    const early = earlyInvite(stack, req, toTag);
    if (early && earlyDialogRequest(stack, req, from, bytes, early)) return;
  }
  if (refusedByDrachtio(req)) {
    replyStateless(stack, req, from, 400);
    return;
  }
  if (req.method === 'BYE' || req.method === 'UPDATE') {
    replyStateless(stack, req, from, 481);
    return;
  }
  if (!ROUTABLE.has(req.method)) {
    stack.trace.note(`discarded ${req.method} outside any dialog`);
    return;
  }
  newRequest(stack, req, from, bytes, toTag !== undefined);
}

function newRequest(
  stack: Stack,
  req: SipRequest,
  from: Endpoint,
  bytes: number,
  hasToTag: boolean,
): void {
  if (req.method === 'INVITE') replyStateless(stack, req, from, 100);
  // An INVITE whose To tag names no dialog is not handed to an app: drachtio-server answers 481
  // right after its 100 Trying, with or without an app (pending-request-controller.cpp:79-82).
  if (req.method === 'INVITE' && hasToTag) {
    replyStateless(stack, req, from, 481);
    return;
  }
  const client = stack.apps.select(req.method.toLowerCase());
  if (!client) {
    replyStateless(stack, req, from, 503);
    return;
  }
  const isInvite = req.method === 'INVITE';
  const txn = newServerTxn(req, from, bytes, client, isInvite);
  if (isInvite)
    txn.dialogId = dialogIdOf(callIdOf(req), tagOf(headerValue(req.headers, 'from')) ?? '');
  stack.serverTxns.add(txn);
  // The app gets a while to answer; after that the request is forgotten without a response.
  txn.stop.push(
    stack.timers.once(stack.config.pendingTimeout, () => {
      if (txn.app === 'new' || txn.canceled) stack.serverTxns.delete(txn);
    }),
  );
  const local = { address: stack.config.host, port: stack.config.port };
  client.send(sipPayload(networkMeta(from, bytes), txn.txnId, '', req.raw, local));
}

export function newServerTxn(
  req: SipRequest,
  from: Endpoint,
  bytes: number,
  client: ServerTxn['client'],
  inviteInProgress: boolean,
): ServerTxn {
  return {
    txnId: newUuid(),
    request: req,
    method: req.method,
    branch: branchOf(headerValue(req.headers, 'via')),
    source: from,
    bytes,
    client,
    inviteInProgress,
    inDialogId: '',
    dialogId: '',
    app: 'new',
    canceled: false,
    lastStatus: 0,
    stop: [],
  };
}

/** The meta of a message from the network; an ACK's protocol is empty (sofia let go of it). */
export function networkMeta(
  from: Endpoint,
  bytes: number,
  protocol: Meta['protocol'] = protocolOf(from),
): Meta {
  return { source: 'network', bytes, protocol, address: from.address, port: from.port };
}

/** A response sofia sends without a transaction (100, 481, 503, …); To gets a fresh tag. */
export function replyStateless(stack: Stack, req: SipRequest, to: Endpoint, status: number): void {
  stack.sendSip(buildResponse(req, { status, toTag: newTag() }), to);
}

/**
 * sofia records where a request really came from in its top Via: `received` when the host
 * differs, and `rport` always (filled in, or appended), so responses go back to the source.
 */
export function stampReceived(req: SipRequest, from: Endpoint): void {
  const index = req.headers.findIndex((h) => canonicalKey(h.name) === 'via');
  const header = req.headers[index];
  if (!header) return;
  const [top = '', ...rest] = splitCommas(header.value);
  const via = parseVia(top);
  if (!via) return;
  let params = via.params.replace(/;\s*rport(?=;|$)/i, '');
  if (via.host !== from.address && getParam(params, 'received') === undefined)
    params += `;received=${from.address}`;
  if (getParam(params, 'rport') === undefined) params += `;rport=${from.port}`;
  const value = [formatVia({ ...via, params }), ...rest].join(', ');
  const oldLine = new RegExp(`^${escapeRegExp(header.name)}[ \\t]*:[^\\r\\n]*`, 'm');
  req.raw = req.raw.replace(oldLine, `Via: ${value}`);
  req.headers[index] = { name: header.name, value };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

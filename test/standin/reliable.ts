// Reliable provisional responses (RFC 3262) as drachtio-server sends them for an app that never
// asks: sofia's nta, not drachtio, does all of it (read in sofia-sip nta.c; standin-reliable and
// reliable-provisional in test/e2e pass on v0.9.10 too).
// - An INVITE whose Require names 100rel gets every provisional answer reliably (nta_incoming_mreply,
//   irq_must_100rel): `Require: 100rel` and an RSeq, from a random start (incoming_create).
// - While one is not PRACKed the next waits (reliable_mreply), and a 2xx waits while an unPRACKed
//   one carries a body (reliable_final); any other final drops them (reliable_flush).
// - Retransmitted from T1, doubling without a cap (timer P1); after 64×T1 without its PRACK the
//   caller gets 503 "Reliable Response Time-Out" (P2, reliable_timeout) and drachtio forgets the
//   invite in progress without a word to the app.
// - A PRACK whose RAck matches is answered 200 by the stack (nta_reliable_destroyed) and never
//   reaches the app; the next waiting answer goes out.
// drachtio-server's own path, an app that puts `Require: 100rel` on its provisional (the PRACK
// then goes to the app), is not modelled: the gateway never takes it, and the stand-in refuses it.
import { dialogIdOf } from './dialogs.js';
import { type ServerTxn, sendTxnResponse } from './server-txn.js';
import { tagOf } from './sip-address.js';
import {
  callIdOf,
  cseqOf,
  headerValue,
  headerValues,
  type SipHeader,
  type SipRequest,
} from './sip-message.js';
import type { Stack } from './stack.js';
import { type Cancel, transactionTimeout } from './timers.js';

/** One reliable answer, or a 2xx held behind one. */
interface Rel {
  /** 0 until sent. */
  rseq: number;
  /** Has a body: a 2xx waits for its PRACK (sofia's rel_precious). */
  precious: boolean;
  /** A provisional's text with its RSeq, or the held final's send. */
  send: (rseq: number) => void;
  final: boolean;
}

export interface Reliability {
  /** The INVITE requires 100rel: every provisional goes reliably. */
  must: boolean;
  /** The next RSeq; 0 when the caller neither requires nor supports 100rel. */
  nextRseq: number;
  /** Unacknowledged and waiting answers, newest first (sofia's irq_reliable list). */
  rels: Rel[];
  stopTimers: Cancel;
  /** After 64×T1 without a PRACK: the stack's own 503 (uas-answer.ts). */
  timedOut: () => void;
}

const has100rel = (headers: readonly SipHeader[], name: string) =>
  headerValues(headers, name).some((tag) => tag.trim().toLowerCase() === '100rel');

function reliabilityOf(txn: ServerTxn): Reliability {
  if (txn.reliable) return txn.reliable;
  const must = has100rel(txn.request.headers, 'require');
  const rseq =
    must || has100rel(txn.request.headers, 'supported')
      ? 1 + Math.floor(Math.random() * 0x7ffffffe)
      : 0;
  txn.reliable = {
    must,
    nextRseq: rseq,
    rels: [],
    stopTimers: () => undefined,
    timedOut: () => undefined,
  };
  return txn.reliable;
}

/**
 * Why the stand-in will not send this provisional, if it will not: drachtio-server's refusal when
 * the app asks for reliability the caller lacks, or the stand-in's own for the path it lacks.
 */
export function refusedProvisional(
  txn: ServerTxn,
  appHeaders: readonly SipHeader[],
): string | undefined {
  if (!has100rel(appHeaders, 'require')) return undefined;
  if (reliabilityOf(txn).nextRseq === 0) return 'Remote endpoint does not support 100rel';
  return 'stand-in: a provisional the app itself sends reliably is not modelled';
}

/**
 * A provisional answer to a new INVITE: plainly, or reliably when the INVITE requires 100rel.
 * `build` makes the text with the headers given (RSeq and Require for a reliable one).
 */
export function sendProvisional(
  stack: Stack,
  txn: ServerTxn,
  status: number,
  precious: boolean,
  build: (extra: SipHeader[]) => string,
  timedOut: () => void,
): void {
  const r = reliabilityOf(txn);
  r.timedOut = timedOut;
  if (!r.must) {
    sendTxnResponse(stack, txn, build([]), status);
    return;
  }
  const rel: Rel = {
    rseq: 0,
    precious,
    final: false,
    send: (rseq) =>
      sendTxnResponse(
        stack,
        txn,
        build([
          { name: 'RSeq', value: String(rseq) },
          { name: 'Require', value: '100rel' },
        ]),
        status,
      ),
  };
  const waits = r.rels.length > 0 && (r.rels.length === 1 || r.rels[0]?.rseq === 0);
  r.rels.unshift(rel);
  if (!waits) sendReliably(stack, txn, r, rel);
}

function sendReliably(stack: Stack, txn: ServerTxn, r: Reliability, rel: Rel): void {
  rel.rseq = r.nextRseq++;
  rel.send(rel.rseq);
  r.stopTimers();
  // P1 resends the latest response sent; P2 runs from the latest reliable send
  const p1 = stack.timers.backoff(stack.config.t1, undefined, () => {
    if (txn.lastResponse) stack.sendSip(txn.lastResponse, txn.source);
  });
  const p2 = stack.timers.once(transactionTimeout(stack.config), () => timeOut(stack, txn, r));
  r.stopTimers = () => {
    p1.stop();
    p2();
  };
}

/**
 * A 2xx to send: held (true) while an unPRACKed reliable answer has a body, sent by `send` once it
 * is PRACKed. Otherwise the caller's reliable answers are dropped and the 2xx goes now (false).
 */
export function holdsFinal(txn: ServerTxn, status: number, send: () => void): boolean {
  const r = txn.reliable;
  if (!r) return false;
  if (status < 300 && r.rels.some((rel) => rel.precious)) {
    r.rels.unshift({ rseq: 0, precious: false, final: true, send });
    return true;
  }
  dropReliables(txn);
  return false;
}

/** A final answer went out: nothing waits for a PRACK any more (reliable_flush). */
export function dropReliables(txn: ServerTxn): void {
  if (!txn.reliable) return;
  txn.reliable.rels = [];
  txn.reliable.stopTimers();
}

/**
 * The INVITE a PRACK from the network acknowledges, if its RAck names a reliable answer still
 * waiting (sofia's reliable_find): the stack answers it 200 and then calls `pracked`. Otherwise
 * the PRACK is left to the ordinary handling.
 */
export function prackTarget(stack: Stack, req: SipRequest): Pracked | undefined {
  const rack = /^\s*(\d+)\s+(\d+)\s+\S+/.exec(headerValue(req.headers, 'rack') ?? '');
  if (!rack) return undefined;
  const [rseq, cseq] = [Number(rack[1]), Number(rack[2])];
  const toTag = tagOf(headerValue(req.headers, 'to'))?.toLowerCase();
  const dialogId = dialogIdOf(callIdOf(req), tagOf(headerValue(req.headers, 'from')) ?? '');
  for (const txn of stack.serverTxns.invitesOf(dialogId)) {
    const rel = txn.reliable?.rels.find((x) => x.rseq === rseq && !x.final);
    if (!rel || cseqOf(txn.request).seq !== cseq) continue;
    if (txn.localTag && toTag !== txn.localTag.toLowerCase()) continue;
    return { txn, rel };
  }
  return undefined;
}

export type Pracked = { txn: ServerTxn; rel: Rel };

/** The PRACK was answered: its answer is done with, and what waited behind it goes out. */
export function pracked(stack: Stack, { txn, rel }: Pracked): void {
  const r = txn.reliable;
  if (!r) return;
  r.rels.splice(r.rels.indexOf(rel), 1);
  if (txn.lastStatus < 200) r.stopTimers();
  sendWaiting(stack, txn, r);
}

/** Every answer that waited goes, oldest first, while the newest has not been sent. */
function sendWaiting(stack: Stack, txn: ServerTxn, r: Reliability): void {
  while (r.rels[0] && r.rels[0].rseq === 0) {
    const oldest = r.rels.findLast((x) => x.rseq === 0) as Rel;
    if (oldest.final) {
      r.rels.splice(r.rels.indexOf(oldest), 1);
      oldest.send(0);
    } else sendReliably(stack, txn, r, oldest);
  }
}

/**
 * No PRACK in 64×T1: every waiting answer is dropped (a 2xx the app sent and that was held among
 * them), and the stack answers 503 itself.
 */
function timeOut(stack: Stack, txn: ServerTxn, r: Reliability): void {
  r.rels = [];
  r.stopTimers();
  stack.trace.note(`no PRACK for ${callIdOf(txn.request)}: 503 Reliable Response Time-Out`);
  r.timedOut();
}

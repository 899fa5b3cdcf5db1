/**
 * The call journal's entry: what the gateway knows of a call in progress, enough to write its
 * record if the gateway dies before the call ends (`endedBy: node-lost`). It holds the fields of
 * the anonymised record known at start (the caller only as class and pseudonym, as the record
 * has them) and, with traffic records on, the caller's number and the destination reached, which
 * the traffic record needs: kept only while the call is in progress (the entry goes with the
 * record). Pure: the start fields, encode, decode, and the record of an orphaned call.
 */
import type { CallRecord, JournalStart } from '../call/record.js';
import type { EveryKey } from '../util/writable.js';
import type { Anonymiser } from './anonymise.js';
import type { StreamRecord } from './entry.js';
import { billableSeconds, type TrafficRecord } from './traffic-entry.js';

/** The anonymised record's fields that are known when the call is admitted. */
export type StartFields = Pick<
  StreamRecord,
  | 'id'
  | 'node'
  | 'dialplanVersion'
  | 'trackingNumber'
  | 'customer'
  | 'source'
  | 'startedAt'
  | 'callerCountry'
  | 'callerKind'
  | 'callerWithheld'
  | 'callerPseudonym'
  | 'afterHours'
  | 'closedAction'
>;

export type JournalEntry = {
  /** The gateway process that admitted the call: its restart tells its own orphans by it. */
  life: string;
  record: StartFields;
  /** ISO time the caller was answered; absent while ringing. */
  answeredAt?: string;
  /** Index of the destination that answered. */
  destinationIndex?: number;
  /** Traffic records on: the caller ('' withheld) and, once answered, the destination reached. */
  traffic?: { caller: string; destination?: string };
  /**
   * The sequence of the call's record, when a dead gateway had already sent it (its crash window
   * file says so): once the node's mark in Redis reaches it, the record is in the stream and the
   * reaper writes nothing for the call.
   */
  seq?: number;
};

export class JournalEntryError extends Error {
  override name = 'JournalEntryError';
}

/**
 * The anonymised record's fields known when a call is admitted, as its record will have them. One
 * literal, no spread of `call`: V8 copies a spread through its runtime (issue 16, CPU per call).
 */
export function startFields(anonymise: Anonymiser, call: JournalStart): StartFields {
  const a = anonymise({
    recordId: call.recordId,
    callId: call.callId,
    nodeId: call.nodeId,
    dialplanVersion: call.dialplanVersion,
    trackingNumber: call.trackingNumber,
    customerId: call.customerId,
    source: call.source,
    outcome: 'answered',
    sipStatus: 0,
    attempts: [],
    startedAt: call.startedAt,
    endedAt: call.startedAt,
    callerWithheld: call.callerWithheld,
    callerNumber: call.callerNumber,
    afterHours: call.afterHours,
  } satisfies EveryKey<JournalStart> &
    Pick<CallRecord, 'outcome' | 'sipStatus' | 'attempts' | 'endedAt'>);
  return {
    id: a.id,
    node: a.node,
    dialplanVersion: a.dialplanVersion,
    trackingNumber: a.trackingNumber,
    customer: a.customer,
    source: a.source,
    startedAt: a.startedAt,
    callerCountry: a.callerCountry,
    callerKind: a.callerKind,
    callerWithheld: a.callerWithheld,
    callerPseudonym: a.callerPseudonym,
    afterHours: a.afterHours,
    closedAction: a.closedAction,
  };
}

export function encodeEntry(entry: JournalEntry): string {
  return JSON.stringify(entry);
}

/**
 * The fields after the record, in the order `encodeEntryWith` writes them. Every optional field of
 * an entry must be named (the type says so), so one added later cannot be left out of the text.
 */
const AFTER_RECORD: { [K in Exclude<keyof JournalEntry, 'life' | 'record'>]-?: true } = {
  traffic: true,
  answeredAt: true,
  destinationIndex: true,
  seq: true,
};

/**
 * The same value as `encodeEntry`, with the record given as JSON made once: a call's entry
 * changes after its start only by the answer, and serialising the record again for it cost as
 * much as the first time (issue 16, CPU per call).
 */
export function encodeEntryWith(entry: JournalEntry, recordJson: string): string {
  let text = `{"life":${JSON.stringify(entry.life)},"record":${recordJson}`;
  for (const key in AFTER_RECORD) {
    const value = entry[key as keyof typeof AFTER_RECORD];
    if (value !== undefined) text += `,"${key}":${JSON.stringify(value)}`;
  }
  return `${text}}`;
}

/** A journal value back into an entry; a value that is not one throws, naming the record id. */
export function decodeEntry(id: string, text: string): JournalEntry {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new JournalEntryError(`journal entry ${id}: not JSON`);
  }
  const e = parsed as Partial<JournalEntry> | null;
  if (
    typeof e !== 'object' ||
    e === null ||
    typeof e.life !== 'string' ||
    typeof e.record !== 'object' ||
    e.record === null ||
    typeof e.record.startedAt !== 'string' ||
    Number.isNaN(Date.parse(e.record.startedAt)) ||
    (e.answeredAt !== undefined && Number.isNaN(Date.parse(e.answeredAt))) ||
    (e.seq !== undefined && !Number.isSafeInteger(e.seq))
  )
    throw new JournalEntryError(
      `journal entry ${id}: no life, record or valid start time (or a sequence that is no integer)`,
    );
  return { ...(e as JournalEntry), record: { ...e.record, id } };
}

/**
 * Ring and talk time of a call whose gateway was lost at `endMs` (its last heartbeat): talk runs
 * from the answer to the last beat, never below 0 (a beat older than the answer).
 */
export function lostTiming(
  startedMs: number,
  answeredMs: number | undefined,
  endMs: number,
): { endMs: number; ringMs: number; talkMs: number } {
  const end = Math.max(endMs, startedMs, answeredMs ?? startedMs);
  if (answeredMs === undefined) return { endMs: end, ringMs: end - startedMs, talkMs: 0 };
  return { endMs: end, ringMs: Math.max(0, answeredMs - startedMs), talkMs: end - answeredMs };
}

/**
 * The records of a call whose gateway was lost: answered (200) or `failed` with status 0 (the
 * caller got no final answer from us), ended by `node-lost` at `endMs`.
 */
export function orphanRecords(
  entry: JournalEntry,
  endMs: number,
): { record: StreamRecord; traffic?: TrafficRecord } {
  const r = entry.record;
  const answeredMs = entry.answeredAt === undefined ? undefined : Date.parse(entry.answeredAt);
  const t = lostTiming(Date.parse(r.startedAt), answeredMs, endMs);
  const answered = answeredMs !== undefined;
  const endedAt = new Date(t.endMs).toISOString();
  const record: StreamRecord = {
    ...r,
    destinationIndex: entry.destinationIndex === undefined ? '' : String(entry.destinationIndex),
    outcome: answered ? 'answered' : 'failed',
    rejectReason: '',
    sipStatus: answered ? '200' : '0',
    answeredAt: entry.answeredAt ?? '',
    endedAt,
    ringMs: String(t.ringMs),
    talkMs: String(t.talkMs),
    media: '',
    whisper: '',
    recording: '',
    voicemail: '',
    mediaError: '',
    endedBy: 'node-lost',
    transfer: '',
    attempts: '',
    announcement: '',
  };
  if (!entry.traffic) return { record };
  const traffic: TrafficRecord = {
    id: r.id,
    trackingNumber: r.trackingNumber,
    customer: r.customer,
    caller: r.callerWithheld === '1' ? '' : entry.traffic.caller,
    destination: answered ? (entry.traffic.destination ?? '') : '',
    startedAt: r.startedAt,
    answeredAt: entry.answeredAt ?? '',
    endedAt,
    billableSeconds: String(billableSeconds(t.talkMs)),
    outcome: record.outcome,
    node: r.node,
  };
  return { record, traffic };
}

/**
 * One record per call, whatever the outcome. It carries the caller's number only for the
 * anonymiser of the record writer (a per-day pseudonym); sinks never persist `callerNumber`.
 */
export const CALL_OUTCOMES = [
  'answered',
  'busy',
  'no-answer',
  'unreachable',
  'cancelled',
  'failed',
  'rejected',
  'closed',
] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

/**
 * A call that came while its number was closed: why (outside the open hours, a public holiday,
 * a closed date) and what the caller got (`refuse`: 480; `announcement`, then 480; `voicemail`;
 * `destinations`: the answering service). `closed` is the outcome of the first three.
 */
export type AfterHours = {
  readonly why: 'hours' | 'holiday' | 'closed-date';
  readonly action: 'refuse' | 'announcement' | 'voicemail' | 'destinations';
};

import type { MediaUse } from './media-port.js';
import type { DialFailure, EndedBy } from './ports.js';

/**
 * One INVITE to a destination: its index in the number's list, the final status and what it
 * meant. `redirect` (1, 2, …) marks an INVITE placed because the destination redirected (3xx):
 * the attempt before it has cause `redirected`. `member` is the index inside a ringAll group;
 * members cancelled because another one answered have cause `completed-elsewhere`.
 */
export type Attempt = {
  index: number;
  member?: number;
  status: number;
  cause: AttemptCause;
  redirect?: number;
};

export type AttemptCause = DialFailure | 'answered' | 'completed-elsewhere';

/** The attempts of a route whose dealer hung up before being connected (whisper, notice). */
export function declined(attempts: readonly Attempt[]): Attempt[] {
  return attempts.map((a) => (a.cause === 'answered' ? { ...a, cause: 'declined' } : a));
}

/**
 * A blind transfer by the dealer: `completed` (the caller talks to the target now) or `failed`
 * (the target did not answer; the dealer keeps the call), with the target's final status.
 */
export type TransferNote = {
  readonly result: 'completed' | 'failed';
  readonly target: 'e164' | 'sip';
  readonly sipStatus: number;
  readonly at: string;
};

export type CallRecord = {
  readonly recordId: string;
  readonly callId: string;
  readonly nodeId: string;
  readonly dialplanVersion: string;
  readonly trackingNumber?: string;
  readonly customerId?: string;
  readonly source?: string;
  readonly outcome: CallOutcome;
  /** Admission or routing reason of a rejected call. */
  readonly rejectReason?: string;
  /** Final status the caller got (200 when answered). */
  readonly sipStatus: number;
  /** Index of the destination that answered. */
  readonly destinationIndex?: number;
  /**
   * The destination that answered, as routed (E.164 or SIP URI): for the traffic record only
   * (billing); the anonymised record keeps its index alone.
   */
  readonly destination?: string;
  readonly attempts: readonly Attempt[];
  readonly startedAt: string;
  readonly answeredAt?: string;
  readonly endedAt: string;
  readonly ringMs?: number;
  readonly talkMs?: number;
  readonly endedBy?: EndedBy;
  /** The dealer transferred the caller (REFER): to whom, in what shape, and how it went. */
  readonly transfer?: TransferNote;
  readonly callerWithheld: boolean;
  readonly callerNumber?: string;
  /** The number was closed when the call came, and what was done. */
  readonly afterHours?: AfterHours;
  /** Set for numbers whose options need media: anchored or not, whisper played or failed. */
  readonly media?: MediaUse;
};

export interface RecordSink {
  write(record: CallRecord): void;
  /** Resolves when every record written so far is handed on (drain). */
  flush(): Promise<void>;
}

/** The record's fields every call has from its first moment, routed or not. */
export type CallBase = Pick<
  CallRecord,
  | 'recordId'
  | 'callId'
  | 'nodeId'
  | 'dialplanVersion'
  | 'startedAt'
  | 'callerWithheld'
  | 'callerNumber'
>;

/** What a call's journal entry starts from: the record's fields known when it is admitted. */
export type JournalStart = CallBase &
  Pick<CallRecord, 'trackingNumber' | 'customerId' | 'source' | 'afterHours'>;

/**
 * Notes the calls in progress, so a record can be written for each even if this gateway dies
 * (records/journal.ts). Never waits and never throws: the journal cannot delay or fail a call.
 */
export interface CallJournal {
  begin(call: JournalStart): void;
  /** The caller was answered at `atMs`, by destination `index` (`destination`: for traffic records). */
  answered(recordId: string, atMs: number, index?: number, destination?: string): void;
  /** The call's record is handed to the sink: its entry goes with the record. */
  end(recordId: string): void;
}

/**
 * The record as the log and file sinks may persist it: everything but the caller's number and
 * the destination reached (a dealer's number or URI is traffic data, for the traffic stream only).
 */
export function withoutCaller(
  record: CallRecord,
): Omit<CallRecord, 'callerNumber' | 'destination'> {
  const { callerNumber: _omitted, destination: _traffic, ...rest } = record;
  return rest;
}

// What the stand-in did, in order, for test assertions: SIP datagrams, ESL traffic, and the media
// facts a test asks about (who played, recorded, bridged what; which pitfall was hit).
import { TraceSink } from '../standin/trace-sink.js';

/** Which leg a channel is, as FreeSWITCH saw its INVITE. */
export type ChannelRole = 'answered-offer' | 'made-offer';

export interface ChannelRef {
  uuid: string;
  callId: string;
  role: ChannelRole;
}

export type FsTraceRecord = { t: number } & (
  | { kind: 'sip'; dir: 'in' | 'out'; peer: string; firstLine: string; text: string }
  | { kind: 'esl'; dir: 'in' | 'out'; conn: string; text: string }
  | {
      kind: 'channel';
      event: 'created' | 'answered' | 'destroyed';
      channel: ChannelRef;
      cause?: string;
    }
  | { kind: 'execute'; channel: ChannelRef; app: string; arg: string; response?: string }
  | { kind: 'play'; channel: ChannelRef; file: string; result: string }
  | { kind: 'record'; channel: ChannelRef; app: RecordingApp; path: string }
  | {
      kind: 'record-stop';
      channel: ChannelRef;
      app: 'record';
      path: string;
      /** record_ms as reported (whole 20 ms frames). */
      ms: number;
      endedBy: 'limit' | 'break' | 'hangup';
    }
  | {
      /** The file could not be opened (or its directory made): no recording, no RECORD_START. */
      kind: 'record-failed';
      channel: ChannelRef;
      app: RecordingApp;
      path: string;
      /** The system error (ENOENT, ENOTDIR, EACCES, EISDIR …). */
      error: string;
      /** What FreeSWITCH logs. */
      log: string;
    }
  | { kind: 'bridge'; a: ChannelRef; b: ChannelRef }
  | { kind: 'hangup'; channel: ChannelRef; cause: string; by: 'app' | 'far-end' | 'stand-in' }
  | { kind: 'pitfall'; channel: ChannelRef; what: Pitfall; detail: string }
  | { kind: 'note'; text: string }
);

export type RecordingApp = 'record_session' | 'uuid_record' | 'record';

/** Things real FreeSWITCH does that break a call; the stand-in reproduces them visibly. */
export type Pitfall =
  | 'srtp-self-negotiated'
  | 'srtp-to-plain-peer'
  | 'record-on-bridged-leg'
  | 'playback-on-bridged-leg';

type Body<R> = R extends unknown ? Omit<R, 't'> : never;
export type FsTraceInput = Body<FsTraceRecord>;

export class FsTracer extends TraceSink<FsTraceRecord> {
  private readonly start = Date.now();

  add(record: FsTraceInput): void {
    if (!this.idle) this.put({ t: Date.now() - this.start, ...record } as FsTraceRecord);
  }
}

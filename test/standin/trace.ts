// Machine-readable record of everything the stand-in saw and sent, kept in memory for assertions
// and optionally appended to a JSON-lines file for debugging a failed run.
import { writeFileSync } from 'node:fs';
import { TraceSink } from './trace-sink.js';

interface Stamp {
  /** ISO time the record was made. */
  ts: string;
}

/** One drachtio frame payload (without the `N#` prefix). `in` = from an app, `out` = to an app. */
export interface FrameRecord extends Stamp {
  kind: 'frame';
  dir: 'in' | 'out';
  conn: number;
  payload: string;
}

/** One SIP datagram. `in` = from the network, `out` = sent by the stand-in. */
export interface SipRecord extends Stamp {
  kind: 'sip';
  dir: 'in' | 'out';
  peer: string;
  /** Set for a message over TCP; a datagram has none. */
  transport?: 'tcp';
  firstLine: string;
  callId: string;
  text: string;
}

/** Something worth knowing that is neither a frame nor a datagram (drops, protocol errors). */
export interface NoteRecord extends Stamp {
  kind: 'note';
  text: string;
}

export type TraceRecord = FrameRecord | SipRecord | NoteRecord;

export class Tracer extends TraceSink<TraceRecord> {
  constructor(file?: string) {
    super(file);
    if (file) writeFileSync(file, '');
  }

  frame(dir: FrameRecord['dir'], conn: number, payload: string): void {
    if (!this.idle) this.put({ ts: now(), kind: 'frame', dir, conn, payload });
  }

  sip(dir: SipRecord['dir'], peer: string, text: string, transport?: 'tcp'): void {
    if (this.idle) return;
    const firstLine = text.slice(0, text.indexOf('\r\n'));
    const callId = /^(?:call-id|i)[ \t]*:[ \t]*(.*)$/im.exec(text)?.[1]?.trim() ?? '';
    const record: SipRecord = { ts: now(), kind: 'sip', dir, peer, firstLine, callId, text };
    if (transport) record.transport = transport;
    this.put(record);
  }

  note(text: string): void {
    if (!this.idle) this.put({ ts: now(), kind: 'note', text });
  }
}

function now(): string {
  return new Date().toISOString();
}

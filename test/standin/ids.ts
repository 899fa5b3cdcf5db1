// Identifiers and timestamps in the shapes drachtio-server (sofia-sip) uses. Real ids differ in
// detail; only their role and rough shape matter to drachtio-srf.
import { randomInt, randomUUID } from 'node:crypto';

const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function randomToken(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALNUM[randomInt(ALNUM.length)];
  return out;
}

/** msgIds and transaction ids are UUIDs on the drachtio wire. */
export function newUuid(): string {
  return randomUUID();
}

/** sofia tags are 13 characters, e.g. `K5cvaD70KXFNF`. */
export function newTag(): string {
  return randomToken(13);
}

export function newBranch(): string {
  return `z9hG4bK${randomToken(13)}`;
}

export function newCallId(): string {
  return randomUUID();
}

/** sofia starts a leg's CSeq at a large pseudo-random number (e.g. 123104336). */
export function newCseq(): number {
  return randomInt(100_000_000, 200_000_000);
}

/** `HH:MM:SS.micro` in UTC, the time field of every meta block. */
export function stackTime(epochMicros: number = nowMicros()): string {
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const secondsOfDay = Math.floor(epochMicros / 1_000_000) % 86_400;
  const h = Math.floor(secondsOfDay / 3600);
  const m = Math.floor((secondsOfDay % 3600) / 60);
  return `${pad(h)}:${pad(m)}:${pad(secondsOfDay % 60)}.${pad(epochMicros % 1_000_000, 6)}`;
}

function nowMicros(): number {
  return Math.floor((performance.timeOrigin + performance.now()) * 1000);
}

/**
 * The body of POST /v1/traffic/lawful-requests, checked once: a tracking number (E.164), a time
 * window and the reason the request is made (the legal basis, a case reference: at least
 * LAWFUL_REASON_MIN characters). Anything wrong is a 422 naming every field, and nothing is read.
 */
import { INSTANT_HINT, parseInstant } from '../records/instant.js';
import { type FieldError, Problem } from './problem.js';

export const LAWFUL_REASON_MIN = 10;
const E164 = /^\+[1-9][0-9]{4,14}$/;
const KNOWN = new Set(['number', 'from', 'to', 'reason']);

export type LawfulRequest = { number: string; fromMs: number; toMs: number; reason: string };

export function parseLawfulRequest(body: unknown): LawfulRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw Problem.invalid('the request is not valid', [
      { pointer: '', message: 'must be an object with number, from, to and reason' },
    ]);
  const b = body as Record<string, unknown>;
  const errors: FieldError[] = [];
  for (const k of Object.keys(b))
    if (!KNOWN.has(k)) errors.push({ pointer: `/${k}`, message: 'is not a known field' });
  const text = (k: string): string | undefined => {
    const v = b[k];
    if (typeof v === 'string') return v;
    errors.push({
      pointer: `/${k}`,
      message: v === undefined ? 'is required' : 'must be a string',
    });
    return undefined;
  };
  const number = text('number');
  if (number !== undefined && !E164.test(number))
    errors.push({ pointer: '/number', message: 'is not a tracking number in E.164 (+49…)' });
  const instant = (k: 'from' | 'to') => {
    const v = text(k);
    const ms = v === undefined ? undefined : parseInstant(v, k === 'to');
    if (v !== undefined && ms === undefined)
      errors.push({ pointer: `/${k}`, message: INSTANT_HINT });
    return ms;
  };
  const fromMs = instant('from');
  const toMs = instant('to');
  if (fromMs !== undefined && toMs !== undefined && fromMs > toMs)
    errors.push({ pointer: '/to', message: "is before 'from'" });
  const reason = text('reason')?.trim();
  if (reason !== undefined && (reason.length < LAWFUL_REASON_MIN || reason.length > 500))
    errors.push({
      pointer: '/reason',
      message: `must say why, in ${LAWFUL_REASON_MIN} to 500 characters (the legal basis, a case reference)`,
    });
  if (errors.length > 0 || !number || fromMs === undefined || toMs === undefined || !reason)
    throw Problem.invalid('the lawful request is not valid; nothing was read', errors);
  return { number, fromMs, toMs, reason };
}

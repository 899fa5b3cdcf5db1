/**
 * The process logger. Phone numbers never reach the output: every string that is logged passes a
 * redaction that replaces digit runs long enough to be a phone number, whatever field it is in.
 */
import {
  type DestinationStream,
  type Logger,
  type LoggerOptions,
  pino,
  stdSerializers,
} from 'pino';
import { isoString } from '../util/iso-time.js';

export type { Logger };

/**
 * 7+ digits, optionally with + and the separators people and tel: URIs use: phone numbers, not
 * counts, ports or durations. Dots are not separators here, so IP addresses stay readable.
 */
const PHONE = /\+?\d[\d\s\-/()]{5,}\d/g;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Fields that name a call or a transaction, never a person: kept whole so ops can grep a call by
 * its Call-ID (`1-28957@127.0.0.1`), whatever digits it holds. Dialplan versions are hex hashes
 * that often hold seven digits in a row; ops compare them across gateways.
 */
const IDENTIFIERS = new Set([
  'callId',
  'recordId',
  'dialogId',
  'txnId',
  'uuid',
  'version',
  'servedVersion',
  'diskVersion',
]);

/**
 * Fields that hold credentials (the trunk's digest password travels in srf's `auth` option, and a
 * drachtio error may carry the request it was sent with): replaced whole, whatever they hold.
 */
const SECRETS = new Set([
  'auth',
  'password',
  'secret',
  'authorization',
  'proxy-authorization',
  'Authorization',
  'Proxy-Authorization',
]);

export function redactText(text: string): string {
  if (fewDigits(text)) return text;
  return text.replace(PHONE, (m, offset: number, whole: string) => {
    if (DATE.test(m) || m.replace(/\D/g, '').length < 7) return m;
    // `1-28957@host` in free text is a Call-ID; `sip:+49…@host` or `tel:…` is a number
    if (whole[offset + m.length] === '@' && !/(?:sips?|tel):\s*$/i.test(whole.slice(0, offset)))
      return m;
    return '[number]';
  });
}

/**
 * Fewer than seven digits: no phone number in it. Most logged strings (outcomes, reasons, the
 * message) are such; a scan is a tenth of what the pattern's replace costs (issue 16).
 */
function fewDigits(text: string): boolean {
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57 && ++digits === 7) return false;
  }
  return true;
}

/** pino's ISO time, from the once-a-second prefix (util/iso-time.ts). */
export function isoTime(now = Date.now()): string {
  return `,"time":"${isoString(now)}"`;
}

function redactValue(value: unknown, depth = 0, key?: string): unknown {
  if (key && SECRETS.has(key) && value !== undefined) return '[secret]';
  if (typeof value === 'string') return key && IDENTIFIERS.has(key) ? value : redactText(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1));
  if (value instanceof Error) return errorValue(value, depth);
  const fields = value as Record<string, unknown>;
  const keys = Object.keys(fields);
  // a plain object whose every value stays as it is (a call's end line) is logged as it is, no
  // copy (issue 16, CPU per call); anything else (a class with its own toJSON, a Date, a URL) is
  // copied field by field as plain data, never serialised through its own methods
  const plain = Object.getPrototypeOf(fields) === Object.prototype;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const redacted = redactValue(fields[k], depth + 1, k);
    if (plain && redacted === fields[k]) continue;
    const out: Record<string, unknown> = {};
    for (let j = 0; j < i; j++) out[keys[j]!] = fields[keys[j]!];
    out[k] = redacted;
    for (let j = i + 1; j < keys.length; j++)
      out[keys[j]!] = redactValue(fields[keys[j]!], depth + 1, keys[j]);
    return out;
  }
  return plain ? value : {};
}

/**
 * An error as ops need it: type, message and stack with the whole `cause` chain (pino's own
 * serializer), plus the plain fields libraries hang on errors (`code`, drachtio's SIP `status`);
 * redacted like the rest.
 */
function errorValue(err: Error, depth: number): unknown {
  const serialized = stdSerializers.err(err) as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(serialized))
    if (v !== undefined) out[k] = redactValue(v, depth + 1, k);
  return out;
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    level,
    base: { service: 'calltrack' },
    timestamp: () => isoTime(),
    formatters: { log: (obj) => redactValue(obj) as Record<string, unknown> },
    // errors are serialized (stack, causes) and redacted by the formatter above, once
    serializers: { err: (err: unknown) => err },
    hooks: {
      // the message and its format arguments do not pass the formatters
      logMethod(args, method) {
        // most lines' arguments are their message alone, with no number in it: passed as given,
        // copied only once one of them changes
        let redacted = args;
        args.forEach((a, i) => {
          const text = typeof a === 'string' ? redactText(a) : a;
          if (text === a) return;
          if (redacted === args) redacted = [...args] as typeof args;
          redacted[i] = text;
        });
        return method.apply(this, redacted);
      },
    },
  };
  return redactChildren(destination ? pino(options, destination) : pino(options));
}

/**
 * A child's bindings (e.g. a call's From) are serialised once when the child is made, and pino
 * applies no formatter to them: redact them on the way in, for children of children too. Each
 * child is made by pino's own `child` on its parent: a child inherits its parent's properties, and
 * the parent's redacting `child` would make the grandchild from the parent's parent, without the
 * parent's bindings (a transfer's log lines had no Call-ID).
 */
function redactChildren(logger: Logger, pinoChild: Logger['child'] = logger.child): Logger {
  const redacting = (bindings: Record<string, unknown>, options?: object) =>
    redactChildren(
      pinoChild.call(
        logger,
        redactValue(bindings) as Record<string, unknown>,
        options,
      ) as unknown as Logger,
      pinoChild,
    );
  logger.child = redacting as unknown as Logger['child'];
  return logger;
}

/**
 * A call's logger: its lines carry `bindings` as a child's would, without a child. A pino child
 * costs ~1.3 kB (its bindings serialised, a wrapped method per level) and its making cost a
 * hundredth of the CPU per call: made per call up front, it was a twentieth of the heap an active
 * call holds (issue 16). A line through it is the parent's, with the bindings first in its object;
 * a disabled level answers with the parent's no-op. Anything else (child, level, bindings) makes
 * the child then, and every later line goes through it.
 */
export function lazyChild(parent: Logger, bindings: Record<string, unknown>): Logger {
  let child: Logger | undefined;
  const made = () => {
    child ??= parent.child(bindings);
    return child;
  };
  return new Proxy(parent, {
    get(target, key) {
      if (child) return Reflect.get(child, key);
      if (typeof key === 'string' && key in target.levels.values) {
        const level = key as Level;
        if (!target.isLevelEnabled(level)) return target[level];
        return (first?: unknown, ...rest: unknown[]) =>
          lineWith(target, level, bindings, first, rest);
      }
      return Reflect.get(made(), key);
    },
    set(_target, key, value) {
      return Reflect.set(made(), key, value);
    },
  });
}

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/** One line of `level` with `bindings` merged in, in each of the forms pino's methods take. */
function lineWith(
  logger: Logger,
  level: Level,
  bindings: Record<string, unknown>,
  first: unknown,
  rest: unknown[],
): void {
  const log = logger[level] as (obj: object, ...args: unknown[]) => void;
  // Object.assign, not spreads: V8 copies a second spread through its runtime (~3 µs a line)
  if (first instanceof Error)
    log.call(logger, Object.assign({}, bindings, { err: first }), ...rest);
  else if (typeof first === 'object' && first !== null)
    log.call(logger, Object.assign({}, bindings, first), ...rest);
  else if (first === undefined || first === null) log.call(logger, bindings, ...rest);
  else log.call(logger, bindings, first, ...rest);
}

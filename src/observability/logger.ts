/**
 * The process logger. Phone numbers never reach the output: every string that is logged passes a
 * redaction that replaces digit runs long enough to be a phone number, whatever field it is in.
 */
import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';

export type { Logger };

/**
 * 7+ digits, optionally with + and the separators people and tel: URIs use: phone numbers, not
 * counts, ports or durations. Dots are not separators here, so IP addresses stay readable.
 */
const PHONE = /\+?\d[\d\s\-/()]{5,}\d/g;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function redactText(text: string): string {
  return text.replace(PHONE, (m) =>
    !DATE.test(m) && m.replace(/\D/g, '').length >= 7 ? '[number]' : m,
  );
}

function redactValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1));
  if (value instanceof Error) return { type: value.name, message: redactText(value.message) };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = redactValue(v, depth + 1);
  return out;
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    level,
    base: { service: 'calltrack' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { log: (obj) => redactValue(obj) as Record<string, unknown> },
    hooks: {
      // the message and its format arguments do not pass the formatters
      logMethod(args, method) {
        const redacted = args.map((a) => (typeof a === 'string' ? redactText(a) : a));
        return method.apply(this, redacted as Parameters<typeof method>);
      },
    },
  };
  return redactChildren(destination ? pino(options, destination) : pino(options));
}

/**
 * A child's bindings (e.g. a call's From) are serialised once when the child is made, and pino
 * applies no formatter to them: redact them on the way in, for children of children too.
 */
function redactChildren(logger: Logger): Logger {
  const child = logger.child.bind(logger);
  const redacting = (bindings: Record<string, unknown>, options?: object) =>
    redactChildren(
      child(redactValue(bindings) as Record<string, unknown>, options) as unknown as Logger,
    );
  logger.child = redacting as unknown as Logger['child'];
  return logger;
}

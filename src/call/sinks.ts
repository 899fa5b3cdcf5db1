/**
 * Record sinks of the call path: one that logs and one that appends JSON lines to a file (what
 * tests and local runs read). Neither persists the caller's number.
 */
import { appendFile } from 'node:fs/promises';
import type { Logger } from '../observability/logger.js';
import { type CallRecord, type RecordSink, withoutCaller } from './record.js';

export function logSink(logger: Logger): RecordSink {
  return {
    write: (record) => logger.info({ record: withoutCaller(record) }, 'call record'),
    flush: async () => undefined,
  };
}

export function fileSink(path: string, logger: Logger): RecordSink {
  let chain: Promise<void> = Promise.resolve();
  return {
    write(record: CallRecord) {
      const line = `${JSON.stringify(withoutCaller(record))}\n`;
      chain = chain
        .then(() => appendFile(path, line))
        .catch((err) => logger.error({ err, path }, 'cannot append call record'));
    },
    flush: () => chain,
  };
}

/** `log` or `file:<path>`, as RECORD_SINK says (checked by the config schema). */
export function sinkFromConfig(spec: string, logger: Logger): RecordSink {
  return spec.startsWith('file:') ? fileSink(spec.slice('file:'.length), logger) : logSink(logger);
}

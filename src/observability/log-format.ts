/**
 * How log lines look: JSON lines for collectors (the default when stdout is a pipe or a file), or
 * pino's own prettifier for a person at a terminal. The prettifier runs as a synchronous stream in
 * this thread, not as a worker transport: what is logged just before an exit is written, not lost
 * with the worker.
 */

import { type DestinationStream, destination as fileDestination } from 'pino';
import type Pretty from 'pino-pretty';
import { lazyRequire } from '../util/lazy-require.js';

/** ~1 MB of live heap that JSON lines (production) never use: loaded for a terminal. */
const prettifier = lazyRequire<typeof Pretty>(import.meta.url, 'pino-pretty');

export type LogFormat = 'auto' | 'json' | 'pretty';

/** `auto`: pretty on a terminal, JSON otherwise. */
export function chooseFormat(setting: LogFormat, isTTY: boolean): 'json' | 'pretty' {
  if (setting !== 'auto') return setting;
  return isTTY ? 'pretty' : 'json';
}

/**
 * JSON lines are written at once, each with a plain write(2) in this thread, as Node itself writes
 * to a pipe or a file on Linux: pino's default hands each line to libuv's thread pool and back, a
 * wake-up each way, which cost about a tenth of the gateway's CPU per call at the default level
 * (issue 16). A line is out before the next one is made, so nothing is lost at any exit.
 */
const LOG_WRITES = { sync: true } as const;

/**
 * The stream the logger writes to: JSON lines onto a file descriptor (stdout by default), else
 * the prettifier onto `destination`, coloured only where a terminal shows the colours.
 */
export function logDestination(
  setting: LogFormat,
  isTTY: boolean,
  destination: number | NodeJS.WritableStream = 1,
): DestinationStream | undefined {
  if (chooseFormat(setting, isTTY) === 'json')
    return typeof destination === 'number'
      ? fileDestination({ dest: destination, ...LOG_WRITES })
      : (destination as DestinationStream);
  const pretty = prettifier();
  return pretty({
    sync: true,
    destination,
    colorize: isTTY && pretty.isColorSupported,
    // one service per process: the field says nothing on a terminal
    ignore: 'service',
    translateTime: 'SYS:HH:MM:ss.l',
    // a line per event, as with JSON: fields follow the message instead of a block below it
    singleLine: true,
  });
}

/**
 * How log lines look: JSON lines for collectors (the default when stdout is a pipe or a file), or
 * pino's own prettifier for a person at a terminal. The prettifier runs as a synchronous stream in
 * this thread, not as a worker transport: what is logged just before an exit is written, not lost
 * with the worker.
 */

import type { DestinationStream } from 'pino';
import pretty from 'pino-pretty';

export type LogFormat = 'auto' | 'json' | 'pretty';

/** `auto`: pretty on a terminal, JSON otherwise. */
export function chooseFormat(setting: LogFormat, isTTY: boolean): 'json' | 'pretty' {
  if (setting !== 'auto') return setting;
  return isTTY ? 'pretty' : 'json';
}

/**
 * The stream the logger writes to: undefined for JSON (pino's own stdout), else the prettifier
 * onto `destination` (stdout by default), coloured only where a terminal shows the colours.
 */
export function logDestination(
  setting: LogFormat,
  isTTY: boolean,
  destination: number | NodeJS.WritableStream = 1,
): DestinationStream | undefined {
  if (chooseFormat(setting, isTTY) === 'json') return undefined;
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

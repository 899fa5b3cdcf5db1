/** A dialplan problem as an admin reads it: where (file:line:col) and why. */
import { join } from 'node:path';

/** `file` is relative to the dialplan folder; '' stands for the folder as a whole. */
export type DialplanError = {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly message: string;
};

export function formatError(e: DialplanError): string {
  return `${e.file}:${e.line}:${e.col}: ${e.message}`;
}

/** Not one file's fault (unreadable folder, failed worker): the folder is the place to look. */
export function folderError(message: string): DialplanError {
  return { file: '', line: 1, col: 1, message };
}

/** `dir` prefixes file names so the lines read as paths an admin can open. */
export function errorLines(dir: string, errors: readonly DialplanError[]): string[] {
  return errors.map((e) => formatError({ ...e, file: join(dir, e.file) }));
}

export function byPosition(a: DialplanError, b: DialplanError): number {
  return a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col;
}

/**
 * Where a command's longer output goes: stdout through the CLI's line writer, or a file that
 * appears complete or not at all (written to a temp file beside it, renamed at the end).
 */
import { type FileHandle, open, rename, unlink } from 'node:fs/promises';
import { CliError, type CliIO } from './io.js';

export type TextOut = {
  write(text: string): Promise<void>;
  /** Everything written is out (the file is in place). */
  close(): Promise<void>;
  /** Gives up: a half-written file is removed. */
  abort(): Promise<void>;
};

/**
 * Text to `io.out`, which ends each call with a newline: whole lines are handed on, so the output
 * is byte for byte what was written (CRLF stays CRLF). On Linux, writes to a pipe or file block,
 * so a slow reader slows the export instead of filling memory.
 */
export function stdoutText(io: CliIO): TextOut {
  let rest = '';
  return {
    async write(text) {
      const all = rest + text;
      const end = all.lastIndexOf('\n');
      if (end < 0) {
        rest = all;
        return;
      }
      io.out(all.slice(0, end));
      rest = all.slice(end + 1);
    },
    async close() {
      if (rest) io.out(rest);
      rest = '';
    },
    async abort() {
      rest = '';
    },
  };
}

export async function fileText(path: string): Promise<TextOut> {
  const temp = `${path}.${process.pid}.partial`;
  const fail = (err: unknown): never => {
    throw new CliError(`cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? err}`, 1);
  };
  const file: FileHandle = await open(temp, 'wx').catch(fail);
  return {
    async write(text) {
      await file.write(text, null, 'utf8').catch(fail);
    },
    async close() {
      await file.sync().catch(fail);
      await file.close().catch(fail);
      await rename(temp, path).catch(fail);
    },
    async abort() {
      await file.close().catch(() => undefined);
      await unlink(temp).catch(() => undefined);
    },
  };
}

/**
 * A child's full GCs, from V8's --trace-gc lines on its stdout
 * (`Mark-Compact 80.1 (95.0) -> 45.2 (96.0) MB`): the live heap after each, what survives,
 * unlike RSS (which V8 keeps) or heap-used samples (which catch garbage between collections).
 */
import type { Proc } from './cps-procs.js';

export function onFullGc(proc: Proc, seen: (liveMB: number) => void): void {
  let tail = '';
  proc.child.stdout?.on('data', (chunk: Buffer) => {
    const lines = (tail + chunk.toString('utf8')).split('\n');
    tail = lines.pop() ?? '';
    for (const line of lines) {
      const m = /Mark-Compact[^>]*-> ([\d.]+) \(/.exec(line);
      if (m) seen(Number(m[1]));
    }
  });
}

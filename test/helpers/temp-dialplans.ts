/** A private copy of a dialplan directory for tests that write. */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';

export function copyDialplans(t: Test, from = 'dialplans'): string {
  const dir = mkdtempSync(join(tmpdir(), 'calltrack-dialplans-'));
  cpSync(from, dir, { recursive: true });
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

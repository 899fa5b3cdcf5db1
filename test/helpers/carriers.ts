/** A carriers file for one test (CARRIERS_FILE), removed at teardown. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';

export function carriersFile(t: Test, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'calltrack-carriers-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'carriers.yaml');
  writeFileSync(file, text);
  return file;
}

/** Loopback (where sipp and the stand-in run) as one carrier. */
export function loopbackCarrier(fields: string[] = ['trustIdentity: false']): string {
  return [
    'version: 1',
    'carriers:',
    '  - name: lab',
    '    cidrs: ["127.0.0.0/8"]',
    ...fields.map((f) => `    ${f}`),
    '',
  ].join('\n');
}

/** Two errors only the domain check finds: a CIDR that is none (4:29), a name twice (6:11). */
export const BAD_CIDR_AND_NAME_TWICE = [
  'version: 1',
  'carriers:',
  '  - name: telekom',
  '    cidrs: ["192.0.2.0/24", "192.0.2.0/40"]',
  '    trustIdentity: true',
  '  - name: telekom',
  '    cidrs: ["192.0.2.128/25"]',
  '    trustIdentity: false',
].join('\n');

/**
 * `npm run bench [-- name …]`: runs each benchmark in its own Node process, so one benchmark's
 * heap and peak RSS never colour another's figures.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ALL = [
  'lookup',
  'reload',
  'cps',
  'cps-ab',
  'media-cps',
  'media-overload',
  'records',
  'journal',
  'admission',
  'admin',
  'soak',
  'faults',
];
const wanted = process.argv.slice(2);
const names = wanted.length ? wanted : ALL;

let failed = false;
for (const name of names) {
  const file = fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
  if (!existsSync(file)) {
    process.stderr.write(`bench: no benchmark '${name}' (have: ${ALL.join(', ')})\n`);
    failed = true;
    continue;
  }
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', file], {
    stdio: 'inherit',
  });
  if (r.status !== 0) failed = true;
}
process.exitCode = failed ? 1 : 0;

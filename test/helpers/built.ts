/**
 * The built gateway as `npm start` runs it, for the end-to-end tests and the benchmarks: dist/ is
 * rebuilt when it is missing or older than src/ (a lone `tap` or bench run has no pretest build).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');

export function ensureBuilt(): void {
  const main = join(ROOT, 'dist', 'src', 'main.js');
  const newest = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true }).reduce(
      (m, e) =>
        Math.max(
          m,
          e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs,
        ),
      0,
    );
  if (existsSync(main) && statSync(main).mtimeMs >= newest(join(ROOT, 'src'))) return;
  const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm run build failed:\n${r.stdout}\n${r.stderr}`);
}

/** The arguments `npm start` gives node, read from package.json so the two cannot drift apart. */
export function startArgs(): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    scripts: { start: string };
  };
  const [bin, ...args] = pkg.scripts.start.split(' ');
  if (bin !== 'node') throw new Error(`unexpected start script: ${pkg.scripts.start}`);
  return args;
}

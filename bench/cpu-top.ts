/**
 * `node --import tsx bench/cpu-top.ts <file.cpuprofile | dir> [n]`: the `n` (15) functions with
 * the most self time in a V8 CPU profile; given a directory, its newest `.cpuprofile` (what
 * `BENCH_CPU_PROF=<dir> npm run bench -- cps` leaves there).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../test/helpers/built.js';
import { type CpuProfile, formatOwners, formatSummary, owners, summarise } from './cpu-profile.js';

/**
 * The profile itself, or the newest `.cpuprofile` in a directory of the process's main thread
 * (`CPU.<date>.<time>.<pid>.0.<n>`): tsx's loader thread leaves one of its own.
 */
export function profilePath(path: string): string {
  if (!statSync(path).isDirectory()) return path;
  const newest = readdirSync(path)
    .filter((f) => /\.0\.\d+\.cpuprofile$/.test(f))
    .map((f) => ({ f: join(path, f), at: statSync(join(path, f)).mtimeMs }))
    .sort((a, b) => b.at - a.at)[0];
  if (!newest) throw new Error(`no .cpuprofile in ${path}`);
  return newest.f;
}

export function topOf(path: string, n = 15): string {
  const file = profilePath(path);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  return `${file}\n${formatSummary(summarise(profile, n, ROOT))}${formatOwners(owners(profile, n, ROOT))}`;
}

if (import.meta.filename === process.argv[1]) {
  const [path, n] = process.argv.slice(2);
  if (!path) {
    process.stderr.write('usage: node --import tsx bench/cpu-top.ts <file.cpuprofile | dir> [n]\n');
    process.exit(2);
  }
  process.stdout.write(topOf(path, n ? Number(n) : 15));
}

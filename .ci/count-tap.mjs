// Counts leaf test points in a TAP 14 stream (subtests nested by indentation, each announced by
// "# Subtest:" at its parent's indentation). Parents are not counted, except a failed parent
// whose children all passed (a file that crashed or timed out), which counts as one failure.
// Each failure is named with its path of subtests, so a CI log that keeps only its tail still
// says what failed.
import { readFileSync } from 'node:fs';

const lines = readFileSync(process.argv[2], 'utf8').split('\n');
const open = []; // stack of { indent, name, failedBefore }
const failures = [];
let passed = 0;
let failed = 0;
let skipped = 0;

const where = (name) => [...open.map((s) => s.name), name].join(' > ');

for (const line of lines) {
  const sub = /^(\s*)# Subtest: (.*)$/.exec(line);
  if (sub) {
    open.push({ indent: sub[1].length, name: sub[2], failedBefore: failed });
    continue;
  }
  const point = /^(\s*)(not )?ok \d+\b(?: - )?(.*)$/.exec(line);
  if (!point) continue;
  const indent = point[1].length;
  const ok = !point[2];
  const top = open.at(-1);
  if (top && top.indent === indent) {
    open.pop();
    if (!ok && failed === top.failedBefore) {
      failed += 1;
      failures.push(where(top.name));
    }
    continue;
  }
  if (/#\s*(SKIP|TODO)\b/i.test(point[3])) skipped += 1;
  else if (ok) passed += 1;
  else {
    failed += 1;
    failures.push(where(point[3]));
  }
}

for (const f of failures) console.log(`failed: ${f}`);
const skip = skipped ? `, ${skipped} skipped` : '';
console.log(`tests: ${passed} passed, ${failed} failed${skip}`);
process.exit(failed > 0 || skipped > 0 || passed === 0 ? 1 : 0);

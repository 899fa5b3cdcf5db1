/** `generate.ts <dir> <numbers>`: writes a synthetic dialplan set (100 files) for benchmarks. */
import { writeDialplanSet } from './fixtures.js';

const [dir, count] = process.argv.slice(2);
if (!dir || !count) throw new Error('usage: generate.ts <dir> <numbers>');
const numbers = Number(count);
await writeDialplanSet(dir, numbers, 100, Math.max(1, Math.round(numbers / 500)));

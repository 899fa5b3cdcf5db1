/**
 * `npm run build`, last step: each schema under config/schema as a validator module in
 * dist/src/schema/validators (ajv's standalone code, with the hash of the schema text it was made
 * from), so a start loads code instead of compiling schemas (`ajv.ts`). `dir` for tests.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packagePath } from '../paths.js';
import { lazyRequire } from '../util/lazy-require.js';
import { BUILT_VALIDATORS, builtName, makeAjv, schemaHash } from './ajv.js';

type Standalone = { default: (ajv: unknown, validate: unknown) => string };
const standalone = lazyRequire<Standalone>(import.meta.url, 'ajv/dist/standalone/index.js');

/** Writes one module per schema into `dir`; returns the schema names. */
export function buildValidators(dir = BUILT_VALIDATORS): string[] {
  mkdirSync(dir, { recursive: true });
  const names = readdirSync(packagePath('config', 'schema')).filter((f) => f.endsWith('.json'));
  for (const name of names) {
    const text = readFileSync(packagePath('config', 'schema', name), 'utf8');
    // one instance a schema: the module holds that schema's code alone
    const ajv = makeAjv(true);
    const code = standalone().default(ajv, ajv.compile(JSON.parse(text)));
    const note = `module.exports.schemaHash = ${JSON.stringify(schemaHash(text))};`;
    writeFileSync(join(dir, builtName(name)), `${code}\n${note}\n`);
  }
  return names;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const names = buildValidators();
  process.stdout.write(`validators built: ${names.join(', ')}\n`);
}

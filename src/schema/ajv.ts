/**
 * One ajv set-up for every JSON Schema kept as data under config/schema: the dialplan loader, the
 * config loader and the admin API validate with the same files, so they agree. `npm run build`
 * also writes each schema's validator as code (`build-validators.ts`): compiling them took ~150 ms
 * of every start, and loading ajv ~40 more. A validator made of other schema text than the file
 * holds now is not used; without one (run from src/), the schema is compiled here, as before.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Ajv, ErrorObject, Options, ValidateFunction } from 'ajv';
import { packagePath } from '../paths.js';
import { lazy, lazyRequire } from '../util/lazy-require.js';

// strictRequired is off: if/then branches name properties declared beside them, not inside
const OPTIONS: Options = { allErrors: true, verbose: true, strict: true, strictRequired: false };
const ajvModule = lazyRequire<typeof import('ajv')>(import.meta.url, 'ajv');

/** An ajv set up as the schemas here need; `source` keeps each validator's code for a module. */
export function makeAjv(source = false): Ajv {
  const ajv = new (ajvModule().Ajv)({ ...OPTIONS, ...(source && { code: { source: true } }) });
  // Our own annotation: a sentence for people, used when a pattern or const does not match.
  ajv.addKeyword({ keyword: 'x-hint', schemaType: 'string' });
  return ajv;
}

const runtimeAjv = lazy(() => makeAjv());

/** Where `npm run build` puts the validators: beside this module in dist/, none beside src/. */
export const BUILT_VALIDATORS = fileURLToPath(new URL('./validators/', import.meta.url));

const compiled = new Map<string, ValidateFunction>();

/** The validator of `config/schema/<name>`: built (`dir`) when made of this text, else compiled. */
export function schemaValidator(name: string, dir = BUILT_VALIDATORS): ValidateFunction {
  const key = join(dir, name);
  let validate = compiled.get(key);
  if (!validate) {
    const text = readFileSync(packagePath('config', 'schema', name), 'utf8');
    validate = built(join(dir, builtName(name)), text) ?? runtimeAjv().compile(JSON.parse(text));
    compiled.set(key, validate);
  }
  return validate;
}

/** The built validator's file name for a schema (CommonJS: ajv's code requires its runtime). */
export function builtName(name: string): string {
  return `${name}.cjs`;
}

/** What a built validator notes of the schema text it was made from. */
export function schemaHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function built(file: string, text: string): ValidateFunction | undefined {
  if (!existsSync(file)) return undefined;
  const validate = createRequire(import.meta.url)(file) as ValidateFunction & {
    schemaHash?: string;
  };
  return validate.schemaHash === schemaHash(text) ? validate : undefined;
}

export type SchemaProblem = {
  /** JSON path segments of the offending value (numbers for array indices). */
  path: (string | number)[];
  message: string;
  /** True when the problem is the key itself (an unknown field). */
  key: boolean;
};

/** Turns ajv's errors into sentences; drops the noise ajv adds for failed if/then branches. */
export function describeErrors(errors: readonly ErrorObject[] | null | undefined): SchemaProblem[] {
  if (!errors) return [];
  const out: SchemaProblem[] = [];
  for (const e of errors) {
    if (e.keyword === 'if') continue;
    const path = pointerToPath(e.instancePath);
    const problem = describe(e, path);
    if (problem) out.push(problem);
  }
  return out;
}

function describe(e: ErrorObject, path: (string | number)[]): SchemaProblem | undefined {
  const hint = (e.parentSchema as { 'x-hint'?: string } | undefined)?.['x-hint'];
  const field = fieldName(path);
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return { path, key: false, message: `missing required field '${String(p.missingProperty)}'` };
    case 'additionalProperties': {
      const extra = String(p.additionalProperty);
      const allowed = Object.keys((e.parentSchema as { properties?: object }).properties ?? {});
      return {
        path: [...path, extra],
        key: true,
        message: `unknown field '${extra}' (allowed here: ${allowed.join(', ')})`,
      };
    }
    case 'type':
      return { path, key: false, message: `${field} must be ${typeText(String(p.type), e.data)}` };
    case 'enum':
      return {
        path,
        key: false,
        message: `${field} must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}, not ${JSON.stringify(e.data)}`,
      };
    default:
      return { path, key: false, message: `${field} ${hint ? `must be ${hint}` : e.message}` };
  }
}

function typeText(type: string, data: unknown): string {
  const article = /^[aeiou]/.test(type) ? 'an' : 'a';
  const hint =
    type === 'string' && typeof data === 'number'
      ? ' (put numbers and area codes in quotes: YAML reads +4930… or 030… without quotes as an integer)'
      : '';
  return `${article} ${type}, not ${data === null ? 'empty' : typeof data}${hint}`;
}

function fieldName(path: (string | number)[]): string {
  const last = path.at(-1);
  if (last === undefined) return 'the document';
  return typeof last === 'number' ? `entry ${last + 1} of '${String(path.at(-2))}'` : `'${last}'`;
}

function pointerToPath(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^(0|[1-9][0-9]*)$/.test(s) ? Number(s) : s));
}

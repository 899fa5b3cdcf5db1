/**
 * One ajv instance for every JSON Schema kept as data under config/schema: the dialplan loader,
 * the config loader and later the admin API compile from the same files, so they agree.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { packagePath } from '../paths.js';

// strictRequired is off: if/then branches name properties declared beside them, not inside
const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, strictRequired: false });
// Our own annotation: a sentence for people, used when a pattern or const does not match.
ajv.addKeyword({ keyword: 'x-hint', schemaType: 'string' });

const compiled = new Map<string, ValidateFunction>();

export function schemaValidator(name: string): ValidateFunction {
  let validate = compiled.get(name);
  if (!validate) {
    const schema = JSON.parse(readFileSync(packagePath('config', 'schema', name), 'utf8'));
    validate = ajv.compile(schema);
    compiled.set(name, validate);
  }
  return validate;
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

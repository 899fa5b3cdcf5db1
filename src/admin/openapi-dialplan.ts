/**
 * The dialplan's own definitions (customer, number and every piece of them) as OpenAPI component
 * schemas, taken from config/schema/dialplan.schema.json, the very file the loader validates with,
 * so the API cannot describe an entry the loader would judge otherwise.
 */
import { readFileSync } from 'node:fs';
import { packagePath } from '../paths.js';
import type { Schema } from './openapi-ref.js';

/** `#/definitions/x` → `#/components/schemas/x`, everywhere in a schema. */
function rebased(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rebased);
  if (value === null || typeof value !== 'object') return value;
  const out: Schema = {};
  for (const [k, v] of Object.entries(value))
    out[k] =
      k === '$ref' && typeof v === 'string'
        ? v.replace(/^#\/definitions\//, '#/components/schemas/')
        : rebased(v);
  return out;
}

/** Every definition of the dialplan schema, as OpenAPI component schemas. */
export function dialplanSchemas(): Record<string, Schema> {
  const file = packagePath('config', 'schema', 'dialplan.schema.json');
  const doc = JSON.parse(readFileSync(file, 'utf8')) as { definitions: Record<string, Schema> };
  return rebased(doc.definitions) as Record<string, Schema>;
}

/**
 * A YAML file the gateway reads at start (carriers, admin tokens): read, parsed, checked against
 * its schema in config/schema and then by `check` for what a schema cannot say. Every problem is
 * listed at once as `file:line:col: message` in one ConfigError; the document is frozen.
 */
import { readFileSync } from 'node:fs';
import { byPosition, formatError } from '../dialplan/errors.js';
import { locateIssues } from '../dialplan/locate.js';
import { parseYaml } from '../dialplan/parse.js';
import type { Issue } from '../dialplan/types.js';
import { describeErrors, schemaValidator } from '../schema/ajv.js';
import { deepFreeze } from '../util/freeze.js';
import { ConfigError } from './load.js';

/** The file's text; a file that cannot be read is a ConfigError naming the variable. */
export function readConfigFile(variable: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([`${variable}: cannot read ${file}: ${(err as Error).message}`]);
  }
}

export function parseCheckedYaml<T>(
  file: string,
  text: string,
  schema: string,
  check: (doc: T) => Issue[],
): T {
  const parsed = parseYaml(file, text);
  if (!parsed.ok) throw new ConfigError(parsed.errors.map(formatError));
  const validate = schemaValidator(schema);
  const issues: Issue[] = [];
  if (!validate(parsed.doc)) {
    for (const p of describeErrors(validate.errors))
      issues.push({ file, path: p.path, message: p.message, key: p.key });
  } else {
    issues.push(...check(parsed.doc as T));
  }
  if (issues.length > 0)
    throw new ConfigError(locateIssues(text, issues).sort(byPosition).map(formatError));
  return deepFreeze(parsed.doc as T);
}

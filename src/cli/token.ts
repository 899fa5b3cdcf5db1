/**
 * `calltrack token --name <name> --role <role>`: a new random admin API token, and the line to add
 * to ADMIN_TOKENS_FILE. The token is printed once and stored nowhere; the file gets its SHA-256.
 * The line is checked against the same schema the gateway loads the file with.
 */
import { randomBytes } from 'node:crypto';
import { parseTokens, sha256Hex } from '../admin/tokens.js';
import { ConfigError } from '../config/load.js';
import { CliError, type CliIO } from './io.js';

export function tokenCommand(io: CliIO, values: { name?: string; role?: string }): number {
  const { name, role } = values;
  if (!name || !role)
    throw new CliError(
      'token needs --name <who> and --role admin|editor|viewer|billing|customer:<id>',
    );
  // 256 bits, base64url: 43 characters of RFC 6750's b64token alphabet
  const token = randomBytes(32).toString('base64url');
  const line = `  - { name: ${JSON.stringify(name)}, role: ${JSON.stringify(role)}, sha256: "${sha256Hex(token)}" }`;
  try {
    parseTokens('--name/--role', `version: 1\ntokens:\n${line}\n`);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    throw new CliError(err.problems.join('\n'));
  }
  io.out(token);
  io.out(line);
  io.err(
    'the first line is the token: hand it over now, it is shown only once; add the second line under `tokens:` in ADMIN_TOKENS_FILE (reloaded on save)',
  );
  return 0;
}

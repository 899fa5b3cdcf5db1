/**
 * The built gateway with its admin API on, for tests that write through the API and prove the
 * change on the wire: two tokens (`ops` admin, `desk` editor), every answer held to the OpenAPI
 * document (admin-client.ts).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Test } from 'tap';
import { sha256Hex } from '../../src/admin/tokens.js';
import { adminClient } from './admin-client.js';
import { type Gateway, startGateway } from './gateway.js';
import { freeTcpPort } from './ports.js';
import { tempDir } from './temp-dir.js';

export const ADMIN = 'tok-admin-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
export const EDITOR = 'tok-editor-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';

export type AdminCall = { method?: string; token?: string; ifMatch?: string; body?: unknown };

export async function startAdminGateway(t: Test, files: Record<string, string>) {
  const adminPort = await freeTcpPort();
  const tokensFile = join(tempDir('calltrack-admin-gw-'), 'tokens.yaml');
  writeFileSync(
    tokensFile,
    `version: 1\ntokens:\n  - { name: ops, role: admin, sha256: "${sha256Hex(ADMIN)}" }\n  - { name: desk, role: editor, sha256: "${sha256Hex(EDITOR)}" }\n`,
  );
  const gw: Gateway = await startGateway(t, files, {
    ADMIN_HTTP_PORT: String(adminPort),
    ADMIN_TOKENS_FILE: tokensFile,
  });
  const client = adminClient({ port: adminPort });
  const api = (path: string, init: AdminCall = {}) =>
    client.request(path, {
      method: init.method ?? 'GET',
      token: init.token ?? ADMIN,
      ...(init.ifMatch && { headers: { 'if-match': init.ifMatch } }),
      ...(init.body !== undefined && { body: init.body }),
    });
  return { gw, api };
}

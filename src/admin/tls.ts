/**
 * The admin listener's certificate and key (ADMIN_TLS_CERT, ADMIN_TLS_KEY), read and tried once
 * at start: a file that cannot be read, or a pair that does not make a TLS context (not PEM, a key
 * that is not the certificate's), stops the start with the variable named, never falls back to
 * plain HTTP.
 */
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { ConfigError } from '../config/load.js';

export type AdminTls = { cert: Buffer; key: Buffer };

function readPem(variable: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new ConfigError([`${variable}: cannot read ${file}: ${(err as Error).message}`]);
  }
}

/** Both files read and paired; undefined when neither is set (the config checked both or none). */
export function loadAdminTls(admin: { tlsCert: string; tlsKey: string }): AdminTls | undefined {
  if (!admin.tlsCert || !admin.tlsKey) return undefined;
  const tls = {
    cert: readPem('ADMIN_TLS_CERT', admin.tlsCert),
    key: readPem('ADMIN_TLS_KEY', admin.tlsKey),
  };
  try {
    createSecureContext(tls);
  } catch (err) {
    // OpenSSL's words for it (no start line, key values mismatch); never the file's content
    throw new ConfigError([
      `ADMIN_TLS_CERT, ADMIN_TLS_KEY: ${admin.tlsCert} and ${admin.tlsKey} are not a PEM certificate and its key: ${(err as Error).message}`,
    ]);
  }
  return tls;
}

// Tests that need an external program fail, naming the Debian package, when it is missing: a
// silently skipped SIP test would look like a passing one.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export class MissingBinaryError extends Error {
  override name = 'MissingBinaryError';
}

/** Absolute path of `name` on PATH, or a MissingBinaryError naming the package to install. */
export function requireBinary(name: string, debianPackage: string): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  throw new MissingBinaryError(
    `'${name}' is not installed: install the Debian package '${debianPackage}' (apt-get install -y ${debianPackage})`,
  );
}

/**
 * The trunk settings the schema cannot check: OUTBOUND_TRUNK's shape (parsed once, here), the
 * digest credentials (a user name needs a password, from the environment or a secret file, never
 * both), and the operator's asserted identity (a valid DE/AT number). Problems never quote the
 * password or the file's content.
 */
import { classify } from '../numbering/classify.js';
import { parseTrunk, type TrunkAccess } from '../routing/trunk.js';

export type TrunkSettings = {
  readonly authUsername: string;
  readonly authPassword: string;
  readonly authPasswordFile: string;
  readonly assertedIdentity: string;
};

export type TrunkCheck = { trunk?: TrunkAccess; problems: string[] };

export function checkTrunk(
  outboundTrunk: string,
  s: TrunkSettings,
  readSecret: (path: string) => string,
): TrunkCheck {
  const problems: string[] = [];
  const parsed = parseTrunk(outboundTrunk);
  if (!parsed.ok) problems.push(`OUTBOUND_TRUNK (outboundTrunk): ${parsed.problem}`);
  const before = problems.length;
  const password = passwordOf(s, readSecret, problems);
  // a password that could not be had is reported once, by passwordOf
  const passwordFailed = problems.length > before;
  if (s.authUsername && password === undefined && !passwordFailed)
    problems.push(
      'TRUNK_AUTH_USERNAME (trunk.authUsername): set TRUNK_AUTH_PASSWORD or TRUNK_AUTH_PASSWORD_FILE too',
    );
  if (!s.authUsername && password !== undefined)
    problems.push(
      'TRUNK_AUTH_USERNAME (trunk.authUsername): a trunk password is set but no user name',
    );
  // a malformed value is the schema's problem, reported there once
  if (/^\+[1-9][0-9]{6,14}$/.test(s.assertedIdentity)) {
    const c = classify(s.assertedIdentity);
    if (c.kind === 'invalid' || c.country === 'other')
      problems.push(
        `TRUNK_ASSERTED_IDENTITY (trunk.assertedIdentity): '${s.assertedIdentity}' is not a valid German or Austrian number`,
      );
  }
  if (!parsed.ok || problems.length > 0) return { problems };
  return {
    problems,
    trunk: {
      route: parsed.trunk,
      ...(s.authUsername &&
        password !== undefined && {
          auth: { username: s.authUsername, password },
        }),
      ...(s.assertedIdentity && { assertedIdentity: s.assertedIdentity }),
    },
  };
}

function passwordOf(
  s: TrunkSettings,
  readSecret: (path: string) => string,
  problems: string[],
): string | undefined {
  if (s.authPassword && s.authPasswordFile) {
    problems.push(
      'TRUNK_AUTH_PASSWORD_FILE (trunk.authPasswordFile): set either TRUNK_AUTH_PASSWORD or TRUNK_AUTH_PASSWORD_FILE, not both',
    );
    return undefined;
  }
  if (s.authPassword) return s.authPassword;
  if (!s.authPasswordFile) return undefined;
  let text: string;
  try {
    text = readSecret(s.authPasswordFile);
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'unreadable';
    problems.push(
      `TRUNK_AUTH_PASSWORD_FILE (trunk.authPasswordFile): cannot read '${s.authPasswordFile}' (${code})`,
    );
    return undefined;
  }
  // secret files (Docker, Kubernetes) usually end with a newline that is no part of the password
  const password = text.replace(/\r?\n$/, '');
  if (!password) {
    problems.push(
      `TRUNK_AUTH_PASSWORD_FILE (trunk.authPasswordFile): '${s.authPasswordFile}' is empty`,
    );
    return undefined;
  }
  return password;
}

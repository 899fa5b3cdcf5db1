/**
 * The mail server voicemail is sent through (SMTP_URL): connect, EHLO and, when the URL carries a
 * user, AUTH, as nodemailer's `verify()` does; nothing is sent. The URL is shown without
 * credentials.
 */
import { createTransport } from 'nodemailer';
import { withoutCredentials } from '../../admin/http.js';
import type { Config } from '../../config/load.js';
import { describeNet, netFailure } from './probe.js';
import { type CheckResult, failed, ok, skipped } from './result.js';

const CHECK = 'smtp';

export type SmtpOutcome =
  | { kind: 'ok' }
  | { kind: 'auth-refused'; message: string }
  | { kind: 'refused' }
  | { kind: 'timeout'; ms: number }
  | { kind: 'other'; message: string };

export async function probeSmtp(url: string, timeoutMs: number): Promise<SmtpOutcome> {
  const transport = createTransport({
    url,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  // nodemailer's timeouts run one after another (connect, greeting, each reply): one deadline for all
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<SmtpOutcome>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'timeout', ms: timeoutMs }), timeoutMs);
  });
  const verified = transport.verify().then(
    (): SmtpOutcome => ({ kind: 'ok' }),
    (err: NodeJS.ErrnoException) => smtpOutcome(err, timeoutMs),
  );
  try {
    return await Promise.race([verified, deadline]);
  } finally {
    clearTimeout(timer);
    transport.close();
  }
}

/** nodemailer's error → what went wrong: its `code` is EAUTH, ETIMEDOUT, ESOCKET or ECONNECTION. */
export function smtpOutcome(err: NodeJS.ErrnoException, timeoutMs: number): SmtpOutcome {
  if (err.code === 'EAUTH') return { kind: 'auth-refused', message: err.message };
  if (err.code === 'ETIMEDOUT') return { kind: 'timeout', ms: timeoutMs };
  if (/ECONNREFUSED/.test(err.message) || netFailure(err).kind === 'refused')
    return { kind: 'refused' };
  return { kind: 'other', message: err.message };
}

export async function checkSmtp(config: Config, timeoutMs: number): Promise<CheckResult> {
  const url = config.voicemail.smtpUrl;
  if (!url) return skipped(CHECK, 'SMTP_URL not set: voicemail is off');
  return smtpRow(withoutCredentials(url), await probeSmtp(url, timeoutMs));
}

export function smtpRow(where: string, o: SmtpOutcome): CheckResult {
  switch (o.kind) {
    case 'ok':
      return ok(CHECK, `${where}: mail server answers (EHLO accepted)`);
    case 'auth-refused':
      return failed(
        CHECK,
        `${where}: login refused (${o.message})`,
        'correct the user and password in SMTP_URL (smtp://<user>:<password>@host:587)',
      );
    case 'refused':
      return failed(
        CHECK,
        describeNet(o, where),
        'start the mail relay (apt-get install postfix) or set SMTP_URL to where it runs',
      );
    case 'timeout':
      return failed(
        CHECK,
        `${where}: no answer within ${o.ms / 1000} s`,
        `check SMTP_URL and that a firewall lets this host reach ${where}`,
      );
    case 'other':
      return failed(
        CHECK,
        `${where}: ${o.message}`,
        'check SMTP_URL (smtp://host:25, smtps://host:465)',
      );
  }
}

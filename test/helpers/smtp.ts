// A real SMTP server for tests (smtp-server, the protocol as mail servers speak it): every
// accepted mail is parsed with postal-mime so tests can look at recipients and attachments.
// It can be stopped and started again on the same port, to play a mail server that is down.
import PostalMime, { type Email } from 'postal-mime';
import { SMTPServer } from 'smtp-server';
import { freeTcpPort } from './ports.js';
import { waitFor } from './wait.js';

export type ReceivedMail = { to: string[]; email: Email; raw: Buffer };

export type TestSmtp = {
  port: number;
  url: string;
  mails: ReceivedMail[];
  /** Starts listening (again); resolves when it accepts connections. */
  up(): Promise<void>;
  /** Stops listening: connections are refused, like a mail server that is down. */
  down(): Promise<void>;
  waitForMail(ms?: number): Promise<ReceivedMail>;
};

/** `refuse`: recipients at this address are refused with 550 (an unknown mailbox). */
export async function testSmtp(
  opts: { listening?: boolean; refuse?: string } = {},
): Promise<TestSmtp> {
  const port = await freeTcpPort();
  const mails: ReceivedMail[] = [];
  let server: SMTPServer | undefined;
  const smtp: TestSmtp = {
    port,
    url: `smtp://127.0.0.1:${port}`,
    mails,
    up: () =>
      new Promise((resolve, reject) => {
        server = new SMTPServer({
          authOptional: true,
          disabledCommands: ['STARTTLS'],
          logger: false,
          onRcptTo(address, _session, done) {
            if (address.address !== opts.refuse) return done();
            done(Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }));
          },
          onData(stream, session, done) {
            const chunks: Buffer[] = [];
            stream.on('data', (c: Buffer) => chunks.push(c));
            stream.on('end', () => {
              const raw = Buffer.concat(chunks);
              PostalMime.parse(raw).then(
                (email) => {
                  mails.push({ to: session.envelope.rcptTo.map((r) => r.address), email, raw });
                  done();
                },
                (err: Error) => done(err),
              );
            });
          },
        });
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => resolve());
      }),
    down: () =>
      new Promise((resolve) => {
        if (!server) return resolve();
        server.close(() => resolve());
        server = undefined;
      }),
    waitForMail: (ms = 10_000) => waitFor(() => mails[0], ms, 'a mail at the test SMTP server'),
  };
  if (opts.listening !== false) await smtp.up();
  return smtp;
}

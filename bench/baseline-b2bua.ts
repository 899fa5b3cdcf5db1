/**
 * The baseline of `bench/cps`: the smallest drachtio-srf B2BUA. Every INVITE goes to
 * `sip:<called>@<dealer>` with createB2BUA; a BYE on either leg ends the other (without that a
 * call would never end on the dealer's side). Nothing else: no admission, lookup, records or
 * metrics.
 *
 *   node --import tsx bench/baseline-b2bua.ts <drachtio host> <drachtio port> <secret> <dealer host:port>
 *
 * Prints `ready` on stdout once connected; exits 1 if the connection fails or is lost.
 */
import Srf from 'drachtio-srf';

const [host = '127.0.0.1', port = '9022', secret = 'cymru', dealer] = process.argv.slice(2);
if (!dealer) {
  process.stderr.write('usage: baseline-b2bua.ts <host> <port> <secret> <dealer host:port>\n');
  process.exit(2);
}

// an exit, not death by the signal: under --cpu-prof the profile is written at exit
process.on('SIGTERM', () => process.exit(0));
const srf = new Srf();
srf.on('connect', (err: unknown) => {
  if (err) {
    process.stderr.write(`baseline: connect failed: ${String(err)}\n`);
    process.exit(1);
  }
  process.stdout.write('ready\n');
});
srf.on('error', (err: unknown) => {
  process.stderr.write(`baseline: ${String(err)}\n`);
  process.exit(1);
});

srf.invite((req, res) => {
  srf
    .createB2BUA(req, res, `sip:${req.calledNumber}@${dealer}`, { localSdpB: req.body })
    .then(({ uas, uac }) => {
      const ignore = () => undefined;
      uas.on('destroy', () => uac.destroy({ headers: {} }, ignore));
      uac.on('destroy', () => uas.destroy({ headers: {} }, ignore));
    })
    .catch(() => undefined);
});

srf.connect({ host, port: Number(port), secret, reconnect: { maxAttempts: 1 } } as Srf.SrfConfig);

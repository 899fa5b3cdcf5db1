/**
 * `process.env` as a plain object. drachtio-srf reads `process.env.DRACHTIO_PRESERVE_HEADER_NAMES`
 * each time it names a header: for every header of every SIP message it parses, and in each
 * `get`, `has` and `set` on one, some hundred times a call. Node's `process.env` is the C
 * library's environment behind an interceptor: every read, found or not, takes a lock and scans
 * `environ` (~155 ns here, against ~1 ns for a plain object's property), about a twentieth of
 * the gateway's CPU per call (issue 16). The gateway reads its configuration once, at start
 * (load.ts), and nothing it runs changes the environment later, so a copy answers every later
 * read, with the same values, at the cost of a property lookup.
 *
 * What the copy changes: a write to `process.env` no longer reaches the C environment (the
 * gateway writes none, and starts no child process, which would get the copy as its default).
 */
export function snapshotEnvironment(): void {
  process.env = Object.assign({}, process.env);
}

/**
 * SIP extensions a caller may require (RFC 3261 8.2.2.3): an INVITE whose Require names an option
 * tag this gateway does not implement is refused with 420 and an Unsupported header naming each
 * such tag, so the caller can retry without them; relaying the call anyway would break what the
 * caller was promised. Pure.
 */

/**
 * What the gateway, with drachtio-server under it, implements for the caller's dialog:
 * - `timer` (RFC 4028): drachtio-server runs the caller's session timer and answers its refreshes;
 * - `histinfo` (RFC 7044): History-Info is read (loops) and written (the dealer leg);
 * - `100rel` (RFC 3262): to an INVITE that requires it, drachtio-server's SIP stack sends every
 *   provisional reliably by itself (sofia nta.c, irq_must_100rel), RSeq, retransmissions and the
 *   PRACK's 200 included, and holds a 2xx until a reliable 183 with SDP is PRACKed; the gateway's
 *   18x need nothing more (test/e2e/reliable-provisional.test.ts, on both servers).
 */
export const SUPPORTED_OPTION_TAGS: ReadonlySet<string> = new Set(['timer', 'histinfo', '100rel']);

/** RFC 3261 25.1 token, at a length an option tag has (the registry's longest is 15). */
const OPTION_TAG = /^[A-Za-z0-9\-.!%*_+`'~]{1,64}$/;

/** At most this many tags are named back: the answer stays one small datagram. */
const MAX_NAMED = 8;

export type RequireCheck = {
  /** Some required entry is not supported: the INVITE gets 420. */
  refuse: boolean;
  /** The unsupported option tags for the Unsupported header, each once, as the caller wrote it. */
  unsupported: string[];
};

/**
 * A Require header's entries (several header lines arrive joined by commas), each as written and
 * as the lower-case key it compares by (tokens compare without regard to case, RFC 3261 7.3.1).
 */
function* entries(require: string): Generator<[tag: string, key: string]> {
  for (const part of require.split(',')) {
    const tag = part.trim();
    yield [tag, tag.toLowerCase()];
  }
}

/** Whether a Require header names this option tag. */
export function requires(require: string | undefined, tag: string): boolean {
  if (!require) return false;
  const wanted = tag.toLowerCase();
  for (const [, key] of entries(require)) if (key === wanted) return true;
  return false;
}

/**
 * A Require header against what is supported. An entry that is no option tag at all is
 * unsupported too, but not named back: the caller's bytes are echoed only as tokens.
 */
export function checkRequire(require: string | undefined): RequireCheck {
  const unsupported: string[] = [];
  let refuse = false;
  if (!require) return { refuse, unsupported };
  const seen = new Set<string>();
  for (const [tag, key] of entries(require)) {
    if (tag === '' || SUPPORTED_OPTION_TAGS.has(key)) continue;
    refuse = true;
    if (!OPTION_TAG.test(tag) || seen.has(key) || unsupported.length === MAX_NAMED) continue;
    seen.add(key);
    unsupported.push(tag);
  }
  return { refuse, unsupported };
}

/**
 * A display name safe to put in any header: drachtio-srf writes the dealer leg's From as
 * `"<name>" <sip:…>` without escaping, so a quote or a backslash in a caller's name would end the
 * quoted string early and let the rest be read as another address (`Max" <sip:110@evil>;x="`).
 * Removed: quotes, backslashes, angle brackets (lax PBX parsers split on them), control
 * characters (C0, DEL, C1, line separators), bidirectional overrides and zero-width characters
 * (they make a name read differently from what it is), and anything that was not valid UTF-8
 * (decoded as U+FFFD, or a lone surrogate). Whitespace runs become one space; at most `max`
 * characters are kept. Pure.
 */
export const DISPLAY_NAME_MAX = 48;

const UNSAFE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it removes
  /["\\<>\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff\ufffd]/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function safeDisplayName(
  raw: string | undefined,
  max = DISPLAY_NAME_MAX,
): string | undefined {
  if (!raw) return undefined;
  const text = raw.replace(LONE_SURROGATE, ' ').replace(UNSAFE, ' ').replace(/\s+/g, ' ').trim();
  const chars = Array.from(text);
  const kept = (chars.length > max ? chars.slice(0, max).join('').trimEnd() : text) || undefined;
  return kept;
}

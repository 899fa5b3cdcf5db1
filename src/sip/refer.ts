/**
 * The Refer-To of a REFER (RFC 3515): the target URI, and whether it embeds a Replaces header
 * (RFC 3891, an attended transfer). Pure.
 */
import type { Refer } from '../call/ports.js';

export function referOf(header: string | undefined): Refer | undefined {
  if (!header) return undefined;
  const value = header.trim();
  // name-addr `["name"] <uri>;params`, or a bare addr-spec (no params are allowed then)
  const angled = /<([^>]*)>/.exec(value);
  const uri = (angled ? angled[1] : value.split(';')[0])?.trim() ?? '';
  if (!/^(sips?|tel):/i.test(uri)) return undefined;
  const question = uri.indexOf('?');
  const target = question === -1 ? uri : uri.slice(0, question);
  const embedded = question === -1 ? '' : uri.slice(question + 1);
  const replaces = embedded.split('&').some((h) => /^replaces=/i.test(h));
  return { target, replaces };
}

/**
 * The headers a dealer leg is dialled with: the leg's (the trunk's, the caller's presentation),
 * the call's on top (Max-Forwards, the tracking header), a copy that changes neither.
 */
import t from 'tap';
import { withCallHeaders } from '../../src/call/trunk-leg.js';

t.test("the call's headers win over the leg's; neither input is changed", async (t) => {
  const leg = { From: '<sip:anonymous@anonymous.invalid>', Privacy: 'id', 'Max-Forwards': '70' };
  const call = { 'Max-Forwards': '69', 'History-Info': '<sip:+493025550101@gw>;index=1' };
  const out = withCallHeaders(leg, call);
  t.strictSame(out, { ...leg, ...call });
  t.equal(leg['Max-Forwards'], '70');
  out.Extra = 'x';
  t.notOk('Extra' in leg || 'Extra' in call, 'a copy');
  t.strictSame(withCallHeaders(leg, undefined), leg);
  t.not(withCallHeaders(leg, undefined), leg, 'a copy without call headers too');
});

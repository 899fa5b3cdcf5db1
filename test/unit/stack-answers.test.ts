/** drachtio-server's own answers (no source address) told from the far end's. */
import t from 'tap';
import { fromStack, there } from '../../src/sip/stack-answers.js';

t.test('the stack’s own answer has an empty source address', async (t) => {
  t.equal(fromStack(''), true);
  t.equal(fromStack('10.0.0.9'), false);
  t.equal(fromStack(undefined), false, 'unknown is not the stack’s');
});

t.test('a keepalive’s answer: the dialog gone, a transport error, or someone there', async (t) => {
  t.equal(there(481, '10.0.0.9'), false, 'the far end lost the dialog');
  t.equal(there(408, ''), false, 'nobody answered');
  t.equal(there(503, ''), false, 'ICMP port unreachable, a refused or reset connection');
  t.equal(there(410, ''), false, 'a broken TCP connection');
  t.equal(there(503, '10.0.0.9'), true, 'the far end’s own 503');
  t.equal(there(405, '10.0.0.9'), true, 'a phone that takes no OPTIONS');
  t.equal(there(416, ''), true, 'not a keepalive’s answer to end a call on');
});

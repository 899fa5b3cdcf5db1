/**
 * The kernel's count of UDP datagrams dropped for a full receive buffer, read from
 * /proc/net/snmp's text: by name, not by column (kernels add counters), and a text without it
 * stops the bench with what is missing.
 */
import t from 'tap';
import { dropsHint, snmpCounters, udpReceiveBufferDrops } from '../../bench/udp-drops.js';

/** The layout of a 6.x kernel's /proc/net/snmp, shortened to the lines around Udp. */
const SNMP = [
  'Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens',
  'Tcp: 1 200 120000 -1 5310',
  'Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors',
  'Udp: 21295092 3759 3833 21303448 3833 0 0 0 0',
  'UdpLite: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors',
  'UdpLite: 0 0 0 0 7 0 0 0 0',
  '',
].join('\n');

t.test('the receive-buffer drops of UDP, not of UDP-Lite', async (t) => {
  t.equal(udpReceiveBufferDrops(SNMP), 3833);
  t.equal(snmpCounters(SNMP, 'UdpLite').RcvbufErrors, 7);
  t.equal(snmpCounters(SNMP, 'Tcp').ActiveOpens, 5310);
});

t.test('a counter is found by its name wherever its column is', async (t) => {
  const moved = 'Udp: RcvbufErrors InDatagrams NoPorts\nUdp: 12 21295092 3759\n';
  t.equal(udpReceiveBufferDrops(moved), 12, 'the first column now');
});

t.test('a text without the counter stops the bench, saying what is missing', async (t) => {
  t.throws(() => udpReceiveBufferDrops('Tcp: A\nTcp: 1\n'), /no header and value lines for Udp/);
  t.throws(
    () => udpReceiveBufferDrops('Udp: InDatagrams NoPorts\nUdp: 1 2\n'),
    /Udp has no RcvbufErrors counter/,
  );
  t.throws(() => snmpCounters('Udp: A B\nUdp: 1\n', 'Udp'), /no header and value lines/);
});

t.test('a failed run names the drops, and says nothing when there were none', async (t) => {
  t.equal(dropsHint(0), '');
  t.match(dropsHint(522), /dropped 522 UDP datagrams .*RcvbufErrors/);
});

t.test('this machine has the counter', async (t) => {
  t.ok(udpReceiveBufferDrops() >= 0);
});

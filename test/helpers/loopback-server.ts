/** A test's TCP server on a free loopback port, closed with its open sockets when `t` ends. */
import type { Server, Socket } from 'node:net';
import type { Test } from 'tap';

export async function listenForTest(
  t: Test,
  server: Server,
  sockets: Set<Socket>,
): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('server has no TCP port');
  return address.port;
}

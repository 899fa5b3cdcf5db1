/** The stand-in picks the app for a new request as drachtio-server v0.9.10 does (app-router.ts). */
import t from 'tap';
import { AppRegistry } from '../standin/app-router.js';
import type { AppClient } from '../standin/stack.js';

const app = (id: number): AppClient & { closed: boolean } => ({
  id,
  closed: false,
  send: () => undefined,
  reply: () => undefined,
});
const picks = (r: AppRegistry, verb: string, n: number) =>
  Array.from({ length: n }, () => r.select(verb)?.id ?? 0);

t.test('two apps take turns at INVITEs, per verb', async (t) => {
  const r = new AppRegistry();
  const [a, b] = [app(1), app(2)];
  for (const c of [a, b]) {
    r.add('invite', c);
    r.add('options', c);
  }
  t.same(picks(r, 'invite', 6), [1, 2, 1, 2, 1, 2]);
  t.same(picks(r, 'options', 3), [1, 2, 1], 'options count on their own');
  t.equal(r.select('bye'), undefined, 'no route: nobody (the caller gets 503)');
});

t.test("a third app goes right after the first, as libstdc++'s multimap orders it", async (t) => {
  const r = new AppRegistry();
  for (const id of [1, 2, 3]) r.add('invite', app(id));
  t.same(picks(r, 'invite', 6), [1, 3, 2, 1, 3, 2]);
});

t.test('a dead app is skipped and erased when reached; the offset counted it', async (t) => {
  const r = new AppRegistry();
  const [a, b, c] = [app(1), app(2), app(3)];
  for (const x of [a, b, c]) r.add('invite', x); // order 1 3 2
  t.same(picks(r, 'invite', 1), [1]);
  c.closed = true;
  // offset 1 is the dead 3: erased, the walk goes on to 2; next offset 2 is past the two left: 0
  t.same(picks(r, 'invite', 4), [2, 1, 2, 1]);
  a.closed = true;
  b.closed = true;
  t.equal(r.select('invite'), undefined, 'all dead: nobody');
});

t.test('remove_route drops every route of the app', async (t) => {
  const r = new AppRegistry();
  const [a, b] = [app(1), app(2)];
  r.add('invite', a);
  r.add('invite', b);
  r.add('options', a);
  r.removeClient(a);
  t.same(picks(r, 'invite', 2), [2, 2]);
  t.equal(r.select('options'), undefined);
});

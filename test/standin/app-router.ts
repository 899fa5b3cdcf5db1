// Which app gets a new request from the network: among the apps that routed the method, round
// robin per verb, as drachtio-server's ClientController does. No app → the caller gets 503.
import type { AppClient, AppRouter } from './stack.js';

export class AppRegistry implements AppRouter {
  /** A multimap in registration order; an app routing a verb twice is listed twice, as in the real server. */
  private readonly routes: { verb: string; client: AppClient }[] = [];
  private readonly offsets = new Map<string, number>();

  add(verb: string, client: AppClient): void {
    this.routes.push({ verb, client });
    if (!this.offsets.has(verb)) this.offsets.set(verb, 0);
  }

  /**
   * drachtio-server's remove_route drops every route of the app, whatever the verb (its loop
   * never compares the verb); mirrored so an app cannot rely on a narrower removal here.
   */
  removeClient(client: AppClient): void {
    for (let i = this.routes.length - 1; i >= 0; i--) {
      if (this.routes[i]?.client === client) this.routes.splice(i, 1);
    }
  }

  select(verb: string): AppClient | undefined {
    const candidates = this.routes.filter((r) => r.verb === verb && !r.client.closed);
    if (candidates.length === 0) return undefined;
    const offset = this.offsets.get(verb) ?? 0;
    this.offsets.set(verb, offset + 1);
    return candidates[offset % candidates.length]?.client;
  }
}

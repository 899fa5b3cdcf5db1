// Which app gets a new request from the network: among the apps that routed the method, round
// robin per verb, as drachtio-server v0.9.10 does (client-controller.cpp,
// ClientController::wants_requests and selectClientForRequestOutsideDialog). No app → 503.
import type { AppClient, AppRouter } from './stack.js';

export class AppRegistry implements AppRouter {
  /**
   * Per verb, the routes in the order the server's std::unordered_multimap iterates them: an app
   * routing a verb twice is listed twice; libstdc++ puts a new entry right after the first one
   * with the same key (measured with g++ 12: inserting 1, 2, 3 under one key iterates 1 3 2).
   */
  private readonly routes = new Map<string, AppClient[]>();
  /** The next offset per verb; created with the verb's first route, as wants_requests does. */
  private readonly offsets = new Map<string, number>();

  add(verb: string, client: AppClient): void {
    const list = this.routes.get(verb);
    if (!list) this.routes.set(verb, [client]);
    else list.splice(1, 0, client);
    if (!this.offsets.has(verb)) this.offsets.set(verb, 0);
  }

  /**
   * remove_route (no_longer_wants_requests) drops every route of the app, whatever the verb (its
   * loop never compares the verb). An app that disconnects is NOT removed here: the server holds
   * weak pointers and erases a dead one only when selection reaches it (below).
   */
  removeClient(client: AppClient): void {
    for (const list of this.routes.values()) {
      for (let i = list.length - 1; i >= 0; i--) if (list[i] === client) list.splice(i, 1);
    }
  }

  /**
   * selectClientForRequestOutsideDialog: start at the stored offset (0 once it passed the number
   * of routes, which counts dead apps too), store that offset + 1, then walk on from there,
   * wrapping, erasing each dead app met, until a live one or every route was tried once.
   */
  select(verb: string): AppClient | undefined {
    const list = this.routes.get(verb) ?? [];
    let possibles = list.length;
    if (possibles === 0) return undefined;
    const stored = this.offsets.get(verb) ?? 0;
    const offset = stored < possibles ? stored : 0;
    this.offsets.set(verb, offset + 1);
    let i = offset;
    let client: AppClient | undefined;
    do {
      if (i >= list.length) i = 0;
      const candidate = list[i];
      if (!candidate || candidate.closed) list.splice(i, 1);
      else client = candidate;
      possibles--;
    } while (!client && possibles > 0);
    return client;
  }
}

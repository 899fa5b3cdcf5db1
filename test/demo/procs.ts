/**
 * The demo's processes: each started in its own process group, so stopping one stops whatever
 * it started in turn; all of them stopped together at the end, on Ctrl-C and on SIGTERM.
 */
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';

export type Started = { name: string; child: ChildProcess; exited: Promise<number | null> };

export class Processes {
  readonly #started: Started[] = [];
  readonly #cleanups: (() => Promise<void> | void)[] = [];

  constructor() {
    // a crash of the demo itself still takes its children along
    process.once('exit', () => {
      for (const s of this.#started) signalGroup(s.child, 'SIGKILL');
    });
  }

  spawn(name: string, command: string, args: string[], options: SpawnOptions = {}): Started {
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...options,
      detached: true,
    });
    const exited = new Promise<number | null>((resolve) => {
      child.once('exit', (code) => resolve(code));
      child.once('error', () => resolve(null));
    });
    const started = { name, child, exited };
    this.#started.push(started);
    return started;
  }

  /** Something else to undo at the end (an in-process server, a temp dir), last added first. */
  onStop(cleanup: () => Promise<void> | void): void {
    this.#cleanups.push(cleanup);
  }

  list(): { name: string; pid: number }[] {
    return this.#started.flatMap((s) => (s.child.pid ? [{ name: s.name, pid: s.child.pid }] : []));
  }

  /** SIGTERM to every group (the gateway drains), SIGKILL to what is left after `graceMs`. */
  async stopAll(graceMs = 5000): Promise<void> {
    const running = this.#started.filter(
      (s) => s.child.exitCode === null && s.child.signalCode === null,
    );
    for (const s of running) signalGroup(s.child, 'SIGTERM');
    const timer = new Promise((r) => setTimeout(r, graceMs).unref());
    await Promise.race([Promise.all(running.map((s) => s.exited)), timer]);
    // the group too: a grandchild outlives its parent's clean exit
    for (const s of this.#started) signalGroup(s.child, 'SIGKILL');
    for (const cleanup of this.#cleanups.splice(0).reverse()) await cleanup();
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (!child.pid) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is gone already
  }
}

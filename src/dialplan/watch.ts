/**
 * Watches the dialplan directory and asks for a reload once changes settle. Editors and config
 * management write in bursts (temp file, rename, chmod), and Kubernetes swaps a `..data` link:
 * every event restarts the debounce timer, and only one reload follows the burst.
 */
import { type FSWatcher, watch } from 'node:fs';

export type Watcher = { close(): void };

export function watchDialplans(dir: string, debounceMs: number, onSettled: () => void): Watcher {
  let timer: NodeJS.Timeout | undefined;
  const fire = () => {
    timer = undefined;
    onSettled();
  };
  const watcher: FSWatcher = watch(dir, (_event, name) => {
    // our own atomic writes pass through dot-named temp files; the rename that ends them counts
    if (name?.endsWith('.tmp')) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(fire, debounceMs);
  });
  return {
    close() {
      if (timer) clearTimeout(timer);
      watcher.close();
    },
  };
}

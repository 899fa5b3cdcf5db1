/**
 * The tokens in force, reloaded when ADMIN_TOKENS_FILE changes. The directory is watched, not the
 * file: editors and config management replace a file by renaming over it, which a watch on the
 * old inode never sees. A file that does not load leaves the last good tokens in force (an admin
 * who saves a typo does not lock everyone out) and says why in the log.
 */
import { dirname } from 'node:path';
import { ConfigError } from '../config/load.js';
import { type Watcher, watchDialplans } from '../dialplan/watch.js';
import type { Logger } from '../observability/logger.js';
import { loadTokens, type TokenSet } from './tokens.js';

export class TokenStore {
  #current: TokenSet;
  #watcher: Watcher | undefined;

  /** Loads the file now; throws ConfigError (`file:line:col: …`) when it does not load. */
  constructor(readonly file: string) {
    this.#current = loadTokens(file);
  }

  get current(): TokenSet {
    return this.#current;
  }

  /** Reads the file again; true when it loaded and is now in force. */
  reload(logger: Logger): boolean {
    try {
      this.#current = loadTokens(this.file);
      logger.info({ file: this.file, tokens: this.#current.size }, 'admin tokens reloaded');
      return true;
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      logger.error(
        { file: this.file, problems: err.problems, tokens: this.#current.size },
        'admin tokens file is invalid: the last good tokens stay in force',
      );
      return false;
    }
  }

  watch(debounceMs: number, logger: Logger): void {
    this.#watcher ??= watchDialplans(dirname(this.file), debounceMs, () => this.reload(logger));
  }

  close(): void {
    this.#watcher?.close();
    this.#watcher = undefined;
  }
}

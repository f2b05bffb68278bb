import { join } from 'node:path';
import { ConfigError, loadStoreConfig } from '../../src/server/config';
import type { AppStore } from '../../src/server/app-store';

/** Where a command-line tool writes: the console, or a test's capture. */
export interface Output {
  out(line: string): void;
  err(line: string): void;
}

export const consoleOutput: Output = { out: (l) => console.log(l), err: (l) => console.error(l) };

/** The store the server uses, from the same settings: the SQLite file in DATA_DIR, or SharePoint with STORE=sharepoint. */
export async function openStore(config: ReturnType<typeof loadStoreConfig>): Promise<AppStore> {
  if (config.store.kind === 'sharepoint') {
    // Loaded only when used, as the server does: msal-node and the Graph client are not needed for SQLite.
    const { SharePointStore } = await import('../../src/adapters/sharepoint/sharepoint.store');
    return SharePointStore.fromConfig(config.store.sharePoint, config.schoolId);
  }
  const { SqliteStore } = await import('../../src/adapters/sqlite.store');
  // The same file the server opens (createApp: DATA_DIR/countersign.db).
  return new SqliteStore(join(config.dataDir, 'countersign.db'), { schoolId: config.schoolId });
}

/**
 * The server's signing secret, as the server finds it (createApp): LINK_SIGNING_SECRET, or in embedded mode the
 * one kept in the database. Undefined when neither exists (a SharePoint store without the setting).
 */
export async function serverSecret(config: ReturnType<typeof loadStoreConfig>, store: AppStore): Promise<string | undefined> {
  if (config.linkSecret) return config.linkSecret;
  const { SqliteStore } = await import('../../src/adapters/sqlite.store');
  const { randomBytes } = await import('node:crypto');
  return store instanceof SqliteStore ? store.secret('links', () => randomBytes(32).toString('base64url')) : undefined;
}

/**
 * The frame every command-line tool shares: the settings read as the server reads them (a wrong one is exit 2
 * with the line that names it), the store opened, `run`, and the store closed whatever happens.
 */
export async function withServerStore(
  env: NodeJS.ProcessEnv,
  io: { err(line: string): void },
  run: (config: ReturnType<typeof loadStoreConfig>, store: AppStore) => Promise<number>,
): Promise<number> {
  let config;
  try {
    config = loadStoreConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) {
      io.err(e.message);
      return 2;
    }
    throw e;
  }
  const store = await openStore(config);
  try {
    return await run(config, store);
  } finally {
    store.close();
  }
}

import { join } from 'node:path';
import type { loadStoreConfig } from '../../src/server/config';
import type { AppStore } from '../../src/server/app-store';

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

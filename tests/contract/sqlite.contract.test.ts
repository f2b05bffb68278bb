import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import { SqliteStore } from '../../src/adapters/sqlite.store';
import { storeContract, type StorePorts } from './store.contract';

const ports = (s: SqliteStore): StorePorts => ({ store: s, policies: s.policies, campaigns: s.campaigns, jobs: s.jobs });

describe('store contract: SQLite (embedded)', () => {
  storeContract(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'countersign-contract-'));
    const path = join(dir, 'store.db');
    const opened = [new SqliteStore(path)];
    return {
      ...ports(opened[0]!),
      // A second process on the same file.
      another: async () => {
        const s = new SqliteStore(path);
        opened.push(s);
        return ports(s);
      },
      cleanup: async () => {
        for (const s of opened) s.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { demoSchool, demoStaff } from '../../src/adapters/demo-school';
import { SqliteStore } from '../../src/adapters/sqlite.store';
import { StoreDirectory } from '../../src/adapters/store.directory';
import type { Store } from '../../src/ports/store';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('the directory’s name cache', () => {
  it('does not keep a read that began before a roster write and ended after it (the leaver would look present for a minute)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'countersign-dir-'));
    dirs.push(dir);
    const store = new SqliteStore(join(dir, 'db.sqlite'), { schoolId: demoSchool.id });
    const amira = demoStaff.find((s) => s.name.startsWith('Amira'))!;
    await store.upsertStaff([amira]);
    // A slow read (SharePoint under throttling): it reads the record at once, but its answer comes back only when released.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const slow = new Proxy(store, {
      get(target, key, receiver) {
        if (key === 'getStaff') return async (id: string) => {
          const read = await target.getStaff(id);
          await held;
          return read;
        };
        const v = Reflect.get(target, key, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    }) as Store;
    const directory = new StoreDirectory(slow);
    const early = directory.getStaff(amira.id);
    const { roles: _roles, ...profile } = amira;
    await store.saveRoster([{ ...profile, leftOn: '2026-11-24' }]);
    directory.forget(); // what the roster service does after a write
    release();
    expect((await early)?.leftOn).toBeUndefined(); // that caller read before the write: fair
    expect((await directory.getStaff(amira.id))?.leftOn).toBe('2026-11-24'); // the next reader is not handed the stale read
    store.close();
  });
});

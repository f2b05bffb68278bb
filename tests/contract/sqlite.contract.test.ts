import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/adapters/sqlite.store';
import { migrations } from '../../src/adapters/sqlite.migrations';
import { makeRequest, storeContract, type StorePorts } from './store.contract';

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

describe('SQLite: records from before schools existed', () => {
  it('are stamped with the configured school when the store opens, in the column and in the record', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'countersign-school-'));
    const path = join(dir, 'store.db');
    try {
      // A database as the release before this one left it: the first three migrations, one row of each kind.
      const old = new Database(path);
      for (const m of migrations.slice(0, 3)) old.exec(m);
      old.pragma('user_version = 3');
      const r = makeRequest('r-old', { id: 'u-req', name: 'Rae Quest' }, 0);
      const { schoolId: _drop, ...legacy } = r;
      old.prepare(`INSERT INTO requests (id, reference, requester_id, status, current_approver_id, etag, data, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?)`)
        .run(r.id, r.reference, r.requesterId, r.status, 'u-ict', JSON.stringify(legacy), r.createdAt, r.updatedAt);
      old.prepare(`INSERT INTO audit (id, entity_type, entity_id, actor_id, actor_name, action, at) VALUES ('a-old', 'request', 'r-old', 'u-req', 'Rae', 'request.submit', ?)`).run(r.createdAt);
      old.prepare(`INSERT INTO staff (id, name, email, department, job_title, roles) VALUES ('u-req', 'Rae Quest', 'r@x.example', 'Science', 'Teacher', '[]')`).run();
      old.prepare(`INSERT INTO jobs (id, kind, key, payload, run_at, attempts, status) VALUES ('j-old', 'test.kind', 'k-old', '{}', ?, 0, 'pending')`).run(r.createdAt);
      old.close();

      const store = new SqliteStore(path, { schoolId: 'larkfield' });
      expect((await store.getRequest('r-old'))!.value).toEqual({ ...legacy, schoolId: 'larkfield' });
      expect((await store.listAudit('r-old')).map((a) => a.schoolId)).toEqual(['larkfield']);
      expect((await store.getStaff('u-req'))!.schoolId).toBe('larkfield');
      expect((await store.jobs.receive(new Date(r.createdAt), 5, 60_000)).map((j) => j.schoolId)).toEqual(['larkfield']);
      const nulls = ['requests', 'audit', 'staff', 'jobs'].map((t) => (store.db.prepare(`SELECT COUNT(*) AS n FROM ${t} WHERE school_id IS NULL`).get() as { n: number }).n);
      expect(nulls).toEqual([0, 0, 0, 0]);
      store.close();
      // Stamped once: a later open with another setting leaves them where they are.
      const again = new SqliteStore(path, { schoolId: 'elsewhere' });
      expect((await again.getRequest('r-old'))!.value.schoolId).toBe('larkfield');
      again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

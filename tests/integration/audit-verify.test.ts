/**
 * `npm run audit:verify` on the embedded store, as an operator runs it: from DATA_DIR, exit 0 when intact and 1
 * with the finding named when not, damaged data reported rather than crashing. And an upgrade: a database from
 * before the chain is chained once, in its order, when it is opened.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/adapters/sqlite.store';
import { migrations } from '../../src/adapters/sqlite.migrations';
import { main } from '../../scripts/audit-verify';
import { decide, makeAudit, makeDeclaration, makeRequest, makeVersion } from '../contract/store.contract';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function dataDirWithHistory() {
  const dir = mkdtempSync(join(tmpdir(), 'countersign-verify-'));
  dirs.push(dir);
  const store = new SqliteStore(join(dir, 'countersign.db'));
  const r = makeRequest('r1', { id: 'u-ben', name: 'Ben Carter' }, 0);
  const v1 = await store.saveRequestChange({ request: r, audit: makeAudit('a-submit', r.id, 'request.submit', 0, r) });
  const d = decide(r, 'approved', { id: 'u-ict', name: 'Ian Price' }, 5);
  await store.saveRequestChange({ request: d.next, expectedEtag: v1.etag, decision: d.decision, audit: makeAudit('a-ict', r.id, 'approval.approve', 5) });
  await store.policies.saveDeclaration(makeDeclaration('dec-ben', { id: 'u-ben', name: 'Ben Carter' }, makeVersion('v1', '2025', '2025-09-01', 1), 9), makeAudit('a-sign', 'dec-ben', 'declaration.sign', 9, null, 'declaration'));
  store.close();
  return { dir, decisionId: d.decision.id };
}

async function run(dir: string, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { DATA_DIR: dir }, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('npm run audit:verify', () => {
  it('says the trail is intact and exits 0, run as the npm script does', async () => {
    const { dir } = await dataDirWithHistory();
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/audit-verify.ts'], { env: { ...process.env, DATA_DIR: dir } });
    expect(stdout).toMatch(/3 entries in the chain/);
    expect(stdout).toMatch(/2 decisions and signatures checked/);
    expect(stdout).toMatch(/The audit trail is intact\./);
  });

  it('exits 1 and names what was changed', async () => {
    const { dir, decisionId } = await dataDirWithHistory();
    const db = new Database(join(dir, 'countersign.db'));
    db.prepare("UPDATE decisions SET outcome = 'rejected' WHERE id = ?").run(decisionId);
    db.prepare("UPDATE audit SET actor_name = 'Someone' WHERE id = 'a-submit'").run();
    db.close();
    const r = await run(dir);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/2 findings/);
    expect(r.out).toMatch(/AUDIT\.ENTRY_ALTERED \[\w*\] at entry 1: Entry 1 \(a-submit/);
    expect(r.out).toMatch(new RegExp(`AUDIT\\.RECORD_ALTERED .*Decision ${decisionId} no longer matches`));
    const json = JSON.parse((await run(dir, '--json')).out);
    expect(json.findings.map((f: { code: string }) => f.code)).toEqual(['AUDIT.ENTRY_ALTERED', 'AUDIT.RECORD_ALTERED']);
  });

  it('reports damaged rows instead of crashing', async () => {
    const { dir } = await dataDirWithHistory();
    const db = new Database(join(dir, 'countersign.db'));
    db.prepare("UPDATE declarations SET data = '{not json' WHERE id = 'dec-ben'").run();
    db.prepare("UPDATE audit SET chain_seq = NULL WHERE id = 'a-ict'").run();
    db.close();
    const r = await run(dir);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/AUDIT\.UNSEALED/);
    expect(r.out).toMatch(/AUDIT\.LINK_BROKEN/);
    expect(r.out).toMatch(/AUDIT\.RECORD_ALTERED .*Signature dec-ben/);
  });

  it('refuses an unknown argument with exit 2', async () => {
    const { dir } = await dataDirWithHistory();
    const r = await run(dir, '--fix');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/Unknown argument --fix/);
  });
});

describe('SQLite: an audit trail from before the chain', () => {
  it('is chained once in its order, with its decisions and signatures linked, and verifies clean', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'countersign-legacy-'));
    dirs.push(dir);
    const path = join(dir, 'countersign.db');
    const chainAt = migrations.findIndex((m) => m.includes('CREATE TABLE audit_heads'));
    const old = new Database(path);
    for (const m of migrations.slice(0, chainAt)) old.exec(m);
    old.pragma(`user_version = ${chainAt}`);
    const insert = old.prepare(`INSERT INTO audit (id, entity_type, entity_id, actor_id, actor_name, action, at, school_id) VALUES (?, 'request', 'r-old', 'u-req', 'Rae', ?, ?, 'larkfield')`);
    insert.run('a-old-1', 'request.submit', '2025-01-01T08:00:00.000Z');
    insert.run('a-old-2', 'approval.approve', '2025-01-02T08:00:00.000Z');
    old.prepare(`INSERT INTO decisions (id, request_id, round, step, role, outcome, actor_id, actor_name, signature, comment, at, school_id) VALUES ('d-old', 'r-old', 1, 0, 'ictLeader', 'approved', 'u-ict', 'Ian', 'Ian', '', '2025-01-02T08:00:00.000Z', 'larkfield')`).run();
    old.close();

    const store = new SqliteStore(path, { schoolId: 'larkfield' });
    const entries = [];
    for await (const e of store.audit.chain('larkfield')) entries.push([e.chain!.seq, e.id, e.action]);
    expect(entries).toEqual([
      [1, 'a-old-1', 'request.submit'],
      [2, 'a-old-2', 'approval.approve'],
      [3, 'linked-decision-d-old', 'record.linked'],
    ]);
    store.close();
    const r = await run(dir);
    expect(r.out).toMatch(/intact/);
    expect(r.code).toBe(0);
  });
});

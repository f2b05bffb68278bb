/**
 * `npm run retention` on the embedded store: a dry run lists and changes nothing; a real run removes what is due,
 * anonymises leavers, leaves no trace of their personal data in the audit trail, and `npm run audit:verify`
 * still passes through the signed checkpoint. Blanking an entry without one is caught.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/adapters/sqlite.store';
import { main as retention } from '../../scripts/retention';
import { main as verify } from '../../scripts/audit-verify';
import type { AppStore } from '../../src/server/app-store';
import { checkpointSigner, nodeHasher } from '../../src/adapters/node-crypto';
import { cutoffsOf, DEFAULT_RETENTION } from '../../src/domain/retention';
import { verifyAuditTrail } from '../../src/services/audit-verify.service';
import { sharePointUnderTest, SITE } from '../contract/sharepoint-harness';
import { decide, makeAudit, makeDeclaration, makeRequest, makeVersion, staffMember } from '../contract/store.contract';

const NOW = new Date('2026-11-25T09:00:00Z');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A leaver of 2018 who signed and asked for an account that was turned down in 2019, and a current member of staff. */
async function school() {
  const dir = mkdtempSync(join(tmpdir(), 'countersign-retention-'));
  dirs.push(dir);
  const store = new SqliteStore(join(dir, 'countersign.db'));
  await writeSchool(store);
  store.close();
  return dir;
}

async function writeSchool(store: AppStore) {
  await store.upsertStaff([{ ...staffMember('u-old', 'Olwen Ashdown'), leftOn: '2018-07-20' }, staffMember('u-now', 'Nia Current')]);
  const version = makeVersion('v-2017', '2017', '2017-09-01', 1);
  await store.policies.saveDeclaration(makeDeclaration('dec-old', { id: 'u-old', name: 'Olwen Ashdown' }, version, 2), makeAudit('a-sign-old', 'dec-old', 'declaration.sign', 2, null, 'declaration'));
  await store.policies.saveDeclaration(makeDeclaration('dec-now', { id: 'u-now', name: 'Nia Current' }, version, 3), makeAudit('a-sign-now', 'dec-now', 'declaration.sign', 3, null, 'declaration'));
  const r = makeRequest('r-old', { id: 'u-old', name: 'Olwen Ashdown' }, 4);
  const v1 = await store.saveRequestChange({ request: r, audit: makeAudit('a-submit-old', r.id, 'request.submit', 4, r) });
  const no = decide(r, 'rejected', { id: 'u-now', name: 'Nia Current' }, 6);
  await store.saveRequestChange({ request: no.next, expectedEtag: v1.etag, decision: no.decision, audit: makeAudit('a-reject-old', r.id, 'approval.reject', 6, no.next) });
  const kept = makeRequest('r-kept', { id: 'u-now', name: 'Nia Current' }, 7);
  await store.saveRequestChange({ request: kept, audit: makeAudit('a-submit-kept', kept.id, 'request.submit', 7, kept) });
}

async function run(fn: typeof retention | typeof verify, dir: string, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await (fn as typeof retention)(argv, { DATA_DIR: dir }, { out: (l) => out.push(l), err: (l) => err.push(l) }, NOW);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const dump = (dir: string) => {
  const db = new Database(join(dir, 'countersign.db'), { readonly: true });
  const tables = ['declarations', 'requests', 'decisions', 'staff', 'audit'].map((t) => JSON.stringify(db.prepare(`SELECT * FROM ${t}`).all()));
  db.close();
  return tables.join('\n');
};

describe('npm run retention', () => {
  it('--dry-run lists what is due and changes nothing', async () => {
    const dir = await school();
    const before = dump(dir);
    const r = await run(retention, dir, '--dry-run');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Dry run: nothing is changed/);
    expect(r.out).toMatch(/Would remove 1 signed declarations[\s\S]*dec-old: u-old, version 2017/);
    expect(r.out).toMatch(/Would remove 1 rejected or withdrawn requests[\s\S]*CS-r-old \(rejected/);
    expect(r.out).toMatch(/Would anonymise 1 staff records[\s\S]*u-old \(left 2018-07-20\)/);
    expect(r.out).not.toMatch(/dec-now|r-kept/);
    expect(dump(dir)).toBe(before);
  });

  it('removes and anonymises what is due, leaves no personal data in the audit trail, and the chain still verifies', async () => {
    const dir = await school();
    const r = await run(retention, dir);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/removed 1 declarations, 0 campaign records, 1 requests \(with 1 decisions\); anonymised 1 staff records; blanked 3 audit entries/);
    const after = dump(dir);
    expect(after).not.toMatch(/Olwen|Ashdown|u-old@/);
    expect(after).toMatch(/Nia Current/);
    expect(after).toMatch(/Former member of staff/);
    expect(after).toMatch(/retention\.applied/);
    const v = await run(verify, dir);
    expect(v.out).toMatch(/The audit trail is intact/);
    expect(v.code).toBe(0);
    // Nothing is due twice.
    expect((await run(retention, dir, '--dry-run')).out).toMatch(/Nothing is due/);
  });

  it('an entry blanked outside a signed checkpoint, or a checkpoint edited, is a finding', async () => {
    const dir = await school();
    await run(retention, dir);
    const db = new Database(join(dir, 'countersign.db'));
    const cp = db.prepare('SELECT id, data FROM audit_checkpoints').get() as { id: string; data: string };
    db.prepare("UPDATE audit SET actor_name = '', after = NULL, content_hash = 'x', redacted_in = ? WHERE id = 'a-submit-kept'").run(cp.id);
    db.close();
    let v = await run(verify, dir);
    expect(v.code).toBe(1);
    expect(v.out).toMatch(/AUDIT\.REDACTION_UNSIGNED .*a-submit-kept/);
    const db2 = new Database(join(dir, 'countersign.db'));
    db2.prepare('UPDATE audit_checkpoints SET data = ? WHERE id = ?').run(cp.data.replace('"redacted":[', '"redacted":[{"seq":0,"id":"x","contentHash":"y"},'), cp.id);
    db2.close();
    v = await run(verify, dir);
    expect(v.out.match(/AUDIT\.REDACTION_UNSIGNED/g)!.length).toBe(4);
  });
});

describe('retention on SharePoint (local Graph server, throttled, replies lost)', () => {
  it('removes and anonymises what is due, blanks the entries about it, and the chain verifies through the signed checkpoint', async () => {
    const sp = await sharePointUnderTest({ seed: 9, throttle: { rate: 0.2, retryAfterSeconds: 0 }, lostReplies: { rate: 0.1, as: [504, 503, 'drop'] } });
    try {
      const store = sp.store;
      await writeSchool(store);
      await store.audit.seal();
      const signer = checkpointSigner('a-test-signing-secret-of-32-characters!');
      const plan = await store.retention.plan(cutoffsOf(DEFAULT_RETENTION, NOW));
      expect({ d: plan.declarations.map((d) => d.id), r: plan.requests.map((r) => r.reference), s: plan.staff.map((x) => x.id) }).toEqual({ d: ['dec-old'], r: ['CS-r-old'], s: ['u-old'] });
      const [outcome] = await store.retention.apply(plan, { at: NOW.toISOString(), newId: () => 'cp-1', sign: (d) => signer.sign(d) });
      expect(outcome).toMatchObject({ removed: { declarations: 1, requests: 1, decisions: 1 }, anonymised: { staff: 1 }, redactedEntries: 3 });
      const lists = ['CS_Audit', 'CS_Declarations', 'CS_Requests', 'CS_Decisions', 'CS_Staff'].map((l) => JSON.stringify(sp.server.listItems(SITE, l).map((it) => it.fields))).join('\n');
      expect(lists).not.toMatch(/Olwen|Ashdown|u-old@/);
      expect(lists).toMatch(/Nia Current/);
      const report = await verifyAuditTrail(store.audit, { sha256: nodeHasher.sha256, now: NOW, sealingGraceMs: 0, verifyCheckpoint: (d, m) => signer.verify(d, m) });
      expect(report.findings).toEqual([]);
      // Without the key, nobody can vouch for the blanked entries.
      const unsigned = await verifyAuditTrail(store.audit, { sha256: nodeHasher.sha256, now: NOW, sealingGraceMs: 0 });
      expect(unsigned.findings.map((f) => f.code)).toEqual(['AUDIT.REDACTION_UNSIGNED', 'AUDIT.REDACTION_UNSIGNED', 'AUDIT.REDACTION_UNSIGNED']);
      expect((await store.retention.plan(cutoffsOf(DEFAULT_RETENTION, NOW))).declarations).toEqual([]);
    } finally {
      sp.store.close();
      await sp.server.stop();
    }
  });
});

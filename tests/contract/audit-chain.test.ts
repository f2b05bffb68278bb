/**
 * The audit trail as a hash chain, on both stores: what the stores write verifies clean, and every kind of
 * tampering someone with write access to the file or the lists could do is caught and named by the verifier.
 * SharePoint's tampering goes through Graph, as an editor of the site's lists would do it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createGraphClient } from '../../src/adapters/sharepoint/graph-client';
import type { SharePointStore } from '../../src/adapters/sharepoint/sharepoint.store';
import { nodeHasher } from '../../src/adapters/node-crypto';
import { SqliteStore } from '../../src/adapters/sqlite.store';
import type { AppStore } from '../../src/server/app-store';
import { verifyAuditTrail, type FindingCode, type VerifyReport } from '../../src/services/audit-verify.service';
import { decide, makeAudit, makeDeclaration, makeRequest, makeVersion, SCHOOL, staffMember } from './store.contract';
import { sharePointUnderTest, SITE, tokenProvider } from './sharepoint-harness';

const ict = { id: 'u-ict', name: 'Ian Price' };
const head = { id: 'u-head', name: 'Hana Osei' };

/** One store with hands to tamper with it as someone with direct access would. */
interface Tamperable {
  store: AppStore;
  /** Rows of the audit trail in chain order: their store ids (item id or rowid) and entry ids. */
  entries(): Promise<Array<{ rowId: string; id: string; seq: number }>>;
  editEntry(rowId: string, action: string): Promise<void>;
  deleteEntry(rowId: string): Promise<void>;
  setSeq(rowId: string, seq: number): Promise<void>;
  /** Adds an entry that Countersign did not write; `seq` forges a place in the chain. */
  insertEntry(id: string, seq?: number): Promise<void>;
  editDecisionOutcome(decisionId: string, outcome: string): Promise<void>;
  editTypedName(declarationId: string, typedName: string): Promise<void>;
  /** Waits for (SharePoint) or needs no sealing (SQLite). */
  seal(): Promise<void>;
  close(): Promise<void>;
  /** Another instance on the same lists (SharePoint). */
  connect?: () => Promise<SharePointStore>;
}

async function sqliteStore(): Promise<Tamperable> {
  const dir = mkdtempSync(join(tmpdir(), 'countersign-chain-'));
  const store = new SqliteStore(join(dir, 'store.db'));
  const db = store.db;
  return {
    store,
    entries: async () =>
      (db.prepare('SELECT seq, id, chain_seq FROM audit WHERE chain_seq IS NOT NULL ORDER BY chain_seq').all() as { seq: number; id: string; chain_seq: number }[]).map((r) => ({ rowId: String(r.seq), id: r.id, seq: r.chain_seq })),
    editEntry: async (rowId, action) => void db.prepare('UPDATE audit SET action = ? WHERE seq = ?').run(action, Number(rowId)),
    deleteEntry: async (rowId) => void db.prepare('DELETE FROM audit WHERE seq = ?').run(Number(rowId)),
    setSeq: async (rowId, seq) => void db.prepare('UPDATE audit SET chain_seq = ? WHERE seq = ?').run(seq, Number(rowId)),
    insertEntry: async (id, seq) => {
      // Dropping the unique index first is what someone forging a place would have to do.
      db.exec('DROP INDEX IF EXISTS audit_chain');
      db.prepare(
        `INSERT INTO audit (id, entity_type, entity_id, actor_id, actor_name, action, at, before, after, school_id, chain_seq, prev_hash, hash)
         VALUES (?, 'request', 'r1', 'u-head', 'Hana Osei', 'approval.approve', ?, NULL, NULL, ?, ?, ?, ?)`,
      ).run(id, '2025-09-01T08:30:00.000Z', SCHOOL, seq ?? null, seq ? 'f'.repeat(64) : null, seq ? 'e'.repeat(64) : null);
    },
    editDecisionOutcome: async (id, outcome) => void db.prepare('UPDATE decisions SET outcome = ? WHERE id = ?').run(outcome, id),
    editTypedName: async (id, typedName) => void db.prepare("UPDATE declarations SET data = json_set(data, '$.typedName', ?) WHERE id = ?").run(typedName, id),
    seal: async () => undefined,
    close: async () => {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function sharePointStore(faults = false): Promise<Tamperable> {
  const sp = await sharePointUnderTest(faults ? { seed: 5, throttle: { rate: 0.2, retryAfterSeconds: 0 }, lostReplies: { rate: 0.1, as: [504, 503, 'drop'] } } : {});
  const store = sp.store as SharePointStore;
  const client = createGraphClient({ baseUrl: sp.baseUrl, tokenProvider });
  const items = (list: string) => sp.server.listItems(SITE, list);
  const itemPath = (list: 'audit' | 'decisions' | 'declarations', id: string) => store.site.items(list, id);
  const byKey = (list: string, col: string, v: string) => items(list).find((it) => it.fields[col] === v)!.id;
  return {
    store,
    entries: async () =>
      items('CS_Audit')
        .filter((it) => typeof it.fields.ChainSeq === 'number')
        .sort((a, b) => (a.fields.ChainSeq as number) - (b.fields.ChainSeq as number))
        .map((it) => ({ rowId: it.id, id: String(it.fields.AuditId), seq: it.fields.ChainSeq as number })),
    editEntry: async (rowId, action) => void (await client.api(`${itemPath('audit', rowId)}/fields`).patch({ Action: action })),
    deleteEntry: async (rowId) => void (await client.api(itemPath('audit', rowId)).delete()),
    setSeq: async (rowId, seq) => void (await client.api(`${itemPath('audit', rowId)}/fields`).patch({ ChainSeq: seq })),
    insertEntry: async (id, seq) => {
      const fields: Record<string, unknown> = { Title: 'forged', AuditId: id, SchoolId: SCHOOL, EntityType: 'request', EntityId: 'r1', ActorId: 'u-head', ActorName: 'Hana Osei', Action: 'approval.approve', At: '2025-09-01T08:30:00Z' };
      // A forged place; without one, an item that is not marked open, so no sealer would pick it up.
      Object.assign(fields, seq ? { ChainSeq: seq, SealState: 'sealed', PrevHash: 'f'.repeat(64), EntryHash: 'e'.repeat(64) } : {});
      await client.api(store.site.items('audit')).post({ fields });
    },
    editDecisionOutcome: async (id, outcome) => void (await client.api(`${itemPath('decisions', byKey('CS_Decisions', 'DecisionId', id))}/fields`).patch({ Outcome: outcome })),
    editTypedName: async (id, typedName) => void (await client.api(`${itemPath('declarations', byKey('CS_Declarations', 'DeclarationId', id))}/fields`).patch({ TypedName: typedName })),
    seal: async () => void (await store.audit.seal()),
    connect: sp.connect,
    close: async () => {
      store.close();
      await sp.server.stop();
    },
  };
}

/** A small school's worth of history: a request approved twice, a role change, a signature and an imported one. */
async function writeHistory(t: Tamperable) {
  const { store } = t;
  const r = makeRequest('r1', { id: 'u-ben', name: 'Ben Carter' }, 0);
  const v1 = await store.saveRequestChange({ request: r, audit: makeAudit('a-submit', r.id, 'request.submit', 0, r) });
  const first = decide(r, 'approved', ict, 5);
  const v2 = await store.saveRequestChange({ request: first.next, expectedEtag: v1.etag, decision: first.decision, audit: makeAudit('a-ict', r.id, 'approval.approve', 5) });
  const second = decide(first.next, 'approved', head, 9);
  await store.saveRequestChange({ request: second.next, expectedEtag: v2.etag, decision: second.decision, audit: makeAudit('a-head', r.id, 'approval.approve', 9) });
  await store.upsertStaff([staffMember('u-jess', 'Jess Lowe')]);
  await store.setStaffRoles('u-jess', ['networkManager'], makeAudit('a-roles', 'u-jess', 'staff.roles', 12, { roles: ['networkManager'] }, 'staff'));
  const version = makeVersion('v-2025', '2025', '2025-09-01', 1);
  await store.policies.saveDeclaration(makeDeclaration('dec-ben', { id: 'u-ben', name: 'Ben Carter' }, version, 20), makeAudit('a-sign', 'dec-ben', 'declaration.sign', 20, null, 'declaration'));
  await store.policies.importDeclarations([makeDeclaration('dec-ada', { id: 'u-ada', name: 'Ada Mensah' }, version, 25)], makeAudit('a-import', 'v-2025', 'declaration.import', 25, { count: 1 }, 'declaration'));
  await store.setStaffRoles('u-jess', [], makeAudit('a-roles-2', 'u-jess', 'staff.roles', 30, { roles: [] }, 'staff'));
  await t.seal();
  return { decisions: [first.decision.id, second.decision.id], declarations: ['dec-ben', 'dec-ada'] };
}

const verify = (t: Tamperable, graceMs = 0): Promise<VerifyReport> => verifyAuditTrail(t.store.audit, { sha256: nodeHasher.sha256, now: new Date('2030-01-01T00:00:00Z'), sealingGraceMs: graceMs });
const codes = (r: VerifyReport) => r.findings.map((f) => f.code);

for (const kind of ['sqlite', 'sharepoint'] as const) {
  describe(`audit chain: ${kind}`, () => {
    let t: Tamperable | undefined;
    const open = async () => (t = kind === 'sqlite' ? await sqliteStore() : await sharePointStore());
    afterEach(async () => {
      await t?.close();
      t = undefined;
    });

    it('chains every entry of the school in order, links each decision and signature, and verifies clean', async () => {
      const s = await open();
      const { decisions, declarations } = await writeHistory(s);
      const entries = await s.entries();
      // submit, two approvals, a role change, a signature, an imported signature, the import itself, a role change.
      expect(entries.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(await s.store.audit.head(SCHOOL)).toMatchObject({ count: 8 });
      for (const id of decisions) expect((await s.store.audit.entryFor('decision', id))?.record?.hash).toMatch(/^[0-9a-f]{64}$/);
      for (const id of declarations) expect((await s.store.audit.entryFor('declaration', id))?.chain?.seq).toBeGreaterThan(0);
      const report = await verify(s);
      expect(report.findings).toEqual([]);
      expect(report).toMatchObject({ ok: true, records: 4, schools: [{ schoolId: SCHOOL, entries: 8 }] });
    });

    it('names an edited entry', async () => {
      const s = await open();
      await writeHistory(s);
      const e = (await s.entries())[2]!;
      await s.editEntry(e.rowId, 'approval.reject');
      const report = await verify(s);
      expect(report.ok).toBe(false);
      expect(report.findings).toEqual([expect.objectContaining({ code: 'AUDIT.ENTRY_ALTERED', seq: 3, id: e.id })]);
    });

    it('finds an entry deleted from the middle, and the decision it recorded left unlinked', async () => {
      const s = await open();
      const { decisions } = await writeHistory(s);
      const e = (await s.entries())[1]!; // the ICT leader's approval
      await s.deleteEntry(e.rowId);
      const report = await verify(s);
      expect(codes(report)).toEqual(['AUDIT.LINK_BROKEN', 'AUDIT.RECORD_UNLINKED']);
      expect(report.findings[0]!.message).toMatch(/entry 2 was removed/);
      expect(report.findings[1]!.id).toBe(decisions[0]);
    });

    it('finds entries cut from the end through the stored head', async () => {
      const s = await open();
      await writeHistory(s);
      const all = await s.entries();
      await s.deleteEntry(all[7]!.rowId); // the last role change: it links no record, so only the head can tell
      const report = await verify(s);
      expect(codes(report)).toEqual(['AUDIT.HEAD_MISMATCH']);
      expect(report.findings[0]!.message).toMatch(/records 8 entries but the chain ends at 7/);
    });

    it('finds entries put in another order', async () => {
      const s = await open();
      await writeHistory(s);
      const [, b, c] = await s.entries();
      // Through a free place, as the unique index on places asks.
      await s.setSeq(b!.rowId, 1000);
      await s.setSeq(c!.rowId, 2);
      await s.setSeq(b!.rowId, 3);
      const report = await verify(s);
      expect(codes(report)).toContain('AUDIT.LINK_BROKEN');
      expect(codes(report).filter((x) => x === 'AUDIT.ENTRY_ALTERED')).toHaveLength(2);
    });

    it('finds an entry inserted outside the chain, and one forged into a place', async () => {
      const s = await open();
      await writeHistory(s);
      await s.insertEntry('forged-1');
      await s.insertEntry('forged-2', 4);
      const report = await verify(s);
      expect(codes(report).sort()).toEqual((['AUDIT.DUPLICATE_PLACE', 'AUDIT.UNSEALED'] as FindingCode[]).sort());
      expect(report.findings.map((f) => f.id).sort()).toEqual(['forged-1', 'forged-2']);
    });

    it('finds a decision and a signature changed after they were recorded', async () => {
      const s = await open();
      const { decisions, declarations } = await writeHistory(s);
      await s.editDecisionOutcome(decisions[1]!, 'rejected');
      await s.editTypedName(declarations[0]!, 'Someone Else');
      const report = await verify(s);
      expect(report.findings.map((f) => [f.code, f.id])).toEqual([
        ['AUDIT.RECORD_ALTERED', decisions[1]],
        ['AUDIT.RECORD_ALTERED', declarations[0]],
      ]);
    });
  });
}

describe('audit chain: SharePoint under throttling and lost replies', () => {
  it('two instances writing and sealing at once leave one unbroken chain', async () => {
    const t = await sharePointStore(true);
    try {
      const sp = t.store as SharePointStore;
      const another = await t.connect!();
      const stores = [sp, another];
      await Promise.all(
        stores.map(async (s, k) => {
          for (let i = 0; i < 15; i++) {
            const r = makeRequest(`r-${k}-${i}`, { id: `u-${k}`, name: `Person ${k}` }, i);
            await s.saveRequestChange({ request: r, audit: makeAudit(`a-${k}-${i}`, r.id, 'request.submit', i, r) });
            if (i % 4 === 0) await s.audit.seal();
          }
        }),
      );
      for (const s of stores) await s.audit.seal();
      const report = await verify(t);
      expect(report.findings).toEqual([]);
      expect(report.schools[0]!.entries).toBe(15 * stores.length);
      another.close();
    } finally {
      await t.close();
    }
  });
});

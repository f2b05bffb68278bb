/**
 * Benchmark (`npm run bench:audit`): verifying a long audit chain in the embedded store. Prints figures; never
 * passes or fails.
 *
 * Method: a fresh SQLite file gets N entries (default 1,000,000) written through the store's own insertAudit,
 * sealed into one school's chain as the server seals them, 1 in 10 linking a signature (as a school's trail is
 * mostly decisions, signatures and their surroundings). Then `verifyAuditTrail` walks it as
 * `npm run audit:verify` does: the time, and the process's peak RSS sampled every 50 ms during the walk
 * (measured against the RSS just before it, since the writing phase's own pages stay mapped). Then one signature
 * receipt (gathered and rendered, median of 5) and one subject
 * access export (`npm run export:person`'s service) of a person who acted in 1 in 900 of the entries, from that store.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { insertAudit } from '../src/adapters/sqlite-audit';
import { nodeHasher } from '../src/adapters/node-crypto';
import { SqliteStore } from '../src/adapters/sqlite.store';
import { verifyAuditTrail } from '../src/services/audit-verify.service';
import { ReceiptService } from '../src/services/receipt.service';
import { receiptHtml } from '../src/services/receipt.html';
import { makeVersion } from '../tests/contract/store.contract';
import { SubjectAccessService } from '../src/services/subject-access.service';
import { systemClock } from '../src/ports/clock';

const N = Number(process.env.BENCH_AUDIT_ENTRIES ?? 1_000_000);
const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'countersign-bench-audit-'));
  const store = new SqliteStore(join(dir, 'countersign.db'), { schoolId: 'larkfield' });
  try {
    // The version everyone signs, and the one signer whose receipt is timed (in the middle of the chain).
    const version = makeVersion('v-1', '2025', '2025-09-01', 0, { schoolId: 'larkfield', policyId: 'p-1' });
    await store.policies.publishVersion({ id: 'p-1', schoolId: 'larkfield', name: 'Acceptable use' }, version);
    const middle = Math.floor(N / 20) * 10;
    await store.upsertStaff([{ id: `u-${middle}`, schoolId: 'larkfield', name: `Person ${middle}`, email: `p${middle}@larkfield.example`, department: 'Maths', jobTitle: 'Teacher', roles: [] }]);
    const t0 = performance.now();
    const insertDecl = store.db.prepare('INSERT INTO declarations (id, signer_id, version_id, policy_id, campaign_id, signed_at, data, school_id) VALUES (?, ?, ?, ?, NULL, ?, ?, ?)');
    const start = Date.parse('2020-09-01T08:00:00Z');
    for (let i = 0; i < N; i += 10_000) {
      store.db.transaction(() => {
        for (let j = i; j < Math.min(N, i + 10_000); j++) {
          const at = new Date(start + j * 60_000).toISOString();
          const signs = j % 10 === 0;
          if (signs) {
            const d = { id: `dec-${j}`, schoolId: 'larkfield', signerId: `u-${j}`, signerName: `Person ${j}`, typedName: `Person ${j}`, versionId: 'v-1', policyId: 'p-1', versionLabel: '2025', contentHash: version.contentHash, campaignId: null, signedAt: at };
            insertDecl.run(d.id, d.signerId, d.versionId, d.policyId, at, JSON.stringify(d), 'larkfield');
          }
          insertAudit(
            store.db,
            { id: `a-${j}`, schoolId: 'larkfield', entityType: signs ? 'declaration' : 'request', entityId: signs ? `dec-${j}` : `r-${j % 5000}`, actorId: `u-${j % 900}`, actorName: `Person ${j % 900}`, action: signs ? 'declaration.sign' : 'approval.approve', at, before: null, after: signs ? null : '{"status":"approved","step":1}' },
            signs ? { kind: 'declaration', id: `dec-${j}` } : undefined,
          );
        }
      })();
    }
    const writeMs = performance.now() - t0;
    global.gc?.();
    const baseRss = process.memoryUsage().rss;
    let peak = baseRss;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    const t1 = performance.now();
    const report = await verifyAuditTrail(store.audit, { sha256: nodeHasher.sha256, now: new Date(), sealingGraceMs: 0 });
    const verifyMs = performance.now() - t1;
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    // One receipt, as `npm run receipt` makes it: gathered from the store and rendered (median of 5).
    const receipts = new ReceiptService({ staff: store, policies: store.policies, audit: store.audit, hasher: nodeHasher, schoolName: 'Larkfield', timeZone: 'Europe/London' });
    const receiptMs: number[] = [];
    let recorded = false;
    for (let k = 0; k < 5; k++) {
      const t = performance.now();
      const r = await receipts.receipt(null, `u-${middle}`, 'v-1');
      if (!r.ok) throw new Error(`receipt: ${r.error.message}`);
      receiptHtml(r.value, { generatedAt: new Date().toISOString() });
      receiptMs.push(performance.now() - t);
      recorded = !!r.value.chain;
    }
    receiptMs.sort((a, b) => a - b);
    console.log(`bench:audit — ${N.toLocaleString('en-GB')} entries, ${report.records.toLocaleString('en-GB')} signatures, one school, embedded store (SQLite)`);
    console.log(`  writing the chain:  ${(writeMs / 1000).toFixed(1)} s (${Math.round(N / (writeMs / 1000)).toLocaleString('en-GB')} entries/s)`);
    console.log(`  verifying it:       ${(verifyMs / 1000).toFixed(1)} s (${Math.round(N / (verifyMs / 1000)).toLocaleString('en-GB')} entries/s), findings: ${report.findings.length}`);
    console.log(`  one receipt:        ${receiptMs[2]!.toFixed(1)} ms (median of 5; chain position found: ${recorded})`);
    console.log(`  peak RSS verifying: ${mb(peak)} (RSS before the walk ${mb(baseRss)}; growth ${mb(peak - baseRss)})`);

    await store.upsertStaff([{ id: 'u-7', schoolId: 'larkfield', name: 'Person 7', email: 'person7@larkfield.example', department: 'Maths', jobTitle: 'Teacher', roles: [] }]);
    const subjectAccess = new SubjectAccessService({ store, policies: store.policies, campaigns: store.campaigns, clock: systemClock, ids: { next: () => randomUUID() } });
    const t2 = performance.now();
    const exported = await subjectAccess.export({ kind: 'operator', actor: { id: 'bench', name: 'bench:audit' } }, 'person7@larkfield.example');
    const exportMs = performance.now() - t2;
    if (!exported.ok) throw new Error(exported.error.message);
    console.log(`  one subject access export: ${exportMs.toFixed(0)} ms (${exported.value.export.audit.length.toLocaleString('en-GB')} audit entries of one person; JSON ${Math.ceil(exported.value.json.length / 1024)} kB, CSV ${Math.ceil(exported.value.csv.length / 1024)} kB)`);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

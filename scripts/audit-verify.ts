/**
 * `npm run audit:verify [-- --json]`: walks every school's audit chain in the server's store and reports what
 * no longer holds. Exit 0: intact; 1: findings; 2: wrong usage or settings. See HELP.
 */
import { pathToFileURL } from 'node:url';
import { checkpointSigner, nodeHasher } from '../src/adapters/node-crypto';
import { verifyAuditTrail, type VerifyReport } from '../src/services/audit-verify.service';
import { serverSecret, withServerStore, consoleOutput, type Output } from './lib/open-store';

const HELP = `Usage: npm run audit:verify [-- --json]

Checks that Countersign's audit trail is as it was written. Each school's entries form a
hash chain: every entry holds the SHA-256 of the one before, and every decision and
signature is linked into it by its own hash. The check reports, and exits 1 on:
  - an entry whose content no longer matches its hash (it was edited);
  - the first place where the chain breaks (entries removed, inserted or reordered);
  - two entries claiming one place, or entries outside the chain;
  - a chain that ends before its stored head (entries removed from the end);
  - a decision or signature changed since it was recorded, or with no audit entry;
  - an entry blanked without a retention checkpoint signed with the server's key
    (LINK_SIGNING_SECRET; in the embedded mode the key kept in the database).

Options:
  --json   print the report as JSON (for a script or an archive)
  --help   this text

The store is the server's: DATA_DIR (the SQLite file, default ./data) or, with STORE=sharepoint,
the SharePoint settings (SHAREPOINT_SITE_ID or SHAREPOINT_SITE_URL, GRAPH_* and SCHOOL_ID).
On SharePoint, entries written in the last ${15} minutes may still be waiting to be chained: they are not findings.`;

/** On SharePoint the sealer runs a second after a write and the sweep every 10 minutes: an entry older than this was missed or forged. */
const SHAREPOINT_SEALING_GRACE_MS = 15 * 60_000;

export type { Output };

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env, io: Output = consoleOutput): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(HELP);
    return 0;
  }
  const unknown = argv.filter((a) => a !== '--json');
  if (unknown.length) {
    io.err(`Unknown argument ${unknown[0]}. Usage: npm run audit:verify [-- --json]   (--help explains)`);
    return 2;
  }
  return withServerStore(env, io, async (config, store) => {
    const started = Date.now();
    const secret = await serverSecret(config, store);
    const signer = secret ? checkpointSigner(secret) : undefined;
    const report = await verifyAuditTrail(store.audit, {
      sha256: nodeHasher.sha256,
      now: new Date(),
      sealingGraceMs: config.store.kind === 'sharepoint' ? SHAREPOINT_SEALING_GRACE_MS : 0,
      ...(signer ? { verifyCheckpoint: (data: string, mac: string) => signer.verify(data, mac) } : {}),
      progress: (n) => io.err(`… ${n.toLocaleString('en-GB')} entries checked`),
    });
    if (argv.includes('--json')) io.out(JSON.stringify(report, null, 2));
    else for (const line of describe(report, Date.now() - started)) io.out(line);
    return report.ok ? 0 : 1;
  });
}

export function describe(r: VerifyReport, ms: number): string[] {
  const lines: string[] = [];
  for (const s of r.schools) {
    lines.push(`School ${s.schoolId || '(none)'}: ${s.entries.toLocaleString('en-GB')} entries in the chain; head ${s.head ? `${s.head.count.toLocaleString('en-GB')} entries, last hash ${s.head.hash.slice(0, 16)}…` : 'none'}.`);
  }
  lines.push(`${r.records.toLocaleString('en-GB')} ${r.records === 1 ? 'decision or signature' : 'decisions and signatures'} checked against their entries, in ${(ms / 1000).toFixed(1)} s.`);
  if (r.ok) {
    lines.push('The audit trail is intact.');
    return lines;
  }
  const total = r.findings.length + r.notListed;
  lines.push(`${total} ${total === 1 ? 'finding' : 'findings'}:`);
  for (const f of r.findings) lines.push(`  ${f.code}${f.schoolId ? ` [${f.schoolId}]` : ''}${f.seq !== undefined ? ` at entry ${f.seq}` : ''}: ${f.message}`);
  if (r.notListed) lines.push(`  … and ${r.notListed} more not listed.`);
  return lines;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      console.error(`The check could not run: ${(e as Error).message}`);
      process.exit(2);
    },
  );
}

/**
 * `npm run retention -- [--dry-run]`: removes or anonymises records past their retention period, keeping the
 * audit chain verifiable through a signed checkpoint. See HELP.
 */
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { checkpointSigner } from '../src/adapters/node-crypto';
import { cutoffsOf, planSize, type RetentionPlan } from '../src/domain/retention';
import { serverSecret, withServerStore, consoleOutput, type Output } from './lib/open-store';

const HELP = `Usage: npm run retention -- [--dry-run]

Removes or anonymises what Countersign no longer needs to keep (the periods are in the
README, "Retention", and set with RETENTION_* settings):
  - signed declarations and campaign records of people who left more than
    RETENTION_DECLARATIONS_YEARS / RETENTION_CAMPAIGN_RECORDS_YEARS ago (default 6);
  - leavers' staff records, anonymised RETENTION_STAFF_YEARS after they left (default 6);
  - rejected and withdrawn requests, with their decisions, RETENTION_UNSUCCESSFUL_REQUESTS_YEARS
    after their last change (default 1).
Audit entries about what goes keep their place and hash but lose their personal data; a
checkpoint signed with the server's key names each one, so \`npm run audit:verify\` still
passes, and an entry says what was removed (counts only).

Options:
  --dry-run   list what would be removed or anonymised, and change nothing
  --help      this text

The store is the server's: DATA_DIR (the SQLite file, default ./data) or, with STORE=sharepoint,
the SharePoint settings (SHAREPOINT_SITE_ID or SHAREPOINT_SITE_URL, GRAPH_*, SCHOOL_ID and
LINK_SIGNING_SECRET, whose key signs the checkpoint).`;

export type { Output };

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env, io: Output = consoleOutput, now = new Date()): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(HELP);
    return 0;
  }
  const unknown = argv.filter((a) => a !== '--dry-run');
  if (unknown.length) {
    io.err(`Unknown argument ${unknown[0]}. Usage: npm run retention -- [--dry-run]   (--help explains)`);
    return 2;
  }
  return withServerStore(env, io, async (config, store) => {
    const { retention } = store;
    const plan = await retention.plan(cutoffsOf(config.retention, now));
    const dryRun = argv.includes('--dry-run');
    for (const line of describePlan(plan, dryRun)) io.out(line);
    if (dryRun || !planSize(plan)) return 0;
    const secret = await serverSecret(config, store);
    if (!secret) {
      io.err('LINK_SIGNING_SECRET is not set: the checkpoint that keeps the audit chain verifiable cannot be signed. Nothing was changed.');
      return 2;
    }
    const signer = checkpointSigner(secret);
    const outcomes = await retention.apply(plan, { at: now.toISOString(), newId: () => randomUUID(), sign: (d) => signer.sign(d) });
    for (const o of outcomes) {
      io.out(
        `Done: removed ${o.removed.declarations} declarations, ${o.removed.campaignRecords} campaign records, ${o.removed.requests} requests (with ${o.removed.decisions} decisions); anonymised ${o.anonymised.staff} staff records; blanked ${o.redactedEntries} audit entries under signed checkpoint ${o.checkpointId}.`,
      );
    }
    return 0;
  });
}

export function describePlan(p: RetentionPlan, dryRun: boolean): string[] {
  const verb = dryRun ? 'Would remove' : 'Removing';
  const lines = [`${dryRun ? 'Dry run: nothing is changed. ' : ''}${planSize(p) ? '' : 'Nothing is due.'}`.trim()].filter(Boolean);
  if (p.declarations.length) lines.push(`${verb} ${p.declarations.length} signed declarations of people who left:`, ...p.declarations.map((d) => `  ${d.id}: ${d.signerId}, version ${d.versionLabel}, signed ${d.signedAt.slice(0, 10)}`));
  if (p.campaignRecords.length) lines.push(`${verb} ${p.campaignRecords.length} campaign records of people who left:`, ...p.campaignRecords.map((r) => `  campaign ${r.campaignId}: ${r.userId}`));
  if (p.requests.length) lines.push(`${verb} ${p.requests.length} rejected or withdrawn requests, with their decisions:`, ...p.requests.map((r) => `  ${r.reference} (${r.status}, last changed ${r.updatedAt.slice(0, 10)})`));
  if (p.staff.length) lines.push(`${dryRun ? 'Would anonymise' : 'Anonymising'} ${p.staff.length} staff records of people who left:`, ...p.staff.map((s) => `  ${s.id} (left ${s.leftOn})`));
  return lines;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      console.error(`Retention could not run: ${(e as Error).message}`);
      process.exit(1);
    },
  );
}

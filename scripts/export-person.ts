/**
 * `npm run export:person -- <id or email> [--out <dir>]`: a subject access export (UK GDPR, Article 15)
 * of one person, from the store the server uses. See HELP below, which is what `--help` prints.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { systemClock } from '../src/ports/clock';
import { SubjectAccessService } from '../src/services/subject-access.service';
import { withServerStore, consoleOutput, type Output } from './lib/open-store';

const HELP = `Usage: npm run export:person -- <id or e-mail> [--out <dir>]

Writes everything Countersign holds about one person, for a subject access request
(UK GDPR, Article 15): their staff record and roles, the requests they made or are named
in, their decisions, the accounts they own or run, their signed declarations, the policy
documents they opened, their campaign records, the audit entries about them or by them,
and where the bot reaches them in Teams.

Two files, named after the person and today's date:
  <out>/subject-access-<person>-<date>.json   every record in full (format countersign.subject-access.v1)
  <out>/subject-access-<person>-<date>.csv    one row per record, with its kind, for a spreadsheet

Answers written by other people (a request the person only approved or is named in, the
snapshots of an audit entry on someone else's record) are left out as third-party data;
the JSON's "notes" say so. Each export is recorded in the audit trail.

Options:
  --out <dir>   where to write the files (default ./exports)
  --help        this text

The store is the server's: DATA_DIR (the SQLite file, default ./data) or, with STORE=sharepoint,
the SharePoint settings (SHAREPOINT_SITE_ID or SHAREPOINT_SITE_URL, GRAPH_* and SCHOOL_ID).`;

export type { Output };
const USAGE = 'Usage: npm run export:person -- <id or e-mail> [--out <dir>]   (--help explains)';

/** Runs the export; returns the exit code (0 written, 1 unknown person or a failure, 2 wrong usage or settings). */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env, io: Output = consoleOutput): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(HELP);
    return 0;
  }
  let out = 'exports';
  const people: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--out') {
      const dir = argv[++i];
      if (!dir || dir.startsWith('--')) {
        io.err('--out needs a folder, e.g. --out ./exports');
        io.err(USAGE);
        return 2;
      }
      out = dir;
    } else if (a.startsWith('--out=')) out = a.slice('--out='.length);
    else if (a.startsWith('-')) {
      io.err(`Unknown option ${a}.`);
      io.err(USAGE);
      return 2;
    } else people.push(a);
  }
  if (people.length !== 1 || !people[0]!.trim()) {
    io.err(people.length > 1 ? `Give one person, not ${people.length}.` : 'Give the id or e-mail address of the person whose data to export.');
    io.err(USAGE);
    return 2;
  }
  const who = people[0]!;
  return withServerStore(env, io, async (config, store) => {
    const service = new SubjectAccessService({ store, policies: store.policies, campaigns: store.campaigns, clock: systemClock, ids: { next: () => randomUUID() } });
    // The operator is whoever runs the command on the server: named in the audit entry the export writes.
    const operator = safeUser();
    const done = await service.export({ kind: 'operator', actor: { id: `cli:${operator}`, name: `${operator} (npm run export:person)` } }, who);
    if (!done.ok) {
      io.err(`${done.error.message} Nothing was written. Check the spelling, or give their Entra object id.`);
      return 1;
    }
    const dir = resolve(out);
    mkdirSync(dir, { recursive: true });
    const json = join(dir, `${done.value.fileBase}.json`);
    const csv = join(dir, `${done.value.fileBase}.csv`);
    writeFileSync(json, done.value.json);
    writeFileSync(csv, done.value.csv);
    const x = done.value.export;
    io.out(`Subject access export of ${x.person.name} (${x.person.email || x.person.id}):`);
    io.out(`  ${json}`);
    io.out(`  ${csv}`);
    io.out(
      `  ${x.requestsMade.length} requests made, ${x.requestsNamingThem.length} naming them, ${x.decisions.length} decisions, ${x.accounts.length} accounts, ` +
        `${x.declarations.length} signed declarations, ${x.campaignRecords.length} campaign records, ${x.audit.length} audit entries.`,
    );
    io.out('The files hold personal data: send them to the person securely, and delete your copy when the request is answered.');
    return 0;
  });
}

function safeUser(): string {
  try {
    return userInfo().username || 'operator';
  } catch {
    return 'operator';
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      console.error(`The export failed: ${(e as Error).message}`);
      process.exit(1);
    },
  );
}

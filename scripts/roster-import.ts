/**
 * `npm run roster:import -- file.csv [--dry-run] [--full]`: brings a staff roster from a CSV file into
 * the store the server uses. See HELP below, which is what `--help` prints.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { randomUUID } from 'node:crypto';
import { planSummary } from '../src/domain/roster';
import { systemClock } from '../src/ports/clock';
import { withServerStore, consoleOutput, type Output } from './lib/open-store';
import { RosterService } from '../src/services/roster.service';
import { describePlan, readRosterCsv } from '../src/services/roster-import';

const HELP = `Usage: npm run roster:import -- <file.csv> [--dry-run] [--full]

Imports members of staff from a CSV file into Countersign's store, for a school whose
Microsoft 365 staff group is incomplete, or for the embedded mode (a demo at trust scale).

The file: a header row, then one person a row. Columns (header names are not case-sensitive):
  name         required
  email        the e-mail address   } at least one of the two; the object id is what Teams
  object id    the Entra object id  } knows people by, so give it for a real school
  department   optional; an empty one is shown as "No department"
  job title    optional
  joined on    optional, YYYY-MM-DD
Quote a cell that holds a comma ("Smith, Jo"). Excel's "CSV UTF-8" files are read as they are.

Every row is checked first. If any row is wrong, each problem is printed (row number as the
spreadsheet shows it, the column, and how to fix it) and nothing at all is imported.

Options:
  --dry-run   list who would be added, updated, rejoined or marked left, and write nothing
  --full      the file is the whole staff list: people it does not list are marked as left
              (their open approval steps go to the deputy head; their records stay). Without
              --full an import only adds and updates, because a file is more often a list of
              newcomers or corrections than the complete staff, and marking everyone else as
              left by mistake would take their access away.
  --help      this text

An import never changes anyone's roles: they are assigned in Countersign (Settings).
The store is the server's: DATA_DIR (the SQLite file, default ./data) or, with STORE=sharepoint,
the SharePoint settings (SHAREPOINT_SITE_ID or SHAREPOINT_SITE_URL, GRAPH_* and SCHOOL_ID).
A running server may take up to a minute to see changed people (it caches each person briefly).`;

export type { Output };

/** Runs the import; returns the exit code (0 done, 1 bad rows or a failure, 2 wrong usage or settings). */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env, io: Output = consoleOutput): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(HELP);
    return 0;
  }
  const unknown = argv.filter((a) => a.startsWith('-') && !['--dry-run', '--full'].includes(a));
  const files = argv.filter((a) => !a.startsWith('-'));
  if (unknown.length || files.length !== 1) {
    io.err(unknown.length ? `Unknown option ${unknown[0]}.` : files.length ? 'Give one CSV file.' : 'Give the CSV file to import.');
    io.err('Usage: npm run roster:import -- <file.csv> [--dry-run] [--full]   (--help explains)');
    return 2;
  }
  const [file] = files as [string];
  const dryRun = argv.includes('--dry-run');
  const full = argv.includes('--full');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    io.err(`Cannot read ${file}: ${(e as Error).message}`);
    return 2;
  }
  return withServerStore(env, io, async (config, store) => {
    const read = readRosterCsv(text, await store.listStaff());
    if (!read.ok) {
      io.err(`${file}: ${read.problems.length === 1 ? '1 problem' : `${read.problems.length} problems`}; nothing was imported. Fix ${read.problems.length === 1 ? 'it' : 'them'} and run again:`);
      for (const p of read.problems) io.err(`  row ${p.row}${p.field ? `, ${p.field}` : ''}: ${p.message}`);
      return 1;
    }
    // Teams knows people by their Entra object id: someone imported by e-mail alone is on the list, but in
    // Microsoft 365 cannot be recognised when they open Countersign until a row (or the group sync) gives it.
    const noObjectId = read.people.filter((p) => !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(p.id)).length;
    if (noObjectId && config.store.kind === 'sharepoint') {
      io.out(`Note: ${noObjectId === 1 ? '1 person has' : `${noObjectId} people have`} no object id; Teams identifies people by it, so add it for them to use Countersign.`);
    }
    const localDate = (d: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: config.timeZone }).format(d);
    const roster = new RosterService({ store, jobs: store.jobs, ids: { next: () => randomUUID() }, clock: systemClock, localDate, schoolId: config.schoolId });
    const input = { kind: 'full' as const, people: read.people };
    const options = { markUnlistedLeft: full };
    if (dryRun) {
      const plan = await roster.plan(input, options);
      io.out(`${file}: ${read.people.length} people. Dry run: nothing was written.`);
      for (const line of describePlan(plan, { add: 'Would add', update: 'Would update', leave: 'Would mark as left', rejoin: 'Would mark as back' })) io.out(line);
      if (!full) io.out('People not in the file are left as they are (add --full to mark them as left).');
      return 0;
    }
    const plan = await roster.apply(input, options);
    io.out(`${file}: ${read.people.length} people. Imported: ${planSummary(plan)}.`);
    for (const line of describePlan(plan, { add: 'Added', update: 'Updated', leave: 'Marked as left', rejoin: 'Marked as back' })) io.out(line);
    return 0;
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      console.error(`The import failed: ${(e as Error).message}`);
      process.exit(1);
    },
  );
}

/**
 * `npm run receipt -- <person> <version> [--out <dir>]`: writes one signature's receipt (who signed, the typed
 * name, when, the version and its hash, the chain position) as a printable HTML page. Exit 0: written;
 * 1: no receipt (no such person or version, or not signed); 2: wrong usage or settings. See HELP.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { demoSchool } from '../src/adapters/demo-school';
import { nodeHasher } from '../src/adapters/node-crypto';
import { receiptFileName, receiptHtml } from '../src/services/receipt.html';
import { ReceiptService } from '../src/services/receipt.service';
import { withServerStore, consoleOutput, type Output } from './lib/open-store';

const HELP = `Usage: npm run receipt -- <person> <version> [--out <dir>]

Writes the receipt of one signature: who signed, the name they typed, when, the policy
version and its content hash, and the signature's place in the school's audit chain,
as one HTML page that prints on a single A4 sheet.

  <person>     the person's id or e-mail address
  <version>    the policy version's id, or its label (e.g. 2025-26) when that names one version
  --out <dir>  where to write receipt-<person>-<version>.html (default: the current directory)
  --help       this text

Exit 0: written (the path is printed); 1: no receipt (no such person or version, or not
signed); 2: wrong usage or settings.

The store is the server's: DATA_DIR (the SQLite file, default ./data) or, with STORE=sharepoint,
the SharePoint settings (SHAREPOINT_SITE_ID or SHAREPOINT_SITE_URL, GRAPH_* and SCHOOL_ID).
SCHOOL_NAME and SCHOOL_TIMEZONE are read as the server reads them.`;

const USAGE = 'Usage: npm run receipt -- <person> <version> [--out <dir>]   (--help explains)';

export type { Output };

function parse(argv: string[]): { person: string; version: string; out: string } | string {
  const positional: string[] = [];
  let out = '.';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--out') {
      const dir = argv[++i];
      if (!dir) return '--out needs a directory.';
      out = dir;
    } else if (a.startsWith('--out=')) out = a.slice('--out='.length);
    else if (a.startsWith('-')) return `Unknown option ${a}.`;
    else positional.push(a);
  }
  if (positional.length < 2) return positional.length ? 'Give the version too (its id or label).' : 'Give the person (id or e-mail) and the version (id or label).';
  if (positional.length > 2) return `One person and one version only: “${positional[2]}” is one too many.`;
  const [person, version] = positional.map((p) => p.trim()) as [string, string];
  if (!person) return 'The person is empty: give their id or e-mail.';
  if (!version) return 'The version is empty: give its id or label.';
  return { person, version, out };
}

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env, io: Output = consoleOutput): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(HELP);
    return 0;
  }
  const args = parse(argv);
  if (typeof args === 'string') {
    io.err(`${args} ${USAGE}`);
    return 2;
  }
  return withServerStore(env, io, async (config, store) => {
    const receipts = new ReceiptService({
      staff: store,
      policies: store.policies,
      audit: store.audit,
      hasher: nodeHasher,
      // Unset SCHOOL_NAME: the demo school's name for its data, else the school's slug, which at least names it.
      schoolName: config.schoolName ?? (config.schoolId === demoSchool.id ? demoSchool.name : config.schoolId),
      timeZone: config.timeZone,
    });
    const found = await receipts.receipt(null, args.person, args.version);
    if (!found.ok) {
      const field = Object.keys(found.error.fields ?? {})[0];
      io.err(`No receipt. ${field === 'person' ? `<person> ${args.person}` : `<version> ${args.version}`}: ${found.error.message}`);
      return 1;
    }
    const r = found.value;
    const dir = resolve(args.out);
    mkdirSync(dir, { recursive: true });
    const path = resolve(dir, receiptFileName(args.person, args.version));
    writeFileSync(path, receiptHtml(r, { generatedAt: new Date().toISOString() }));
    io.out(path);
    if (!r.chain) io.err('The signature’s chain position is being recorded: run this again in a minute for a receipt that shows it.');
    return 0;
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      console.error(`The receipt could not be made: ${(e as Error).message}`);
      process.exit(2);
    },
  );
}

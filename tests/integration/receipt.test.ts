/**
 * `npm run receipt -- <person> <version>` on the embedded store, as an operator runs it: from DATA_DIR, the receipt
 * written where asked and its path printed; exit 1 naming the argument when there is no receipt to give.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/adapters/sqlite.store';
import { main } from '../../scripts/receipt';
import { makeAudit, makeDeclaration, makeVersion } from '../contract/store.contract';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const ben = { id: 'u-ben', name: 'Ben Carter', email: 'ben.carter@larkfield.example' };

async function dataDir() {
  const dir = mkdtempSync(join(tmpdir(), 'countersign-receipt-'));
  dirs.push(dir);
  const store = new SqliteStore(join(dir, 'countersign.db'));
  const v1 = makeVersion('v1', '2025-26', '2025-09-01', 1);
  const v2 = makeVersion('v2', '2026-27', '2026-09-01', 2);
  await store.upsertStaff([
    { ...ben, schoolId: v1.schoolId, department: 'Year 6', jobTitle: 'Teacher', roles: [] },
    { id: 'u-amy', name: 'Amy Shah', email: 'amy.shah@larkfield.example', schoolId: v1.schoolId, department: 'Office', jobTitle: 'Bursar', roles: [] },
  ]);
  await store.policies.publishVersion({ id: v1.policyId, schoolId: v1.schoolId, name: 'Acceptable use of ICT' }, v1);
  await store.policies.publishVersion({ id: v2.policyId, schoolId: v2.schoolId, name: 'Acceptable use of ICT' }, v2);
  await store.policies.saveDeclaration({ ...makeDeclaration('dec-ben', ben, v1, 9), typedName: '<b>Ben</b> Carter' }, makeAudit('a-sign', 'dec-ben', 'declaration.sign', 9, null, 'declaration'));
  store.close();
  return dir;
}

async function run(dir: string, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { DATA_DIR: dir, SCHOOL_NAME: 'Larkfield Primary' }, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('npm run receipt', () => {
  it('writes the receipt by e-mail and label into --out and prints its path', async () => {
    const dir = await dataDir();
    const r = await run(dir, ben.email, '2025-26', '--out', join(dir, 'receipts'));
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toBe(join(dir, 'receipts', 'receipt-ben.carter-larkfield.example-2025-26.html'));
    const html = readFileSync(r.out, 'utf8');
    expect(html).toContain('Larkfield Primary');
    expect(html).toContain('&lt;b&gt;Ben&lt;/b&gt; Carter');
    expect(html).toContain('hash-v1');
    expect(html).toMatch(/entry 1 of Larkfield Primary’s audit chain/);
    expect(html).not.toMatch(/no longer matches the hash its audit entry recorded/);
  });

  it('says plainly when the chain position is still being recorded, and still writes the receipt', async () => {
    const dir = await dataDir();
    // As on SharePoint for a few seconds after signing: the entry exists but is not chained yet.
    const db = new Database(join(dir, 'countersign.db'));
    db.prepare("UPDATE audit SET chain_seq = NULL WHERE id = 'a-sign'").run();
    db.close();
    const r = await run(dir, 'u-ben', 'v1', '--out', dir);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/being recorded: run this again in a minute/);
    const html = readFileSync(r.out, 'utf8');
    expect(html).toContain('Chain position: being recorded, try again in a minute.');
    expect(html).not.toContain('Previous entry hash');
  });

  it('says so when the signature was changed after it was recorded', async () => {
    const dir = await dataDir();
    const db = new Database(join(dir, 'countersign.db'));
    db.prepare("UPDATE declarations SET data = json_set(data, '$.typedName', 'Someone Else') WHERE id = 'dec-ben'").run();
    db.close();
    const r = await run(dir, 'u-ben', 'v1', '--out', dir);
    expect(r.code).toBe(0);
    const html = readFileSync(r.out, 'utf8');
    expect(html).toContain('<dd>Someone Else</dd>');
    expect(html).toMatch(/The signature as stored no longer matches the hash its audit entry recorded/);
  });

  it('exits 1 naming the argument: an unknown person, an unknown version, a version not signed', async () => {
    const dir = await dataDir();
    const nobody = await run(dir, 'nobody@larkfield.example', 'v1', '--out', dir);
    expect(nobody.code).toBe(1);
    expect(nobody.err).toMatch(/^No receipt\. <person> nobody@larkfield\.example: No one on the staff list/);
    const noVersion = await run(dir, 'u-ben', '1999', '--out', dir);
    expect(noVersion.code).toBe(1);
    expect(noVersion.err).toMatch(/<version> 1999: There is no policy version with the id or label “1999”/);
    const unsigned = await run(dir, 'u-ben', 'v2', '--out', dir);
    expect(unsigned.code).toBe(1);
    expect(unsigned.err).toMatch(/<version> v2: Ben Carter has not signed Acceptable use policy, version 2026-27/);
    const amy = await run(dir, 'u-amy', '2025-26', '--out', dir);
    expect(amy.err).toMatch(/Amy Shah has not signed/);
    expect(existsSync(join(dir, 'receipt-u-amy-2025-26.html'))).toBe(false);
  });

  it('exits 2 on wrong usage, and 0 with --help', async () => {
    const dir = await dataDir();
    expect((await run(dir, 'u-ben')).code).toBe(2);
    expect((await run(dir, 'u-ben', 'v1', 'v2')).err).toMatch(/one too many/);
    expect((await run(dir, 'u-ben', 'v1', '--bogus')).err).toMatch(/Unknown option --bogus/);
    const help = await run(dir, '--help');
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/Usage: npm run receipt -- <person> <version>/);
  });

  it('runs as the npm script does, in a child process, writing into the current directory by default', async () => {
    const dir = await dataDir();
    // tsx by its file: `--import tsx` resolves from the working directory, which here is the data directory.
    const tsx = pathToFileURL(join(process.cwd(), 'node_modules/tsx/dist/loader.mjs')).href;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', tsx, join(process.cwd(), 'scripts/receipt.ts'), 'u-ben', 'v1'], {
      cwd: dir,
      env: { ...process.env, DATA_DIR: dir },
    });
    const path = stdout.trim();
    expect(path).toBe(join(dir, 'receipt-u-ben-v1.html'));
    expect(readFileSync(path, 'utf8')).toContain('<dd>Ben Carter (ben.carter@larkfield.example)</dd>');
  });
});

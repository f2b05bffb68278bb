import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { demoStaff } from '../../src/adapters/demo-school';
import { SqliteStore } from '../../src/adapters/sqlite.store';
import { NO_DEPARTMENT } from '../../src/domain/roster';
import { main } from '../../scripts/roster-import';

/** `npm run roster:import` against a temporary DATA_DIR holding the demo school, as the server would leave it. */
describe('npm run roster:import', () => {
  let dir = '';
  let env: NodeJS.ProcessEnv = {};
  const db = () => join(dir, 'countersign.db');
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const run = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(argv, env, { out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  const staff = async () => {
    const s = new SqliteStore(db());
    const list = await s.listStaff();
    s.close();
    return list;
  };
  const byName = (first: string) => demoStaff.find((s) => s.name.startsWith(first))!;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'countersign-roster-'));
    env = { DATA_DIR: dir };
    const s = new SqliteStore(db(), { schoolId: 'larkfield' });
    await s.upsertStaff(demoStaff);
    s.close();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const csv = [
    '\uFEFFName,E-mail,Object ID,Department,Job title,Joined on',
    `"Okafor, Tom",t.okafor@larkfield.example,${byName('Tom').id},Senior Leadership,Deputy Head Teacher`,
    'Ada Lovelace,ada@larkfield.example,,Computing,Teacher,2026-09-01',
    `Ben Carter,b.carter@larkfield.example,${byName('Ben').id},Science,Year 4 Teacher`,
    'Nadia Stone,n.stone@larkfield.example,,,Cover Supervisor',
  ].join('\r\n');

  it('a dry run lists what would change and writes nothing', async () => {
    const before = await staff();
    const r = await run(file('staff.csv', csv), '--dry-run');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Dry run: nothing was written.');
    expect(r.out).toMatch(/Would add 2:\n {2}\+ Ada Lovelace <ada@larkfield.example>: Computing, Teacher\n {2}\+ Nadia Stone <n.stone@larkfield.example>: No department, Cover Supervisor/);
    expect(r.out).toContain('Would update 2:');
    expect(r.out).toContain('~ Ben Carter <b.carter@larkfield.example>: department "Key Stage 2" → "Science"');
    expect(r.out).toContain('~ Tom Okafor <t.okafor@larkfield.example>: name "Tom Okafor" → "Okafor, Tom"');
    expect(r.out).toContain('People not in the file are left as they are');
    expect(await staff()).toEqual(before);
  });

  it('imports additions and updates, keeping everyone’s roles, and leaves people not in the file alone', async () => {
    const r = await run(file('staff.csv', csv));
    expect(r.code).toBe(0);
    expect(r.out).toContain('Imported: 2 added, 2 updated, 0 left, 0 rejoined, 0 unchanged.');
    const after = await staff();
    expect(after).toHaveLength(demoStaff.length + 2);
    const tom = after.find((s) => s.id === byName('Tom').id)!;
    expect(tom).toMatchObject({ name: 'Okafor, Tom', roles: ['deputyHead'] });
    expect(after.find((s) => s.email === 'ada@larkfield.example')).toMatchObject({ id: 'ada@larkfield.example', department: 'Computing', joinedOn: '2026-09-01', roles: [], schoolId: 'larkfield' });
    expect(after.find((s) => s.name === 'Nadia Stone')!.department).toBe(NO_DEPARTMENT);
    expect(after.filter((s) => s.leftOn)).toEqual([]);
    // The same file again changes nothing.
    expect((await run(file('staff.csv', csv))).out).toContain('0 added, 0 updated, 0 left, 0 rejoined, 4 unchanged');
  });

  it('with --full, people not in the file are marked as left (and their handover booked); roles stay', async () => {
    const r = await run(file('staff.csv', csv), '--full');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`Marked as left ${demoStaff.length - 2} (not in the file):`);
    const after = await staff();
    const priya = after.find((s) => s.id === byName('Priya').id)!;
    expect(priya.leftOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(priya.roles).toEqual(['headTeacher']);
    const s = new SqliteStore(db());
    const jobs = s.db.prepare("SELECT key FROM jobs WHERE kind = 'approval.approver-left'").all() as Array<{ key: string }>;
    s.close();
    expect(jobs.map((j) => j.key)).toContain(`approver-left:${priya.id}:${priya.leftOn}`);
  });

  it('refuses a file with bad rows, naming each row, column and fix, and imports nothing', async () => {
    const before = await staff();
    const bad = [
      'name,email,object id,department,job title,joined on',
      'Good Person,good@larkfield.example,,Maths,Teacher,',
      ',nobody@larkfield.example,,Maths,Teacher,',
      'Bob,bob@,,Maths,Teacher,',
      'Carol,,not-a-guid,Maths,Teacher,',
      'Dan,,,Maths,Teacher,',
      'Eve,eve@larkfield.example,,Maths,Teacher,01/09/2026',
      'Good Again,good@larkfield.example,,Maths,Teacher,',
      'Fay,fay@larkfield.example,,Maths, Science,Teacher,',
    ].join('\n');
    const r = await run(file('bad.csv', bad));
    expect(r.code).toBe(1);
    expect(r.err).toContain('bad.csv: 7 problems; nothing was imported.');
    expect(r.err).toContain('row 3, name: the name is empty');
    expect(r.err).toContain('row 4, email: "bob@" is not an e-mail address');
    expect(r.err).toContain('row 5, object id: "not-a-guid" is not an Entra object id');
    expect(r.err).toContain('row 6, email: the row has neither an e-mail address nor an object id');
    expect(r.err).toContain('row 7, joined on: "01/09/2026" is not a date: write it as YYYY-MM-DD');
    expect(r.err).toContain('row 8, email: the same person is already on row 2');
    expect(r.err).toContain('row 9: the row has 7 cells but the header names 6 columns');
    expect(await staff()).toEqual(before);
  });

  it('lists at most 50 people per section, then how many more', async () => {
    const many = ['name,email', ...Array.from({ length: 120 }, (_, i) => `Person ${i},p${i}@larkfield.example`)].join('\n');
    const r = await run(file('many.csv', many), '--dry-run');
    expect(r.out).toContain('Would add 120:');
    expect(r.out.split('\n').filter((l) => l.startsWith('  + '))).toHaveLength(50);
    expect(r.out).toContain('  … and 70 more');
  });

  it('names a header it cannot read, an unclosed quote, and wrong usage', async () => {
    const r = await run(file('h.csv', 'name,mail,shoe size\nA,a@x.org,9\n'));
    expect(r.code).toBe(1);
    expect(r.err).toContain('row 1, shoe size: "shoe size" is not a column Countersign reads');
    const q = await run(file('q.csv', 'name,email\n"Open,a@x.org\n'));
    expect(q.err).toContain('row 2: a quoted field is never closed');
    expect((await run()).code).toBe(2);
    expect((await run('a.csv', '--force')).err).toContain('Unknown option --force');
    expect((await run(join(dir, 'missing.csv'))).err).toContain('Cannot read');
    env = { DATA_DIR: dir, STORE: 'sharepoint' };
    expect((await run(file('staff.csv', csv))).err).toContain('SCHOOL_ID is required when STORE=sharepoint');
  });

  it('runs as `npm run roster:import` does, and explains --full in its help', () => {
    const res = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/roster-import.ts', '--help'], { encoding: 'utf8', env: { ...process.env, DATA_DIR: dir } });
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/--full +the file is the whole staff list/);
    const dry = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/roster-import.ts', file('staff.csv', csv), '--dry-run'], { encoding: 'utf8', env: { ...process.env, DATA_DIR: dir } });
    expect(dry.status).toBe(0);
    expect(dry.stdout).toContain('Would add 2:');
  });
});

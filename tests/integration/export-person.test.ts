import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../scripts/export-person';
import { demoStaff } from '../../src/adapters/demo-school';
import { SqliteStore } from '../../src/adapters/sqlite.store';
import type { Declaration } from '../../src/domain/declaration.workflow';
import type { StaffMember } from '../../src/domain/people';
import { newRecipient } from '../../src/domain/recipient.workflow';
import type { SubjectAccessExport } from '../../src/domain/subject-access';
import { parseCsv } from '../../src/services/csv';
import { decide, makeAudit, makeCampaign, makeRequest, makeVersion } from '../contract/store.contract';

/**
 * `npm run export:person` end to end: a child process on an embedded SQLite file in a DATA_DIR this test
 * prepares, as the server would have left it. The person's name comes from the directory, so it is where a
 * spreadsheet formula would arrive from: the CSV must hand it over as text.
 */
describe('npm run export:person', () => {
  const dir = mkdtempSync(join(tmpdir(), 'countersign-export-'));
  const out = join(dir, 'out');
  const env = { ...process.env, DATA_DIR: dir };
  const pat: StaffMember = { id: 'u-pat', schoolId: 'larkfield', name: '=HYPERLINK("http://evil.example","Pat Kemp")', email: 'pat.kemp@larkfield.example', department: 'Key Stage 2', jobTitle: 'Teacher', roles: [], joinedOn: '2020-09-01', leftOn: '2026-07-22' };
  const amira = demoStaff.find((s) => s.name.startsWith('Amira'))!;
  const gareth = demoStaff.find((s) => s.name.startsWith('Gareth'))!;
  const cli = (...argv: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'scripts/export-person.ts', ...argv], { encoding: 'utf8', env });

  beforeAll(async () => {
    const s = new SqliteStore(join(dir, 'countersign.db'), { schoolId: 'larkfield' });
    await s.upsertStaff([...demoStaff, pat]);
    // Pat's request, approved by Gareth; Amira's request, which is none of Pat's business.
    const r = makeRequest('r-pat', pat, 0);
    const v1 = await s.saveRequestChange({ request: r, audit: { ...makeAudit('a-pat-1', r.id, 'request.submit', 0), actorId: pat.id, actorName: pat.name } });
    const d = decide(r, 'approved', gareth, 5);
    await s.saveRequestChange({ request: d.next, expectedEtag: v1.etag, decision: d.decision, audit: { ...makeAudit('a-pat-2', r.id, 'approval.approve', 5), actorId: gareth.id, actorName: gareth.name } });
    const other = makeRequest('r-amira', amira, 1, {});
    other.details = { ...other.details, aims: 'AMIRA-ONLY aims' };
    await s.saveRequestChange({ request: other, audit: { ...makeAudit('a-amira-1', other.id, 'request.submit', 1), actorId: amira.id, actorName: amira.name } });
    // The policy, a campaign to both, and both signatures.
    const v = makeVersion('v-2025', '2025', '2025-09-01', 1);
    await s.policies.publishVersion({ id: v.policyId, schoolId: 'larkfield', name: 'Acceptable use of ICT and social media' }, v);
    await s.campaigns.createCampaign(makeCampaign('camp-1', v.id, 2), [pat, amira].map((p) => newRecipient('camp-1', p, '2025-09-01T09:00:00.000Z', 'larkfield')), []);
    for (const p of [pat, amira]) {
      const dec: Declaration = { id: `dec-${p.id}`, schoolId: 'larkfield', signerId: p.id, signerName: p.name, typedName: 'Pat Kemp', versionId: v.id, policyId: v.policyId, versionLabel: v.versionLabel, contentHash: v.contentHash, campaignId: 'camp-1', signedAt: '2025-09-02T10:00:00.000Z' };
      await s.policies.saveDeclaration(dec, { ...makeAudit(`a-dec-${p.id}`, dec.id, 'declaration.sign', 10, null, 'declaration'), actorId: p.id, actorName: p.name });
    }
    s.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the person’s records as JSON and CSV under --out, named after them and the day, and audits the export', () => {
    const res = cli('PAT.KEMP@larkfield.example', '--out', out);
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    const day = new Date().toISOString().slice(0, 10);
    expect(readdirSync(out).sort()).toEqual([`subject-access-pat-kemp-${day}.csv`, `subject-access-pat-kemp-${day}.json`]);
    expect(res.stdout).toContain(join(out, `subject-access-pat-kemp-${day}.json`));

    const x = JSON.parse(readFileSync(join(out, `subject-access-pat-kemp-${day}.json`), 'utf8')) as SubjectAccessExport;
    expect(x.person).toEqual(pat);
    expect(x.requestsMade.map((r) => r.id)).toEqual(['r-pat']);
    expect(x.declarations.map((d) => d.id)).toEqual(['dec-u-pat']);
    expect(x.campaignRecords.map((r) => [r.campaignId, r.userId])).toEqual([['camp-1', pat.id]]);
    // The history of Pat's own request, Gareth's approval included; then Pat's signature and this export.
    expect(x.audit.map((e) => e.id).slice(0, 3)).toEqual(['a-pat-1', 'a-pat-2', 'a-dec-u-pat']);
    expect(x.audit.at(-1)).toMatchObject({ action: 'subject-access.export', entityId: pat.id, actorName: expect.stringContaining('npm run export:person') });
    const text = JSON.stringify(x);
    expect(text).not.toContain('AMIRA-ONLY');
    expect(text).not.toContain('dec-' + amira.id);
    expect(text).not.toContain('a-amira-1');

    const csv = parseCsv(readFileSync(join(out, `subject-access-pat-kemp-${day}.csv`), 'utf8'));
    if (!csv.ok) throw new Error(csv.message);
    const rows = csv.records.map((r) => r.fields);
    expect(rows[0]).toEqual(['Kind of record', 'Record id', 'Date', 'Their part', 'Summary', 'All fields']);
    // The directory's name would be a formula in a spreadsheet: it arrives with a leading apostrophe, as text.
    const staffRow = rows.find((r) => r[0] === 'Staff record')!;
    expect(staffRow[4]).toBe(`'${pat.name}, Teacher, Key Stage 2; left on 2026-07-22`);
    expect(rows.map((r) => r[0])).toEqual(expect.arrayContaining(['Request made', 'Signed declaration', 'Campaign record', 'Audit entry']));

    const s = new SqliteStore(join(dir, 'countersign.db'));
    return s.listAudit(pat.id).then((entries) => {
      s.close();
      expect(entries.map((e) => e.action)).toEqual(['subject-access.export']);
    });
  });

  it('refuses an unknown person with exit code 1, naming the argument, and writes nothing', () => {
    const empty = join(dir, 'none');
    const res = cli('nobody@nowhere.example', '--out', empty);
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('“nobody@nowhere.example”');
    expect(existsSync(empty)).toBe(false);
  });

  it('names wrong usage with exit code 2, and explains itself with --help', async () => {
    const run = async (...argv: string[]) => {
      const lines: string[] = [];
      const code = await main(argv, { DATA_DIR: dir }, { out: (l) => lines.push(l), err: (l) => lines.push(l) });
      return { code, text: lines.join('\n') };
    };
    expect(await run()).toMatchObject({ code: 2, text: expect.stringContaining('Give the id or e-mail address') });
    expect(await run('a', 'b')).toMatchObject({ code: 2, text: expect.stringContaining('Give one person, not 2') });
    expect(await run('a', '--out')).toMatchObject({ code: 2, text: expect.stringContaining('--out needs a folder') });
    expect(await run('a', '--force')).toMatchObject({ code: 2, text: expect.stringContaining('Unknown option --force') });
    expect(await run(pat.id, '--out', out)).toMatchObject({ code: 0 });
    expect(await run('--help')).toMatchObject({ code: 0, text: expect.stringContaining('--out <dir>') });
  });
});

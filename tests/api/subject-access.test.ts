import { describe, expect, it } from 'vitest';
import { demoPolicyVersions } from '../../src/adapters/demo-policy';
import { demoPeople, demoStaff } from '../../src/adapters/demo-school';
import type { CampaignDashboard } from '../../src/contract/campaigns';
import type { PersonRoles, SubjectAccessAnswer } from '../../src/contract/settings';
import type { StaffMember } from '../../src/domain/people';
import type { SubjectAccessExport } from '../../src/domain/subject-access';
import { nodeHasher } from '../../src/adapters/node-crypto';
import { verifyAuditTrail } from '../../src/services/audit-verify.service';
import { parseCsv } from '../../src/services/csv';
import { validForm } from '../support/forms';
import { appOn, STORES } from '../support/on-each-store';
import { apiAs, tabApi } from '../support/tab-api';

const staff = (first: string) => demoStaff.find((s) => s.name.startsWith(first))!;
const amira = staff('Amira');
const { policyAdmin: hannah, ictLeader: gareth, headTeacher: priya } = demoPeople;
const v2026 = demoPolicyVersions[1]!.id;
const as = (p: StaffMember) => ({ id: p.id, name: p.name, staff: p });
const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

// On both stores: SharePoint on the local Graph server, throttling and losing write replies (on-each-store.ts).
describe.each(STORES)('subject access export on %s (Settings page)', (store) => {
  const h = appOn(store);

  /**
   * Gareth (the ICT leader) requests an account of his own, approves Amira's request, and signs the policy in
   * a campaign; Amira requests, and signs too. Gareth's export must hold all of his and none of hers.
   */
  async function twoPeopleWithRecords() {
    const mine = await h.app.requests.submit(as(gareth), validForm({ platform: 'Threads', aims: 'Gareth’s own aims for a Threads account.' }));
    if (!mine.ok) throw new Error(JSON.stringify(mine.error));
    const hers = await h.app.requests.submit(as(amira), validForm({ platform: 'Bluesky', aims: 'AMIRA-ONLY aims, not for anyone else’s export.' }));
    if (!hers.ok) throw new Error(JSON.stringify(hers.error));
    const decided = await h.app.requests.decide(as(gareth), 'approve', { requestId: hers.value.id, step: 0, round: 1, signature: gareth.name, comment: 'Fine by me.' });
    if (!decided.ok) throw new Error(JSON.stringify(decided.error));
    const launched = await (await apiAs(h, hannah)).post<CampaignDashboard>('/api/campaigns', { versionId: v2026, deadline: inDays(21), reminderEveryDays: 7, audience: { kind: 'all' } });
    expect(launched.status).toBe(201);
    await h.settle();
    const campaignId = launched.body.campaign.id;
    for (const p of [gareth, amira]) {
      await h.app.declarations.recordOpen(p.id, v2026);
      const signed = await h.app.declarations.sign(as(p), { versionId: v2026, campaignId, typedName: p.name, confirmed: true });
      if (!signed.ok) throw new Error(JSON.stringify(signed.error));
    }
    await h.settle();
    return { mine: mine.value, hers: hers.value, campaignId };
  }

  it('gives a policy admin everything about one person as JSON and CSV, nothing of anyone else’s, and audits the export', async () => {
    await h.say(hannah, 'help'); // the bot learns where Teams is from a first message; campaign cards need it
    const { mine, hers, campaignId } = await twoPeopleWithRecords();
    const res = await (await apiAs(h, hannah)).post<SubjectAccessAnswer>('/api/settings/subject-access', { personId: gareth.email.toUpperCase() });
    expect(res.status).toBe(200);
    expect(res.body.person).toMatchObject({ id: gareth.id, name: gareth.name });
    expect(res.body.fileBase).toMatch(/^subject-access-g-lloyd-\d{4}-\d{2}-\d{2}$/);
    const x = JSON.parse(res.body.json) as SubjectAccessExport;

    expect(x.person).toMatchObject({ id: gareth.id, roles: ['ictLeader'], joinedOn: gareth.joinedOn });
    expect(x.requestsMade.map((r) => [r.id, r.details.platform])).toEqual([[mine.id, 'Threads']]);
    expect(x.decisions.map((d) => [d.requestId, d.reference, d.outcome, d.signature, d.comment])).toEqual([[hers.id, hers.reference, 'approved', gareth.name, 'Fine by me.']]);
    expect(x.requestsNamingThem).toEqual([expect.objectContaining({ requestId: hers.id, reference: hers.reference, parts: ['approver'] })]);
    expect(x.declarations.map((d) => [d.signerId, d.versionId, d.campaignId, d.typedName])).toEqual([[gareth.id, v2026, campaignId, gareth.name]]);
    expect(x.documentsOpened.map((o) => o.versionId)).toEqual([v2026]);
    expect(x.campaignRecords.map((r) => [r.campaignId, r.userId, r.state])).toEqual([[campaignId, gareth.id, 'signed']]);
    const actions = x.audit.map((e) => e.action);
    for (const a of ['request.submit', 'approval.approve', 'declaration.sign', 'subject-access.export']) expect(actions, a).toContain(a);
    // His approval of Amira's request is there, without her request's snapshots.
    const onHers = x.audit.find((e) => e.entityId === hers.id)!;
    expect(onHers).toMatchObject({ actorId: gareth.id, before: null, after: null, snapshotsWithheld: expect.any(String) });

    // Nothing of Amira's: her answers, her signature, her campaign record, her own audit entries.
    expect(res.body.json).not.toContain('AMIRA-ONLY');
    expect(res.body.csv).not.toContain('AMIRA-ONLY');
    expect(x.declarations.every((d) => d.signerId === gareth.id)).toBe(true);
    expect(x.campaignRecords.every((r) => r.userId === gareth.id)).toBe(true);
    expect(x.audit.some((e) => e.actorId === amira.id)).toBe(false);

    // The CSV: one sheet, a row per record, with its kind; it parses back.
    const csv = parseCsv(res.body.csv);
    if (!csv.ok) throw new Error(csv.message);
    const [header, ...rows] = csv.records.map((r) => r.fields);
    expect(header).toEqual(['Kind of record', 'Record id', 'Date', 'Their part', 'Summary', 'All fields']);
    const kinds = rows.map((r) => r[0]);
    for (const k of ['Staff record', 'Request made', 'Request naming them', 'Decision', 'Signed declaration', 'Campaign record', 'Audit entry']) expect(kinds, k).toContain(k);
    expect(rows).toHaveLength(1 + x.requestsMade.length + x.requestsNamingThem.length + x.decisions.length + x.accounts.length + x.declarations.length + x.documentsOpened.length + x.campaignRecords.length + x.campaignsRun.length + x.audit.length + (x.conversation ? 1 : 0));
    expect(x.campaignsRun).toEqual([]);

    // The policy admin who launched the campaign finds it in her own export.
    const hannahs = JSON.parse((await (await apiAs(h, hannah)).post<SubjectAccessAnswer>('/api/settings/subject-access', { personId: hannah.id })).body.json) as SubjectAccessExport;
    expect(hannahs.campaignsRun.map((c) => [c.campaignId, c.parts])).toEqual([[campaignId, ['launched']]]);

    // Who exported whose data, and when: an audit entry on the person.
    const entries = (await h.app.store.listAudit(gareth.id)).filter((e) => e.action === 'subject-access.export');
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ entityType: 'staff', entityId: gareth.id, actorId: hannah.id, actorName: hannah.name });
    expect(Math.abs(Date.parse(entries[0]!.at) - Date.now())).toBeLessThan(5 * 60_000);
    // It is a link of the school's hash chain like any other: the chain still verifies.
    await h.app.store.audit.seal();
    const verified = await verifyAuditTrail(h.app.store.audit, { sha256: nodeHasher.sha256, now: new Date(), sealingGraceMs: 0 });
    expect(verified.findings).toEqual([]);
    expect((await h.app.store.listAudit(gareth.id)).find((e) => e.action === 'subject-access.export')!.chain).toEqual(expect.objectContaining({ seq: expect.any(Number) }));
  });

  it('finds people to export, leavers included, for policy admins only', async () => {
    const api = await apiAs(h, hannah);
    const found = await api.get<PersonRoles[]>('/api/settings/subject-access/people?q=gareth');
    expect(found.status).toBe(200);
    expect(found.body.map((p) => p.id)).toEqual([gareth.id]);
    expect((await api.get(`/api/settings/subject-access/people?q=${'x'.repeat(101)}`)).body.field).toBe('q');
  });

  it('refuses anyone but a policy admin with 403, and writes no audit entry', async () => {
    for (const who of [gareth, priya, amira]) {
      const api = await apiAs(h, who);
      for (const res of [await api.post('/api/settings/subject-access', { personId: amira.id }), await api.get('/api/settings/subject-access/people?q=amira')]) {
        expect(res.status, who.name).toBe(403);
        expect(res.body.error).toBe('PAGE.NOT_ALLOWED');
      }
    }
    expect((await tabApi(h).post('/api/settings/subject-access', { personId: amira.id })).status).toBe(401);
    expect((await h.app.store.listAudit(amira.id)).filter((e) => e.action === 'subject-access.export')).toEqual([]);
  });

  it('answers 404 naming an unknown person, and 400 naming the field for bad input', async () => {
    const api = await apiAs(h, hannah);
    const unknown = await api.post('/api/settings/subject-access', { personId: 'nobody@nowhere.example' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toBe('SUBJECT_ACCESS.PERSON_NOT_FOUND');
    expect(unknown.body.message).toContain('nobody@nowhere.example');
    for (const body of [{}, { personId: '' }, { personId: '   ' }, { personId: 42 }, { personId: 'x'.repeat(321) }]) {
      const res = await api.post('/api/settings/subject-access', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.field, JSON.stringify(body)).toBe('personId');
    }
  });
});

import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { demoPolicy, demoPolicyVersions } from '../../src/adapters/demo-policy';
import { demoPeople, demoStaff } from '../../src/adapters/demo-school';
import type { PoliciesList, PolicyVersionRow, PublishVersionBody } from '../../src/contract/policies';
import { canonicalVersionContent } from '../../src/domain/policy';
import { appOn, STORES } from '../support/on-each-store';
import { apiAs } from '../support/tab-api';

// On both stores: SharePoint on the local Graph server, throttling and losing write replies (on-each-store.ts).
describe.each(STORES)('policies on %s', (store) => {
const h = appOn(store);
beforeAll(() => h.app.ready);

const path = `/api/policies/${demoPolicy.id}/versions`;
let n = 0;
/** A valid new version; each call a new label and text, so tests do not meet each other's versions. */
const body = (extra: Partial<Record<keyof PublishVersionBody, unknown>> = {}) => {
  n++;
  return {
    title: 'Acceptable use of ICT and social media: staff declaration',
    versionLabel: `2027-28 draft ${n}`,
    effectiveDate: '2027-09-01',
    documentUrl: 'https://larkfield.example/policies/ict-2027.pdf',
    summary: `How staff use school devices and social media (text ${n}).`,
    statements: ['I will keep my passwords to myself.', 'I will only post on approved school accounts.'],
    ...extra,
  };
};

describe('GET /api/policies', () => {
  it('lists each version with the hash of its content, its dates and how many of the staff signed it', async () => {
    const current = demoPolicyVersions.at(-1)!;
    const signer = demoPeople.requester;
    await h.app.declarations.recordOpen(signer.id, current.id);
    const signed = await h.app.declarations.sign({ id: signer.id, name: signer.name, staff: signer }, { versionId: current.id, campaignId: null, typedName: signer.name, confirmed: true });
    expect(signed.ok).toBe(true);

    const res = await (await apiAs(h, demoPeople.policyAdmin)).get<PoliciesList>('/api/policies');
    expect(res.status).toBe(200);
    const policy = res.body.items.find((p) => p.id === demoPolicy.id)!;
    expect(policy.staffCount).toBe(demoStaff.length);
    const byId = new Map(policy.versions.map((v) => [v.id, v]));
    for (const { id, content } of demoPolicyVersions) {
      const v = byId.get(id)!;
      expect(v.contentHash).toBe(createHash('sha256').update(canonicalVersionContent(content)).digest('hex'));
      expect(v.effectiveDate).toBe(content.effectiveDate);
      expect(v.publishedAt).toEqual(expect.any(String));
    }
    expect(byId.get(current.id)!.signed).toBe(1);
    expect(byId.get(current.id)!.current).toBe(true);
    expect(byId.get(demoPolicyVersions[0]!.id)!.current).toBe(false);
  });

  it('pages policies in name order with a cursor, and names a bad cursor or limit', async () => {
    const first = (await h.app.store.policies.listVersions(demoPolicy.id))[0]!;
    for (const name of ['Acceptable use for visitors', 'Zoom and video calls', 'Mobile phones on site']) {
      const id = `policy-${name.toLowerCase().replace(/\W+/g, '-')}`;
      await h.app.store.policies.publishVersion({ id, schoolId: demoPolicy.schoolId, name }, { ...first, id: `${id}-v1`, policyId: id });
    }
    const api = await apiAs(h, demoPeople.policyAdmin);
    const names: string[] = [];
    let pages = 0;
    for (let cursor: string | undefined = ''; cursor !== undefined; pages++) {
      const res: { status: number; body: PoliciesList } = await api.get(`/api/policies?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      names.push(...res.body.items.map((p) => p.name));
      cursor = res.body.next;
    }
    const all = (await h.app.store.policies.listPolicies()).map((p) => p.name);
    expect(names).toEqual([...all].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())));
    expect(pages).toBe(Math.ceil(all.length / 2));
    for (const [path, field] of [
      ['/api/policies?limit=0', 'limit'],
      ['/api/policies?limit=51', 'limit'],
      ['/api/policies?cursor=%7Bnot%7D', 'cursor'],
    ] as const) {
      const res = await api.get(path);
      expect(res.status, path).toBe(400);
      expect(res.body.field, path).toBe(field);
    }
  });

  it('refuses anyone but a policy admin with 403', async () => {
    for (const who of [demoPeople.requester, demoPeople.ictLeader, demoPeople.headTeacher]) {
      const res = await (await apiAs(h, who)).get('/api/policies');
      expect(res.status).toBe(403);
      expect(res.body.error).toBe('PAGE.NOT_ALLOWED');
    }
  });
});

describe('POST /api/policies/:policyId/versions', () => {
  it('publishes a version with the server’s hash, frozen: the same content again is 409 and nothing changes', async () => {
    const api = await apiAs(h, demoPeople.policyAdmin);
    const b = body();
    const res = await api.post<PolicyVersionRow>(path, b);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ versionLabel: b.versionLabel, effectiveDate: '2027-09-01', reviewDate: '2028-08-31', signed: 0, current: false, requireOpenBeforeSign: false });
    const expected = canonicalVersionContent({ ...b, policyId: demoPolicy.id, reviewDate: '2028-08-31', requireOpenBeforeSign: false } as never);
    expect(res.body.contentHash).toBe(createHash('sha256').update(expected).digest('hex'));

    const again = await api.post(path, b);
    expect(again.status).toBe(409);
    expect(again.body.error).toBe('POLICY.ALREADY_PUBLISHED');
    const sameLabel = await api.post(path, { ...body(), versionLabel: b.versionLabel });
    expect(sameLabel.status).toBe(409);
    expect(sameLabel.body.field).toBe('versionLabel');

    const list = (await api.get<PoliciesList>('/api/policies')).body.items.find((p) => p.id === demoPolicy.id)!;
    const mine = list.versions.filter((v) => v.versionLabel === b.versionLabel);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.contentHash).toBe(res.body.contentHash);
    expect(mine[0]!.publishedAt).toBe(res.body.publishedAt);
  });

  it('checks a version without publishing it (dryRun): 200 with the hash it would freeze, nothing stored', async () => {
    const api = await apiAs(h, demoPeople.policyAdmin);
    const b = body();
    const check = await api.post<PolicyVersionRow>(path, { ...b, dryRun: true });
    expect(check.status).toBe(200);
    expect(check.body.publishedAt).toBe('');
    expect((await h.app.store.policies.listVersions(demoPolicy.id)).some((v) => v.versionLabel === b.versionLabel)).toBe(false);
    const real = await api.post<PolicyVersionRow>(path, b);
    expect(real.status).toBe(201);
    expect(real.body.contentHash).toBe(check.body.contentHash);
    expect(real.body.id).toBe(check.body.id);
    expect((await api.post(path, { ...b, dryRun: true })).status).toBe(409);
  });

  it('refuses anyone but a policy admin with 403, publishing nothing', async () => {
    const b = body();
    const res = await (await apiAs(h, demoPeople.headTeacher)).post(path, b);
    expect(res.status).toBe(403);
    const versions = await h.app.store.policies.listVersions(demoPolicy.id);
    expect(versions.some((v) => v.versionLabel === b.versionLabel)).toBe(false);
  });

  it('answers bad input with 400 naming the field', async () => {
    const api = await apiAs(h, demoPeople.policyAdmin);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ title: '  ' }, 'title'],
      [{ versionLabel: undefined }, 'versionLabel'],
      [{ effectiveDate: '2027-13-01' }, 'effectiveDate'],
      [{ reviewDate: '2027-08-01' }, 'reviewDate'],
      [{ documentUrl: 'http://larkfield.example/policy.pdf' }, 'documentUrl'],
      [{ documentUrl: 'javascript:alert(1)' }, 'documentUrl'],
      [{ summary: '' }, 'summary'],
      [{ statements: [] }, 'statements'],
      [{ statements: ['fine', ' '] }, 'statements.1'],
    ];
    for (const [extra, field] of cases) {
      const res = await api.post(path, body(extra));
      expect(res.status, field).toBe(400);
      expect(res.body.field).toBe(field);
      expect(res.body.message).toMatch(new RegExp(`^${field.replace('.', '\\.')}: `));
    }
  });

  it('answers 404 for an unknown policy', async () => {
    const res = await (await apiAs(h, demoPeople.policyAdmin)).post('/api/policies/no-such-policy/versions', body());
    expect(res.status).toBe(404);
    expect(res.body.error).toBe('POLICY.NOT_FOUND');
  });
});
});

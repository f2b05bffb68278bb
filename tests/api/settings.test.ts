import { describe, expect, it } from 'vitest';
import { demoPeople, demoStaff } from '../../src/adapters/demo-school';
import type { PersonRoles, RolesOverview } from '../../src/contract/settings';
import { loadConfig } from '../../src/server/config';
import { appOn, STORES } from '../support/on-each-store';
import { apiAs, tabApi } from '../support/tab-api';

const staff = (first: string) => demoStaff.find((s) => s.name.startsWith(first))!;
const amira = staff('Amira');
const jess = staff('Jess');
const { policyAdmin: hannah, headTeacher: priya, ictLeader: gareth } = demoPeople;

// On both stores: SharePoint on the local Graph server, throttling and losing write replies (on-each-store.ts).
describe.each(STORES)('the Settings page’s roles on %s', (store) => {
  const h = appOn(store);

  it('shows every role and who holds it, to policy admins only', async () => {
    const res = await (await apiAs(h, hannah)).get<RolesOverview>('/api/settings/roles');
    expect(res.status).toBe(200);
    expect(res.body.roles.map((r) => r.role)).toEqual(['headTeacher', 'deputyHead', 'ictLeader', 'policyAdmin', 'networkManager']);
    expect(res.body.roles.find((r) => r.role === 'headTeacher')).toMatchObject({ label: 'Head teacher', singleHolder: true });
    const holder = (role: string) => res.body.holders.filter((p) => p.roles.includes(role as never)).map((p) => p.name);
    expect(holder('headTeacher')).toEqual([priya.name]);
    expect(holder('policyAdmin')).toEqual([hannah.name]);
    expect(holder('networkManager')).toEqual([]);

    for (const who of [gareth, priya, amira]) {
      const api = await apiAs(h, who);
      for (const res of [await api.get('/api/settings/roles'), await api.get('/api/settings/people?q=jess'), await api.put(`/api/settings/people/${jess.id}/roles`, { roles: ['policyAdmin'] })]) {
        expect(res.status, who.name).toBe(403);
        expect(res.body.error).toBe('PAGE.NOT_ALLOWED');
      }
    }
    expect((await tabApi(h).get('/api/settings/roles')).status).toBe(401);
    expect((await tabApi(h).put(`/api/settings/people/${jess.id}/roles`, { roles: ['policyAdmin'] })).status).toBe(401);
  });

  it('finds staff to give a role to, and names a bad query', async () => {
    const api = await apiAs(h, hannah);
    const found = await api.get<PersonRoles[]>('/api/settings/people?q=JESS%20patel');
    expect(found.status).toBe(200);
    expect(found.body.map((p) => p.id)).toEqual([jess.id]);
    const bad = await api.get(`/api/settings/people?q=${'x'.repeat(101)}`);
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('q');
  });

  it('a role given applies at once: the new policy admin’s next call has the pages; taken away, the next call is refused', async () => {
    const admin = await apiAs(h, hannah);
    const teacher = await apiAs(h, amira);
    expect((await teacher.get('/api/campaigns')).status).toBe(403);

    const given = await admin.put<PersonRoles>(`/api/settings/people/${amira.id}/roles`, { roles: ['policyAdmin', 'networkManager'] });
    expect(given.status).toBe(200);
    expect(given.body.roles).toEqual(['policyAdmin', 'networkManager']);
    expect((await teacher.get('/api/me')).body.pages.map((p: { id: string }) => p.id)).toContain('settings');
    expect((await teacher.get('/api/campaigns')).status).toBe(200);
    const audit = await h.app.store.listAudit(amira.id);
    expect(audit.map((a) => [a.action, a.actorId, JSON.parse(a.after ?? '{}').roles])).toEqual([['staff.roles', hannah.id, ['policyAdmin', 'networkManager']]]);

    const taken = await admin.put<PersonRoles>(`/api/settings/people/${amira.id}/roles`, { roles: [] });
    expect(taken.status).toBe(200);
    expect((await teacher.get('/api/campaigns')).status).toBe(403);
    expect((await admin.get<RolesOverview>('/api/settings/roles')).body.holders.map((p) => p.id)).not.toContain(amira.id);
  });

  it('refuses to take the role from the last policy admin, and a head teacher’s role held by someone else, naming why', async () => {
    const admin = await apiAs(h, hannah);
    const last = await admin.put(`/api/settings/people/${hannah.id}/roles`, { roles: [] });
    expect(last.status).toBe(409);
    expect(last.body).toMatchObject({ error: 'ROLE.LAST_ADMIN', field: 'roles' });
    expect(last.body.message).toContain('only policy admin');
    expect((await h.app.store.getStaff(hannah.id))!.roles).toContain('policyAdmin');

    const held = await admin.put(`/api/settings/people/${jess.id}/roles`, { roles: ['headTeacher'] });
    expect(held.status).toBe(409);
    expect(held.body.error).toBe('ROLE.ALREADY_HELD');
    expect(held.body.message).toContain(priya.name);
    expect((await h.app.store.getStaff(jess.id))!.roles).toEqual([]);
  });

  it('answers bad input with 400 naming the field, and an unknown person with 404', async () => {
    const admin = await apiAs(h, hannah);
    for (const [body, field] of [
      [{ roles: ['king'] }, 'roles.0'],
      [{ roles: 'policyAdmin' }, 'roles'],
      [{}, 'roles'],
    ] as const) {
      const res = await admin.put(`/api/settings/people/${jess.id}/roles`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.field, JSON.stringify(body)).toBe(field);
    }
    const nobody = await admin.put('/api/settings/people/no-such-person/roles', { roles: ['networkManager'] });
    expect(nobody.status).toBe(404);
    expect(nobody.body.error).toBe('ROLE.PERSON_NOT_FOUND');
  });

  it('COUNTERSIGN_ADMINS makes the first policy admins only while the school has none', async () => {
    // With a policy admin already: nothing changes.
    expect(await h.app.roles.grantFirstAdmins([amira.email])).toEqual({ granted: [], notFound: [] });
    // A school with no policy admin (as a new tenant starts): the named people become admins, by e-mail or id.
    await h.app.store.setStaffRoles(hannah.id, [], { id: 'test-clear-admin', schoolId: hannah.schoolId, entityType: 'staff', entityId: hannah.id, actorId: 'test', actorName: 'test', action: 'staff.roles', at: new Date().toISOString(), before: null, after: null });
    const first = await h.app.roles.grantFirstAdmins([amira.email.toUpperCase(), jess.id, 'left.long.ago@larkfield.example']);
    expect(first.granted.map((s) => s.id)).toEqual([amira.id, jess.id]);
    expect(first.notFound).toEqual(['left.long.ago@larkfield.example']);
    expect((await (await apiAs(h, amira)).get('/api/settings/roles')).status).toBe(200);
    expect((await h.app.store.listAudit(jess.id)).map((a) => a.actorName)).toContain('Countersign (the COUNTERSIGN_ADMINS setting)');
  });
});

describe('the COUNTERSIGN_ADMINS setting', () => {
  it('takes object ids and e-mail addresses, and names a bad entry in one line', () => {
    expect(loadConfig({ COUNTERSIGN_MODE: 'embedded', COUNTERSIGN_ADMINS: ' a.head@school.example , 00000000-0000-4000-8000-000000000004 ' }).firstAdmins).toEqual([
      'a.head@school.example',
      '00000000-0000-4000-8000-000000000004',
    ]);
    expect(() => loadConfig({ COUNTERSIGN_MODE: 'embedded', COUNTERSIGN_ADMINS: 'the head' })).toThrow(/COUNTERSIGN_ADMINS lists an entry that is neither an object id \(GUID\) nor an e-mail address/);
  });
});

describe('COUNTERSIGN_ADMINS and the roster', () => {
  it('makes the named person a policy admin as soon as a roster change brings them, when the school has none', async () => {
    const { Harness } = await import('../support/harness');
    const h = new Harness({ env: { COUNTERSIGN_ADMINS: 'new.head@larkfield.example' } });
    await h.start();
    try {
      await h.app.ready;
      await h.app.store.setStaffRoles(hannah.id, [], { id: 'test-clear', schoolId: hannah.schoolId, entityType: 'staff', entityId: hannah.id, actorId: 'test', actorName: 'test', action: 'staff.roles', at: new Date().toISOString(), before: null, after: null });
      const newcomer = { id: '30000000-0000-4000-8000-000000000001', name: 'Nia Head', email: 'New.Head@larkfield.example', department: 'Senior Leadership', jobTitle: 'Head of School' };
      await h.app.roster.apply({ kind: 'delta', upserts: [newcomer], removed: [] }, { markUnlistedLeft: false });
      await expect.poll(async () => (await h.app.store.getStaff(newcomer.id))?.roles).toEqual(['policyAdmin']);
      expect(h.logs).toContain('policy admin from COUNTERSIGN_ADMINS: Nia Head');
    } finally {
      await h.stop();
    }
  });
});

describe('the embedded demo across a restart', () => {
  it('keeps the roles given in Settings: the demo roster is seeded once, not over them', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { createApp } = await import('../../src/server/app');
    const dir = mkdtempSync(join(tmpdir(), 'countersign-restart-'));
    const config = loadConfig({ COUNTERSIGN_MODE: 'embedded', PORT: '0', DATA_DIR: dir });
    try {
      const first = createApp(config, { log: () => undefined });
      await first.ready;
      expect((await first.roles.setRoles({ id: hannah.id, name: hannah.name }, { id: hannah.id, roles: hannah.roles }, jess.id, ['networkManager'])).ok).toBe(true);
      await first.close();
      const second = createApp(config, { log: () => undefined });
      await second.ready;
      expect((await second.store.getStaff(jess.id))!.roles).toEqual(['networkManager']);
      expect((await second.store.getStaff(hannah.id))!.roles).toEqual(['policyAdmin']);
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

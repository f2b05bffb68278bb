import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPeople } from '../../src/adapters/demo-school';
import { Harness } from '../support/harness';
import { apiAs, tabApi } from '../support/tab-api';

const h = new Harness();
beforeAll(() => h.start());
afterAll(() => h.stop());

describe('GET /api/me and the page rule', () => {
  it('refuses a call with no sign-in with 401, whatever its body, before parsing it', async () => {
    expect((await tabApi(h).get('/api/me')).status).toBe(401);
    const broken = await tabApi(h).post('/api/requests', '{not json');
    expect(broken.status).toBe(401);
    expect(broken.body).toEqual({ error: 'AUTH.REQUIRED', message: expect.any(String) });
    expect((await tabApi(h, 'Bearer dev.AAAA.99999999999999.forged').get('/api/me')).status).toBe(401);
  });

  it('gives a teacher My tasks only, and the policy admin every page, demo inboxes included', async () => {
    const teacher = await (await apiAs(h, demoPeople.requester)).get('/api/me');
    expect(teacher.status).toBe(200);
    expect(teacher.body.person.name).toBe(demoPeople.requester.name);
    expect(teacher.body.pages.map((p: { id: string }) => p.id)).toEqual(['tasks', 'inboxes']);
    const admin = await (await apiAs(h, demoPeople.policyAdmin)).get('/api/me');
    expect(admin.body.pages.map((p: { id: string }) => p.id)).toEqual(['tasks', 'approvals', 'campaigns', 'register', 'policies', 'settings', 'inboxes']);
    expect(admin.body.demo).toBe(true);
  });

  it('answers a dev sign-in for someone unknown with 400 naming the field, and an unknown API path with 404', async () => {
    const bad = await tabApi(h).post('/api/dev/session', { personId: 'nobody' });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('personId');
    const missing = await tabApi(h).post('/api/dev/session', {});
    expect(missing.status).toBe(400);
    expect(missing.body.field).toBe('personId');
    expect((await (await apiAs(h, demoPeople.requester)).get('/api/nowhere')).status).toBe(404);
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { demoPeople, demoStaff } from '../../src/adapters/demo-school';
import { appOn, STORES } from '../support/on-each-store';
import { apiAs } from '../support/tab-api';
import { actionsOf } from '../support/validate-card';

const { requester, policyAdmin } = demoPeople;
const signer = demoStaff.find((s) => s.name.startsWith('Chloe'))!;

// On both stores: SharePoint on the local Graph server, throttling and losing write replies (on-each-store.ts),
// where a signature is chained a moment after it is made.
describe.each(STORES)('receipts on %s', (store) => {
const h = appOn(store);
beforeAll(() => h.app.ready);

/** Signs the first outstanding declaration as `person` through the tab, as they would; returns its version. */
async function signFirst(person: typeof signer, typedName = person.name) {
  const me = await apiAs(h, person);
  const [todo] = (await me.get('/api/tasks')).body.declarations;
  const view = await me.get(`/api/declarations/${todo.versionId}`);
  // The policy may ask that the full text is opened first: open it with the card's own link.
  const u = new URL(actionsOf(view.body.card).find((a) => a.type === 'Action.OpenUrl').url as string);
  await fetch(`${h.baseUrl}${u.pathname}${u.search}`, { redirect: 'manual' });
  const signed = await me.post(`/api/declarations/${todo.versionId}/sign`, { typedName, confirm: true });
  expect(signed.status).toBe(200);
  return todo as { versionId: string; title: string; versionLabel: string };
}

const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

describe('GET /api/receipts/:versionId', () => {
  it('gives the signer their receipt: typed name, version, hashes and the chain position; My tasks lists the signature', async () => {
    const v = await signFirst(signer);
    const me = await apiAs(h, signer);
    let res = await me.get(`/api/receipts/${v.versionId}`);
    // Until the signature is chained (SharePoint: about a second), the receipt says so, and gives no position.
    for (const until = Date.now() + 20_000; res.status === 200 && !res.body.recorded && Date.now() < until; res = await me.get(`/api/receipts/${v.versionId}`)) {
      expect(text(res.body.html)).toContain('Chain position: being recorded, try again in a minute.');
      expect(text(res.body.html)).not.toContain('Previous entry hash');
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(res.status).toBe(200);
    expect(res.body.recorded).toBe(true);
    expect(res.body.fileName).toMatch(/^receipt-.+\.html$/);
    const t = text(res.body.html);
    expect(t).toContain(`Signed by ${signer.name}`);
    expect(t).toContain(`Name typed as signature ${signer.name}`);
    expect(t).toContain(`Version ${v.versionLabel}`);
    expect(t).toMatch(/Content hash \(SHA-256\) [0-9a-f]{64}/);
    expect(t).toMatch(/Chain position entry \d+ of .+’s audit chain/);
    expect(t).toMatch(/Previous entry hash [0-9a-f]{64}/);
    expect(t).toContain('npm run audit:verify');
    expect(t).not.toMatch(/being recorded/);
    // The signature as stored hashes to what its audit entry recorded.
    expect(t).not.toMatch(/no longer matches the hash its audit entry recorded/);

    const tasks = await me.get('/api/tasks');
    expect(tasks.body.signed).toEqual([{ versionId: v.versionId, policyId: expect.any(String), title: v.title, versionLabel: v.versionLabel, signedAt: expect.any(String) }]);
    // By e-mail too, for oneself.
    expect((await me.get(`/api/receipts/${v.versionId}?person=${encodeURIComponent(signer.email)}`)).status).toBe(200);
  });

  it('gives someone else’s receipt to a policy admin only: 403 for a member of staff, 200 for the policy admin', async () => {
    const [todo] = (await (await apiAs(h, signer)).get('/api/tasks')).body.signed;
    const path = `/api/receipts/${todo.versionId}?person=${signer.id}`;
    const other = await (await apiAs(h, requester)).get(path);
    expect(other.status).toBe(403);
    expect(other.body.error).toBe('RECEIPT.NOT_ALLOWED');
    expect(other.body.message).toMatch(/your own signatures/);
    // Nor does a member of staff learn who exists.
    expect((await (await apiAs(h, requester)).get(`/api/receipts/${todo.versionId}?person=nobody-at-all`)).status).toBe(403);

    const admin = await (await apiAs(h, policyAdmin)).get(path);
    expect(admin.status).toBe(200);
    expect(text(admin.body.html)).toContain(`Signed by ${signer.name}`);
    const nobody = await (await apiAs(h, policyAdmin)).get(`/api/receipts/${todo.versionId}?person=nobody-at-all`);
    expect(nobody.status).toBe(404);
    expect(nobody.body.message).toMatch(/nobody-at-all/);
  });

  it('answers 404 naming what is missing: an unknown version, a version not signed', async () => {
    const me = await apiAs(h, requester);
    const unknown = await me.get('/api/receipts/no-such-version');
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toMatch(/no policy version with the id or label “no-such-version”/);

    const [todo] = (await me.get('/api/tasks')).body.declarations;
    const unsigned = await me.get(`/api/receipts/${todo.versionId}`);
    expect(unsigned.status).toBe(404);
    expect(unsigned.body.error).toBe('RECEIPT.NOT_SIGNED');
    expect(unsigned.body.message).toContain(`${requester.name} has not signed ${todo.title}, version ${todo.versionLabel}`);
  });

  it('refuses bad input with 400 naming the field', async () => {
    const me = await apiAs(h, signer);
    const long = await me.get(`/api/receipts/some-version?person=${'x'.repeat(101)}`);
    expect(long.status).toBe(400);
    expect(long.body.field).toBe('person');
    const blank = await me.get(`/api/receipts/${encodeURIComponent(' ')}`);
    expect(blank.status).toBe(400);
    expect(blank.body.field).toBe('versionId');
  });
});
});

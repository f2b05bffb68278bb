import { describe, expect, test } from 'vitest';
import { demoPolicyVersions } from '../../src/adapters/demo-policy';
import { demoStaff } from '../../src/adapters/demo-school';
import { people } from '../support/harness';
import { appOn, STORES } from '../support/on-each-store';
import { actionsOf, allText, inputValues, verbsOf } from '../support/validate-card';

const [v2025, v2026] = demoPolicyVersions.map((v) => v.id);
const chloe = demoStaff.find((s) => s.name.startsWith('Chloe'))!;
const farid = demoStaff.find((s) => s.name.startsWith('Farid'))!;
const { requester: ben, policyAdmin: hannah } = people;

// The same outcomes on both stores: SQLite, and SharePoint on the local Graph server with 20% of requests throttled (429).
describe.each(STORES)('%s store', (store) => {
  const h = appOn(store);

  /** Follows the "Read the full policy" link as the person's browser would. */
  async function openPolicy(card: any) {
    const link = actionsOf(card).find((a) => a.type === 'Action.OpenUrl' && /Read the full policy/.test(a.title)).url as string;
    const url = new URL(link);
    const res = await fetch(`${h.baseUrl}${url.pathname}${url.search}`, { redirect: 'manual' });
    return res;
  }

  describe('signing a declaration in chat', () => {
    test('“sign” shows the current version with summary, statements, link, confirmation and name', async () => {
      const [card] = await h.say(ben, 'sign');
      const text = allText(card);
      expect(text).toMatch(/version 2026-27/i);
      expect(text).toMatch(/AI tools the school has not approved/);
      expect(Object.keys(inputValues(card))).toEqual(['confirm', 'typedName']);
      expect(verbsOf(card)).toContain('declaration.sign');
      expect(actionsOf(card).find((a) => a.verb === 'declaration.sign').data).toEqual({ versionId: v2026 });
      expect(text).toMatch(/open and read the full document before you sign/);
    });

    test('a policy that must be read first says so, and the link records the opening and redirects', async () => {
      const first = await h.invoke(chloe, 'declaration.sign', { versionId: v2026, confirm: 'true', typedName: 'Chloe Marsh' });
      expect(allText(first.card)).toMatch(/Open the full policy first/);
      expect(await h.app.store.policies.getDeclaration(chloe.id, v2026)).toBeUndefined();

      const [card] = await h.say(chloe, 'sign');
      const res = await openPolicy(card);
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe(demoPolicyVersions[1].content.documentUrl);
      expect(await h.app.store.policies.hasOpened(chloe.id, v2026)).toBe(true);

      const forged = await fetch(`${h.baseUrl}/policy/open?v=${v2026}&u=${farid.id}&s=forged`, { redirect: 'manual' });
      expect(forged.status).toBe(400);
      expect(await h.app.store.policies.hasOpened(farid.id, v2026)).toBe(false);
    });

    test('sign records who, the typed name, server time, version and hash; the card updates in place', async () => {
      const before = Date.now();
      const res = await h.invoke(chloe, 'declaration.sign', { versionId: v2026, confirm: 'true', typedName: '  chloe   MARSH ' });
      expect(allText(res.card)).toMatch(/Signed by Chloe Marsh on .* \(version 2026-27\)/);
      expect(verbsOf(res.card)).not.toContain('declaration.sign');
      const d = (await h.app.store.policies.getDeclaration(chloe.id, v2026))!;
      const version = (await h.app.store.policies.getVersion(v2026))!;
      expect(d).toMatchObject({ signerId: chloe.id, typedName: 'chloe   MARSH', versionId: v2026, contentHash: version.contentHash, campaignId: null });
      expect(version.contentHash).toMatch(/^[0-9a-f]{64}$/);
      expect(Date.parse(d.signedAt)).toBeGreaterThanOrEqual(before - 1000);
    });

    test('signing the same version again changes nothing and says when it was signed', async () => {
      const first = (await h.app.store.policies.getDeclaration(chloe.id, v2026))!;
      const again = await h.invoke(chloe, 'declaration.sign', { versionId: v2026, confirm: 'true', typedName: 'Chloe Marsh' });
      expect(allText(again.card)).toMatch(/Already signed on/);
      expect(await h.app.store.policies.getDeclaration(chloe.id, v2026)).toEqual(first);
      expect((await h.app.store.policies.listDeclarationsBySigner(chloe.id)).length).toBe(1);
    });

    test('a name that does not match the directory is refused, with what was typed kept', async () => {
      const [card] = await h.say(farid, 'sign');
      await openPolicy(card);
      const res = await h.invoke(farid, 'declaration.sign', { versionId: v2026, confirm: 'true', typedName: 'Mickey Mouse' });
      const text = allText(res.card);
      expect(text).toMatch(/does not match the name we hold for you \(Farid Aziz\)/);
      expect(inputValues(res.card).typedName).toBe('Mickey Mouse');
      expect(await h.app.store.policies.getDeclaration(farid.id, v2026)).toBeUndefined();
      const unticked = await h.invoke(farid, 'declaration.sign', { versionId: v2026, confirm: 'false', typedName: 'Farid Aziz' });
      expect(allText(unticked.card)).toMatch(/Tick “I have read and agree”/);
      expect(await h.app.store.policies.getDeclaration(farid.id, v2026)).toBeUndefined();
    });

    test('a superseded version cannot be signed; the card offers the newer one', async () => {
      const res = await h.invoke(farid, 'declaration.sign', { versionId: v2025, confirm: 'true', typedName: 'Farid Aziz' });
      expect(allText(res.card)).toMatch(/A newer version \(2026-27\) has replaced this one/);
      const offer = actionsOf(res.card).find((a) => a.verb === 'declaration.show');
      expect(offer.data.versionId).toBe(v2026);
      expect(await h.app.store.policies.getDeclaration(farid.id, v2025)).toBeUndefined();
    });

    test('status lists outstanding declarations', async () => {
      const [mine] = await h.say(farid, 'status');
      expect(allText(mine)).toMatch(/Declarations to sign \(1\)/);
      const [chloes] = await h.say(chloe, 'status');
      expect(allText(chloes)).not.toMatch(/Declarations to sign/);
    });
  });

  describe('campaigns', () => {
    test('only policy admins can run campaigns', async () => {
      const [card] = await h.say(ben, 'campaign launch');
      expect(allText(card)).toMatch(/Campaigns are for policy admins/);
      const res = await h.invoke(ben, 'campaign.launch', { versionId: v2026, deadline: '2099-01-01' });
      expect(allText(res.card)).toMatch(/Campaigns are for policy admins/);
      expect(await h.app.store.campaigns.listCampaigns()).toEqual([]);
    });

    test('a bad launch comes back with the field named and the input kept', async () => {
      const res = await h.invoke(hannah, 'campaign.launch', { versionId: v2025, deadline: '2001-01-01', reminderEveryDays: '0' });
      const text = allText(res.card);
      expect(text).toMatch(/Policy version: 2025-26 has been replaced by 2026-27/);
      expect(text).toMatch(/Deadline: it is in the past/);
      expect(text).toMatch(/Reminder every: a whole number of days from 1 to 90/);
      expect(inputValues(res.card).deadline).toBe('2001-01-01');
    });

    test('launch sends each recipient one card; progress, signing from the card and export follow', async () => {
      const [form] = await h.say(hannah, 'campaign launch');
      expect(verbsOf(form)).toContain('campaign.launch');
      const deadline = new Date(Date.now() + 21 * 86400_000).toISOString().slice(0, 10);
      const res = await h.invoke(hannah, 'campaign.launch', { versionId: v2026, deadline, reminderEveryDays: '7' });
      // The launch answers at once; a job reads the audience and books the cards.
      expect(allText(res.card)).toMatch(/Launched\. Preparing the audience/);
      await h.settle();
      const [launched] = await h.say(hannah, 'campaign status');
      // 14 people, 1 of whom had already signed.
      expect(allText(launched)).toMatch(/Signed\s*:?\s*\n?1 of 14 \(7%\)/);

      const campaign = (await h.app.store.campaigns.listCampaigns())[0];
      for (const s of demoStaff) {
        const cards = h.connector.cardsFor(s.id).filter((c) => actionsOf(c).some((a) => a.verb === 'declaration.sign' && a.data.campaignId === campaign.id));
        expect(cards.length, s.name).toBe(s.id === chloe.id ? 0 : 1);
      }
      // Signing from the campaign card records the campaign and moves the recipient to signed.
      const bens = h.connector.cardsFor(ben.id).find((c) => actionsOf(c).some((a) => a.data?.campaignId === campaign.id))!;
      await openPolicy(bens);
      const signed = await h.invoke(ben, 'declaration.sign', { ...actionsOf(bens).find((a) => a.verb === 'declaration.sign').data, confirm: 'true', typedName: 'Ben Carter' });
      expect(allText(signed.card)).toMatch(/Signed by Ben Carter/);
      expect((await h.app.store.policies.getDeclaration(ben.id, v2026))!.campaignId).toBe(campaign.id);
      expect((await h.app.store.campaigns.getRecipient(campaign.id, ben.id))!.value.state).toBe('signed');

      const [status] = await h.say(hannah, 'campaign status');
      const text = allText(status);
      expect(text).toMatch(/Signed\s*:?\s*\n?2 of 14 \(14%\)/);
      expect(text).toMatch(/Key Stage 2/);

      const before = h.connector.calls.length;
      const [exported] = await h.say(hannah, 'campaign export');
      // The card links to the file; no attachment Teams would refuse ("text/csv is an unknown attachment type").
      const attachments = h.connector.calls.slice(before).flatMap((c) => c.activity?.attachments ?? []);
      expect(attachments.map((a: any) => a.contentType)).toEqual(['application/vnd.microsoft.card.adaptive']);
      const download = actionsOf(exported).find((a) => a.title === 'Download CSV').url as string;
      const csv = await (await fetch(`${h.baseUrl}${new URL(download).pathname}${new URL(download).search}`)).text();
      const rows = csv.trim().split(/\r\n/);
      expect(rows[0]).toBe('Name,Department,Status,Signed on (Europe/London time),Reminders sent,Technical detail');
      expect(rows).toHaveLength(15);
      // By department, then name, as a governor reads down it.
      const keys = rows.slice(1).map((r) => r.split(',').slice(0, 2));
      const sorted = [...keys].sort((a, b) => a[1]!.localeCompare(b[1]!, 'en-GB') || a[0]!.localeCompare(b[0]!, 'en-GB'));
      expect(keys).toEqual(sorted);
      // A governor's words and the school's local time, as the cards give it.
      expect(rows.find((r) => r.startsWith('Ben Carter'))).toMatch(/^Ben Carter,Key Stage 2,Signed,"\d{1,2} [A-Z][a-z]+ 20\d\d, \d\d:\d\d",0,$/);
      expect(rows.filter((r) => /,Waiting,/.test(r))).toHaveLength(12);
      // The summary for governors counts in the CSV's own words.
      expect(allText(exported)).toMatch(/Signed: 2\. Waiting: 12\./);
      expect(allText(exported)).toMatch(/2 of 14 staff have signed/);
      const bad = await fetch(`${h.baseUrl}${new URL(download).pathname}?s=nope`);
      expect(bad.status).toBe(403);
    });
  });
});

import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { demoPolicyVersions } from '../../src/adapters/demo-policy';
import { demoStaff } from '../../src/adapters/demo-school';
import { SqliteStore } from '../../src/adapters/sqlite.store';
import { validForm } from '../support/forms';
import { Harness, ManualClock, people } from '../support/harness';
import { actionsOf, allText } from '../support/validate-card';

// Not the demo's own id, so a record that took the demo's default instead of the configured school shows up.
const SCHOOL = 'oak-academy';
const clock = new ManualClock(Date.parse('2026-11-23T09:00:00Z'));
const h = new Harness({ clock, env: { SCHOOL_ID: SCHOOL } });
beforeAll(() => h.start());
afterAll(() => h.stop());

const { requester, ictLeader, headTeacher, policyAdmin } = people;
const chloe = demoStaff.find((s) => s.name.startsWith('Chloe'))!;
const v2026 = demoPolicyVersions[1].id;

describe('every record knows its school', () => {
  test('what people do through the bot is stamped with their school, and what follows from it inherits it', async () => {
    expect((await h.app.store.getStaff(requester.id))!.schoolId).toBe(SCHOOL);

    // A request through both approvers: request, decisions, audit entries, account, message and reminder jobs.
    const res = await h.invoke(requester, 'request.submit', validForm({ goLive: '2027-01-10', closure: '2027-07-20' }));
    const requestId = actionsOf(res.card).find((a) => a.verb === 'request.withdraw').data.requestId as string;
    await h.settle();
    for (const [who, signature] of [[ictLeader, 'Gareth Lloyd'], [headTeacher, 'Priya Raman']] as const) {
      const r = (await h.app.store.getRequest(requestId))!.value;
      const done = await h.invoke(who, 'approval.approve', { requestId, step: r.currentStep, round: r.round, signature, comment: '' });
      expect(allText(done.card)).toMatch(new RegExp(`Approved by ${signature}`));
      await h.settle();
    }
    expect((await h.app.store.getRequest(requestId))!.value).toMatchObject({ status: 'approved', schoolId: SCHOOL });
    expect((await h.app.store.listDecisions(requestId)).map((d) => d.schoolId)).toEqual([SCHOOL, SCHOOL]);
    expect((await h.app.store.listAccounts()).map((a) => a.schoolId)).toEqual([SCHOOL]);

    // A signature, and a campaign with its recipients and send jobs.
    await h.app.declarations.recordOpen(chloe.id, v2026);
    const signed = await h.invoke(chloe, 'declaration.sign', { versionId: v2026, confirm: 'true', typedName: 'Chloe Marsh' });
    expect(allText(signed.card)).not.toMatch(/Open the full policy first/);
    expect((await h.app.store.policies.getDeclaration(chloe.id, v2026))!.schoolId).toBe(SCHOOL);
    const launched = await h.invoke(policyAdmin, 'campaign.launch', { versionId: v2026, deadline: '2027-01-25', reminderEveryDays: '7' });
    expect(allText(launched.card)).toMatch(/Launched\. Preparing the audience/);
    await h.settle();
    const [campaign] = await h.app.store.campaigns.listCampaigns();
    expect(campaign!.schoolId).toBe(SCHOOL);
    expect((await h.app.store.campaigns.countRecipients(campaign!.id)).reduce((n, c) => n + c.count, 0)).toBe(14);

    // Nothing was written without it: every row of every school table carries the configured school.
    const db = (h.app.store as SqliteStore).db;
    const tables = ['requests', 'decisions', 'audit', 'accounts', 'staff', 'policies', 'policy_versions', 'declarations', 'campaigns', 'recipients', 'jobs'];
    const seen = Object.fromEntries(tables.map((t) => [t, db.prepare(`SELECT school_id AS s, COUNT(*) AS n FROM ${t} GROUP BY school_id`).all()]));
    for (const t of tables) expect(seen[t], t).toEqual([{ s: SCHOOL, n: expect.any(Number) }]);
    const jobsById = db.prepare(`SELECT kind, school_id AS s FROM jobs`).all() as Array<{ kind: string; s: string }>;
    expect(new Set(jobsById.map((j) => j.kind))).toEqual(new Set(['request.notify', 'approval.remind', 'account.closure-reminder', 'account.annual-review', 'campaign.send', 'campaign.remind-run', 'campaign.expand']));
  });
});

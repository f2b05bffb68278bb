import { afterAll, beforeAll, expect, it } from 'vitest';
import { demoPolicyVersions } from '../../src/adapters/demo-policy';
import { demoStaff } from '../../src/adapters/demo-school';
import { Harness, people } from '../support/harness';

/**
 * A campaign to a team in the Microsoft 365 mode: Bot Framework auth on both ways (the connector refuses
 * a roster read without the bot's token), the SharePoint store on the local Graph server.
 */
const h = new Harness({ m365: {} });
beforeAll(() => h.start(), 60_000);
afterAll(() => h.stop());

it('reads the team through the authenticated paged members call and reaches its staff members', async () => {
  const team = { id: '19:m365-year4@thread.tacv2', name: 'Year 4', aadGroupId: 'a1b2c3d4-0000-4000-8000-000000000004' };
  const members = demoStaff.slice(0, 4);
  h.connector.setTeamRoster(team.id, [...members.map((p) => ({ id: `29:${p.id}`, name: p.name, aadObjectId: p.id })), { id: '29:guest', name: 'A guest', aadObjectId: 'guest-not-staff' }]);
  expect((await h.post(h.teamUpdate(team, 'added'))).status).toBe(200);
  await h.invoke(people.policyAdmin, 'campaign.launch', { versionId: demoPolicyVersions[1]!.id, deadline: '2099-12-31', reminderEveryDays: 7, audience: `team:${team.id}` });
  const [campaign] = await h.app.store.campaigns.listCampaigns();
  expect(campaign?.audience).toEqual({ kind: 'team', teamId: team.id, teamName: 'Year 4' });
  await h.settle();
  const recipients = await h.app.store.campaigns.listRecipients(campaign!.id, { limit: 100 });
  expect(recipients.map((r) => r.userId).sort()).toEqual(members.map((p) => p.id).sort());
  expect(h.connector.rosterCalls('pagedmembers', team.id)).toHaveLength(1);
  expect(h.connector.rejections.filter((r) => r.kind === 'pagedmembers')).toEqual([]);
  expect(h.connector.rosterCalls('members')).toEqual([]);
}, 120_000);
